"""Comparing two models on the same records: a paired bootstrap of the macro-AUC difference.

Both models' probabilities for the same records are resampled together (the same patients, or records, in
every resample), so what the records have in common (easy or hard cases) cancels out of the difference;
comparing two separate intervals ignores that pairing and is both less powerful and not a test
(Hanley & McNeil, Radiology 1983; the bootstrap form: Efron & Tibshirani 1993, ch. 16). The p value is the
two-sided bootstrap one: twice the share of resamples on the far side of zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ecgcore.metrics.auc import MIN_POSITIVES, per_class_auc, resample_weights, too_few, weighted_auc

LEVEL = 0.95


@dataclass(frozen=True)
class PairedDifference:
    """Macro AUC of model A minus model B on the same records, with its paired-bootstrap interval.

    ci95 and p are None when a class of the macro has fewer than `MIN_POSITIVES` positives (listed in
    `too_few`): the test is then not run. `separated` is True when the interval excludes 0."""

    difference: float
    ci95: tuple[float, float] | None
    p: float | None
    n_records: int
    classes: tuple[str, ...]
    too_few: tuple[str, ...]
    resampled: str
    n_boot: int

    @property
    def separated(self) -> bool:
        return self.ci95 is not None and (self.ci95[0] > 0 or self.ci95[1] < 0)


def paired_auc_difference(Y: np.ndarray, P_a: np.ndarray, P_b: np.ndarray, classes: Sequence[str],
                          groups: Sequence[Any] | None = None, n_boot: int = 2000, seed: int = 0,
                          minimum: int = MIN_POSITIVES) -> PairedDifference:
    """Paired bootstrap of macro AUC(A) - macro AUC(B).

    Y: (records, classes) 0/1; P_a, P_b: (records, classes) probabilities of the two models for the SAME
    records in the same order; groups: a patient label per record (patients resampled) or None (records).
    The macro is over the classes with positives and negatives in Y. ValueError when the shapes differ.
    """
    Y = np.asarray(Y)
    P_a, P_b = np.asarray(P_a, float), np.asarray(P_b, float)
    if not (Y.shape == P_a.shape == P_b.shape) or Y.shape[1] != len(classes):
        raise ValueError(f"labels {Y.shape} and probabilities {P_a.shape}, {P_b.shape} must match "
                         f"({len(classes)} classes)")
    point_a, point_b = per_class_auc(Y, P_a), per_class_auc(Y, P_b)
    valid = [c for c in range(Y.shape[1]) if point_a[c] is not None]
    diff = float(np.mean([point_a[c] for c in valid]) - np.mean([point_b[c] for c in valid])) if valid else float("nan")
    few = tuple(classes[c] for c in valid if too_few(Y[:, c], minimum))
    resampled = "records" if groups is None else "patients"
    common = dict(n_records=int(len(Y)), classes=tuple(classes[c] for c in valid), too_few=few, resampled=resampled,
                  n_boot=n_boot)
    if not valid or few:
        return PairedDifference(diff, None, None, **common)
    W = resample_weights(len(Y), n_boot, seed, groups)
    boots = np.stack([weighted_auc(Y[:, c], P_a[:, c], W) - weighted_auc(Y[:, c], P_b[:, c], W) for c in valid],
                     axis=1)
    d = np.nanmean(boots, axis=1)
    d = d[np.isfinite(d)]
    alpha = (1 - LEVEL) / 2
    ci = (float(np.quantile(d, alpha)), float(np.quantile(d, 1 - alpha)))
    p = float(min(1.0, 2 * min((d <= 0).mean(), (d >= 0).mean())))
    return PairedDifference(diff, ci, p, **common)


def paired_from_results(a: dict[str, Any], b: dict[str, Any], n_boot: int = 2000,
                        seed: int = 0) -> PairedDifference:
    """`paired_auc_difference` of two stored results documents (`results_<set>.json`) of one set, on the
    records both scored (matched by record id); patients are resampled where `predictions.patient_ids`
    is stored. ValueError when the two disagree on a record's labels or share no record."""
    pa, pb = a["predictions"], b["predictions"]
    index_b = {rid: i for i, rid in enumerate(pb["record_ids"])}
    rows = [(i, index_b[rid]) for i, rid in enumerate(pa["record_ids"]) if rid in index_b]
    if not rows:
        raise ValueError("the two results share no record")
    ia, ib = (np.array(r) for r in zip(*rows))
    Y = np.asarray(pa["y_true"])[ia]
    if not np.array_equal(Y, np.asarray(pb["y_true"])[ib]):
        raise ValueError("the two results label the same records differently")
    groups = pa.get("patient_ids")
    groups = None if groups is None else [groups[i] for i in ia]
    return paired_auc_difference(Y, np.asarray(pa["y_prob"])[ia], np.asarray(pb["y_prob"])[ib], a["classes"],
                                 groups=groups, n_boot=n_boot, seed=seed)
