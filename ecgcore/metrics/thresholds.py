"""Per-class decision thresholds, chosen on the validation fold (never the test fold)."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve


def max_f1_threshold(y: np.ndarray, p: np.ndarray, default: float = 0.5) -> float:
    """The probability threshold that maximises F1 for one class (labels y 0/1, probabilities p)."""
    if not 0 < int(y.sum()) < len(y):
        return default
    precision, recall, thresholds = precision_recall_curve(y, p)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))])


def max_f1_thresholds(Y: np.ndarray, P: np.ndarray) -> np.ndarray:
    """(classes,) thresholds maximising each class's F1 on (records x classes) labels Y and probabilities P."""
    return np.array([max_f1_threshold(Y[:, c], P[:, c]) for c in range(Y.shape[1])])
