"""Small building blocks shared by the PyTorch models (no in-place operations, so captum works)."""
from __future__ import annotations

import torch
from torch import nn


class ConcatPool1d(nn.Module):
    """(B, C, T) -> (B, 2C): global average and global max over time, concatenated."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x.mean(dim=-1), x.amax(dim=-1)], dim=1)


def classifier_head(features: int, n_classes: int, hidden: int = 128, dropout: float = 0.25) -> nn.Sequential:
    """Concat-pooled features -> BN -> dropout -> hidden -> ReLU -> BN -> dropout -> class logits."""
    return nn.Sequential(
        nn.BatchNorm1d(features), nn.Dropout(dropout), nn.Linear(features, hidden), nn.ReLU(),
        nn.BatchNorm1d(hidden), nn.Dropout(dropout), nn.Linear(hidden, n_classes),
    )
