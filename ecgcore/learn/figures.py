"""The shipped model's figures on real data: the out-of-fold CV over real PTB-XL (nested, `ecgcore.learn.nested`,
or the shipped recipe in every split), PTB-XL fold 10, and every external set (`evaluate_real`), written as
`results_<set>.json` (schema: `ecgcore.learn.evaluation`) with the model card. The protocol itself (splits,
recipes, training one split) is `ecgcore.learn.protocol`.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.errors import ECGError
from ecgcore.data.evalsets import LabelledSet
from ecgcore.learn.protocol import recipes_for, train_split
from ecgcore.learn.trainer import Recipe
from ecgcore.models import ECGModel


LIMITATIONS = ("What these figures do not show: the real sets are small (PTB-XL fold 10 has about 70 records, the "
               "external sources 4-97 each), so the intervals are wide and some classes have no positives in some "
               "sources; MI has few positives outside PTB-XL (none in Georgia, Ningbo or Chapman-Shaoxing after label "
               "mapping, 9 in CPSC, 16 in LUDB), so MI on other hospitals is barely measured; Challenge and LUDB "
               "labels are other coding systems mapped to PTB-XL superclasses, not PTB-XL's cardiologists' "
               "statements; thresholds were set on PTB-XL fold 9 and are not re-tuned per hospital.")


def evaluate_real(name: str, models_dir: str | Path, save: bool = False, n_boot: int = 1000,
                  log: Any = print, nested: bool = False, cache_dir: str | Path | None = None,
                  candidates: dict[str, Recipe] | None = None) -> dict[str, dict[str, Any]]:
    """The shipped model's figures: out-of-fold CV over real PTB-XL, PTB-XL fold 10, and every external set.
    Returns {set: results}.

    nested False: folds 1-9 retrained with the shipped recipe (chosen once, on fold 9, by the ablation), fold 10
    by the shipped weights. nested True (`ecgcore.learn.nested`): each split chooses its recipe among
    `candidates` (default `recipes_for(name)`) on its own validation fold, resumable from `cache_dir`; the
    ptbxl_cv figure is then nested (`nested: true`), and the shipped recipe's out-of-fold figure from the same
    run is kept as `not_nested`."""
    from ecgcore.data.catalogue import patient_labels
    from ecgcore.learn.evaluation import predict_signals, results_document
    from ecgcore.models import checkpoint, load_model
    from ecgcore.models.card import write_card
    from ecgcore.data.evalsets import external_sets, pooled, ptbxl_set

    shipped = load_model(name, models_dir)
    recipe_json = shipped.card().training.get("recipe")
    if not recipe_json:
        raise ECGError(f"the shipped {name} does not record its recipe; retrain it with `make train`")
    # a network's card keeps its whole recipe; the kernel's card keeps the recipe's name only (no torch settings)
    recipe = (Recipe.from_json(recipe_json) if "epochs" in recipe_json
              else recipes_for(name)[recipe_json["name"]])
    real = ptbxl_set()
    patients = patient_labels(real.record_ids)
    out: dict[str, dict[str, Any]] = {}
    out["ptbxl_cv"] = cv_document(name, real, models_dir, shipped, recipe, nested=nested, n_boot=n_boot,
                                  cache_dir=cache_dir, candidates=candidates, log=log)
    P = np.asarray(out["ptbxl_cv"]["predictions"]["y_prob"], float)
    te = np.flatnonzero(real.folds == 10)
    out["ptbxl_fold10"] = results_document(shipped, "ptbxl_fold10", [real.record_ids[i] for i in te], real.Y[te],
                                           P[te], n_boot=n_boot, patient_ids=[patients[i] for i in te])
    externals = external_sets()
    challenge = [s for k, s in externals.items() if k.startswith("cinc_")]
    if challenge:
        externals["cinc_pooled"] = pooled(challenge, "cinc_pooled")
    for set_name, ext in externals.items():
        out[set_name] = results_document(shipped, set_name, ext.record_ids, ext.Y, predict_signals(shipped, ext.signals),
                                         n_boot=n_boot, patient_ids=patient_labels(ext.record_ids))
    if save:
        folder = Path(models_dir) / name
        for doc in out.values():
            checkpoint.write_json(folder / f"results_{doc['set']['name']}.json", doc)
        write_card(folder, shipped, limitations=LIMITATIONS)
    return out


def cv_document(name: str, real: LabelledSet, models_dir: str | Path, shipped: ECGModel, recipe: Recipe,
                nested: bool = False, n_boot: int = 1000, cache_dir: str | Path | None = None,
                candidates: dict[str, Recipe] | None = None, log: Any = print) -> dict[str, Any]:
    """The "ptbxl_cv" results document of `shipped` over `real` (PTB-XL, folds 1-10): out-of-fold predictions,
    nested or with the shipped `recipe` in every split (see `evaluate_real`). Every record is judged at the
    shipped thresholds (those the app uses); each split model's own are kept in `thresholds_per_fold`."""
    from ecgcore.data.catalogue import patient_labels
    from ecgcore.learn.evaluation import results_document

    patients = patient_labels(real.record_ids)
    if nested:
        P, extra = _nested_figures(name, real, models_dir, shipped, recipe, patients, n_boot, cache_dir,
                                   candidates, log)
    else:
        P, extra = _shipped_recipe_figures(name, real, models_dir, shipped, recipe, log)
    return results_document(shipped, "ptbxl_cv", real.record_ids, real.Y, P, n_boot=n_boot, extra=extra,
                            patient_ids=patients, folds=real.folds)


def _shipped_recipe_figures(name: str, real: LabelledSet, models_dir: str | Path, shipped: ECGModel, recipe: Recipe,
                            log: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """Out-of-fold predictions with the shipped recipe in every split (not nested) and the results' extras."""
    X = real.array()
    P = np.full(real.Y.shape, np.nan)
    per_fold: dict[int, list[float]] = {}
    for k in range(1, 11):
        t0 = time.time()
        if k == 10:
            rows = np.flatnonzero(real.folds == 10)
            model = shipped
            P[rows] = model.predict_proba(X[rows])
        else:
            run = train_split(name, recipe, real, k, models_dir)
            rows, model = run.test_rows, run.model
            P[rows] = run.P_test
        per_fold[k] = [round(float(t), 4) for t in model.thresholds]
        log(f"{name}: CV fold {k}: {len(rows)} records predicted ({time.time() - t0:.0f} s)")
    return P, {"thresholds_per_fold": per_fold, "recipe": recipe.to_json(), "nested": False}


def _nested_figures(name: str, real: LabelledSet, models_dir: str | Path, shipped: ECGModel, recipe: Recipe,
                    patients: list[str], n_boot: int, cache_dir: str | Path | None,
                    candidates: dict[str, Recipe] | None, log: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """Nested out-of-fold predictions (`ecgcore.learn.nested`) and the results' extras: the per-split choices,
    and the shipped recipe's out-of-fold figure of the same run (`not_nested`)."""
    from ecgcore.learn.nested import RULE, nested_cv, provenance
    from ecgcore.metrics.summary import not_nested_figure

    cv = nested_cv(name, real, models_dir, shipped, recipe.name, candidates=candidates, cache_dir=cache_dir, log=log)
    log(f"{name}: nested CV: {cv.trained} candidate trainings in this run (the rest from the cache)")
    extra = {
        "nested": True, "provenance": provenance(cv.candidates), "selection_rule": RULE,
        "candidates": cv.candidates, "recipe": recipe.to_json(),
        "thresholds_per_fold": {s.test_fold: [round(float(t), 4) for t in s.thresholds] for s in cv.splits},
        "chosen_per_split": {s.test_fold: s.chosen for s in cv.splits},
        "splits": [s.to_json(real.record_ids) for s in cv.splits],
        "not_nested": not_nested_figure(real.Y, cv.P_shipped_recipe, real.folds, shipped.classes, patients,
                                        recipe.name, n_boot=n_boot),
    }
    return cv.P, extra
