"""`leadwise`: one small 1-D CNN shared by the twelve leads, an additive read-out across leads whose lead
weights are the explanation (issue 20: lead evidence on the infarct territory).

Each lead is encoded on its own: the same convolutional encoder (weights shared by all leads) runs on every
lead's (1, T) standardised signal, is pooled over time (average and max) into h_l, and a learned lead
embedding e_l is added, so the read-out knows which lead it reads. For every class c a shared read-out gives
each lead a score s_{l,c}(h_l + e_l) and a gate g_{l,c}(h_l + e_l); the lead weight is

    a_{l,c} = pi_{l,c} * sigmoid(g_{l,c}),  pi_{., c} = softmax over the leads of learned logits (the prior),

and the class logit is z_c = b_c + sum_l a_{l,c} s_{l,c}. So a lead's contribution a_{l,c} s_{l,c} is an exact
decomposition of the window logit (plus the bias) and depends on that lead's own signal only: replacing one lead
changes that lead's contribution and no other (faithful by construction; tests/test_leadwise.py checks both).
The weights are not a softmax over the leads' own data (attention in the usual sense): that normalisation makes
every lead's weight depend on every other lead, and the second property would be lost; the learned prior pi is
the softmax over leads (which leads a class draws on in general) and the gate the record's own.

`lead_contributions(prepared)` gives a record's (classes, 12) contributions, weights and scores averaged over the
windows the probabilities average over (`prepared.starts`): the mean window logit is the bias plus the sum of the
mean contributions (a record's probability is the mean of the window probabilities, not the sigmoid of that mean
logit). The encoder's blocks keep the leads apart as channel groups ((B, 12 * C, T') between blocks), so the class
activation map of `ecgcore.explain.gradcam` runs on them ("last", "early") and Integrated Gradients gives each lead
its time-resolved map.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ecgcore.core.leads import LEADS
from ecgcore.models.base import PreparedInput
from ecgcore.models.registry import register
from ecgcore.models.torchnet import TRAINING_DEFAULTS, WINDOW_BATCH, TorchWindowModel

N_LEADS = len(LEADS)


class SharedLeadBlock(nn.Module):
    """(B, 12 * c_in, T) -> (B, 12 * c_out, T / stride): conv(k, stride) -> BN -> ReLU on every lead alone,
    the same weights for every lead (the leads are folded into the batch: (B * 12, c_in, T))."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1) -> None:
        super().__init__()
        self.c_in = c_in
        self.conv = nn.Conv1d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm1d(c_out)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, t = x.shape
        y = self.relu(self.bn(self.conv(x.reshape(b * N_LEADS, self.c_in, t))))
        return y.reshape(b, -1, y.shape[-1])


class LeadwiseNet(nn.Module):
    """(B, 12, T) standardised -> (B, n_classes) logits; `decompose` gives the per-lead parts."""

    def __init__(self, n_classes: int, widths: tuple[int, ...] = (12, 16, 24, 32), hidden: int = 64,
                 dropout: float = 0.25) -> None:
        super().__init__()
        kernels, strides = (7, 5, 5, 3), (2, 2, 2, 1)
        chans = (1, *widths)
        self.encoder = nn.Sequential(*[SharedLeadBlock(chans[i], chans[i + 1], kernels[i % 4], strides[i % 4])
                                       for i in range(len(widths))])
        d = 2 * widths[-1]
        self.d = d
        self.n_classes = n_classes
        self.lead_embedding = nn.Parameter(torch.zeros(N_LEADS, d))
        self.readout = nn.Sequential(nn.LayerNorm(d), nn.Dropout(dropout), nn.Linear(d, hidden), nn.ReLU(),
                                     nn.Dropout(dropout), nn.Linear(hidden, 2 * n_classes))
        self.prior = nn.Parameter(torch.zeros(N_LEADS, n_classes))  # lead-weight logits, softmax over leads
        self.bias = nn.Parameter(torch.zeros(n_classes))

    def decompose(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(contributions (B, 12, classes), weights a (B, 12, classes)): logits = contributions.sum(1) + bias."""
        b = x.shape[0]
        f = self.encoder(x)  # (B, 12 * C, T')
        f = f.reshape(b, N_LEADS, -1, f.shape[-1])
        h = torch.cat([f.mean(dim=-1), f.amax(dim=-1)], dim=-1) + self.lead_embedding  # (B, 12, d)
        out = self.readout(h)
        score, gate = out[..., :self.n_classes], out[..., self.n_classes:]
        weight = torch.softmax(self.prior, dim=0) * torch.sigmoid(gate)
        return weight * score, weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        contributions, _ = self.decompose(x)
        return contributions.sum(dim=1) + self.bias

    def gradcam_layers(self) -> dict[str, nn.Module]:
        return {"last": self.encoder[-1], "early": self.encoder[1]}


@dataclass(frozen=True)
class LeadContributions:
    """A record's lead-wise read-out, averaged over its scoring windows (`prepared.starts`).

    contributions: (classes, 12) logit units, lead l's part of class c's mean window logit; weights: (classes, 12)
    the lead weights a_{l,c} (0-1; they sum to at most 1 over the leads); bias: (classes,). For each class,
    bias + contributions.sum(axis=1) is the mean window logit exactly. Leads in `leads` order."""

    classes: tuple[str, ...]
    leads: tuple[str, ...]
    contributions: np.ndarray
    weights: np.ndarray
    bias: np.ndarray

    @property
    def mean_logit(self) -> np.ndarray:
        """(classes,) the mean window logit: bias plus every lead's contribution."""
        return self.bias + self.contributions.sum(axis=1)


@register("leadwise")
class Leadwise(TorchWindowModel):
    architecture: ClassVar[str] = ("lead-wise: one 1-D CNN encoder shared by the 12 leads (4 conv blocks, k7/5/5/3, 12-32 channels, "
                                   "time /8), avg+max pooling per lead + a learned lead embedding, a shared read-out "
                                   "giving each lead a score and a weight per class; logit = bias + sum over leads of "
                                   "weight x score (the lead contributions, an exact decomposition)")
    defaults: ClassVar[dict[str, Any]] = {**TRAINING_DEFAULTS, "widths": [12, 16, 24, 32], "hidden": 64,
                                          "epochs": 40, "batch_size": 64}

    retrain: ClassVar[str] = ("python -m ecgcore train --model leadwise --real --threads 2  (real PTB-XL folds 1-8 "
                              "from scratch, the recipe fixed before looking: ecgcore.learn.protocol.FIXED_RECIPES; "
                              "no synthetic pretraining)")

    def build_net(self) -> nn.Module:
        h = self.hyper
        return LeadwiseNet(len(self.classes), tuple(h["widths"]), h["hidden"], h["dropout"])

    def lead_contributions(self, prepared: PreparedInput, batch: int = WINDOW_BATCH) -> LeadContributions:
        """The record's lead contributions and weights (`LeadContributions`), averaged over the windows its
        probabilities average over (`prepared.starts`; `prepared` from `prepare(ecg)`)."""
        x = self.standardise(prepared.cut(prepared.starts))
        contrib, weight = [], []
        with torch.inference_mode():
            for i in range(0, len(x), batch):
                c, w = self.net.decompose(torch.from_numpy(x[i:i + batch]))
                contrib.append(c.numpy()); weight.append(w.numpy())
        c_mean = np.concatenate(contrib).astype(np.float64).mean(axis=0).T  # (classes, 12)
        w_mean = np.concatenate(weight).astype(np.float64).mean(axis=0).T
        bias = self.net.bias.detach().numpy().astype(np.float64)
        return LeadContributions(tuple(self.classes), tuple(LEADS), c_mean, w_mean, bias)
