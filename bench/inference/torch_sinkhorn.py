"""PyTorch eager side of the Sinkhorn benchmark: the seed notebook's log_sinkhorn (20 iterations of
row then column logsumexp normalisation, then exp) on float32 [B, N, N], same threads as ours.
Usage: torch_sinkhorn.py THREADS B,N [B,N ...]  ->  lines "B,N median_seconds"."""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))


def log_sinkhorn(log_alpha, n_iter):
    for _ in range(n_iter):
        log_alpha = log_alpha - torch.logsumexp(log_alpha, -1, keepdim=True)
        log_alpha = log_alpha - torch.logsumexp(log_alpha, -2, keepdim=True)
    return log_alpha.exp()


for shape in sys.argv[2:]:
    b, n = map(int, shape.split(","))
    x = torch.randn(b, n, n)
    with torch.no_grad():
        runs = max(15, min(200, int(2e7 / (b * n * n * 40))))
        for _ in range(max(3, runs // 5)):
            log_sinkhorn(x, 20)
        t = []
        for _ in range(runs):
            s = time.perf_counter()
            log_sinkhorn(x, 20)
            t.append(time.perf_counter() - s)
    print(shape, sorted(t)[len(t) // 2])
