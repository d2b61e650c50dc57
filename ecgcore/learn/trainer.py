"""Training: a `Recipe` says how, `fit(model, recipe, X, Y, X_val, Y_val)` does it and returns a `History`.

The trainer depends on the models, never the reverse: it uses their public methods only (`net`,
`layer_groups`, `fit_normaliser`, `standardise`, `predict_proba`, `choose_thresholds`, `record_training`;
the kernel model's own `fit`).

PyTorch loop: random `window_s` crops of the training records, the recipe's augmentations, BCE, AdamW with a
one-cycle schedule (optionally layer-wise learning rates falling towards the input, and a frozen stem for the
first epochs); after every epoch the validation macro AUC (record probabilities as the model aggregates them)
selects the epoch kept, and the per-class thresholds are then set on the validation predictions only. Every
epoch is seeded from (seed, epoch) inside a forked RNG, so the caller's global torch generator is untouched;
with `run_dir` a checkpoint is written after each epoch and `resume=True` continues exactly where it stopped.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.learn import augment
from ecgcore.core.errors import ECGError
from ecgcore.metrics.auc import macro_auc
from ecgcore.models.base import ECGModel

RUN_FILE = "epoch_{:03d}.pt"


@dataclass(frozen=True)
class Recipe:
    """How to train a PyTorch model (the kernel model uses only `name`).

    lr_decay: learning rate multiplier per layer group from the head towards the input (1 = one rate);
    freeze_stem_epochs: epochs during which the first layer group (the stem) is not trained;
    refit_normaliser: fit the per-lead normaliser on the training records (False keeps the pretrained one)."""

    name: str = "default"
    init: str = "scratch"  # "scratch" or "synthetic" (start from the synthetic-pretrained checkpoint)
    epochs: int = 12
    lr: float = 3e-3
    batch_size: int = 128
    weight_decay: float = 1e-2
    augmentations: tuple[str, ...] = augment.BASIC
    lr_decay: float = 1.0
    freeze_stem_epochs: int = 0
    refit_normaliser: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        augment.check(self.augmentations)
        if self.init not in ("scratch", "synthetic"):
            raise ECGError(f"recipe init must be 'scratch' or 'synthetic', not {self.init!r}")
        if self.epochs < 0 or self.batch_size < 1 or self.lr <= 0 or not 0 < self.lr_decay <= 1:
            raise ECGError(f"invalid recipe {self}: epochs >= 0, batch_size >= 1, lr > 0, 0 < lr_decay <= 1")

    @classmethod
    def from_hyper(cls, hyper: dict[str, Any], **changes: Any) -> "Recipe":
        """The recipe stored in a model's hyper-parameters (epochs, lr, batch_size, weight_decay, augment)."""
        base = cls(epochs=int(hyper.get("epochs", 12)), lr=float(hyper.get("lr", 3e-3)),
                   batch_size=int(hyper.get("batch_size", 128)), weight_decay=float(hyper.get("weight_decay", 1e-2)),
                   augmentations=augment.BASIC if hyper.get("augment", True) else ())
        return replace(base, **changes)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "augmentations": list(self.augmentations)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Recipe":
        return cls(**{**data, "augmentations": tuple(data.get("augmentations", ()))})


@dataclass
class History:
    """What a training run did: per-epoch loss / validation macro AUC / seconds, the epoch kept."""

    recipe: Recipe
    epochs: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    val_macro_auc: float = float("nan")
    seconds: float = 0.0
    n_train: int = 0
    n_val: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"recipe": self.recipe.to_json(), "history": self.epochs, "best_epoch": self.best_epoch,
                "val_macro_auc": round(self.val_macro_auc, 5), "train_seconds": round(self.seconds, 1),
                "n_train": self.n_train, "n_val": self.n_val}


def random_crops(X: np.ndarray, idx: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """(len(idx), 12, length) crops X[i, :, s:s+length] for each record i and start s."""
    return np.stack([X[i, :, s:s + length] for i, s in zip(idx, starts)])


def _signature(model: ECGModel, recipe: Recipe, X: np.ndarray) -> dict[str, Any]:
    return {"model": model.name, "hyper": repr(sorted(model.hyper.items())), "classes": repr(model.classes),
            "n_train": int(X.shape[0]), "recipe": repr(recipe.to_json())}


def fit(model: ECGModel, recipe: Recipe, X: np.ndarray, Y: np.ndarray, X_val: np.ndarray, Y_val: np.ndarray, *,
        run_dir: str | Path | None = None, resume: bool = False, progress: bool = False) -> History:
    """Train `model` in place with `recipe` on X (records, 12, samples) mV at model.fs, Y (records, classes) 0/1;
    select the epoch and set the thresholds on X_val / Y_val only. Returns the history (also on the model card)."""
    from ecgcore.models.torchnet import TorchWindowModel

    if not isinstance(model, TorchWindowModel):
        t0 = time.time()
        model.fit(X, Y, X_val, Y_val, progress=progress)
        auc = macro_auc(Y_val, model.predict_proba(X_val))
        history = History(recipe, [], 0, auc, time.time() - t0, len(X), len(X_val))
        model.record_training({"recipe": recipe.to_json()})
        return history
    import torch

    with torch.random.fork_rng(devices=[]):
        return _fit_torch(model, recipe, X, Y, X_val, Y_val, run_dir, resume, progress)


def _fit_torch(model: Any, recipe: Recipe, X: np.ndarray, Y: np.ndarray, X_val: np.ndarray, Y_val: np.ndarray,
               run_dir: str | Path | None, resume: bool, progress: bool) -> History:
    import torch
    from torch import nn
    from tqdm.auto import tqdm

    from ecgcore.models.checkpoint import load_torch_state

    w, bs, epochs = model.window, recipe.batch_size, recipe.epochs
    if X.shape[-1] < w:
        raise ECGError(f"training records are {X.shape[-1]} samples long; need at least {w}")
    Yt = Y.astype(np.float32)
    if recipe.refit_normaliser:
        model.fit_normaliser(X)
    net = model.net
    groups = model.layer_groups()
    n = len(groups)
    lrs = [recipe.lr * recipe.lr_decay ** (n - 1 - i) for i in range(n)]
    opt = torch.optim.AdamW([{"params": p, "lr": lr} for (_, p), lr in zip(groups, lrs)], lr=recipe.lr,
                            weight_decay=recipe.weight_decay)
    steps = math.ceil(len(X) / bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lrs, total_steps=epochs * steps)
    loss_fn = nn.BCEWithLogitsLoss()
    signature = _signature(model, recipe, X)
    history = History(recipe, n_train=int(len(X)), n_val=int(len(X_val)))
    start, best_auc, best_state = 0, -1.0, None
    run = Path(run_dir) if run_dir else None
    if run is not None:
        run.mkdir(parents=True, exist_ok=True)
        files = sorted(run.glob("epoch_*.pt"))
        if resume and files:
            state = load_torch_state(files[-1])
            if state["signature"] != signature:
                raise ECGError(f"cannot resume from {files[-1]}: it was made with other settings or data "
                               f"({state['signature']} vs {signature}); start afresh without --resume")
            net.load_state_dict(state["net"]); opt.load_state_dict(state["opt"]); sched.load_state_dict(state["sched"])
            start, best_auc, history.best_epoch = state["epoch"] + 1, state["best_auc"], state["best_epoch"]
            best_state, history.epochs = state["best_net"], list(state["history"])
        elif not resume:
            for old in files:
                old.unlink()
    bar = tqdm(total=epochs * steps, initial=start * steps, disable=not progress, unit="batch", desc=model.name,
               dynamic_ncols=True)
    stem = groups[0][1]
    for epoch in range(start, epochs):
        t0 = time.time()
        torch.manual_seed(recipe.seed * 100_003 + epoch)
        rng = np.random.default_rng([recipe.seed, epoch])
        for p in stem:
            p.requires_grad_(epoch >= recipe.freeze_stem_epochs)
        net.train()
        order = rng.permutation(len(X))
        total, seen = 0.0, 0
        for b in range(steps):
            idx = order[b * bs:(b + 1) * bs]
            xb = random_crops(X, idx, rng.integers(0, X.shape[-1] - w + 1, size=len(idx)), w)
            if recipe.augmentations:
                xb = augment.apply(xb, recipe.augmentations, rng, model.fs)
            loss = loss_fn(net(torch.from_numpy(model.standardise(xb))), torch.from_numpy(Yt[idx]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx); seen += len(idx)
            bar.update(1)
        net.eval()
        auc = macro_auc(Y_val, model.predict_proba(X_val))
        if auc > best_auc:
            best_auc, history.best_epoch, best_state = auc, epoch + 1, copy.deepcopy(net.state_dict())
        history.epochs.append({"epoch": epoch + 1, "train_loss": round(total / seen, 5), "val_macro_auc": round(auc, 5),
                               "seconds": round(time.time() - t0, 2)})
        bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{total / seen:.4f}", val_auc=f"{auc:.4f}")
        if run is not None:
            torch.save({"signature": signature, "epoch": epoch, "net": net.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict(), "best_auc": best_auc, "best_epoch": history.best_epoch,
                        "best_net": best_state, "history": history.epochs}, run / RUN_FILE.format(epoch))
            for old in sorted(run.glob("epoch_*.pt"))[:-2]:
                old.unlink()
    bar.close()
    for p in stem:
        p.requires_grad_(True)
    net.load_state_dict(best_state)
    net.eval()
    model.choose_thresholds(Y_val, model.predict_proba(X_val))
    history.val_macro_auc = best_auc
    history.seconds = sum(e["seconds"] for e in history.epochs)
    model.record_training({**history.to_json(), "epochs": epochs,
                           "method": "random crops + augmentations, BCE, AdamW + one-cycle, epoch selected on "
                                     "validation macro AUC, thresholds maximising validation F1"})
    return history
