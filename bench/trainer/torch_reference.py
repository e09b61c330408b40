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
import torch.nn as nn

mnist_dir, mode, n_images = sys.argv[1], sys.argv[2], int(sys.argv[3])
grid = int(sys.argv[4]) if len(sys.argv) > 4 else 2
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)

raw = np.fromfile(f"{mnist_dir}/train-images-idx3-ubyte", dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
images = (torch.from_numpy(raw[:n_images].astype(np.float32) / 255.0) - 0.1307) / 0.3081


# --- the seed notebook's code (sinkhorn, gumbel, network with its per-piece loop, chunking) ---
def log_sinkhorn(log_alpha, n_iter):
    for _ in range(n_iter):
        log_alpha = log_alpha - torch.logsumexp(log_alpha, -1, keepdim=True)
        log_alpha = log_alpha - torch.logsumexp(log_alpha, -2, keepdim=True)
    return log_alpha.exp()


def sample_gumbel(shape, eps=1e-20):
    u = torch.rand(shape)
    return -torch.log(-torch.log(u + eps) + eps)


def gumbel_sinkhorn(log_alpha, tau, n_iter):
    return log_sinkhorn((log_alpha + sample_gumbel(log_alpha.shape)) / tau, n_iter)


class NotebookNet(nn.Module):
    def __init__(self, num_pieces, hidden=32, k=5):
        super().__init__()
        self.g_1 = nn.Sequential(nn.Conv2d(1, hidden, k, padding=k // 2), nn.MaxPool2d(2), nn.ReLU(True),
                                 nn.BatchNorm2d(hidden))
        piece = 28 // num_pieces
        self.g_2 = nn.Linear((piece // 2) ** 2 * hidden, num_pieces ** 2, bias=False)

    def forward(self, batch_pieces):
        b = batch_pieces.shape[0]
        pieces = batch_pieces.transpose(0, 1).contiguous()
        conv = [self.g_1(p).reshape(b, -1) for p in pieces]
        return torch.stack([self.g_2(c) for c in conv], 1)


class TunedNet(NotebookNet):
    """Same parameters and maths; all B*P pieces in one call, channels-last, NHWC flatten."""

    def forward(self, batch_pieces):
        b, p, c, h, w = batch_pieces.shape
        x = batch_pieces.reshape(b * p, h, w, c).permute(0, 3, 1, 2)  # channels-last view (c == 1)
        x = self.g_1(x)
        hidden, ph, pw = x.shape[1], x.shape[2], x.shape[3]
        x = x.permute(0, 2, 3, 1).reshape(b * p, -1)
        weight = self.g_2.weight.reshape(p, hidden, ph, pw).permute(0, 2, 3, 1).reshape(p, -1)
        return (x @ weight.t()).reshape(b, p, p)


def chunk(images, g):
    b = images.shape[0]
    ph = 28 // g
    pieces = images[:, :, :ph * g, :ph * g].reshape(b, 1, g, ph, g, ph).permute(0, 2, 4, 1, 3, 5).reshape(b, g * g, 1, ph, ph)
    perms = torch.stack([torch.randperm(g * g) for _ in range(b)])
    scrambled = torch.gather(pieces, 1, perms[:, :, None, None, None].expand_as(pieces))
    return pieces, scrambled


model = NotebookNet(grid) if mode == "notebook" else TunedNet(grid)
opt = torch.optim.Adam(model.parameters(), 1e-4, eps=1e-8)
model.train()
batch = 64
steps = n_images // batch
total = 0.0
start = time.perf_counter()
for s in range(steps):
    x = images[s * batch:(s + 1) * batch]
    pieces, scrambled = chunk(x, grid)
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
