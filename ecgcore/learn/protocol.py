"""The real training and evaluation protocol on PTB-XL, the recipe ablation, and the external tests.

Protocol (Strodthoff et al. 2021, on the real PTB-XL records under the data root, `ecgcore.data.evalsets`):
- the shipped weights: train on strat_fold 1-8, select the epoch and the per-class thresholds on fold 9,
  test on fold 10 ("ptbxl_fold10");
- 10-fold cross-validation: for each test fold k, train on the 8 other folds, select on fold k-1 (fold 10
  for k = 1), predict fold k; every record is predicted once by a model that never saw it ("ptbxl_cv"). The
  split of k = 10 is the shipped one. PTB-XL's folds are patient-disjoint. Without `nested`, every split
  runs the shipped recipe (chosen once on fold 9, itself a CV test fold: not nested); with `nested`
  (`ecgcore.learn.nested`) every split trains every candidate recipe and chooses on its own validation fold.
- external sets (`realsets.external_sets`) are only ever predicted, with the fold-10 model: never used to
  train, select or set thresholds.

Recipes (`RECIPES`): the synthetic pretraining alone, real data from scratch, synthetic pretraining + real
fine-tuning, and fine-tuning variants (more augmentations; layer-wise learning rates with a frozen stem).
`ablation()` runs every recipe on the shipped split and `choose()` picks, per model, the one with the best
fold-9 (validation) macro AUC; fold 10 and the external sets play no part in the choice.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.learn import augment
from ecgcore.core.errors import ECGError
from ecgcore.metrics.auc import macro_auc
from ecgcore.models import ECGModel, create
from ecgcore.data.evalsets import LabelledSet
from ecgcore.learn.trainer import History, Recipe, fit

PRETRAINED = "synthetic"  # sub-folder of assets/models/<name>/ holding the synthetic-pretrained checkpoint
TORCH_MODELS = ("resnet1d", "inception1d", "lstm")

RECIPES: dict[str, Recipe] = {
    "synthetic only": Recipe(name="synthetic only", init="synthetic", epochs=0),
    "real only (scratch)": Recipe(name="real only (scratch)", init="scratch", epochs=40, lr=3e-3, batch_size=64),
    "synthetic + fine-tune": Recipe(name="synthetic + fine-tune", init="synthetic", epochs=30, lr=1e-3,
                                    batch_size=64, refit_normaliser=False),
    "synthetic + fine-tune + augment": Recipe(name="synthetic + fine-tune + augment", init="synthetic", epochs=30,
                                              lr=1e-3, batch_size=64, refit_normaliser=False,
                                              augmentations=augment.ALL),
    "synthetic + fine-tune + augment + layer-wise LR": Recipe(
        name="synthetic + fine-tune + augment + layer-wise LR", init="synthetic", epochs=30, lr=1.5e-3,
        batch_size=64, refit_normaliser=False, augmentations=augment.ALL, lr_decay=0.5, freeze_stem_epochs=5),
}
#: the kernel model is fitted on real data only: its features come from one signal analysis per record
#: (`ecgcore.signal.analyse_array`, about 0.15 s per 10 s record), which makes fitting the 21,799-record
#: synthetic corpus an hour of `make train`; its synthetic-only weights also lost the earlier ablation on
#: fold 9 (0.876 against 0.935 for real only), so they are no longer made.
KERNEL_RECIPES: dict[str, Recipe] = {
    "real only": Recipe(name="real only", init="scratch", epochs=1),
}


#: models whose one recipe was fixed before any of their fold-9 or fold-10 figures was seen (no ablation chooses
#: it), so their out-of-fold figure is nested: inside each split only the epoch and the thresholds are chosen, on
#: that split's own validation fold. None at present (leadwise was, until its second candidate: `LEADWISE_RECIPES`).
FIXED_RECIPES: dict[str, dict[str, Recipe]] = {}
FIXED_NOTE = ("nested: the recipe was fixed before any fold-9 or fold-10 figure of this model was seen (no ablation "
              "chose it); inside each split only the epoch and the thresholds were chosen, on that split's own "
              "validation fold.")

#: the lead-wise model's two candidates, chosen between like every network's recipes (the ablation on the shipped
#: split, the nested CV in every other). The first was fixed before any of the model's figures was seen (commit
#: 970d35c); the second is RECIPES' "synthetic + fine-tune" unchanged (its default amplitude and baseline-offset
#: augmentations only, not augment.ALL: decided, and written down, before any figure of it), starting from
#: leadwise's synthetic pretraining (`make train`, PRETRAIN).
LEADWISE_RECIPES: dict[str, Recipe] = {
    "real only (scratch, fixed)": Recipe(name="real only (scratch, fixed)", init="scratch", epochs=40, lr=3e-3,
                                         batch_size=64, augmentations=augment.ALL),
    "synthetic + fine-tune": RECIPES["synthetic + fine-tune"],
}
#: what the card's training data says of how leadwise's candidates came to be (`_training_data_info`)
LEADWISE_NOTE = ("two candidate recipes: 'real only (scratch, fixed)', fixed before any figure of this model was "
                 "seen, and 'synthetic + fine-tune', added AFTER that recipe's figures were seen (out-of-fold macro "
                 "AUC 0.841; 1.26x chance of its MI contribution on the infarct territory's leads); the nested CV "
                 "chooses between the two in every split on that split's own validation fold (split 10: the "
                 "ablation on fold 9).")


def recipes_for(name: str) -> dict[str, Recipe]:
    if name in FIXED_RECIPES:
        return FIXED_RECIPES[name]
    if name == "leadwise":
        return LEADWISE_RECIPES
    return RECIPES if name in TORCH_MODELS else KERNEL_RECIPES


def pretrained_dir(name: str, models_dir: str | Path) -> Path:
    return Path(models_dir) / name / PRETRAINED


def split_for(test_fold: int) -> tuple[list[int], int]:
    """(training folds, validation fold) for test fold k: validation k-1 (10 for k = 1), training the rest."""
    if not 1 <= test_fold <= 10:
        raise ECGError(f"PTB-XL test folds are 1-10, not {test_fold}")
    val = 10 if test_fold == 1 else test_fold - 1
    return [f for f in range(1, 11) if f not in (test_fold, val)], val


@dataclass
class Run:
    """One trained model of the protocol and its predictions on its test fold."""

    model: ECGModel
    history: History | None
    test_rows: np.ndarray
    P_test: np.ndarray
    val_auc: float


def train_split(name: str, recipe: Recipe, real: LabelledSet, test_fold: int, models_dir: str | Path,
                progress: bool = False) -> Run:
    """Train model `name` with `recipe` on the split of `test_fold`; predictions on that fold."""
    train_folds, val_fold = split_for(test_fold)
    X = real.array()
    tr, va, te = (np.isin(real.folds, train_folds), real.folds == val_fold, real.folds == test_fold)
    if recipe.init == "synthetic":
        model = _load_pretrained(name, models_dir)
    else:
        model = create(name, seed=recipe.seed)
    history = None
    if recipe.epochs > 0:
        history = fit(model, recipe, X[tr], real.Y[tr], X[va], real.Y[va], progress=progress)
        if hasattr(model, "fit_reference"):  # the lead-wise model: its lead contributions' NORM reference
            model.fit_reference(X[tr], real.Y[tr])
    else:
        model.choose_thresholds(real.Y[va], model.predict_proba(X[va]))
    model.record_training({"recipe": recipe.to_json()})
    val_auc = macro_auc(real.Y[va], model.predict_proba(X[va]))
    rows = np.flatnonzero(te)
    return Run(model, history, rows, model.predict_proba(X[te]), val_auc)


def _load_pretrained(name: str, models_dir: str | Path) -> ECGModel:
    from ecgcore.models import model_class

    from ecgcore.models.base import AGGREGATES

    folder = pretrained_dir(name, models_dir)
    if not (folder / "card.json").is_file():
        raise ECGError(f"no synthetic-pretrained {name} in {folder}; run `make train` (it pretrains first)")
    model = model_class(name).load(folder)
    model.aggregate = AGGREGATES[0]  # the shipped rule, whatever `train --aggregate` the pretraining used
    return model


def ablation(names: list[str], real: LabelledSet, models_dir: str | Path, log: Any = print) -> list[dict[str, Any]]:
    """Every recipe of every model on the shipped split: fold-9 (validation) and fold-10 macro AUC, time."""
    rows = []
    for name in names:
        for key, recipe in recipes_for(name).items():
            t0 = time.time()
            run = train_split(name, recipe, real, 10, models_dir)
            test = macro_auc(real.Y[run.test_rows], run.P_test)
            row = {"model": name, "recipe": key, "val_fold9_macro_auc": round(run.val_auc, 4),
                   "test_fold10_macro_auc": round(test, 4), "seconds": round(time.time() - t0, 1)}
            rows.append(row)
            log(f"{name:12s} {key:50s} fold 9 {run.val_auc:.3f}  fold 10 {test:.3f}  {row['seconds']:.0f} s")
    return rows


def choose(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Per model, the recipe with the best fold-9 (validation) macro AUC."""
    best: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["model"] not in best or r["val_fold9_macro_auc"] > best[r["model"]]["val_fold9_macro_auc"]:
            best[r["model"]] = r
    return {m: r["recipe"] for m, r in best.items()}


def merge_rows(stored: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ablation's rows after a run over some models: `stored` (assets/models/ablation.json's rows) less every row
    of a model that `new` has, then `new`; the other models' rows are kept as they were, in their order."""
    ran = {r["model"] for r in new}
    return [r for r in stored if r["model"] not in ran] + list(new)


# ------------------------------------------------------------------------ shipped weights and their figures
def _training_data_info(name: str, recipe: Recipe, real: LabelledSet, models_dir: str | Path) -> dict[str, Any]:
    train_folds, val_fold = split_for(10)
    tr, va = np.isin(real.folds, train_folds), real.folds == val_fold
    info: dict[str, Any] = {
        "kind": "real+synthetic" if recipe.init == "synthetic" else "real", "synthetic": False,
        "name": "real PTB-XL folds 1-8" + (" + synthetic pretraining" if recipe.init == "synthetic" else ""),
        "task": "superdiagnostic", "rate_hz": 100, "n_train": int(tr.sum()), "n_val": int(va.sum()),
        "folds": {"train": "1-8", "val": "9", "test (never used in training)": "10"},
        "train_label_counts": {c: int(v) for c, v in zip(real.positives(), real.Y[tr].sum(axis=0))},
        "real_set": "real PTB-XL records under the data root (ptbxl_more/ ecg_id 1-500 + ptbxl/), "
                    f"{len(real)} with a diagnostic superclass",
    }
    if name in FIXED_RECIPES:
        info["recipe_fixed"] = FIXED_NOTE
    if name == "leadwise":
        info["recipe_candidates"] = LEADWISE_NOTE
    pre = ""
    if recipe.init == "synthetic":
        from ecgcore.models.card import ModelCard
        from ecgcore.models.checkpoint import read_card

        pretrained = ModelCard.from_json(read_card(pretrained_dir(name, models_dir))).trained_on
        info["pretraining"] = pretrained
        pre = (f"synthetic pretraining ({pretrained.get('n_train')} SYNTHETIC records of {pretrained.get('name')}, "
               "not patients) + ")
    info["description"] = (f"Trained on {pre}real PTB-XL folds 1-8 ({info['n_train']} records); fold 9 "
                           f"({info['n_val']} records) selected the epoch and set the thresholds; fold 10 untouched. "
                           f"Recipe: {recipe.name}.")
    if name == "leadwise":
        info["description"] += f" Recipe choice: {LEADWISE_NOTE[0].upper()}{LEADWISE_NOTE[1:]}"
    return info


def train_shipped(name: str, recipe: Recipe, models_dir: str | Path, progress: bool = False) -> ECGModel:
    """Train the shipped weights of `name` (split of fold 10) with `recipe` and save them to models_dir/name;
    stale results_*.json of earlier weights are removed."""
    from ecgcore.data.evalsets import ptbxl_set

    real = ptbxl_set()
    t0 = time.time()
    run = train_split(name, recipe, real, 10, models_dir, progress=progress)
    run.model.record_training({"data": _training_data_info(name, recipe, real, models_dir),
                               "wall_seconds": round(time.time() - t0, 1)})
    folder = Path(models_dir) / name
    for old in folder.glob("results_*.json"):
        old.unlink()
    run.model.save(folder)
    return run.model


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
    if nested and name in FIXED_RECIPES:  # one recipe, fixed before looking: the plain CV is already nested
        log(f"{name}: its recipe was fixed before looking (FIXED_RECIPES), so its plain CV is nested; no recipe "
            "choice to nest")
        nested = False
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
    if name in FIXED_RECIPES:  # nothing chose the recipe: the figure is nested (FIXED_NOTE)
        return P, {"thresholds_per_fold": per_fold, "recipe": recipe.to_json(), "nested": True,
                   "provenance": FIXED_NOTE, "candidates": list(FIXED_RECIPES[name])}
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
