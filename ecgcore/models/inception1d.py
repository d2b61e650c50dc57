"""`inception1d`: a small InceptionTime / GoogLeNet-style 1-D CNN (Fawaz et al. 2020; inception1d in PTB-XL).

A GoogLeNet-like strided stem (conv k7, stride 2), then residual groups of inception modules: each module is
a 1x1 bottleneck -> parallel convolutions of three lengths + a max-pool branch, concatenated -> BN -> ReLU,
with a residual shortcut around each group; the time axis is halved again between groups. Small (16 filters
per branch) to stay fast on a CPU.
"""
from __future__ import annotations

from typing import Any, ClassVar, Sequence

import torch
from torch import nn

from ecgcore.models.layers import ConcatPool1d, classifier_head
from ecgcore.models.registry import register
from ecgcore.models.torchnet import TRAINING_DEFAULTS, TorchWindowModel


class InceptionModule1d(nn.Module):
    """(B, c_in, T) -> (B, 4 * filters, T)."""

    def __init__(self, c_in: int, filters: int, kernels: Sequence[int], bottleneck: int) -> None:
        super().__init__()
        self.bottleneck = nn.Conv1d(c_in, bottleneck, 1, bias=False) if c_in > bottleneck else nn.Identity()
        width = bottleneck if c_in > bottleneck else c_in
        self.convs = nn.ModuleList(nn.Conv1d(width, filters, k, padding=k // 2, bias=False) for k in kernels)
        self.pool_branch = nn.Sequential(nn.MaxPool1d(3, stride=1, padding=1), nn.Conv1d(c_in, filters, 1, bias=False))
        self.bn = nn.BatchNorm1d(filters * (len(kernels) + 1))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = self.bottleneck(x)
        out = torch.cat([conv(b) for conv in self.convs] + [self.pool_branch(x)], dim=1)
        return self.relu(self.bn(out))


class InceptionGroup(nn.Module):
    """`depth` inception modules with one residual shortcut around them."""

    def __init__(self, c_in: int, filters: int, kernels: Sequence[int], bottleneck: int, depth: int) -> None:
        super().__init__()
        c_out = filters * (len(kernels) + 1)
        self.modules_ = nn.Sequential(*[InceptionModule1d(c_in if i == 0 else c_out, filters, kernels, bottleneck)
                                        for i in range(depth)])
        self.shortcut = nn.Sequential(nn.Conv1d(c_in, c_out, 1, bias=False), nn.BatchNorm1d(c_out))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.modules_(x) + self.shortcut(x))


class Inception1dNet(nn.Module):
    """(B, 12, T) standardised -> (B, n_classes) logits."""

    def __init__(self, n_classes: int, filters: int = 16, kernels: Sequence[int] = (15, 9, 5), bottleneck: int = 16,
                 depth: int = 2, groups: int = 2, dropout: float = 0.25, stem: int = 32) -> None:
        super().__init__()
        c = filters * (len(kernels) + 1)
        self.stem = nn.Sequential(nn.Conv1d(12, stem, 7, stride=2, padding=3, bias=False), nn.BatchNorm1d(stem), nn.ReLU())
        layers: list[nn.Module] = []
        for g in range(groups):
            layers.append(InceptionGroup(stem if g == 0 else c, filters, kernels, bottleneck, depth))
            if g < groups - 1:
                layers.append(nn.MaxPool1d(2))
        self.groups = nn.Sequential(*layers)
        self.pool = ConcatPool1d()
        self.head = classifier_head(2 * c, n_classes, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(self.groups(self.stem(x))))

    def gradcam_layers(self) -> dict[str, nn.Module]:
        return {"last": self.groups[-1], "early": self.groups[0]}


@register("inception1d")
class Inception1d(TorchWindowModel):
    architecture: ClassVar[str] = ("GoogLeNet/InceptionTime-style 1-D CNN: strided conv stem, 2 residual groups of "
                                   "2 inception modules (bottleneck, kernels 15/9/5 + max-pool branch), time /4 "
                                   "in all, concat avg+max pooling, MLP head")
    defaults: ClassVar[dict[str, Any]] = {**TRAINING_DEFAULTS, "filters": 16, "kernels": [15, 9, 5],
                                          "bottleneck": 16, "depth": 2, "groups": 2, "stem": 32, "epochs": 10}

    def build_net(self) -> nn.Module:
        h = self.hyper
        return Inception1dNet(len(self.classes), h["filters"], tuple(h["kernels"]), h["bottleneck"], h["depth"],
                              h["groups"], h["dropout"], h["stem"])
