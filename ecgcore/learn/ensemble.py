"""Build the `ensemble` model (the mean of the shipped models' probabilities) and its figures, without
training and without re-running the members on the evaluation sets.

    python -m ecgcore.learn.ensemble [--models-dir DIR]

1. Thresholds: the shipped members (trained on PTB-XL folds 1-8) predict fold 9 (72 records); the ensemble's
   per-class thresholds maximise F1 on the mean of those probabilities (fold 9 only, like every member's).
2. Figures, from the members' stored predictions (`results_<set>.json`, `predictions.y_prob`, one row per
   record, the same record ids in every member's file, checked): the ensemble's probability for a record is
   the mean of the members' stored probabilities (rounded to 5 decimals there, so within 1e-5 of running it).
   - "ptbxl_cv": the members' out-of-fold predictions come from the SAME split models (test fold k, validation
     fold k-1, training the rest), so their mean is the ensemble's out-of-fold prediction for that split. Its
     thresholds for split k are chosen on the ensemble's out-of-fold predictions of fold k-1 (the split's
     validation fold, predicted by split k-1's models: the split's own members' fold k-1 predictions are not
     stored); split 10 uses the shipped thresholds. Figures at thresholds are reported at the shipped
     thresholds (the ones the app uses), as for every model.
     Nested members (`evaluate --cv --nested`, `ecgcore.learn.nested`): each member's split-k model is the one
     chosen inside split k, so the mean is the ensemble's nested out-of-fold prediction; the members' results
     then also hold their split models' predictions of split k's validation fold, and split k's thresholds are
     chosen on the mean of those (the split's own validation fold, as the shipped ensemble's on fold 9). The
     members' shipped-recipe figure of the same run (`not_nested`) is averaged the same way. Members evaluated
     some nested and some not are refused.
   - every other set: the mean of the members' stored predictions, judged at the shipped thresholds.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.errors import ECGError
from ecgcore.core.settings import resolve
from ecgcore.metrics.auc import macro_auc
from ecgcore.metrics.thresholds import max_f1_thresholds

NAME = "ensemble"
ENSEMBLE_LIMITATION = ("The ensemble was added after its members' out-of-fold figures were known (the mean of their "
                       "out-of-fold probabilities had been measured at macro AUC 0.915): its composition (all four, "
                       "equal weights) was not tuned, but the decision to offer it was not blind to those figures.")


def member_results(models_dir: Path, members: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """{set: {member: stored results}} for every set that every member has stored."""
    sets = None
    for m in members:
        found = {p.stem[len("results_"):] for p in (models_dir / m).glob("results_*.json")}
        sets = found if sets is None else sets & found
    return {s: {m: json.loads((models_dir / m / f"results_{s}.json").read_text()) for m in members}
            for s in sorted(sets or ())}


def mean_predictions(stored: dict[str, dict[str, Any]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(record ids, Y, mean P) of one set from the members' stored results; ECGError when the members' files
    list different records or labels (they were then not evaluated on the same set)."""
    docs = list(stored.values())
    ids = docs[0]["predictions"]["record_ids"]
    Y = np.asarray(docs[0]["predictions"]["y_true"])
    for name, d in stored.items():
        if d["predictions"]["record_ids"] != ids or not np.array_equal(np.asarray(d["predictions"]["y_true"]), Y):
            raise ECGError(f"{name}'s results_{d['set']['name']}.json lists other records or labels than "
                           f"{next(iter(stored))}'s; re-evaluate the members (`make evaluate`)")
    P = np.mean([np.asarray(d["predictions"]["y_prob"], float) for d in docs], axis=0)
    return ids, Y, P


def cv_thresholds(Y: np.ndarray, P: np.ndarray, folds: np.ndarray, shipped: np.ndarray) -> dict[int, list[float]]:
    """{test fold k: thresholds} for the out-of-fold set: max F1 on the out-of-fold predictions of split k's
    validation fold (k-1; 10 for k = 1); k = 10 keeps the shipped thresholds (chosen on fold 9)."""
    from ecgcore.learn.protocol import split_for

    out = {}
    for k in range(1, 11):
        if k == 10:
            out[k] = [round(float(t), 4) for t in shipped]
            continue
        val = folds == split_for(k)[1]
        out[k] = [round(float(t), 4) for t in max_f1_thresholds(Y[val], P[val])]
    return out


def nested_members(stored: dict[str, dict[str, Any]]) -> bool:
    """True when every member's out-of-fold results are nested, False when none is; ECGError when mixed."""
    flags = {m: bool(d.get("nested")) for m, d in stored.items()}
    if len(set(flags.values())) > 1:
        raise ECGError("the members' out-of-fold results are not all of one kind (nested: "
                       + ", ".join(f"{m} {f}" for m, f in flags.items())
                       + "); evaluate them all with `python -m ecgcore evaluate --cv --nested --save`")
    return all(flags.values())


def nested_thresholds(stored: dict[str, dict[str, Any]], shipped: np.ndarray) -> dict[int, list[float]]:
    """{test fold k: thresholds}: max F1 on the mean of the members' split-k models' predictions of split k's
    validation fold (stored in each member's `splits`); k = 10 keeps the shipped thresholds (fold 9)."""
    doc = next(iter(stored.values()))["predictions"]
    row = {r: i for i, r in enumerate(doc["record_ids"])}
    out = {}
    for k in range(1, 11):
        if k == 10:
            out[k] = [round(float(t), 4) for t in shipped]
            continue
        splits = {m: next(s for s in d["splits"] if s["test_fold"] == k) for m, d in stored.items()}
        ids = next(iter(splits.values()))["val_record_ids"]
        if any(s["val_record_ids"] != ids for s in splits.values()):
            raise ECGError(f"the members' split {k} validation records differ; re-evaluate them with --nested")
        Y = np.asarray(doc["y_true"])[[row[r] for r in ids]]
        P = np.mean([np.asarray(s["val_prob"], float) for s in splits.values()], axis=0)
        out[k] = [round(float(t), 4) for t in max_f1_thresholds(Y, P)]
    return out


def nested_extra(stored: dict[str, dict[str, Any]], classes: list[str], shipped: np.ndarray,
                 n_boot: int) -> dict[str, Any]:
    """The nested ensemble's out-of-fold extras: per-split thresholds, each member's per-split choice, the
    provenance, and the mean of the members' shipped-recipe predictions (`not_nested`)."""
    from ecgcore.data.catalogue import patient_labels
    from ecgcore.metrics.summary import not_nested_figure

    docs = list(stored.values())
    ids = docs[0]["predictions"]["record_ids"]
    Y, folds = np.asarray(docs[0]["predictions"]["y_true"]), np.asarray(docs[0]["folds"])
    P_ship = np.mean([np.asarray(d["not_nested"]["y_prob"], float) for d in docs], axis=0)
    recipes = "; ".join(f"{m}: {d['not_nested']['recipe']}" for m, d in stored.items())
    return {
        "nested": True,
        "provenance": ("nested: the mean of the members' nested out-of-fold predictions; in each split every "
                       "member's recipe was chosen among its candidates on that split's own validation fold "
                       "(split 10: the ablation's choice on fold 9, the shipped weights predict fold 10), and the "
                       "split's thresholds were set on the members' mean over that validation fold. No test fold "
                       "took part in any choice; fold 10 never chose anything. The ensemble's composition (all "
                       "members, equal weights) was fixed, not chosen per split."),
        "candidates": {m: d.get("candidates") for m, d in stored.items()},
        "chosen_per_split": {m: d.get("chosen_per_split") for m, d in stored.items()},
        "thresholds_per_fold": nested_thresholds(stored, shipped),
        "not_nested": not_nested_figure(Y, P_ship, folds, classes, patient_labels(ids), recipes, n_boot=n_boot),
    }


def build(models_dir: str | Path | None = None, members: list[str] | None = None, n_boot: int = 1000,
          log: Any = print) -> dict[str, dict[str, Any]]:
    """Choose the ensemble's thresholds on fold 9, save it to models_dir/ensemble, and write its results
    (one `results_<set>.json` per set the members share) and card. Returns {set: results}."""
    from ecgcore.data.catalogue import patient_labels
    from ecgcore.data.evalsets import ptbxl_set
    from ecgcore.learn.evaluation import results_document
    from ecgcore.learn.figures import LIMITATIONS
    from ecgcore.models import checkpoint, create, load_model
    from ecgcore.models.card import write_card
    from ecgcore.models.ensemble import MEMBERS

    models_dir = resolve(models_dir=models_dir).models_dir
    members = sorted(members or MEMBERS)
    loaded = {m: load_model(m, models_dir) for m in members}
    first = loaded[members[0]]
    ens = create(NAME, classes=first.classes, members=members)
    ens.set_members(loaded)

    t0 = time.time()
    real = ptbxl_set()
    X = real.array()
    val = real.folds == 9
    P_val = ens.predict_proba(X[val])
    ens.choose_thresholds(real.Y[val], P_val)
    val_auc = macro_auc(real.Y[val], P_val)
    log(f"ensemble: fold 9 ({int(val.sum())} records) macro AUC {val_auc:.3f}, thresholds "
        f"{ {c: round(float(t), 3) for c, t in zip(ens.classes, ens.thresholds)} } ({time.time() - t0:.0f} s)")
    data = dict(first.card().trained_on)
    data.update({"kind": "ensemble of models trained on real PTB-XL folds 1-8",
                 "name": "real PTB-XL folds 1-8 (each member; the networks after synthetic pretraining)",
                 "members": members,
                 "description": (f"The mean of the probabilities of {', '.join(members)}, each trained on real PTB-XL "
                                 f"folds 1-8 ({data.get('n_train')} records; the networks after synthetic "
                                 f"pretraining); its thresholds set on fold 9 ({int(val.sum())} records); fold 10 "
                                 "untouched. Nothing else is fitted.")})
    ens.record_training({
        "data": data, "val_macro_auc": round(val_auc, 5), "n_train": data.get("n_train"), "n_val": int(val.sum()),
        "recipe": {"name": "mean of the members' probabilities", "init": "members", "members": members},
        "build_seconds": round(time.time() - t0, 1)})  # the members' fold-9 pass; nothing is trained
    folder = models_dir / NAME
    for old in folder.glob("results_*.json"):
        old.unlink()
    ens.save(folder)

    out = {}
    for set_name, stored in member_results(models_dir, members).items():
        ids, Y, P = mean_predictions(stored)
        docs = list(stored.values())
        synthetic = bool(docs[0]["set"]["synthetic"])
        extra: dict[str, Any] = {"members": members,
                                 "computed_from": "mean of the members' stored predictions (results_<set>.json)"}
        folds = None
        if "folds" in docs[0]:
            folds = np.asarray(docs[0]["folds"])
            if nested_members(stored):
                extra.update(nested_extra(stored, ens.classes, ens.thresholds, n_boot))
            else:
                extra["thresholds_per_fold"] = cv_thresholds(Y, P, folds, ens.thresholds)
        patients = None if synthetic else patient_labels(ids)
        out[set_name] = results_document(ens, set_name, ids, Y, P, synthetic=synthetic, n_boot=n_boot, extra=extra,
                                         patient_ids=patients, folds=folds)
        checkpoint.write_json(folder / f"results_{set_name}.json", out[set_name])
        log(f"ensemble: {set_name}: macro AUC {out[set_name]['auc']['macro']:.3f} (N={len(ids)})")
    write_card(folder, ens, limitations=LIMITATIONS + " " + ENSEMBLE_LIMITATION)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecgcore.learn.ensemble", description=__doc__.split("\n")[0])
    parser.add_argument("--models-dir", default=None)
    args = parser.parse_args(argv)
    build(args.models_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
