"""Recompute every stored figure from the stored predictions and rewrite the model cards, without training and
without running a model:

    python -m ecgcore.learn.refresh [--models-dir DIR] [--n-boot 1000]

For each checkpoint folder under the models folder (and its `synthetic/` pretraining checkpoint), every
`results_<set>.json` keeps its predictions (record ids, labels, probabilities), thresholds and provenance
(folds, thresholds_per_fold, recipe, source, members; a nested set's choices) and gets its figures again from
`ecgcore.metrics.summary.evaluation_report`: patient-level bootstrap intervals on real sets (patients from
`ecgcore.data.catalogue.patient_labels`), no interval where a class has fewer than 10 positives, every record
judged at the model's one threshold per class, and for "ptbxl_cv" the figure without fold 9 (and a nested
set's `not_nested` figure from its stored predictions). Then
`ecgcore.models.card.write_card` rewrites the card. Weights and config.json are only read (their sha256 is
checked on load), never written.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.settings import resolve
from ecgcore.metrics.summary import evaluation_report, not_nested_figure, without_selection_fold
from ecgcore.models import checkpoint
from ecgcore.models.card import write_card
from ecgcore.models.registry import model_class

#: keys of a results document that say where its predictions came from: kept as they are
PROVENANCE = ("model", "weights_sha256", "set", "aggregate", "written_by", "source", "recipe", "thresholds_per_fold",
              "members", "computed_from",
              # a nested out-of-fold set (ecgcore.learn.nested): how each split chose
              "nested", "provenance", "selection_rule", "candidates", "chosen_per_split", "splits")


def refresh_results(doc: dict[str, Any], n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """A results document with every figure recomputed from its stored predictions (see the module docstring)."""
    from ecgcore.data.catalogue import patient_labels

    pred = doc["predictions"]
    classes = list(doc["classes"])
    Y, P = np.asarray(pred["y_true"]), np.asarray(pred["y_prob"], float)
    synthetic = bool(doc["set"]["synthetic"])
    patients = None if synthetic else patient_labels(list(pred["record_ids"]))
    thresholds = [float(doc["thresholds"][c]) for c in classes]
    report = evaluation_report(Y, P, classes, thresholds, pred["record_ids"], n_boot=n_boot, seed=seed,
                               patient_ids=patients)
    out = {k: doc[k] for k in PROVENANCE if k in doc}
    out["set"] = {**doc["set"], "n_records": report["n_records"], "positives": report["positives"]}
    out.update(report)
    if doc.get("folds") is not None:
        out["folds"] = doc["folds"]
        out["without_selection_fold"] = without_selection_fold(Y, P, doc["folds"], classes, patients, n_boot, seed)
    if doc.get("not_nested"):  # the same run's shipped-recipe figure, from its own stored predictions
        old = doc["not_nested"]
        out["not_nested"] = not_nested_figure(Y, np.asarray(old["y_prob"], float), doc["folds"], classes, patients,
                                              old["recipe"], n_boot=n_boot, seed=seed)
    return out


def load_checked(folder: Path) -> Any:
    """The model of the checkpoint in `folder`, its files sha256-checked (`checkpoint.read_verified`)."""
    config, _ = checkpoint.read_verified(folder)
    return model_class(config.get("model", folder.name)).load(folder)


def refresh_folder(folder: Path, n_boot: int = 1000, log: Any = print) -> None:
    """Refresh every results file in one checkpoint folder, then rewrite its card."""
    for path in sorted(folder.glob("results_*.json")):
        checkpoint.write_json(path, refresh_results(json.loads(path.read_text()), n_boot=n_boot))
    card = write_card(folder, load_checked(folder))
    cv = card.metrics.get("ptbxl_cv") or {}
    log(f"{folder}: card rewritten; ptbxl_cv macro AUC {cv.get('macro_auc')}, without fold 9 "
        f"{(cv.get('without_selection_fold') or {}).get('macro_auc')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecgcore.learn.refresh", description=__doc__.split("\n")[0])
    parser.add_argument("--models-dir", default=None)
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args(argv)
    root = resolve(models_dir=args.models_dir).models_dir
    for card in sorted(root.glob("*/card.json")) + sorted(root.glob("*/synthetic/card.json")):
        refresh_folder(card.parent, n_boot=args.n_boot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
