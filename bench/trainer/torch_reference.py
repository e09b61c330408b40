"""PyTorch side of the trainer benchmark: the seed notebook's training code, and the same maths
tuned as our DJL path is (all pieces in one batched call, channels-last, NHWC flatten).

Usage: torch_reference.py MNIST_DIR MODE IMAGES [grid] [threads]
  MODE: notebook | tuned
Prints one line: "<mode> images_per_second <value> loss_per_image <value>".
Data: the raw IDX files our resolver fetched (train-images-idx3-ubyte), normalised as the notebook.
"""
import sys
import time

import numpy as np
import torch

mnist_dir, mode, n_images = sys.argv[1], sys.argv[2], int(sys.argv[3])
grid = int(sys.argv[4]) if len(sys.argv) > 4 else 2
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)

raw = np.fromfile(f"{mnist_dir}/train-images-idx3-ubyte", dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
images = (torch.from_numpy(raw[:n_images].astype(np.float32) / 255.0) - 0.1307) / 0.3081


from torch_reference_defs import NotebookNet, TunedNet, chunk, gumbel_sinkhorn  # noqa: E402

model = NotebookNet(grid) if mode == "notebook" else TunedNet(grid)
opt = torch.optim.Adam(model.parameters(), 1e-4, eps=1e-8)
model.train()
batch = 64
steps = n_images // batch
total = 0.0
start = time.perf_counter()
for s in range(steps):
    x = images[s * batch:(s + 1) * batch]
    pieces, scrambled, _ = chunk(x, grid)
    log_alpha = model(scrambled)
    perm = gumbel_sinkhorn(log_alpha, 0.1, 20)
    ordered = torch.einsum("bpq,bpchw->bqchw", perm, scrambled)
    loss = torch.nn.functional.mse_loss(ordered, pieces, reduction="sum")
    opt.zero_grad()
    loss.backward()
    opt.step()
    total += loss.item()
elapsed = time.perf_counter() - start
print(f"{mode} images_per_second {steps * batch / elapsed:.1f} loss_per_image {total / (steps * batch):.3f}")
