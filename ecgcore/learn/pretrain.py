"""Training from scratch on a PTB-XL-layout folder (the networks' synthetic pretraining, `python -m ecgcore train`):
folds 1-8 train, fold 9 selects the epoch and the thresholds, fold 10 is never read."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ecgcore.data.folds import load_training_data
from ecgcore.core.settings import ROOT, resolve
from ecgcore.learn.trainer import Recipe, fit
from ecgcore.models import create
from ecgcore.models.base import ECGModel

RUNS_DIR = ROOT / "runs"


def train(name: str, data: str | Path, task: str = "superdiagnostic", epochs: int | None = None,
          out: str | Path | None = None, run_dir: str | Path | None = None, resume: bool = False,
          seed: int = 0, limit: int | None = None, progress: bool = True, aggregate: str | None = None,
          **hyper: Any) -> ECGModel:
    """Train model `name` from scratch on the PTB-XL folder `data`; save it to `out` (default
    assets/models/<name>)."""
    t0 = time.time()
    td = load_training_data(data, task, limit)
    if epochs is not None:
        hyper["epochs"] = epochs
    model = create(name, classes=td.classes, seed=seed, task=task, **({"aggregate": aggregate} if aggregate else {}),
                   **hyper)
    model.record_training({"data": td.info})
    loaded = time.time() - t0
    recipe = Recipe.from_hyper(model.hyper, name="synthetic pretraining" if td.info["synthetic"] else "scratch",
                               seed=seed)
    fit(model, recipe, td.X, td.Y, td.X_val, td.Y_val, run_dir=Path(run_dir) if run_dir else RUNS_DIR / name,
        resume=resume, progress=progress)
    model.record_training({"data_loading_seconds": round(loaded, 1), "wall_seconds": round(time.time() - t0, 1)})
    model.save(Path(out) if out else resolve().models_dir / name)
    return model

