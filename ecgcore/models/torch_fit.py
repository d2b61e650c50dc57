"""The training loop for PyTorch models: random crops, BCE, AdamW + one-cycle, selection on validation AUC.

Every epoch is seeded from (seed, epoch), and a checkpoint is written to `run_dir` after each one, so an
interrupted run resumed with `resume=True` continues exactly where it stopped.
"""
from __future__ import annotations

import copy
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ecgcore.errors import ECGError
from ecgcore.metrics.auc import macro_auc
from ecgcore.models.checkpoint import load_torch_state

if TYPE_CHECKING:
    from ecgcore.models.torchnet import TorchWindowModel

RUN_FILE = "epoch_{:03d}.pt"


def random_crops(X: np.ndarray, idx: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """(len(idx), 12, length) crops X[i, :, s:s+length] for each record i and start s."""
    return np.stack([X[i, :, s:s + length] for i, s in zip(idx, starts)])


def augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per-crop amplitude scale (0.8-1.25) and per-lead baseline offset (sd 0.1 mV): recordings differ in both."""
    scale = np.exp(rng.uniform(np.log(0.8), np.log(1.25), size=(len(x), 1, 1)))
    offset = rng.normal(0.0, 0.1, size=(len(x), x.shape[1], 1))
    return (x * scale + offset).astype(np.float32)


def _signature(model: "TorchWindowModel", X: np.ndarray, epochs: int) -> dict[str, Any]:
    return {"model": model.name, "hyper": repr(sorted(model.hyper.items())), "classes": repr(model.classes),
            "n_train": int(X.shape[0]), "epochs": int(epochs), "seed": model.seed}


def _latest(run_dir: Path) -> Path | None:
    files = sorted(run_dir.glob("epoch_*.pt"))
    return files[-1] if files else None


def fit_torch(model: "TorchWindowModel", X: np.ndarray, Y: np.ndarray, X_val: np.ndarray, Y_val: np.ndarray, *,
              epochs: int | None = None, run_dir: str | Path | None = None, resume: bool = False,
              progress: bool = True, keep_epochs: int = 2) -> dict[str, Any]:
    """Train `model.net` in place; returns (and stores in `model.training_`) the training history."""
    hp = model.hyper
    epochs = int(epochs or hp["epochs"])
    bs, w = int(hp["batch_size"]), model.window
    if X.shape[-1] < w:
        raise ECGError(f"training records are {X.shape[-1]} samples long; need at least {w}")
    Yt = Y.astype(np.float32)
    model.fit_normaliser(X)
    net = model.net
    opt = torch.optim.AdamW(net.parameters(), lr=hp["lr"], weight_decay=hp["weight_decay"])
    steps = math.ceil(len(X) / bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hp["lr"], total_steps=epochs * steps)
    loss_fn = nn.BCEWithLogitsLoss()
    signature = _signature(model, X, epochs)
    start, best_auc, best_epoch, best_state, history = 0, -1.0, -1, None, []
    run = Path(run_dir) if run_dir else None
    if run is not None:
        run.mkdir(parents=True, exist_ok=True)
        latest = _latest(run)
        if resume and latest is not None:
            state = load_torch_state(latest)
            if state["signature"] != signature:
                raise ECGError(f"cannot resume from {latest}: it was made with other settings or data "
                               f"({state['signature']} vs {signature}); start afresh without --resume")
            net.load_state_dict(state["net"]); opt.load_state_dict(state["opt"]); sched.load_state_dict(state["sched"])
            start, best_auc, best_epoch = state["epoch"] + 1, state["best_auc"], state["best_epoch"]
            best_state, history = state["best_net"], list(state["history"])
        elif not resume:
            for old in run.glob("epoch_*.pt"):
                old.unlink()
    bar = tqdm(total=epochs * steps, initial=start * steps, disable=not progress, unit="batch",
               desc=f"{model.name}", dynamic_ncols=True)
    for epoch in range(start, epochs):
        t0 = time.time()
        torch.manual_seed(model.seed * 100_003 + epoch)
        rng = np.random.default_rng([model.seed, epoch])
        net.train()
        order = rng.permutation(len(X))
        total, seen = 0.0, 0
        for b in range(steps):
            idx = order[b * bs:(b + 1) * bs]
            xb = random_crops(X, idx, rng.integers(0, X.shape[-1] - w + 1, size=len(idx)), w)
            if hp.get("augment"):
                xb = augment(xb, rng)
            logits = net(torch.from_numpy(model.standardise(xb)))
            loss = loss_fn(logits, torch.from_numpy(Yt[idx]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx); seen += len(idx)
            bar.update(1)
            bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{total / seen:.4f}",
                            val_auc=f"{best_auc:.4f}" if best_auc >= 0 else "-", refresh=False)
        net.eval()
        P_val = model.predict_proba(X_val)
        auc = macro_auc(Y_val, P_val)
        if auc > best_auc:
            best_auc, best_epoch, best_state = auc, epoch, copy.deepcopy(net.state_dict())
        history.append({"epoch": epoch + 1, "train_loss": round(total / seen, 5), "val_macro_auc": round(auc, 5),
                        "seconds": round(time.time() - t0, 1)})
        bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{total / seen:.4f}", val_auc=f"{auc:.4f}")
        if run is not None:
            torch.save({"signature": signature, "epoch": epoch, "net": net.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict(), "best_auc": best_auc, "best_epoch": best_epoch,
                        "best_net": best_state, "history": history}, run / RUN_FILE.format(epoch))
            for old in sorted(run.glob("epoch_*.pt"))[:-keep_epochs]:
                old.unlink()
    bar.close()
    net.load_state_dict(best_state)
    net.eval()
    model.choose_thresholds(Y_val, model.predict_proba(X_val))
    spent = sum(h["seconds"] for h in history)
    model.training_ = {**model.training_, "epochs": epochs, "best_epoch": best_epoch + 1,
                       "val_macro_auc": round(best_auc, 5), "train_seconds": round(spent, 1),
                       "n_train": int(len(X)), "n_val": int(len(X_val)), "history": history,
                       "recipe": "random 2.5 s crops" + (" + amplitude/baseline augmentation" if hp.get("augment") else "")
                                 + ", BCE, AdamW + one-cycle, model selection on validation macro AUC"}
    return model.training_

