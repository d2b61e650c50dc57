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

`lead_contributions(prepared)` gives a record's (classes, 12) contributions and weights averaged over the
windows the probabilities average over (`prepared.starts`): the mean window logit is the bias plus the sum of the
mean contributions (a record's probability is the mean of the window probabilities, not the sigmoid of that mean
logit). A lead contributes something to every record, normal or not, so the strip shows each contribution minus
that lead's mean contribution on the training folds' NORM records (`fit_reference`, stored with the weights as the
`reference` buffer): what this record's lead adds beyond a normal lead, the question the replacement evidence of
`ecgcore.explain.evidence` asks with a normal template beat. The encoder's blocks keep the leads apart as channel groups ((B, 12 * C, T') between blocks), so the class
activation map of `ecgcore.explain.gradcam` runs on them ("last", "early") and Integrated Gradients gives each lead
its time-resolved map.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ecgcore.core.errors import UnknownNameError
from ecgcore.core.leads import LEADS, strongest_leads
from ecgcore.models.base import PreparedInput
from ecgcore.models.registry import register
from ecgcore.models.torchnet import TRAINING_DEFAULTS, WINDOW_BATCH, TorchWindowModel

N_LEADS = len(LEADS)
#: a lead is named in the strip's summary when it adds at least this much to the class's logit
MIN_CONTRIBUTION = 0.05


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
        # each lead's mean contribution over the training folds' NORM records (`Leadwise.fit_reference`); not used
        # by forward, kept with the weights so the reference always belongs to them
        self.register_buffer("reference", torch.zeros(N_LEADS, n_classes))

    def decompose(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(contributions (B, 12, classes), weights a (B, 12, classes)): logits = contributions.sum(1) + bias."""
        f = self.encoder(x)  # (B, 12 * C, T'); B from the output: a CAM hook may repeat it per class
        f = f.reshape(f.shape[0], N_LEADS, -1, f.shape[-1])
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
    bias + contributions.sum(axis=1) is the mean window logit exactly. reference: (classes, 12) each lead's mean
    contribution over the NORM records of the training folds (`Leadwise.fit_reference`); `relative` =
    contributions - reference, what this record's lead adds beyond a normal one (the strip shows it:
    `lead_changes`); baseline_logit + relative.sum(axis=1) is the same mean window logit. Leads in `leads` order."""

    classes: tuple[str, ...]
    leads: tuple[str, ...]
    contributions: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    reference: np.ndarray

    @property
    def relative(self) -> np.ndarray:
        """(classes, 12) contributions minus the NORM reference (logit units)."""
        return self.contributions - self.reference

    @property
    def baseline_logit(self) -> np.ndarray:
        """(classes,) bias plus the NORM reference of every lead: the logit of a record whose every lead
        contributes what a normal lead does on average."""
        return self.bias + self.reference.sum(axis=1)

    @property
    def mean_logit(self) -> np.ndarray:
        """(classes,) the mean window logit: bias plus every lead's contribution."""
        return self.bias + self.contributions.sum(axis=1)

    def _k(self, cls: str) -> int:
        if cls not in self.classes:
            raise UnknownNameError(f"unknown class {cls!r}; choose one of {', '.join(self.classes)}")
        return self.classes.index(cls)

    def lead_changes(self, cls: str) -> dict[str, float]:
        """{lead: contribution beyond a normal lead's (`relative`, logit units)} for class `cls`, in `leads`
        order (the strip's values)."""
        k = self._k(cls)
        return {lead: float(v) for lead, v in zip(self.leads, self.relative[k])}

    def lead_weights(self, cls: str) -> dict[str, float]:
        """{lead: weight a_{l,c}} for class `cls`."""
        k = self._k(cls)
        return {lead: float(v) for lead, v in zip(self.leads, self.weights[k])}

    def evidence_leads(self, cls: str, k: int | None = 3, min_change: float = MIN_CONTRIBUTION) -> list[str]:
        """The leads contributing at least `min_change` (logit) more to class `cls` than a normal lead does,
        largest first (at most k)."""
        return strongest_leads(self.lead_changes(cls), min_change, k)

    def summary(self, cls: str, k: int = 3) -> str:
        """One line for the strip, e.g. "MI contributions: V2, V3, V1"."""
        leads = self.evidence_leads(cls, k)
        if leads:
            return f"{cls} contributions: {', '.join(leads)}"
        return f"{cls} contributions: no lead adds {MIN_CONTRIBUTION:g} logit or more than a normal lead"

    def to_dict(self) -> dict[str, Any]:
        def table(a: np.ndarray) -> dict[str, dict[str, float]]:
            return {c: {lead: round(float(v), 4) for lead, v in zip(self.leads, a[i])}
                    for i, c in enumerate(self.classes)}

        return {"unit": "logit (lead weight x lead score, mean over the scoring windows)",
                "bias": dict(zip(self.classes, np.round(self.bias, 4).tolist())),
                "mean_logit": dict(zip(self.classes, np.round(self.mean_logit, 4).tolist())),
                "baseline_logit": dict(zip(self.classes, np.round(self.baseline_logit, 4).tolist())),
                "per_lead": table(self.contributions), "reference": table(self.reference),
                "relative": table(self.relative), "weights": table(self.weights)}


@register("leadwise")
class Leadwise(TorchWindowModel):
    architecture: ClassVar[str] = ("lead-wise: one 1-D CNN encoder shared by the 12 leads (4 conv blocks, k7/5/5/3, 12-32 channels, "
                                   "time /8), avg+max pooling per lead + a learned lead embedding, a shared read-out "
                                   "giving each lead a score and a weight per class; logit = bias + sum over leads of "
                                   "weight x score (the lead contributions, an exact decomposition)")
    defaults: ClassVar[dict[str, Any]] = {**TRAINING_DEFAULTS, "widths": [12, 16, 24, 32], "hidden": 64,
                                          "epochs": 40, "batch_size": 64}

    retrain: ClassVar[str] = ("make train, or python -m ecgcore train --model leadwise --real --threads 2  (real PTB-XL folds 1-8 "
                              "with the recipe of assets/models/recipes.json, one of "
                              "ecgcore.learn.protocol.LEADWISE_RECIPES: from scratch, or from the synthetic "
                              "pretraining in assets/models/leadwise/synthetic)")

    def build_net(self) -> nn.Module:
        h = self.hyper
        return LeadwiseNet(len(self.classes), tuple(h["widths"]), h["hidden"], h["dropout"])

    def _decompose_windows(self, windows: np.ndarray, batch: int = WINDOW_BATCH) -> tuple[np.ndarray, np.ndarray]:
        """((W, 12, classes) contributions, (W, 12, classes) weights) of raw windows (W, 12, window) mV at `fs`."""
        x = self.standardise(windows)
        contrib, weight = [], []
        with torch.inference_mode():
            for i in range(0, len(x), batch):
                c, w = self.net.decompose(torch.from_numpy(x[i:i + batch]))
                contrib.append(c.numpy()); weight.append(w.numpy())
        return np.concatenate(contrib).astype(np.float64), np.concatenate(weight).astype(np.float64)

    def lead_contributions(self, prepared: PreparedInput) -> LeadContributions:
        """The record's lead contributions and weights (`LeadContributions`), averaged over the windows its
        probabilities average over (`prepared.starts`; `prepared` from `prepare(ecg)`)."""
        c, w = self._decompose_windows(prepared.cut(prepared.starts))
        net = self.net
        return LeadContributions(tuple(self.classes), tuple(LEADS), c.mean(axis=0).T, w.mean(axis=0).T,
                                 net.bias.detach().numpy().astype(np.float64),
                                 net.reference.detach().numpy().astype(np.float64).T)

    def fit_reference(self, X: np.ndarray, Y: np.ndarray) -> None:
        """Set each lead's reference contribution: its mean contribution (over the scoring windows, then over
        records) on the NORM-only records of X (records, 12, samples) mV at `fs` with labels Y (records, classes),
        the training folds; every record of X when the classes have no NORM or X has no NORM-only record."""
        rows = np.arange(len(X))
        if "NORM" in self.classes:
            norm = np.flatnonzero((Y[:, self.classes.index("NORM")] == 1) & (Y.sum(axis=1) == 1))
            rows = norm if len(norm) else rows
        means = [self._decompose_windows(self.windows(X[i]))[0].mean(axis=0) for i in rows]
        self.net.reference.copy_(torch.from_numpy(np.mean(means, axis=0).astype(np.float32)))
        who = "NORM-only training records" if len(rows) < len(X) else "training records"
        self.record_training({"contribution_reference": {
            "records": int(len(rows)),
            "what": f"each lead's mean contribution on the {who} (the strip shows contributions minus it)"}})
