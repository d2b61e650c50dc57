"""Calibration: reliability bins and expected calibration error (ECE)."""
from __future__ import annotations

from typing import Any

import numpy as np


def reliability(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> dict[str, Any]:
    """Equal-width probability bins: per bin its count, mean predicted probability and observed frequency;
    ECE = sum over bins of (count / N) * |observed - predicted|."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins)
    sum_p = np.bincount(which, weights=p, minlength=n_bins)
    sum_y = np.bincount(which, weights=y.astype(float), minlength=n_bins)
    nz = count > 0
    mean_p = np.where(nz, sum_p / np.maximum(count, 1), np.nan)
    freq = np.where(nz, sum_y / np.maximum(count, 1), np.nan)
    ece = float(np.sum(count[nz] / count.sum() * np.abs(freq[nz] - mean_p[nz]))) if count.sum() else None
    return {"bin_edges": edges.tolist(), "count": count.tolist(),
            "mean_predicted": [None if not v else float(m) for v, m in zip(nz, mean_p)],
            "observed": [None if not v else float(f) for v, f in zip(nz, freq)], "ece": ece}
