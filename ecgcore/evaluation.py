"""Evaluating a shipped model on a labelled data set and writing `results_<dataset>.json` beside its weights.

Data sets (`ecgcore.data.folders.read_dataset`): a PTB-XL folder (its test fold 10), a folder of Challenge
records (all of them, SNOMED labels mapped to superclasses), or "real" (every real labelled record shipped).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.config import MODELS_DIR, SUPERCLASSES
from ecgcore.errors import ECGError
from ecgcore.metrics.report import evaluation_report
from ecgcore.models import checkpoint, load_model
from ecgcore.models.base import ECGModel, summarise


def dataset_slug(data: str | Path) -> str:
    """The name used in results_<slug>.json: "real", or the data folder's name (e.g. "synth-ptbxl")."""
    if str(data) == "real":
        return "real"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(data).resolve().name).strip("-") or "data"


def _targets(ds: Any, model: ECGModel) -> np.ndarray:
    """(records, model classes) 0/1 ground truth."""
    if list(model.classes) == list(SUPERCLASSES):
        return ds.targets()
    if ds.kind != "ptbxl":
        raise ECGError(f"model {model.name} predicts the {model.task!r} task; only a PTB-XL folder has those "
                       "labels (Challenge and real sets are labelled with superclasses only)")
    from ecgcore.data import ptbxl

    db = ptbxl.load_database(ds.path)
    classes, Y = ptbxl.task_labels(db, ptbxl.load_statements(ds.path), model.task)
    rows = db.index.get_indexer([r.meta["ecg_id"] for r in ds.records])
    return Y[rows][:, [classes.index(c) for c in model.classes]]


def _synthetic(ds: Any) -> bool:
    from ecgcore.training import is_synthetic_folder

    if ds.kind == "ptbxl":
        from ecgcore.data import ptbxl

        return is_synthetic_folder(ds.path, ptbxl.load_database(ds.path))
    return bool(any(r.source == "synthetic" for r in ds.records))


def predict_records(model: ECGModel, records: list) -> tuple[np.ndarray, list[int], dict[str, str]]:
    """Probabilities for the records the model can read; (P, kept indices, {record_id: why skipped})."""
    same = records and len({(r.fs, r.n_samples) for r in records}) == 1 and records[0].fs == model.fs
    if same and records[0].n_samples >= model.window:
        return model.predict_proba(np.stack([r.signal for r in records])), list(range(len(records))), {}
    probs, kept, skipped = [], [], {}
    for i, rec in enumerate(records):
        try:
            probs.append(model.predict_proba(rec)[0]); kept.append(i)
        except ECGError as exc:
            skipped[rec.record_id] = str(exc)
    return (np.stack(probs) if probs else np.zeros((0, len(model.classes)))), kept, skipped


def key_figures(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a results file (stored in the model card and printed by --json)."""
    auc = results["auc"]
    return {
        "dataset": results["dataset"]["name"], "kind": results["dataset"]["kind"],
        "synthetic": results["dataset"]["synthetic"], "n_records": results["n_records"],
        "macro_auc": auc["macro"], "macro_auc_ci95": auc["macro_ci95"], "classes_in_macro": auc["classes_in_macro"],
        "per_class_auc": {c: (None if v is None else v["auc"]) for c, v in auc["per_class"].items()},
        "positives": results["positives"],
        "macro_f1": results["at_thresholds"]["macro"]["f1"],
        "macro_precision": results["at_thresholds"]["macro"]["precision"],
        "macro_recall": results["at_thresholds"]["macro"]["recall"],
        "single_label_accuracy": results["confusion_single_label"]["accuracy"],
        "ece": results["calibration"]["pooled"]["ece"],
        "results_file": results["results_file"],
    }


def evaluate(name: str, data: str | Path, models_dir: str | Path = MODELS_DIR, n_boot: int = 1000,
             seed: int = 0) -> dict[str, Any]:
    """Evaluate the shipped model `name` on `data`; writes results_<slug>.json and the card's metrics."""
    from ecgcore.data.folders import read_dataset

    model = load_model(name, models_dir)
    ds = read_dataset(data)
    if len(ds) == 0:
        raise ECGError(f"{data} holds no labelled record to evaluate on")
    Y_all = _targets(ds, model)
    P, kept, unusable = predict_records(model, ds.records)
    if not kept:
        raise ECGError(f"none of the {len(ds)} records in {data} could be scored by {name}: "
                       f"{next(iter(unusable.values()))}")
    Y = Y_all[kept]
    ids = [ds.records[i].record_id for i in kept]
    slug = dataset_slug(data)
    results = evaluation_report(Y, P, model.classes, model.thresholds, ids, n_boot=n_boot, seed=seed)
    folder = Path(models_dir) / name
    results = {
        "model": name,
        "weights_sha256": model.card().get("files", {}).get(model.weights_name, {}).get("sha256"),
        "dataset": {"name": ds.name, "kind": ds.kind, "path": str(data), "slug": slug,
                    "synthetic": _synthetic(ds),
                    "skipped": {**ds.skipped, **unusable}},
        "results_file": f"results_{slug}.json",
        "aggregate": model.aggregate,
        **results,
    }
    checkpoint.write_json(folder / results["results_file"], results)
    card = checkpoint.update_card(folder, "metrics", slug, key_figures(results))
    card["summary"] = summarise(name, card.get("training", {}), card["metrics"])
    checkpoint.write_json(folder / checkpoint.CARD, card)
    return results
