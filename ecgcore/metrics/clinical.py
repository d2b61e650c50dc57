"""Figures in clinical terms at a model's operating threshold: sensitivity, specificity, PPV and NPV with
their TP / FP / FN / TN counts, the ROC operating point, small-sample warnings and which model leads.

Everything is computed from stored predictions (`results_<set>.json`: `predictions.y_true`,
`predictions.y_prob`, `thresholds`, `auc`); nothing is re-run. A ratio whose denominator is 0 (e.g. PPV
when the model calls no record positive) is None, never 0: "not defined" is not "0 %".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Fewer positives than this in a class and its figures are flagged as resting on too few cases.
MIN_POSITIVES = 10


@dataclass(frozen=True)
class OperatingPoint:
    """One class at one threshold. Counts are records; ratios on [0, 1] or None where undefined.

    sensitivity = TP / (TP + FN), specificity = TN / (TN + FP), PPV = TP / (TP + FP), NPV = TN / (TN + FN);
    fpr = 1 - specificity (the ROC x of the operating point), tpr = sensitivity (its y).
    """

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @staticmethod
    def _ratio(num: int, den: int) -> float | None:
        return None if den == 0 else num / den

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def sensitivity(self) -> float | None:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def specificity(self) -> float | None:
        return self._ratio(self.tn, self.tn + self.fp)

    @property
    def ppv(self) -> float | None:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def npv(self) -> float | None:
        return self._ratio(self.tn, self.tn + self.fn)

    @property
    def fpr(self) -> float | None:
        spec = self.specificity
        return None if spec is None else 1.0 - spec


def operating_point(y_true: Sequence[int], y_prob: Sequence[float],
                    threshold: float | Sequence[float]) -> OperatingPoint:
    """Counts of one class at `threshold` (a record is called positive when its probability >= threshold).

    y_true: (records,) 0/1; y_prob: (records,) probabilities; threshold: one value, or one per record (e.g.
    out-of-fold predictions, each judged at its own fold's threshold; the point then keeps their median).
    ValueError when the lengths differ.
    """
    y = np.asarray(y_true, dtype=bool)
    p = np.asarray(y_prob, dtype=float)
    t = np.broadcast_to(np.asarray(threshold, dtype=float), p.shape) if np.ndim(threshold) == 0 else \
        np.asarray(threshold, dtype=float)
    if y.shape != p.shape or t.shape != p.shape:
        raise ValueError(f"labels {y.shape}, probabilities {p.shape} and thresholds {t.shape} differ in shape")
    called = p >= t
    return OperatingPoint(float(np.median(t)) if len(t) else float("nan"), tp=int((called & y).sum()),
                          fp=int((called & ~y).sum()), fn=int((~called & y).sum()), tn=int((~called & ~y).sum()))


def record_thresholds(results: Mapping[str, Any]) -> np.ndarray:
    """(records, classes) threshold each record was judged at: its fold's (`thresholds_per_fold` with
    `folds`, cross-validated sets) or the model's one threshold per class."""
    classes = list(results["classes"])
    n = len(results["predictions"]["y_prob"])
    per_fold, folds = results.get("thresholds_per_fold"), results.get("folds")
    if per_fold and folds is not None and len(folds) == n:
        return np.array([per_fold[str(f)] for f in folds], dtype=float)
    return np.tile([float(results["thresholds"][c]) for c in classes], (n, 1))


def operating_points(results: Mapping[str, Any]) -> dict[str, OperatingPoint]:
    """Each class's operating point at the threshold(s) the records were judged at, from one stored
    results file (a cross-validated set: each record at its own fold's threshold)."""
    pred = results["predictions"]
    Y = np.asarray(pred["y_true"], dtype=float)
    P = np.asarray(pred["y_prob"], dtype=float)
    T = record_thresholds(results)
    return {cls: operating_point(Y[:, i], P[:, i], T[:, i]) for i, cls in enumerate(results["classes"])}


def few_positives(results: Mapping[str, Any], minimum: int = MIN_POSITIVES) -> dict[str, int]:
    """Classes with fewer than `minimum` positives in the set: {class: positives}."""
    return {cls: int(n) for cls, n in results["positives"].items() if int(n) < minimum}


@dataclass(frozen=True)
class Leader:
    """The model with the highest macro AUC on one set, and the models whose 95% intervals overlap its own."""

    model: str
    auc: float
    ci95: tuple[float, float] | None
    overlapping: tuple[str, ...]
    separated: tuple[str, ...]
    without_ci: tuple[str, ...]


def _macro(res: Mapping[str, Any]) -> tuple[float | None, tuple[float, float] | None]:
    auc = res.get("auc") or {}
    value = auc.get("macro")
    ci = auc.get("macro_ci95")
    value = None if value is None or not np.isfinite(value) else float(value)
    return value, (None if not ci else (float(ci[0]), float(ci[1])))


def leading_model(results: Mapping[str, Mapping[str, Any]]) -> Leader | None:
    """Which model leads on macro AUC, and whether its 95% interval overlaps each other model's.

    results: {model: stored results on ONE set}. None when no model has a macro AUC.
    """
    scored = {name: _macro(res) for name, res in results.items()}
    scored = {name: v for name, v in scored.items() if v[0] is not None}
    if not scored:
        return None
    best = max(scored, key=lambda n: scored[n][0])
    auc, ci = scored[best]
    overlap, apart, no_ci = [], [], []
    for name, (_, other_ci) in scored.items():
        if name == best:
            continue
        if ci is None or other_ci is None:
            no_ci.append(name)
        elif other_ci[1] >= ci[0] and ci[1] >= other_ci[0]:
            overlap.append(name)
        else:
            apart.append(name)
    return Leader(best, auc, ci, tuple(overlap), tuple(apart), tuple(no_ci))


def leader_sentence(results: Mapping[str, Mapping[str, Any]], set_label: str) -> str:
    """One sentence, computed from the stored figures, on which model leads on `set_label` and whether
    its macro-AUC interval overlaps the others' (overlap: the lead is not established on this set)."""
    lead = leading_model(results)
    if lead is None:
        return f"No model has a macro AUC on {set_label}."
    ci = f" (95% CI {lead.ci95[0]:.3f}–{lead.ci95[1]:.3f})" if lead.ci95 else ""
    text = f"On {set_label}, {lead.model} has the highest macro AUC, {lead.auc:.3f}{ci}"
    if len(results) == 1:
        return text + "; it is the only model shown."
    parts = []
    if lead.overlapping:
        parts.append(f"its interval overlaps those of {', '.join(lead.overlapping)}, so its lead over "
                     f"{'it' if len(lead.overlapping) == 1 else 'them'} is not established on this set")
    if lead.separated:
        parts.append(f"its interval lies above those of {', '.join(lead.separated)}")
    if lead.without_ci:
        parts.append(f"{', '.join(lead.without_ci)} {'has' if len(lead.without_ci) == 1 else 'have'} no interval "
                     "to compare")
    return text + "; " + "; ".join(parts) + "."


# ----------------------------------------------------------------------------------------- one record
@dataclass(frozen=True)
class Verdict:
    """One class on one record: the model's call at its threshold, and how it fares against the ground truth.

    outcome: "TP", "FP", "FN", "TN", or None when the record has no ground truth.
    """

    cls: str
    probability: float
    threshold: float
    positive: bool
    outcome: str | None


def verdicts(classes: Sequence[str], probabilities: Sequence[float], thresholds: Sequence[float],
             truth: Sequence[str] | None) -> list[Verdict]:
    """Each class's call (probability >= threshold) and, with ground truth (superclasses; None =
    unlabelled), its TP / FP / FN / TN."""
    out = []
    for cls, p, t in zip(classes, probabilities, thresholds):
        positive = float(p) >= float(t)
        outcome = None
        if truth is not None:
            actual = cls in truth
            outcome = ("TP" if actual else "FP") if positive else ("FN" if actual else "TN")
        out.append(Verdict(cls, float(p), float(t), positive, outcome))
    return out


def leading_class(classes: Sequence[str], probabilities: Sequence[float], thresholds: Sequence[float]) -> str:
    """The most probable class among those called positive (probability >= threshold), else the most probable
    class. `probabilities` and `thresholds` follow `classes`."""
    probs = np.asarray(probabilities, float)
    positive = np.flatnonzero(probs >= np.asarray(thresholds, float))
    best = positive[np.argmax(probs[positive])] if len(positive) else np.argmax(probs)
    return classes[int(best)]


def contradiction(found: Sequence[Verdict], normal: str = "NORM") -> str | None:
    """A sentence when the calls contradict each other: NORM (normal ECG) above threshold together with any
    abnormal class; None otherwise."""
    positive = [v.cls for v in found if v.positive]
    others = [c for c in positive if c != normal]
    if normal in positive and others:
        return (f"Contradictory calls: {normal} (normal ECG) and {', '.join(others)} are both above threshold. "
                "A normal ECG excludes these findings; read the tracing before trusting either.")
    return None
