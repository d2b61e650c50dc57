"""Nested cross-validation on real PTB-XL: each outer split chooses its own recipe.

For each outer test fold k = 1..9 (`protocol.split_for`: validation fold k-1, 10 for k = 1, training the other
eight), every candidate recipe (`protocol.recipes_for(name)`) is trained on split k's training folds and selects
its epoch and thresholds on split k's validation fold (`protocol.train_split`); the recipe with the best
validation-fold macro AUC (`protocol.choose`, the ablation's rule, AUCs rounded to 4 decimals, ties to the first
candidate) is chosen, and that split's model of that recipe predicts fold k. Fold k takes part in no choice of
split k, so the out-of-fold figure over all ten folds is nested.

Split 10 is the shipped split: the ablation (`assets/models/ablation.json`) already trained every recipe on it
and chose on fold 9; its candidates' fold-9 AUCs are read from there, the same rule must pick the shipped
recipe (checked, `ECGError` otherwise), and fold 10 is predicted by the shipped weights.

Because the shipped recipe is one of the candidates of every split, the same run also gives the non-nested
figure (the shipped recipe in every split, as `figures.evaluate_real` without `nested`).

Cache (resumable: an interrupted run goes on where it stopped): every (model, recipe, split) result is saved as
soon as it is trained, in `<cache_dir>/nested/<model>/<recipe slug>/split<k>.npz` (cache_dir: `resolve().cache_dir`,
`data/cache` in the checkout, git-ignored), holding the validation AUC, the thresholds, the validation-fold and
test-fold predictions and a key (`cache_key`). A file whose key differs is retrained and overwritten. The key
hashes: the recipe, the model's input configuration (fs, windows, strides, aggregate, hyper-parameters), the source
of the modules that decide training and scoring (`key_modules`: `KEY_MODULES`, among them the scoring-window rule
of `ecgcore.models.base`, the model's own module and what they import of `KEY_PACKAGES`; `train_split`), the
synthetic-pretrained checkpoint's files for a recipe that starts from it, the real set (record ids, folds,
labels, signals) and `VERSION` (raise it when the selection rule changes).
"""
from __future__ import annotations

import hashlib
import inspect
import importlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.errors import ECGError
from ecgcore.data.evalsets import LabelledSet
from ecgcore.learn.trainer import Recipe
from ecgcore.models import ECGModel

#: bump when the selection rule or what a cache file holds changes
VERSION = 1
RULE = "best validation-fold macro AUC (rounded to 4 decimals, ties to the first candidate), as the ablation"
#: modules whose source decides a candidate's predictions and validation AUC: an edit to any of them, or to a module
#: of `KEY_PACKAGES` they import (transitively, e.g. the kernel's features from ecgcore.signal), invalidates the cache
KEY_MODULES = ("ecgcore.models.base", "ecgcore.learn.trainer", "ecgcore.learn.augment", "ecgcore.metrics.auc",
               "ecgcore.metrics.thresholds")
KEY_PACKAGES = ("ecgcore.models", "ecgcore.signal", "ecgcore.learn.trainer", "ecgcore.learn.augment",
                "ecgcore.metrics.auc", "ecgcore.metrics.thresholds")
#: metadata modules: they decide no prediction (the card's text, the name registry, the ensemble)
NOT_KEY = ("ecgcore.models.card", "ecgcore.models.registry", "ecgcore.models.ensemble")
_IMPORT = re.compile(r"^\s*(?:from\s+(ecgcore(?:\.\w+)+)\s+import\s+([\w ,()]+)|import\s+(ecgcore(?:\.\w+)+))", re.M)
_CODE_HASHES: dict[str, str] = {}  # per model, computed once per process (sources read at the run's start)
SHIPPED_SPLIT = 10


def slug(recipe_name: str) -> str:
    """A recipe's folder name: 'synthetic + fine-tune' -> 'synthetic-fine-tune'."""
    return re.sub(r"[^a-z0-9]+", "-", recipe_name.lower()).strip("-")


def data_key(real: LabelledSet) -> str:
    """sha256 of the real set's record ids, folds, labels and signals (the cache is only valid for that set)."""
    h = hashlib.sha256()
    h.update(json.dumps(real.record_ids).encode())
    h.update(np.asarray(real.folds, np.int64).tobytes())
    h.update(np.asarray(real.Y, np.uint8).tobytes())
    for s in real.signals:
        h.update(np.ascontiguousarray(s, np.float32).tobytes())
    return h.hexdigest()


def _model_config(name: str, seed: int) -> dict[str, Any]:
    from ecgcore.models import create

    m = create(name, seed=seed)
    # every plain setting of a fresh model (fs, training and scoring windows, aggregate, hyper-parameters, ...),
    # whatever their names: a renamed or added window setting changes the key too
    plain = (bool, int, float, str)
    settings = {k: v for k, v in sorted(vars(m).items())
                if isinstance(v, plain) or (isinstance(v, (list, tuple, dict)) and k != "training_")}
    return {"class": f"{type(m).__module__}.{type(m).__qualname__}", **settings}


def cache_key(name: str, recipe: Recipe, data: str, models_dir: str | Path) -> str:
    """The key a cached (model, recipe, split) result must carry to be reused (see the module docstring)."""
    from ecgcore.learn import protocol
    from ecgcore.models import model_class

    h = hashlib.sha256()
    config = _model_config(name, recipe.seed)
    h.update(json.dumps({"version": VERSION, "rule": RULE, "model": name, "recipe": recipe.to_json(),
                         "config": config, "data": data}, sort_keys=True, default=str).encode())
    if name not in _CODE_HASHES:
        code = hashlib.sha256()
        for module in key_modules(model_class(name).__module__):
            code.update(module.encode() + inspect.getsource(importlib.import_module(module)).encode())
        code.update(inspect.getsource(protocol.train_split).encode())
        code.update(inspect.getsource(protocol._load_pretrained).encode())
        _CODE_HASHES[name] = code.hexdigest()
    h.update(_CODE_HASHES[name].encode())
    if recipe.init == "synthetic":
        folder = protocol.pretrained_dir(name, models_dir)
        for f in sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else ():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def key_modules(model_module: str) -> list[str]:
    """`KEY_MODULES`, the model's module and every module of `KEY_PACKAGES` they import, transitively (by
    their import statements), sorted."""
    def wanted(m: str) -> bool:  # packages' __init__ only re-export: their modules count where imported
        return (m.startswith(KEY_PACKAGES) and m not in NOT_KEY
                and not hasattr(importlib.import_module(m), "__path__"))

    seen: set[str] = set()
    todo = [*KEY_MODULES, model_module]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        source = inspect.getsource(importlib.import_module(m))
        for frm, names, plain in _IMPORT.findall(source):
            found = [plain] if plain else [frm] + [f"{frm}.{n.strip()}" for n in names.strip("() ").split(",")]
            for f in found:
                try:
                    importlib.import_module(f)
                except ImportError:  # a name imported from a module, not a module
                    continue
                if wanted(f) and f not in seen:
                    todo.append(f)
    return sorted(seen)


@dataclass
class Candidate:
    """One recipe trained on one split: validation AUC, thresholds, predictions of the validation and test folds
    (rows index the real set; probabilities (rows, classes))."""

    recipe: str
    val_auc: float
    thresholds: np.ndarray
    val_rows: np.ndarray
    P_val: np.ndarray
    test_rows: np.ndarray
    P_test: np.ndarray
    trained: bool  # False: read from the cache
    seconds: float


def cache_path(cache_dir: str | Path, name: str, recipe_name: str, test_fold: int) -> Path:
    return Path(cache_dir) / "nested" / name / slug(recipe_name) / f"split{test_fold}.npz"


def _read_cached(path: Path, key: str, recipe_name: str) -> Candidate | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            return Candidate(recipe_name, float(z["val_auc"]), z["thresholds"], z["val_rows"], z["P_val"],
                             z["test_rows"], z["P_test"], trained=False, seconds=float(z["seconds"]))
    except (OSError, KeyError, ValueError):  # a file cut short by an interrupted write: train again
        return None


def _write_cached(path: Path, key: str, c: Candidate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, key=np.array(key), val_auc=np.array(c.val_auc), thresholds=np.asarray(c.thresholds, float),
             val_rows=c.val_rows, P_val=c.P_val, test_rows=c.test_rows, P_test=c.P_test,
             seconds=np.array(c.seconds))
    tmp.replace(path)  # atomic: a cache file is whole or absent


def candidate(name: str, recipe: Recipe, real: LabelledSet, test_fold: int, models_dir: str | Path,
              cache_dir: str | Path, data: str) -> Candidate:
    """`recipe` on the split of `test_fold` (1-9): from the cache when its key matches, else trained
    (`protocol.train_split`) and cached."""
    from ecgcore.learn.protocol import train_split

    key = cache_key(name, recipe, data, models_dir)
    path = cache_path(cache_dir, name, recipe.name, test_fold)
    cached = _read_cached(path, key, recipe.name)
    if cached is not None:
        return cached
    t0 = time.time()
    run = train_split(name, recipe, real, test_fold, models_dir)
    c = Candidate(recipe.name, float(run.val_auc), np.asarray(run.model.thresholds, float), run.val_rows, run.P_val,
                  run.test_rows, run.P_test, trained=True, seconds=round(time.time() - t0, 1))
    _write_cached(path, key, c)
    return c


@dataclass
class Split:
    """One outer split: its candidates' validation AUCs, the chosen recipe and that model's predictions."""

    test_fold: int
    val_fold: int
    candidates_val_auc: dict[str, float]
    chosen: str
    chose_on: str
    thresholds: np.ndarray
    val_rows: np.ndarray
    P_val: np.ndarray
    test_rows: np.ndarray
    P_test: np.ndarray

    def to_json(self, record_ids: list[str]) -> dict[str, Any]:
        return {"test_fold": self.test_fold, "val_fold": self.val_fold, "chosen": self.chosen,
                "chose_on": self.chose_on, "candidates_val_macro_auc": self.candidates_val_auc,
                "thresholds": [round(float(t), 4) for t in self.thresholds],
                "val_record_ids": [record_ids[i] for i in self.val_rows],
                "val_prob": np.round(self.P_val, 5).tolist()}


@dataclass
class NestedCV:
    """The nested out-of-fold predictions `P` (records, classes; every record predicted once, by its split's
    chosen model), the shipped recipe's out-of-fold predictions `P_shipped_recipe` (not nested), the splits,
    and how many candidates this call trained (0 when everything came from the cache)."""

    name: str
    candidates: list[str]
    shipped_recipe: str
    splits: list[Split]
    P: np.ndarray
    P_shipped_recipe: np.ndarray
    trained: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def ablation_val_aucs(name: str, models_dir: str | Path) -> dict[str, float]:
    """{recipe: fold-9 macro AUC} of `name` in assets/models/ablation.json (the shipped split's choice)."""
    path = Path(models_dir) / "ablation.json"
    if not path.is_file():
        raise ECGError(f"no {path}: the shipped split's recipe choice is recorded by `make ablation`")
    rows = [r for r in json.loads(path.read_text())["rows"] if r["model"] == name]
    if not rows:
        raise ECGError(f"{path} has no rows for {name}; run `python -m ecgcore evaluate --ablation --model {name} "
                       "--save`")
    return {r["recipe"]: float(r["val_fold9_macro_auc"]) for r in rows}


def _choose(name: str, aucs: dict[str, float]) -> str:
    from ecgcore.learn.protocol import choose

    return choose([{"model": name, "recipe": r, "val_fold9_macro_auc": round(a, 4)} for r, a in aucs.items()])[name]


def nested_cv(name: str, real: LabelledSet, models_dir: str | Path, shipped: ECGModel, shipped_recipe: str,
              candidates: dict[str, Recipe] | None = None, cache_dir: str | Path | None = None,
              log: Any = print) -> NestedCV:
    """Run (or resume) the nested CV of model `name` over `real` (PTB-XL with folds 1-10).

    shipped: the shipped model (split 10); shipped_recipe: its recipe's name, which must be a candidate;
    candidates: the recipes to choose from (default `protocol.recipes_for(name)`; a test passes short ones).
    Raises ECGError when the ablation's choice on split 10 is not the shipped recipe, or lacks a candidate."""
    from ecgcore.core.settings import resolve
    from ecgcore.learn.protocol import recipes_for, split_for

    candidates = dict(candidates or recipes_for(name))
    if shipped_recipe not in candidates:
        raise ECGError(f"the shipped {name}'s recipe {shipped_recipe!r} is not a candidate "
                       f"({', '.join(candidates)})")
    cache_dir = resolve(cache_dir=cache_dir).cache_dir if cache_dir is None else Path(cache_dir)
    data = data_key(real)
    X = real.array()
    P = np.full(real.Y.shape, np.nan)
    P_ship = np.full(real.Y.shape, np.nan)
    splits, trained, seconds = [], 0, {}
    # split 10 first: its check (the ablation's choice is the shipped recipe) fails before an hour of training
    val10 = split_for(SHIPPED_SPLIT)[1]
    ablation = ablation_val_aucs(name, models_dir)
    missing = sorted(set(candidates) - set(ablation))
    if missing:
        raise ECGError(f"assets/models/ablation.json lacks {name}'s candidate recipes {missing}; rerun the "
                       "ablation (`make ablation`)")
    aucs10 = {r: ablation[r] for r in candidates}
    chosen10 = _choose(name, aucs10)
    if chosen10 != shipped_recipe:
        raise ECGError(f"on the shipped split the ablation chose {chosen10!r} for {name}, but the shipped "
                       f"weights were trained with {shipped_recipe!r}; retrain (`make train`) or rerun the ablation")
    val_rows, test_rows = np.flatnonzero(real.folds == val10), np.flatnonzero(real.folds == SHIPPED_SPLIT)
    split10 = Split(SHIPPED_SPLIT, val10, aucs10, chosen10, "fold 9 by the ablation (assets/models/ablation.json); "
                    "the shipped weights predict fold 10", np.asarray(shipped.thresholds, float), val_rows,
                    shipped.predict_proba(X[val_rows]), test_rows, shipped.predict_proba(X[test_rows]))
    for k in range(1, 11):
        t0 = time.time()
        val_fold = split_for(k)[1]
        if k == SHIPPED_SPLIT:
            split = split10
            P_ship[test_rows] = split.P_test
        else:
            results = {}
            for recipe in candidates.values():
                c = candidate(name, recipe, real, k, models_dir, cache_dir, data)
                trained += c.trained
                results[recipe.name] = c
                log(f"{name}: split {k}: {recipe.name:50s} validation fold {val_fold} macro AUC {c.val_auc:.4f} "
                    + (f"(trained, {c.seconds:.0f} s)" if c.trained else "(cached)"))
            aucs = {r: round(c.val_auc, 4) for r, c in results.items()}
            chosen = _choose(name, aucs)
            c = results[chosen]
            split = Split(k, val_fold, aucs, chosen, f"fold {val_fold}, this split's validation fold", c.thresholds,
                          c.val_rows, c.P_val, c.test_rows, c.P_test)
            P_ship[results[shipped_recipe].test_rows] = results[shipped_recipe].P_test
        P[split.test_rows] = split.P_test
        splits.append(split)
        seconds[str(k)] = round(time.time() - t0, 1)
        log(f"{name}: split {k}: chose {split.chosen!r} ({split.chose_on})")
    if np.isnan(P).any() or np.isnan(P_ship).any():
        raise ECGError(f"{name}: some records of the real set were not predicted (folds outside 1-10?)")
    return NestedCV(name, list(candidates), shipped_recipe, splits, P, P_ship, trained, seconds)


def provenance(candidates: list[str]) -> str:
    """The sentence that says how a nested out-of-fold figure was made."""
    return (f"nested: in each of the ten splits the recipe was chosen among {len(candidates)} candidates "
            f"({'; '.join(candidates)}) by the best macro AUC on that split's own validation fold (fold k-1 for test "
            "fold k); split 10's choice is the ablation's on fold 9 (the shipped recipe) and the shipped weights "
            "predict fold 10. No test fold took part in any choice; fold 10 never chose anything.")
