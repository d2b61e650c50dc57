"""Evaluating models and writing `results_<set>.json` beside their weights.

Evaluation sets (set names):
- "ptbxl_fold10": real PTB-XL strat_fold 10, the shipped weights (trained on folds 1-8, selected on 9);
- "ptbxl_cv": real PTB-XL, 10-fold cross-validated out-of-fold predictions (`ecgcore.learn.protocol`);
- "cinc_georgia", "cinc_ningbo", "cinc_chapman_shaoxing", "cinc_cpsc2018", "cinc_pooled" (the four pooled),
  "ludb", "ptbdb": external sets (`ecgcore.data.evalsets.external_sets`), the shipped weights, test only;
- "synthetic_fold10": fold 10 of a synthetic corpus (not patients), via `evaluate(name, folder)`.

Schema of `results_<set>.json` (every key always present):
  model, weights_sha256, set {name, description, synthetic, n_records, positives {class: n}},
  n_records, classes, positives {class: n}, thresholds {class: t} (the shipped model's fold-9 thresholds, the
  ones the app decides with; every set, "ptbxl_cv" included, is judged at them: the fold models' own
  thresholds are kept in "ptbxl_cv"'s thresholds_per_fold for reference),
  auc {macro, macro_ci95, classes_in_macro, too_few, per_class {class: {auc, ci95, too_few} | null}, bootstrap
  {n, seed, resampled: "patients" | "records", method}} (no interval for a class with fewer than 10 positives),
  at_thresholds, confusion_per_class, confusion_single_label, roc, calibration,
  predictions {record_ids, y_true, y_prob, patient_ids (real sets: the patient-level bootstrap's groups,
  `ecgcore.data.catalogue.patient_labels`)}, aggregate, written_by;
  "ptbxl_cv" adds folds, thresholds_per_fold, recipe and without_selection_fold (the out-of-fold figure without
  fold 9, the fold that chose the recipes: `ecgcore.metrics.summary.without_selection_fold`), and nested
  (false: the recipe chosen once on fold 9 ran in every split; true: `ecgcore.learn.nested`, each split chose its
  own, and the document adds provenance, selection_rule, candidates, chosen_per_split {fold: recipe}, splits
  [{test_fold, val_fold, chosen, chose_on, candidates_val_macro_auc, thresholds, val_record_ids, val_prob}] and
  not_nested (the shipped recipe's out-of-fold figure of the same run, `metrics.summary.not_nested_figure`)).
Nothing is written unless `save=True` (the command line's --save).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.errors import ECGError
from ecgcore.metrics.summary import evaluation_report, without_selection_fold
from ecgcore.models import ECGModel, checkpoint, load_model
from ecgcore.models.card import ModelCard, write_card
from ecgcore.core.settings import resolve
from ecgcore.data.evalsets import eval_set

def results_document(model: ECGModel, set_name: str, record_ids: list[str], Y: np.ndarray, P: np.ndarray, *,
                     synthetic: bool = False, thresholds_per_record: np.ndarray | None = None,
                     extra: dict[str, Any] | None = None, n_boot: int = 1000, seed: int = 0,
                     patient_ids: list[str] | None = None, folds: np.ndarray | None = None) -> dict[str, Any]:
    """The results_<set>.json document (schema in the module docstring). patient_ids: one per record (the
    bootstrap resamples patients), None to resample records; folds: each record's PTB-XL strat_fold, for an
    out-of-fold set (adds `folds` and `without_selection_fold`)."""
    report = evaluation_report(Y, P, model.classes, model.thresholds, record_ids, n_boot=n_boot, seed=seed,
                               thresholds_per_record=thresholds_per_record, patient_ids=patient_ids)
    if folds is not None:
        report["folds"] = [int(f) for f in folds]
        report["without_selection_fold"] = without_selection_fold(Y, P, folds, model.classes, patient_ids,
                                                                  n_boot=n_boot, seed=seed)
    card = model.card()
    description = eval_set(set_name, {"set": {"synthetic": synthetic}}).description
    return {
        "model": model.name,
        "weights_sha256": card.weights_sha256(model.weights_name),
        "set": {"name": set_name, "description": description, "synthetic": synthetic,
                "n_records": report["n_records"], "positives": report["positives"]},
        "aggregate": model.aggregate,
        "written_by": "python -m ecgcore evaluate --save",
        **report,
        **(extra or {}),
    }


def save_results(folder: str | Path, results: dict[str, Any], model: ECGModel | None = None) -> ModelCard:
    """Write results_<set>.json into a checkpoint folder, then rewrite its card (`write_card`: the card's
    figures are read from the results files); `model` None: the folder's checkpoint, loaded and sha256-checked."""
    from ecgcore.learn.refresh import load_checked

    folder = Path(folder)
    checkpoint.write_json(folder / f"results_{results['set']['name']}.json", results)
    return write_card(folder, model if model is not None else load_checked(folder))


def predict_signals(model: ECGModel, signals: list[np.ndarray]) -> np.ndarray:
    """(records, classes) for (12, samples) mV signals at model.fs of any lengths."""
    return (np.concatenate([model.predict_proba(s[None]) for s in signals]) if signals
            else np.zeros((0, len(model.classes))))


def _slug(data: str | Path, synthetic: bool, kind: str) -> str:
    if kind == "ptbxl":
        return "synthetic_fold10" if synthetic else "ptbxl_fold10"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(data).resolve().name).strip("-") or "data"


def evaluate(name: str, data: str | Path, models_dir: str | Path | None = None, n_boot: int = 1000,
             save: bool = False) -> dict[str, Any]:
    """Evaluate the shipped model `name` on a PTB-XL-layout folder (its fold 10; "synthetic_fold10" for a
    synthetic corpus) or a folder of Challenge records; with `save`, write results and the card's figures."""
    from ecgcore.data.catalogue import patient_labels
    from ecgcore.data.folders import read_dataset
    from ecgcore.data import ptbxl

    models_dir = resolve(models_dir=models_dir).models_dir
    model = load_model(name, models_dir)
    ds = read_dataset(data)
    if len(ds) == 0:
        raise ECGError(f"{data} holds no labelled record to evaluate on")
    if list(model.classes) != list(SUPERCLASSES):
        raise ECGError(f"model {name} predicts {model.classes}; evaluation sets are labelled with superclasses")
    synthetic = ds.kind == "ptbxl" and ptbxl.is_synthetic(ptbxl.load_database(ds.path))
    kept, probs, skipped = [], [], dict(ds.skipped)
    for i, rec in enumerate(ds.records):
        try:
            probs.append(model.predict_proba(rec)[0]); kept.append(i)
        except ECGError as exc:
            skipped[rec.record_id] = str(exc)
    if not kept:
        raise ECGError(f"none of the {len(ds)} records in {data} could be scored by {name}")
    Y = ds.targets()[kept]
    ids = [ds.records[i].record_id for i in kept]
    patients = None if synthetic else patient_labels(ids)  # records missing from the data root: their own patient
    results = results_document(model, _slug(data, synthetic, ds.kind), ids, Y, np.stack(probs), synthetic=synthetic,
                               n_boot=n_boot, extra={"source": {"path": str(data), "skipped": skipped}},
                               patient_ids=patients)
    if save:
        save_results(Path(models_dir) / name, results, model)
    return results
