"""Evaluating models and writing `results_<set>.json` beside their weights.

Evaluation sets (set names):
- "ptbxl_fold10": real PTB-XL strat_fold 10, the shipped weights (trained on folds 1-8, selected on 9);
- "ptbxl_cv": real PTB-XL, 10-fold cross-validated out-of-fold predictions (`ecgcore.learn.protocol`);
- "cinc_georgia", "cinc_ningbo", "cinc_chapman_shaoxing", "cinc_cpsc2018", "cinc_pooled" (the four pooled),
  "ludb", "ptbdb": external sets (`ecgcore.data.evalsets.external_sets`), the shipped weights, test only;
- "synthetic_fold10": fold 10 of a synthetic corpus (not patients), via `evaluate(name, folder)`.

Schema of `results_<set>.json` (every key always present):
  model, weights_sha256, set {name, description, synthetic, n_records, positives {class: n}},
  n_records, classes, positives {class: n}, thresholds {class: t} (validation-fold thresholds; for
  "ptbxl_cv" each record is decided at its own fold model's thresholds, listed in thresholds_per_fold),
  auc {macro, macro_ci95, classes_in_macro, per_class {class: {auc, ci95} | null}, bootstrap},
  at_thresholds, confusion_per_class, confusion_single_label, roc, calibration,
  predictions {record_ids, y_true, y_prob}, aggregate, written_by.
Nothing is written unless `save=True` (the command line's --save).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.errors import ECGError
from ecgcore.metrics.summary import evaluation_report
from ecgcore.models import ECGModel, checkpoint, load_model
from ecgcore.models.base import summarise
from ecgcore.models.card import ModelCard
from ecgcore.core.settings import resolve
from ecgcore.data.evalsets import eval_set

def results_document(model: ECGModel, set_name: str, record_ids: list[str], Y: np.ndarray, P: np.ndarray, *,
                     synthetic: bool = False, thresholds_per_record: np.ndarray | None = None,
                     extra: dict[str, Any] | None = None, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """The results_<set>.json document (schema in the module docstring)."""
    report = evaluation_report(Y, P, model.classes, model.thresholds, record_ids, n_boot=n_boot, seed=seed,
                               thresholds_per_record=thresholds_per_record)
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


def key_figures(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a results document (stored in the model card, printed by `models --json`)."""
    auc = results["auc"]
    return {
        "set": results["set"]["name"], "description": results["set"]["description"],
        "synthetic": results["set"]["synthetic"], "n_records": results["n_records"],
        "macro_auc": auc["macro"], "macro_auc_ci95": auc["macro_ci95"], "classes_in_macro": auc["classes_in_macro"],
        "per_class_auc": {c: (None if v is None else v["auc"]) for c, v in auc["per_class"].items()},
        "per_class_auc_ci95": {c: (None if v is None else v["ci95"]) for c, v in auc["per_class"].items()},
        "positives": results["positives"],
        "macro_f1": results["at_thresholds"]["macro"]["f1"],
        "results_file": f"results_{results['set']['name']}.json",
    }


def save_results(folder: str | Path, results: dict[str, Any]) -> ModelCard:
    """Write results_<set>.json into a checkpoint folder and its key figures into the card."""
    folder = Path(folder)
    checkpoint.write_json(folder / f"results_{results['set']['name']}.json", results)
    card = ModelCard.from_json(checkpoint.read_card(folder))
    card.metrics[results["set"]["name"]] = key_figures(results)
    card.summary = summarise(card)
    checkpoint.write_json(folder / checkpoint.CARD, card.to_json())
    return card


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
    results = results_document(model, _slug(data, synthetic, ds.kind), [ds.records[i].record_id for i in kept], Y,
                               np.stack(probs), synthetic=synthetic, n_boot=n_boot,
                               extra={"source": {"path": str(data), "skipped": skipped}})
    if save:
        save_results(Path(models_dir) / name, results)
    return results
