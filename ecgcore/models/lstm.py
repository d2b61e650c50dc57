"""`lstm`: a bidirectional LSTM over a short convolutional front end (the PTB-XL benchmark's lstm_bidir).

Two strided convolutions turn 100 Hz samples into 25 feature vectors per second (time /4, which keeps a
CPU epoch short), a 2-layer bidirectional LSTM reads them, and its outputs are average+max pooled.
"""
from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn

from ecgcore.models.layers import ConcatPool1d, classifier_head
from ecgcore.models.registry import register
from ecgcore.models.torchnet import TRAINING_DEFAULTS, TorchWindowModel


class LSTMNet(nn.Module):
    """(B, 12, T) standardised -> (B, n_classes) logits."""

    def __init__(self, n_classes: int, front: int = 48, hidden: int = 64, layers: int = 2, dropout: float = 0.25) -> None:
        super().__init__()
        self.front = nn.Sequential(
            nn.Conv1d(12, front, 7, stride=2, padding=3, bias=False), nn.BatchNorm1d(front), nn.ReLU(),
            nn.Conv1d(front, front, 5, stride=2, padding=2, bias=False), nn.BatchNorm1d(front), nn.ReLU(),
        )
        self.lstm = nn.LSTM(front, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.pool = ConcatPool1d()
        self.head = classifier_head(4 * hidden, n_classes, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq, _ = self.lstm(self.front(x).transpose(1, 2))  # (B, T/4, 2*hidden)
        return self.head(self.pool(seq.transpose(1, 2)))

    def gradcam_layers(self) -> dict[str, nn.Module]:
        return {"last": self.front[-1], "early": self.front[2]}


@register("lstm")
class BiLSTM(TorchWindowModel):
    architecture: ClassVar[str] = ("bidirectional LSTM (2 layers) over a 2-conv front end (time /4), "
                                   "concat avg+max pooling over time, MLP head")
    defaults: ClassVar[dict[str, Any]] = {**TRAINING_DEFAULTS, "front": 48, "hidden": 64, "layers": 2, "epochs": 8}

    def build_net(self) -> nn.Module:
        h = self.hyper
        return LSTMNet(len(self.classes), h["front"], h["hidden"], h["layers"], h["dropout"])
