"""Training a registered model on a PTB-XL-layout folder (real PTB-XL or the synthetic corpus).

Protocol (Strodthoff et al. 2021): 100 Hz signals, labels of one task (default superdiagnostic; records
without a label for the task are left out), folds 1-8 train, fold 9 validation (model selection and
thresholds); fold 10 is never read here.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.config import MODELS_DIR, ROOT
from ecgcore.errors import ECGError
from ecgcore.models import create
from ecgcore.models.base import ECGModel

RUNS_DIR = ROOT / "runs"


@dataclass
class TrainingData:
    """Train (folds 1-8) and validation (fold 9) arrays: X (records, 12, samples) mV at 100 Hz, Y 0/1."""

    classes: list[str]
    X: np.ndarray
    Y: np.ndarray
    X_val: np.ndarray
    Y_val: np.ndarray
    info: dict[str, Any]


def is_synthetic_folder(root: str | Path, db: Any | None = None) -> bool:
    """True for a corpus written by `ecgcore.synth`: README.md starting "# SYNTHETIC", rows with device
    SYNTHETIC, or a truthy `synthetic` column."""
    readme = Path(root) / "README.md"
    if readme.is_file() and readme.read_text(errors="replace").lstrip().upper().startswith("# SYNTHETIC"):
        return True
    if db is None:
        return False
    if "device" in db.columns and db["device"].astype(str).str.upper().eq("SYNTHETIC").any():
        return True
    return bool("synthetic" in db.columns and db["synthetic"].astype(str).str.lower().isin(["true", "1"]).any())


def describe_corpus(root: Path, db: Any) -> dict[str, Any]:
    """What a data folder is, for the model card: path, synthetic or real, size, and its README's first line."""
    readme = root / "README.md"
    head = readme.read_text(errors="replace").strip().splitlines()[:1] if readme.is_file() else []
    first = head[0].strip("# ").strip() if head else None
    seed = re.search(r"seed (\d+)", first or "")
    synthetic = is_synthetic_folder(root, db)
    return {"path": str(root), "name": root.resolve().name, "synthetic": synthetic,
            "generator_seed": int(seed.group(1)) if synthetic and seed else None,
            "records_in_folder": int(len(db)), "readme": first}


def load_training_data(root: str | Path, task: str = "superdiagnostic", limit: int | None = None,
                       rate: int = 100) -> TrainingData:
    """Folds 1-8 and 9 of a PTB-XL folder at `rate` Hz, with the task's labels; `limit` caps each split
    (first N records of each, for smoke runs)."""
    from ecgcore.data import ptbxl

    root = Path(root)
    db = ptbxl.load_database(root)
    statements = ptbxl.load_statements(root)
    classes, Y = ptbxl.task_labels(db, statements, task)
    keep = Y.any(axis=1) & (db["has_100"] | db["has_500"]).to_numpy(bool)
    db_k, Y_k = db[keep], Y[keep]
    parts = ptbxl.split(db_k)
    ids = {k: parts[k][:limit] if limit else parts[k] for k in ("train", "val")}
    if len(ids["train"]) == 0 or len(ids["val"]) == 0:
        raise ECGError(f"{root} has no labelled records in folds 1-8 or fold 9 for task {task!r}; "
                       "a PTB-XL folder needs strat_fold 1-10 and waveforms")
    rows = {k: db_k.index.get_indexer(v) for k, v in ids.items()}
    X = ptbxl.load_signals(root, ids["train"], rate=rate, db=db)
    X_val = ptbxl.load_signals(root, ids["val"], rate=rate, db=db)
    info = {**describe_corpus(root, db), "task": task, "rate_hz": rate, "n_train": int(len(X)), "n_val": int(len(X_val)),
            "folds": {"train": "1-8", "val": "9", "test (never used in training)": "10"},
            "train_label_counts": dict(zip(classes, Y_k[rows["train"]].sum(axis=0).tolist())),
            "left_out_without_label": int((~keep).sum())}
    return TrainingData(classes, X, Y_k[rows["train"]], X_val, Y_k[rows["val"]], info)


def train(name: str, data: str | Path, task: str = "superdiagnostic", epochs: int | None = None,
          out: str | Path | None = None, run_dir: str | Path | None = None, resume: bool = False,
          seed: int = 0, limit: int | None = None, progress: bool = True, **hyper: Any) -> ECGModel:
    """Train model `name` on the PTB-XL folder `data`; save it to `out` (default assets/models/<name>)."""
    t0 = time.time()
    td = load_training_data(data, task, limit)
    if epochs is not None:
        hyper["epochs"] = epochs
    model = create(name, classes=td.classes, seed=seed, task=task, **hyper)
    model.training_ = {"data": td.info}
    loaded = time.time() - t0
    model.fit(td.X, td.Y, td.X_val, td.Y_val, run_dir=Path(run_dir) if run_dir else RUNS_DIR / name,
              resume=resume, progress=progress)
    model.training_["data_loading_seconds"] = round(loaded, 1)
    model.training_["wall_seconds"] = round(time.time() - t0, 1)
    model.save(Path(out) if out else MODELS_DIR / name)
    return model
