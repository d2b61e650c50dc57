"""Confusion matrices: one 2x2 per class (multi-label) and a single-label one over one-class records."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, multilabel_confusion_matrix


def per_class_confusion(Y: np.ndarray, Yhat: np.ndarray, classes: Sequence[str]) -> dict[str, dict[str, int]]:
    """{class: {"tn", "fp", "fn", "tp"}} for 0/1 label and decision matrices (records x classes)."""
    mcm = multilabel_confusion_matrix(Y, Yhat)
    return {c: {"tn": int(m[0, 0]), "fp": int(m[0, 1]), "fn": int(m[1, 0]), "tp": int(m[1, 1])}
            for c, m in zip(classes, mcm)}


def single_label_confusion(Y: np.ndarray, P: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """Rows = true class, columns = most probable class, over records with exactly one true class."""
    one = Y.sum(axis=1) == 1
    true = np.argmax(Y[one], axis=1)
    pred = np.argmax(P[one], axis=1)
    matrix = confusion_matrix(true, pred, labels=list(range(len(classes)))) if one.any() else \
        np.zeros((len(classes), len(classes)), dtype=int)
    return {"classes": list(classes), "matrix": matrix.tolist(), "n_records": int(one.sum()),
            "accuracy": float((true == pred).mean()) if one.any() else None}
