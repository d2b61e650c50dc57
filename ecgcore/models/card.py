"""`ModelCard`: what a checkpoint is, what it was trained on and how it scores, as one typed object.

Stored as `card.json` beside the weights (`ModelCard.to_json()` / `ModelCard.from_json()`); readers outside
`ecgcore` (the app) may read the JSON directly: the keys are the field names below.

metrics: evaluation set name ("ptbxl_cv", "ptbxl_fold10", "cinc_georgia", ..., "synthetic_fold10") -> key
figures (`ecgcore.metrics.summary.key_figures`); the full results are in `results_<set>.json` beside the card.

One writer: `write_card(folder, model)` is the only code that writes `card.json` (training, `evaluate --save`,
the protocol's evaluation, the ensemble's builder and `python -m ecgcore.learn.refresh` all call it); the
card's content is decided in `build_card`: the normaliser's true source and the recipe that actually ran are
read from the training record, never from the constructor's defaults.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ecgcore.core.errors import ECGError


@dataclass
class ModelCard:
    name: str
    architecture: str = ""
    parameters: int = 0
    input: dict[str, Any] = field(default_factory=dict)
    task: str = "superdiagnostic"
    classes: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    hyper: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary: str = ""
    limitations: str = ""
    retrain: str = ""
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkpoint_bytes: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ModelCard":
        """A card from its JSON object; unknown keys are ignored, a missing name is an error."""
        if not isinstance(data, dict) or not data.get("name"):
            raise ECGError("a model card needs a JSON object with a `name`")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def trained_on(self) -> dict[str, Any]:
        """What the weights were trained on (training["data"]), {} when untrained."""
        return dict(self.training.get("data") or {})

    def metric(self, set_name: str) -> dict[str, Any] | None:
        """Key figures on one evaluation set, or None when not evaluated there."""
        return self.metrics.get(set_name)

    def weights_sha256(self, weights_name: str) -> str | None:
        return (self.files.get(weights_name) or {}).get("sha256")


# ------------------------------------------------------------------------------- the one card writer
RETRAIN = "make train  (synthetic pretraining + real PTB-XL fine-tuning; see README, Models)"
#: constructor settings that only say how to train when no recipe is given (`Recipe.from_hyper`, used by the
#: synthetic pretraining); where a recipe ran, the card shows the recipe and leaves these out of `hyper`.
TRAINING_SETTINGS = ("epochs", "batch_size", "lr", "weight_decay", "augment")
#: the recipe and the fold that chose it (see `summarise`)
RECIPE_CHOICE = ("assets/models/ablation.json: every recipe trained on the split of fold 10 and compared by fold-9 "
                 "macro AUC; assets/models/recipes.json: the choice")

#: what a ptbxl_cv figure without `nested: true` is (`cv_provenance`)
NOT_NESTED = ("not nested: the recipe was chosen on fold 9 (assets/models/ablation.json, on the split of fold 10), "
              "which is also a test fold of the cross-validation; `without_selection_fold` leaves fold 9's records out")


def cv_provenance(cv: dict[str, Any] | None) -> tuple[bool, str]:
    """(nested, how the figure was made) of an out-of-fold figure (key figures or a results document), read
    from what is stored: `nested: true` with its `provenance` (`ecgcore.learn.nested`), else `NOT_NESTED`."""
    if cv and cv.get("nested"):
        return True, cv.get("provenance") or "nested: each split chose its recipe on its own validation fold"
    return False, NOT_NESTED


def nested_sentence(cv_by_model: dict[str, dict[str, Any] | None]) -> str:
    """One sentence on whether the models' PTB-XL out-of-fold figures are nested, read from their stored
    results (or key figures) of "ptbxl_cv" ({model: document or None}); for the Compare page and the benches."""
    nested = sorted(m for m, cv in cv_by_model.items() if cv_provenance(cv)[0])
    flat = sorted(m for m, cv in cv_by_model.items() if cv and not cv_provenance(cv)[0])
    yes = ("nested: each of the ten splits chose its recipe on its own validation fold, fold 10 is predicted by "
           "the shipped weights, and no test fold took part in any choice (the model card also gives the same "
           "run's non-nested figure)")
    no = ("not nested: the recipe was chosen once on fold 9, which is also one of its test folds (the model card "
          "gives the figure without fold 9)")
    if nested and not flat:
        return f"The PTB-XL out-of-fold figure is {yes}."
    if flat and not nested:
        return f"The PTB-XL out-of-fold figure is {no}."
    if not nested and not flat:
        return "No PTB-XL out-of-fold figure is stored for these models."
    return (f"The PTB-XL out-of-fold figure is {yes} for {', '.join(nested)}; it is {no} for {', '.join(flat)}: "
            "the two kinds are not comparable.")


def recipe_that_ran(model: Any, training: dict[str, Any]) -> dict[str, Any] | None:
    """The recipe the weights were trained with, as the card shows it: the whole `Recipe` for a network;
    for a model whose class lists `recipe_keys` (the kernel model: no epochs, learning rate or batches),
    only those keys and its `recipe_method`."""
    recipe = training.get("recipe")
    if not isinstance(recipe, dict):
        return {"name": str(recipe)} if recipe else None
    keys = getattr(model, "recipe_keys", None)
    if keys is None:
        return dict(recipe)
    kept = {k: recipe[k] for k in keys if k in recipe}
    method = getattr(model, "recipe_method", "")
    return {**kept, **({"method": method} if method else {})}


def normaliser_source(model: Any, training: dict[str, Any]) -> str:
    """Where the input normaliser's numbers come from, read from the recipe that ran: a network fine-tuned
    with `refit_normaliser=False` keeps the synthetic pretraining corpus's per-lead mean/std."""
    fixed = (getattr(model, "card_input", None) or {}).get("normaliser")
    if fixed:
        return fixed
    recipe = training.get("recipe") if isinstance(training.get("recipe"), dict) else {}
    data = training.get("data") or {}
    if recipe.get("init") == "synthetic" and not recipe.get("refit_normaliser", True):
        pre = data.get("pretraining") or {}
        return (f"per-lead mean/std (mV) of the SYNTHETIC pretraining corpus ({pre.get('name', 'synthetic')}, "
                f"{pre.get('n_train', '?')} training records, not patients), kept unchanged when fine-tuning on real "
                "PTB-XL (recipe refit_normaliser=False)")
    where = data.get("name") or "the training records"
    return f"per-lead mean/std (mV) of the training records ({where})"


def _interval_text(m: dict[str, Any]) -> str:
    ci = m.get("macro_auc_ci95")
    if ci:
        return f"95% CI {ci[0]:.3f}-{ci[1]:.3f}, {m.get('resampled', 'records')} resampled"
    few = m.get("too_few") or []
    return f"no interval: too few positives of {', '.join(few)}" if few else "no interval"


def summarise(card: ModelCard) -> str:
    """One paragraph for the card: what the weights were trained on, the recipe that ran, the normaliser's
    source, the evaluation figures and where the cross-validated figure is not free of selection."""
    training, data = card.training, card.trained_on
    if not data:
        return f"{card.name}: not trained yet."
    if data.get("description"):
        text = data["description"]
    else:
        kind = "a SYNTHETIC corpus (ecgcore.synth, not real patients)" if data.get("synthetic") else "real data"
        text = (f"Trained on {kind}: {data.get('path')} ({data.get('records_in_folder')} records); "
                f"{data.get('n_train')} records of folds 1-8 for training, {data.get('n_val')} of fold 9 for model "
                f"selection and thresholds; fold 10 untouched.")
    recipe = training.get("recipe") or {}
    if "epochs" in recipe:
        augment = ", ".join(recipe.get("augmentations") or []) or "none"
        text += (f" Recipe that ran: {recipe.get('name')} ({recipe['epochs']} epochs, lr {recipe.get('lr'):g}, batch "
                 f"{recipe.get('batch_size')}, weight decay {recipe.get('weight_decay'):g}, augmentations: {augment}"
                 + (f", best epoch {training['best_epoch']}" if training.get("best_epoch") else "") + ").")
    elif recipe.get("method"):
        text += f" Recipe that ran: {recipe.get('name')}: {recipe['method']}."
    text += f" Input normaliser: {card.input.get('normaliser')}."
    if training.get("train_seconds") is not None:
        text += f" Training took {training.get('train_seconds')} s."
    for key, m in card.metrics.items():
        if m.get("macro_auc") is None:
            continue
        text += f" {key}: macro AUC {m['macro_auc']:.3f} ({_interval_text(m)}), N={m.get('n_records')}."
    cv = card.metrics.get("ptbxl_cv")
    if cv and cv.get("nested"):
        text += f" The ptbxl_cv figure is nested: {cv_provenance(cv)[1].removeprefix('nested: ')}"
        old = cv.get("not_nested") or {}
        if old.get("macro_auc") is not None:
            text += (f" The same run's figure with the recipe chosen once on fold 9 in every split (not nested, "
                     f"{old.get('recipe')}): macro AUC {old['macro_auc']:.3f} ({_interval_text(old)}).")
    elif cv:
        whose = "the members' recipes were" if recipe.get("init") == "members" else "the recipe was"
        text += (f" The ptbxl_cv figure is NOT nested: {whose} chosen on fold 9 (" + RECIPE_CHOICE + "), and "
                 "fold 9 is also one of the ten test folds; the same recipe then ran in every split (inside each split, "
                 "the epoch, the thresholds and the kernel's C are chosen on that split's own validation fold).")
        free = cv.get("without_selection_fold")
        if free and free.get("macro_auc") is not None:
            text += (f" Without fold 9's records (folds {free['folds'][0]}-{free['folds'][-1]} but 9), the "
                     f"out-of-fold macro AUC is {free['macro_auc']:.3f} ({_interval_text(free)}), "
                     f"N={free['n_records']}.")
    return text


def build_card(model: Any, metrics: dict[str, dict[str, Any]] | None = None, limitations: str = "",
               files: dict[str, dict[str, Any]] | None = None, checkpoint_bytes: int | None = None) -> ModelCard:
    """The card of a model object (`ecgcore.models.base.ECGModel`) with the given figures: the one place a
    card's content is decided (`write_card` writes it)."""
    from ecgcore.core.leads import LEADS

    stored = getattr(model, "_stored_card", None) or ModelCard(model.name)
    training = dict(model.training_ or stored.training)
    recipe = recipe_that_ran(model, training)
    if recipe is not None:
        training["recipe"] = recipe
    hyper = dict(model.hyper)
    if recipe is not None and "epochs" in recipe:
        hyper = {k: v for k, v in hyper.items() if k not in TRAINING_SETTINGS}
    card_input = {"fs_hz": model.fs, "window_s": model.window_s, "score_window_s": model.score_window_s,
                  "score_stride_s": model.score_stride_s,
                  "aggregate": model.aggregate, "leads": list(LEADS), "units": "mV",
                  **(getattr(model, "card_input", None) or {})}
    card_input["normaliser"] = normaliser_source(model, training)
    card = ModelCard(
        name=model.name, architecture=model.architecture, parameters=model.parameter_count(), input=card_input,
        task=model.task, classes=list(model.classes),
        thresholds=dict(zip(model.classes, [round(float(t), 4) for t in model.thresholds])),
        hyper=hyper, seed=model.seed, training=training, metrics=dict(metrics or {}), limitations=limitations,
        retrain=getattr(model, "retrain", RETRAIN), files=dict(files or {}), checkpoint_bytes=checkpoint_bytes)
    card.summary = summarise(card)
    return card


def write_card(folder: str | Path, model: Any, *, limitations: str | None = None) -> ModelCard:
    """THE writer of `card.json`: (re)write the card of the checkpoint in `folder` from `model` (the
    checkpoint's model, loaded by the caller: `ecgcore.learn.refresh.load_checked`), its weights' and config's
    sha256, and every `results_<set>.json` there that was computed with these weights (the others are stale and
    left out). `limitations` None keeps the card's current text. Returns the card written."""
    from ecgcore.data.evalsets import set_order
    from ecgcore.metrics.summary import key_figures
    from ecgcore.models import checkpoint

    folder = Path(folder)
    current = None
    if (folder / checkpoint.CARD).is_file():
        try:
            current = ModelCard.from_json(json.loads((folder / checkpoint.CARD).read_text()))
        except (OSError, ValueError, ECGError):
            current = None
    files = {n: {"sha256": checkpoint.sha256_file(folder / n), "bytes": (folder / n).stat().st_size}
             for n in (model.weights_name, checkpoint.CONFIG)}
    docs = {}
    for path in folder.glob("results_*.json"):
        doc = json.loads(path.read_text())
        if doc.get("weights_sha256") == files[model.weights_name]["sha256"]:
            docs[doc["set"]["name"]] = doc
    metrics = {name: key_figures(docs[name]) for name in set_order(docs, docs)}
    text = limitations if limitations is not None else (current.limitations if current else "")
    card = build_card(model, metrics, text, files, files[model.weights_name]["bytes"])
    checkpoint.write_json(folder / checkpoint.CARD, card.to_json())
    model._stored_card = card
    return card
