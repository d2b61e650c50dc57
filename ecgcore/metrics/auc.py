"""ROC AUC per class and macro, with bootstrap 95% intervals (resampling records)."""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score


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


def bootstrap_auc(Y: np.ndarray, P: np.ndarray, n_boot: int = 1000, seed: int = 0,
                  level: float = 0.95) -> dict[str, Any]:
    """Macro and per-class AUC with percentile bootstrap intervals over records.

    Returns {"macro": {"auc", "ci": [lo, hi]}, "per_class": [{"auc", "ci"} | None per class], "n_boot"}.
    A class enters a resample's macro only when that resample has positives and negatives of it.
    """
    rng = np.random.default_rng(seed)
    n, C = Y.shape
    idx = rng.integers(0, n, (n_boot, n))
    boots = np.stack([rank_auc(Y[idx, c], P[idx, c]) for c in range(C)], axis=1)  # (n_boot, C)
    alpha = (1 - level) / 2
    point = per_class_auc(Y, P)
    valid = [c for c in range(C) if point[c] is not None]

    def interval(values: np.ndarray) -> list[float] | None:
        values = values[np.isfinite(values)]
        return [float(np.quantile(values, alpha)), float(np.quantile(values, 1 - alpha))] if len(values) else None

    per_class = [None if point[c] is None else {"auc": point[c], "ci": interval(boots[:, c])} for c in range(C)]
    macro_boot = np.nanmean(boots[:, valid], axis=1) if valid else np.array([])
    macro = {"auc": float(np.mean([point[c] for c in valid])) if valid else None,
             "ci": interval(macro_boot) if valid else None}
    return {"macro": macro, "per_class": per_class, "n_boot": n_boot, "level": level}
