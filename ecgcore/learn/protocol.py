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
    """One trained model of the protocol, its predictions on its test fold and on its validation fold (rows
    index the real set; probabilities (rows, classes)) and its validation macro AUC."""

    model: ECGModel
    history: History | None
    test_rows: np.ndarray
    P_test: np.ndarray
    val_auc: float
    val_rows: np.ndarray
    P_val: np.ndarray


def train_split(name: str, recipe: Recipe, real: LabelledSet, test_fold: int, models_dir: str | Path,
                progress: bool = False) -> Run:
    """Train model `name` with `recipe` on the split of `test_fold`; predictions on that fold and on the split's
    validation fold (each predicted once)."""
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
    P_val = model.predict_proba(X[va])
    if recipe.epochs == 0:
        model.choose_thresholds(real.Y[va], P_val)
    model.record_training({"recipe": recipe.to_json()})
    rows = np.flatnonzero(te)
    return Run(model, history, rows, model.predict_proba(X[te]), macro_auc(real.Y[va], P_val), np.flatnonzero(va),
               P_val)


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


# ------------------------------------------------------------------------ shipped weights (their figures: ecgcore.learn.figures)
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
