"""ROC curve points, thinned to a size a dashboard can draw."""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_curve


def roc_points(y: np.ndarray, p: np.ndarray, max_points: int = 200) -> dict[str, Any] | None:
    """{"fpr", "tpr", "threshold"} from sklearn's roc_curve, keeping at most `max_points` of its points
    (always the first and last); None when the class lacks positives or negatives."""
    if not 0 < int(y.sum()) < len(y):
        return None
    fpr, tpr, thr = roc_curve(y, p)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(max_points, len(fpr))).round().astype(int))
    thr = np.minimum(thr[keep], 1.0)  # sklearn's first threshold is inf
    return {"fpr": fpr[keep].round(5).tolist(), "tpr": tpr[keep].round(5).tolist(), "threshold": thr.round(5).tolist()}
