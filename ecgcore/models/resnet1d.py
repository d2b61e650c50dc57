"""`resnet1d`: a scaled-down 1-D ResNet after resnet1d_wang (Wang et al. 2017, as in the PTB-XL benchmark).

Stem conv (kernel 7) -> three basic residual blocks (kernels 5 and 3; the 2nd and 3rd halve the time axis)
-> average+max pooling -> small MLP head. Narrow (32-64 channels, ~70 k parameters, ~7 M multiply-adds per
2.5 s window) so that one 10 s record takes a few ms on one CPU thread and an epoch over PTB-XL's folds 1-8
fits in a minute on two cores.
"""
from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn

from ecgcore.models.layers import ConcatPool1d, classifier_head
from ecgcore.models.registry import register
from ecgcore.models.torchnet import TRAINING_DEFAULTS, TorchWindowModel


class BasicBlock1d(nn.Module):
    """conv(k1, stride) -> BN -> ReLU -> conv(k2) -> BN, plus a (projected) shortcut, then ReLU."""

    def __init__(self, c_in: int, c_out: int, stride: int, kernels: tuple[int, int] = (5, 3)) -> None:
        super().__init__()
        k1, k2 = kernels
        self.conv1 = nn.Conv1d(c_in, c_out, k1, stride=stride, padding=k1 // 2, bias=False)
        self.bn1 = nn.BatchNorm1d(c_out)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv1d(c_out, c_out, k2, padding=k2 // 2, bias=False)
        self.bn2 = nn.BatchNorm1d(c_out)
        self.shortcut = nn.Identity() if c_in == c_out and stride == 1 else nn.Sequential(
            nn.Conv1d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm1d(c_out))
        self.relu2 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(out + self.shortcut(x))


class ResNet1dNet(nn.Module):
    """(B, 12, T) standardised -> (B, n_classes) logits."""

    def __init__(self, n_classes: int, widths: tuple[int, ...] = (32, 32, 48, 64), dropout: float = 0.25) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(12, widths[0], 7, padding=3, bias=False), nn.BatchNorm1d(widths[0]), nn.ReLU())
        blocks = [BasicBlock1d(widths[i], widths[i + 1], stride=1 if i == 0 else 2) for i in range(len(widths) - 1)]
        self.blocks = nn.Sequential(*blocks)
        self.pool = ConcatPool1d()
        self.head = classifier_head(2 * widths[-1], n_classes, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(self.blocks(self.stem(x))))

    def gradcam_layers(self) -> dict[str, nn.Module]:
        return {"last": self.blocks[-1], "early": self.blocks[0]}


@register("resnet1d")
class ResNet1d(TorchWindowModel):
    architecture: ClassVar[str] = ("1-D ResNet (resnet1d_wang-style): stem conv k7, 3 residual blocks (k5/k3), "
                                   "time /4, concat avg+max pooling, MLP head")
    defaults: ClassVar[dict[str, Any]] = {**TRAINING_DEFAULTS, "widths": [32, 32, 48, 64], "epochs": 10}

    def build_net(self) -> nn.Module:
        return ResNet1dNet(len(self.classes), tuple(self.hyper["widths"]), self.hyper["dropout"])
