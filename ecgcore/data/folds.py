"""Train (folds 1-8) and validation (fold 9) arrays from a PTB-XL-layout folder (real PTB-XL or a corpus written by
`ecgcore.synth`); fold 10 is never read here (Wagner et al., Sci Data 2020: strat_fold 10 is the test fold)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.errors import ECGError
from ecgcore.core.settings import resolve
from ecgcore.data import ptbxl


@dataclass
class TrainingData:
    """Train (folds 1-8) and validation (fold 9) arrays: X (records, 12, samples) mV at 100 Hz, Y 0/1."""

    classes: list[str]
    X: np.ndarray
    Y: np.ndarray
    X_val: np.ndarray
    Y_val: np.ndarray
    info: dict[str, Any]


def describe_corpus(root: Path, db: Any) -> dict[str, Any]:
    """What a data folder is, for the model card: path, synthetic or real, size, and its README's first line."""
    readme = root / "README.md"
    head = readme.read_text(errors="replace").strip().splitlines()[:1] if readme.is_file() else []
    first = head[0].strip("# ").strip() if head else None
    seed = re.search(r"seed (\d+)", first or "")
    synthetic = ptbxl.is_synthetic(db)
    return {"path": str(root), "name": root.resolve().name, "synthetic": synthetic,
            "generator_seed": int(seed.group(1)) if synthetic and seed else None,
            "records_in_folder": int(len(db)), "readme": first}


def load_training_data(root: str | Path, task: str = "superdiagnostic", limit: int | None = None,
                       rate: int = 100) -> TrainingData:
    """Folds 1-8 and 9 of a PTB-XL folder at `rate` Hz, with the task's labels; `limit` caps each split
    (first N records of each, for smoke runs)."""
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
    cache = resolve().cache_dir / "signals"
    X = ptbxl.load_signals(root, ids["train"], rate=rate, db=db, cache_dir=cache)
    X_val = ptbxl.load_signals(root, ids["val"], rate=rate, db=db, cache_dir=cache)
    info = {**describe_corpus(root, db), "task": task, "rate_hz": rate, "n_train": int(len(X)), "n_val": int(len(X_val)),
            "folds": {"train": "1-8", "val": "9", "test (never used in training)": "10"},
            "train_label_counts": dict(zip(classes, Y_k[rows["train"]].sum(axis=0).tolist())),
            "left_out_without_label": int((~keep).sum())}
    return TrainingData(classes, X, Y_k[rows["train"]], X_val, Y_k[rows["val"]], info)
