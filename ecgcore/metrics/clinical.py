"""Figures in clinical terms at a model's operating threshold: sensitivity, specificity, PPV and NPV with
their TP / FP / FN / TN counts, the ROC operating point and the sentence a clinician reads ("6 in 10 MI are
caught"), small-sample warnings, and which model leads (named only when a paired bootstrap on the same
records separates it from every other: `ecgcore.metrics.paired`). One threshold per class, the model's own
(chosen on PTB-XL fold 9), for every set: Predict & explain and Compare quote the same operating point.

Everything is computed from stored predictions (`results_<set>.json`: `predictions.y_true`,
`predictions.y_prob`, `thresholds`, `auc`); nothing is re-run. A ratio whose denominator is 0 (e.g. PPV
when the model calls no record positive) is None, never 0: "not defined" is not "0 %".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgcore.metrics.auc import MIN_POSITIVES  # noqa: F401  (fewer positives: flagged, no interval)
from ecgcore.metrics.paired import PairedDifference, paired_from_results


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
    """(records, classes) threshold each record is judged at: the model's one threshold per class, the one
    it uses on a new record (`thresholds`, chosen on PTB-XL fold 9), for every set. A cross-validated set is
    judged at the same thresholds, so Predict & explain and Compare quote one operating point; the fold
    models' own thresholds stay in the results' `thresholds_per_fold`, for reference only."""
    classes = list(results["classes"])
    n = len(results["predictions"]["y_prob"])
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
    """The model with the highest macro AUC on one set and its paired test against every other model.

    established: True only when the paired bootstrap separates it from EVERY other model (each 95%
    interval of the difference above 0; requiring all of them is an intersection-union test, so no
    correction for the number of models is needed: Berger, Technometrics 1982)."""

    model: str
    auc: float
    versus: dict[str, PairedDifference]

    @property
    def established(self) -> bool:
        return bool(self.versus) and all(d.separated and d.difference > 0 for d in self.versus.values())


def _macro(res: Mapping[str, Any]) -> float | None:
    value = (res.get("auc") or {}).get("macro")
    return None if value is None or not np.isfinite(value) else float(value)


def leading_model(results: Mapping[str, Mapping[str, Any]], n_boot: int = 2000, seed: int = 0) -> Leader | None:
    """The model with the highest macro AUC on one set and a paired bootstrap of its difference from each
    other model on the same records (`ecgcore.metrics.paired`). results: {model: stored results on ONE
    set}. None when no model has a macro AUC."""
    scored = {name: _macro(res) for name, res in results.items()}
    scored = {name: v for name, v in scored.items() if v is not None}
    if not scored:
        return None
    best = max(scored, key=lambda n: scored[n])
    versus = {name: paired_from_results(results[best], results[name], n_boot=n_boot, seed=seed)
              for name in scored if name != best}
    return Leader(best, scored[best], versus)


def _difference_text(name: str, d: PairedDifference) -> str:
    if d.ci95 is None:
        return f"{name} {d.difference:+.3f} (no test: too few positives of {', '.join(d.too_few)})"
    p = f"p < {1 / d.n_boot:.2g}" if d.p == 0 else f"p = {d.p:.3f}"  # the bootstrap resolves no smaller p
    return f"{name} {d.difference:+.3f} (95% CI {d.ci95[0]:+.3f} to {d.ci95[1]:+.3f}, {p})"


def leader_sentence(results: Mapping[str, Mapping[str, Any]], set_label: str, n_boot: int = 2000) -> str:
    """Which model leads on `set_label`, named ONLY when a paired bootstrap of the macro-AUC difference on
    the same records separates the best model from every other one; otherwise a plain "no model leads"."""
    lead = leading_model(results, n_boot=n_boot)
    if lead is None:
        return f"No model has a macro AUC on {set_label}."
    if not lead.versus:
        return f"On {set_label}, {lead.model} has a macro AUC of {lead.auc:.3f}; it is the only model shown."
    first = next(iter(lead.versus.values()))
    unit = "patients" if first.resampled == "patients" else "records"
    diffs = "; ".join(_difference_text(n, d) for n, d in lead.versus.items())
    how = (f"paired bootstrap over the same {first.n_records} records, {unit} resampled, {first.n_boot} "
           f"resamples; macro-AUC difference of {lead.model} minus: {diffs}")
    if lead.established:
        return f"On {set_label}, {lead.model} leads: it has the highest macro AUC, {lead.auc:.3f}, higher than every " \
               f"other model's by more than chance explains ({how})."
    few = sorted({c for d in lead.versus.values() for c in d.too_few})
    why = (f"too few positives of {', '.join(few)} (fewer than {MIN_POSITIVES}) to test the difference" if few else
           "the paired test does not separate it from every other model")
    return f"On {set_label}, no model leads: {lead.model} has the highest macro AUC, {lead.auc:.3f}, but {why} " \
           f"({how})."


def operating_sentence(cls: str, op: "OperatingPoint", set_label: str | None = "out of fold") -> str:
    """A clinician's sentence for one class at one threshold: "At this threshold (0.197), out of fold, 6 in
    10 MI are caught (45 of 75) and 4 in 10 MI calls are right (45 of 110)." Ratios are rounded to tenths
    ("in 10"); an undefined ratio (no positives, or no call) is said plainly; fewer than `MIN_POSITIVES`
    positives adds "too few to trust". set_label None: the set is said elsewhere (left out of the sentence)."""
    def in_ten(num: int, den: int) -> str:
        return f"{int(round(10 * num / den))} in 10"

    caught = (f"{in_ten(op.tp, op.positives)} {cls} are caught ({op.tp} of {op.positives})" if op.positives
              else f"no {cls} record to catch")
    calls = op.tp + op.fp
    right = (f"{in_ten(op.tp, calls)} {cls} calls are right ({op.tp} of {calls})" if calls
             else f"no record is called {cls}")
    where = f", {set_label}" if set_label else ""
    text = f"At this threshold ({op.threshold:.3g}){where}, {caught} and {right}."
    if op.positives < MIN_POSITIVES:
        text += f" Only {op.positives} {cls} records: too few to trust these figures."
    return text


def short_operating_text(cls: str, op: "OperatingPoint") -> str:
    """The operating point in a line: "MI: 6 in 10 caught (47/75), 4 in 10 calls right (47/108)"."""
    def part(num: int, den: int, what: str) -> str:
        return f"{int(round(10 * num / den))} in 10 {what} ({num}/{den})" if den else f"no {what.split()[0]}"

    return f"{cls}: {part(op.tp, op.positives, 'caught')}, {part(op.tp, op.tp + op.fp, 'calls right')}"


def class_operating_sentences(results: Mapping[str, Any], thresholds: Mapping[str, float] | Sequence[float],
                              set_label: str | None = "out of fold") -> dict[str, str]:
    """{class: `operating_sentence`} at `thresholds` (the ones a page decides with: {class: t} or one per
    class in the results' order), from a stored results document (e.g. `results_ptbxl_cv.json`)."""
    classes = list(results["classes"])
    thr = [float(thresholds[c]) for c in classes] if isinstance(thresholds, Mapping) else [float(t) for t in thresholds]
    Y = np.asarray(results["predictions"]["y_true"], float)
    P = np.asarray(results["predictions"]["y_prob"], float)
    return {c: operating_sentence(c, operating_point(Y[:, i], P[:, i], thr[i]), set_label)
            for i, c in enumerate(classes)}


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
