"""ROC AUC per class and macro, with bootstrap 95% intervals (resampling patients where their ids are known,
else records), and the rule that a class with fewer than `MIN_POSITIVES` positives gets no interval."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score

#: Fewer positives (or negatives) than this in a class: no interval, a plain "too few" instead.
MIN_POSITIVES = 10


def scorable(y: np.ndarray) -> bool:
    """True when a label column has both positives and negatives (AUC is defined)."""
    return 0 < int(y.sum()) < len(y)


def per_class_auc(Y: np.ndarray, P: np.ndarray) -> list[float | None]:
    """AUC of each class (columns of Y 0/1 and P probabilities, records x classes); None where undefined."""
    return [float(roc_auc_score(Y[:, c], P[:, c])) if scorable(Y[:, c]) else None for c in range(Y.shape[1])]


def macro_auc(Y: np.ndarray, P: np.ndarray) -> float:
    """Mean AUC over the classes that have positives and negatives (nan when none has)."""
    aucs = [a for a in per_class_auc(Y, P) if a is not None]
    return float(np.mean(aucs)) if aucs else float("nan")


def rank_auc(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """AUC along the last axis by the Mann-Whitney rank formula (ties get mid-ranks, as sklearn's AUC does);
    nan where a row lacks positives or negatives. Vectorised over leading axes, for the bootstrap."""
    y = y.astype(bool)
    ranks = rankdata(p, axis=-1)
    n_pos = y.sum(axis=-1)
    n_neg = y.shape[-1] - n_pos
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = ((ranks * y).sum(axis=-1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def weighted_auc(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    """(B,) AUC of one class under B weightings of its records (W: (B, records), e.g. how many times a
    bootstrap resample drew each record): the Mann-Whitney statistic with each pair weighted by the product
    of its two weights, ties counting one half (as sklearn's AUC). nan where a weighting has no positive or
    no negative weight. y: (records,) 0/1; p: (records,) scores."""
    y = np.asarray(y, dtype=bool)
    order = np.argsort(p, kind="mergesort")
    p_sorted = np.asarray(p, dtype=float)[order]
    W = np.asarray(W, dtype=float)[:, order]
    starts = np.flatnonzero(np.r_[True, np.diff(p_sorted) != 0])  # one group per distinct score (ties together)
    pos = np.add.reduceat(W * y[order], starts, axis=1)
    neg = np.add.reduceat(W * ~y[order], starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    den = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (pos * (below + 0.5 * neg)).sum(axis=1) / den
    return np.where(den > 0, auc, np.nan)


def resample_weights(n_records: int, n_boot: int, seed: int = 0,
                     groups: Sequence[Any] | None = None) -> np.ndarray:
    """(n_boot, n_records) bootstrap weights: how many times each record enters each resample.

    groups None: records are resampled with replacement. groups (one label per record, e.g. the PTB-XL
    `patient_id`): patients are resampled with replacement and every record of a drawn patient comes
    along (cluster bootstrap), so a patient's several ECGs are not counted as independent evidence
    (Field & Welsh, J R Stat Soc B 2007)."""
    rng = np.random.default_rng(seed)
    if groups is None:
        codes, n_groups = np.arange(n_records), n_records
    else:
        if len(groups) != n_records:
            raise ValueError(f"{len(groups)} group labels for {n_records} records")
        _, codes = np.unique(np.asarray([str(g) for g in groups]), return_inverse=True)
        n_groups = int(codes.max()) + 1 if n_records else 0
    draws = rng.integers(0, n_groups, (n_boot, n_groups))
    counts = np.zeros((n_boot, n_groups))
    np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1.0)
    return counts[:, codes]


def too_few(y: np.ndarray, minimum: int = MIN_POSITIVES) -> bool:
    """True when a label column has fewer than `minimum` positives (or negatives): no interval then."""
    n_pos = int(np.asarray(y).sum())
    return min(n_pos, len(y) - n_pos) < minimum


def bootstrap_auc(Y: np.ndarray, P: np.ndarray, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
                  groups: Sequence[Any] | None = None, minimum: int = MIN_POSITIVES) -> dict[str, Any]:
    """Macro and per-class AUC with percentile bootstrap intervals.

    Y: (records, classes) 0/1; P: (records, classes) probabilities; groups: one patient label per record
    (patients are resampled, see `resample_weights`), None to resample records.
    Returns {"macro": {"auc", "ci": [lo, hi] | None, "too_few": [classes]}, "per_class": [{"auc", "ci",
    "too_few"} | None per class], "n_boot", "level", "resampled": "patients" | "records"}.
    A class with fewer than `minimum` (10) positives or negatives gets no interval (ci None, too_few True):
    a percentile interval from a handful of positives is mostly noise (4 records gave 1.000-1.000). The macro
    interval is given only when every class in the macro has enough positives; otherwise `too_few` names
    the classes that lack them.
    """
    n, C = Y.shape
    W = resample_weights(n, n_boot, seed, groups)
    alpha = (1 - level) / 2
    point = per_class_auc(Y, P)
    valid = [c for c in range(C) if point[c] is not None]
    few = [c for c in valid if too_few(Y[:, c], minimum)]
    boots = np.full((n_boot, C), np.nan)
    for c in valid:
        boots[:, c] = weighted_auc(Y[:, c], P[:, c], W)

    def interval(values: np.ndarray) -> list[float] | None:
        values = values[np.isfinite(values)]
        return [float(np.quantile(values, alpha)), float(np.quantile(values, 1 - alpha))] if len(values) else None

    per_class = [None if point[c] is None else
                 {"auc": point[c], "ci": None if c in few else interval(boots[:, c]), "too_few": c in few}
                 for c in range(C)]
    macro_ci = None
    if valid and not few:
        macro_ci = interval(np.nanmean(boots[:, valid], axis=1))
    macro = {"auc": float(np.mean([point[c] for c in valid])) if valid else None, "ci": macro_ci,
             "too_few": [int(c) for c in few]}
    return {"macro": macro, "per_class": per_class, "n_boot": n_boot, "level": level,
            "resampled": "records" if groups is None else "patients"}
