"""`evaluation_report`: every figure `python -m ecgcore evaluate` writes, as plain JSON values; `key_figures`:
the headline numbers of one results document (the model card's `metrics`)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from ecgcore.metrics.auc import bootstrap_auc
from ecgcore.metrics.calibration import reliability
from ecgcore.metrics.confusion import per_class_confusion, single_label_confusion
from ecgcore.metrics.roc import roc_points


def threshold_metrics(Y: np.ndarray, Yhat: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """Accuracy, precision, recall and F1 per class and macro for 0/1 labels and decisions (records x classes)."""
    p, r, f, support = precision_recall_fscore_support(Y, Yhat, average=None, zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(Y, Yhat, average="macro", zero_division=0)
    acc = (Y == Yhat).mean(axis=0)
    per_class = {c: {"accuracy": float(acc[i]), "precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                     "positives": int(support[i])} for i, c in enumerate(classes)}
    macro = {"accuracy": float(acc.mean()), "precision": float(mp), "recall": float(mr), "f1": float(mf),
             "subset_accuracy": float(accuracy_score(Y, Yhat))}
    return {"per_class": per_class, "macro": macro}


def evaluation_report(Y: np.ndarray, P: np.ndarray, classes: Sequence[str], thresholds: Sequence[float],
                      record_ids: Sequence[str], n_boot: int = 1000, seed: int = 0,
                      thresholds_per_record: np.ndarray | None = None,
                      patient_ids: Sequence[Any] | None = None) -> dict[str, Any]:
    """All figures for labels Y (records x classes, 0/1) and probabilities P, decisions at `thresholds`.

    AUC (macro and per class, bootstrap 95% CI) only for classes with positives and negatives (no interval,
    `too_few`, for a class with fewer than 10 positives or negatives: `ecgcore.metrics.auc.bootstrap_auc`);
    `patient_ids` (one per record): patients are resampled, else records; accuracy,
    precision, recall, F1 per class and macro; a 2x2 confusion per class; the single-label confusion over
    records with one true class; ROC points; reliability bins and ECE; and the raw predictions.
    `thresholds_per_record` (records x classes) decides each record at its own thresholds (cross-validation:
    each fold's model has its own); `thresholds` is then reported only.
    """
    Y = np.asarray(Y, dtype=np.uint8)
    P = np.asarray(P, dtype=np.float64)
    thr = np.asarray(thresholds, dtype=np.float64)
    Yhat = (P >= (thr if thresholds_per_record is None else np.asarray(thresholds_per_record))).astype(np.uint8)
    boot = bootstrap_auc(Y, P, n_boot=n_boot, seed=seed, groups=patient_ids)
    scored = [c for c, pc in zip(classes, boot["per_class"]) if pc is not None]
    return {
        "n_records": int(len(Y)),
        "classes": list(classes),
        "positives": {c: int(Y[:, i].sum()) for i, c in enumerate(classes)},
        "auc": {
            "macro": boot["macro"]["auc"], "macro_ci95": boot["macro"]["ci"], "classes_in_macro": scored,
            "too_few": [classes[c] for c in boot["macro"]["too_few"]],
            "per_class": {c: (None if pc is None else {"auc": pc["auc"], "ci95": pc["ci"], "too_few": pc["too_few"]})
                          for c, pc in zip(classes, boot["per_class"])},
            "bootstrap": {"n": n_boot, "seed": seed, "resampled": boot["resampled"],
                          "method": f"percentile, {boot['resampled']} resampled with replacement; no interval for "
                                    "a class with fewer than 10 positives or negatives"},
        },
        "thresholds": {c: float(t) for c, t in zip(classes, thr)},
        "at_thresholds": threshold_metrics(Y, Yhat, classes),
        "confusion_per_class": per_class_confusion(Y, Yhat, classes),
        "confusion_single_label": single_label_confusion(Y, P, classes),
        "roc": {c: roc_points(Y[:, i], P[:, i]) for i, c in enumerate(classes)},
        "calibration": {"per_class": {c: reliability(Y[:, i], P[:, i]) for i, c in enumerate(classes)},
                        "pooled": reliability(Y.ravel(), P.ravel())},
        "predictions": {"record_ids": [str(r) for r in record_ids], "y_true": Y.tolist(),
                        "y_prob": P.round(5).tolist(),
                        **({} if patient_ids is None else {"patient_ids": [str(g) for g in patient_ids]})},
    }


#: The fold that chose every recipe (assets/models/ablation.json: fold-9 macro AUC on the split of fold 10), the
#: epoch and the thresholds; it is also a test fold of the 10-fold cross-validation.
SELECTION_FOLD = 9


def without_selection_fold(Y: np.ndarray, P: np.ndarray, folds: Sequence[int], classes: Sequence[str],
                           patient_ids: Sequence[Any] | None = None, n_boot: int = 1000,
                           seed: int = 0) -> dict[str, Any]:
    """Macro AUC of out-of-fold predictions on every record EXCEPT those of `SELECTION_FOLD`, the fold that
    chose the recipes: the part of the cross-validated figure that no selection step looked at.
    Y, P: (records, classes); folds: (records,) strat_fold. Returns {folds, n_records, macro_auc,
    macro_auc_ci95 (None when a class has too few positives), per_class_auc, resampled}."""
    keep = np.asarray(folds) != SELECTION_FOLD
    groups = None if patient_ids is None else [g for g, k in zip(patient_ids, keep) if k]
    boot = bootstrap_auc(np.asarray(Y)[keep], np.asarray(P, float)[keep], n_boot=n_boot, seed=seed, groups=groups)
    return {"folds": sorted({int(f) for f in np.asarray(folds)[keep]}), "n_records": int(keep.sum()),
            "macro_auc": boot["macro"]["auc"], "macro_auc_ci95": boot["macro"]["ci"],
            "per_class_auc": {c: (None if pc is None else pc["auc"]) for c, pc in zip(classes, boot["per_class"])},
            "resampled": boot["resampled"]}


def not_nested_figure(Y: np.ndarray, P: np.ndarray, folds: Sequence[int], classes: Sequence[str],
                      patient_ids: Sequence[Any] | None, recipe: str, n_boot: int = 1000, seed: int = 0
                      ) -> dict[str, Any]:
    """The shipped recipe's out-of-fold figure kept beside a nested one (same run, for comparison): the recipe
    chosen once on fold 9 ran in every split. Y, P: (records, classes). Returns {recipe, n_records, macro_auc,
    macro_auc_ci95, per_class_auc, resampled, without_selection_fold, y_prob (rounded to 5 decimals)}."""
    boot = bootstrap_auc(np.asarray(Y), np.asarray(P, float), n_boot=n_boot, seed=seed,
                         groups=None if patient_ids is None else list(patient_ids))
    return {"recipe": recipe, "n_records": int(len(Y)), "macro_auc": boot["macro"]["auc"],
            "macro_auc_ci95": boot["macro"]["ci"],
            "per_class_auc": {c: (None if pc is None else pc["auc"]) for c, pc in zip(classes, boot["per_class"])},
            "resampled": boot["resampled"],
            "without_selection_fold": without_selection_fold(Y, P, folds, classes, patient_ids, n_boot=n_boot,
                                                             seed=seed),
            "y_prob": np.asarray(P, float).round(5).tolist()}


def key_figures(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a results document (stored in the model card, printed by `models --json`);
    `too_few` lists the classes with too few positives for an interval; `without_selection_fold` is the
    out-of-fold figure without fold 9 where the results hold it; `at_thresholds`: each class's TP / FP / FN / TN
    at the model's threshold (`ecgcore.metrics.clinical.operating_points`), for the report's operating point."""
    auc = results["auc"]
    figures = {
        "set": results["set"]["name"], "description": results["set"]["description"],
        "synthetic": results["set"]["synthetic"], "n_records": results["n_records"],
        "macro_auc": auc["macro"], "macro_auc_ci95": auc["macro_ci95"], "classes_in_macro": auc["classes_in_macro"],
        "too_few": auc.get("too_few", []),
        "per_class_auc": {c: (None if v is None else v["auc"]) for c, v in auc["per_class"].items()},
        "per_class_auc_ci95": {c: (None if v is None else v["ci95"]) for c, v in auc["per_class"].items()},
        "positives": results["positives"],
        "macro_f1": results["at_thresholds"]["macro"]["f1"],
        "resampled": (auc.get("bootstrap") or {}).get("resampled", "records"),
        "results_file": f"results_{results['set']['name']}.json",
    }
    if results.get("without_selection_fold"):
        figures["without_selection_fold"] = results["without_selection_fold"]
    if "nested" in results:  # out-of-fold sets: whether each split chose its own recipe (ecgcore.learn.nested)
        figures["nested"] = bool(results["nested"])
        for key in ("provenance", "candidates", "chosen_per_split"):
            if key in results:
                figures[key] = results[key]
        if results.get("not_nested"):
            figures["not_nested"] = {k: v for k, v in results["not_nested"].items() if k != "y_prob"}
    from ecgcore.metrics.clinical import operating_points

    figures["at_thresholds"] = {c: {"threshold": round(op.threshold, 4), "tp": op.tp, "fp": op.fp, "fn": op.fn,
                                    "tn": op.tn} for c, op in operating_points(results).items()}
    return figures
