"""The seed notebook's model and operations (log_sinkhorn, Gumbel noise, the Sinkhorn network with
its per-piece loop, chunking), and the same maths tuned as our DJL path is: all pieces in one
batched call, channels-last, NHWC flatten. Shared by the trainer benchmark scripts."""
import torch
import torch.nn as nn


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


def chunk(images, g, generator=None):
    """(true pieces, scrambled pieces, permutations) as the notebook's batch_chunk_image."""
    b = images.shape[0]
    ph = 28 // g
    pieces = images[:, :, :ph * g, :ph * g].reshape(b, 1, g, ph, g, ph).permute(0, 2, 4, 1, 3, 5).reshape(b, g * g, 1, ph, ph)
    perms = torch.stack([torch.randperm(g * g, generator=generator) for _ in range(b)])
    scrambled = torch.gather(pieces, 1, perms[:, :, None, None, None].expand_as(pieces))
    return pieces, scrambled, perms
