"""The seed notebook's training code (per-piece loop network, batch 64) with a given learning rate:
wall seconds of training (evaluations excluded) until the mean Kendall tau on the 10k MNIST test
set reaches the target, evaluated every EVAL_EVERY steps as the notebook evaluates (hard matching
with scipy's linear_sum_assignment, scipy.stats.kendalltau).
Usage: torch_time_to_accuracy.py MNIST_DIR LEARNING_RATE TARGET EVAL_EVERY [threads]
Prints: "notebook lr=<lr> reached <tau> after <s> s (<images> images)" or "... not reached".
"""
import sys
import time

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from scipy.stats import kendalltau

mnist_dir, lr, target, every = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
import torch_reference_defs as ref  # noqa: E402


def load(name, n):
    raw = np.fromfile(f"{mnist_dir}/{name}", dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    return (torch.from_numpy(raw.astype(np.float32) / 255.0) - 0.1307) / 0.3081


train = load("train-images-idx3-ubyte", 60000)
test = load("t10k-images-idx3-ubyte", 10000)
g = torch.Generator().manual_seed(2018)
test_pieces, test_scrambled, test_perms = ref.chunk(test, 2, generator=g)

model = ref.NotebookNet(2)
opt = torch.optim.Adam(model.parameters(), lr, eps=1e-8)


def evaluate():
    model.eval()
    with torch.no_grad():
        la = torch.cat([model(test_scrambled[i:i + 1000]) for i in range(0, 10000, 1000)]).numpy()
    model.train()
    taus = []
    for m, truth in zip(la, test_perms.numpy()):
        _, col = linear_sum_assignment(-m)
        taus.append(kendalltau(truth, col).statistic)
    return float(np.mean(taus))


trained = 0.0
images = 0
for epoch in range(3):
    order = torch.randperm(60000)
    for s in range(60000 // 64):
        start = time.perf_counter()
        x = train[order[s * 64:(s + 1) * 64]]
        pieces, scrambled, _ = ref.chunk(x, 2)
        perm = ref.gumbel_sinkhorn(model(scrambled), 0.1, 20)
        ordered = torch.einsum("bpq,bpchw->bqchw", perm, scrambled)
        loss = torch.nn.functional.mse_loss(ordered, pieces, reduction="sum")
        opt.zero_grad()
        loss.backward()
        opt.step()
        trained += time.perf_counter() - start
        images += 64
        if (s + 1) % every == 0:
            tau = evaluate()
            if tau >= target:
                print(f"notebook lr={lr} reached {tau:.4f} after {trained:.2f} s ({images} images)")
                sys.exit(0)
print(f"notebook lr={lr} not reached within 3 epochs ({trained:.1f} s)")
