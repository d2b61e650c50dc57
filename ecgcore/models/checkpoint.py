"""Checkpoint folders: weights + config.json + card.json, with the sha256 of every file in the card.

A folder `assets/models/<name>/` holds
  weights.pt or weights.npz  torch `state_dict` (loaded with weights_only=True) or plain numpy arrays
                             (loaded with allow_pickle=False): nothing is ever unpickled;
  config.json                everything needed to rebuild the model (classes, rate, window, normaliser,
                             thresholds, hyper-parameters);
  card.json                  the model card, with `files: {name: {sha256, bytes}}` checked before loading.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ecgcore.core.errors import ECGError

CONFIG = "config.json"
CARD = "card.json"


class CheckpointError(ECGError):
    """A model checkpoint is missing, incomplete, corrupt or was changed after training."""


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temp file + rename), so a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
    os.replace(tmp, path)


def write_checkpoint(folder: str | Path, weights_name: str, write_weights: Callable[[Path], None],
                     config: dict[str, Any]) -> None:
    """Write weights (via `write_weights(path)`) and config.json; the card (with their sha256s) is written
    after them by `ecgcore.models.card.write_card`, the one writer of cards."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (weights_name + ".tmp")
    write_weights(tmp)
    os.replace(tmp, folder / weights_name)
    write_json(folder / CONFIG, config)


def read_card(folder: str | Path) -> dict[str, Any]:
    """The model card of a checkpoint folder (not verified); CheckpointError when absent or unreadable."""
    folder = Path(folder)
    path = folder / CARD
    if not path.is_file():
        raise CheckpointError(f"no trained model in {folder} (card.json is missing); train one with "
                              f"`python -m ecgcore train --model {folder.name} --data DIR` or `make train`")
    try:
        card = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path} is not valid JSON ({exc}); restore it from git or retrain the model") from exc
    if not isinstance(card, dict) or not isinstance(card.get("files"), dict):
        raise CheckpointError(f"{path} has no `files` section with sha256 checksums; retrain the model")
    return card


def read_verified(folder: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(config, card) of a checkpoint folder after checking every listed file against its sha256."""
    folder = Path(folder)
    card = read_card(folder)
    for name, info in card["files"].items():
        path = folder / name
        if not path.is_file():
            raise CheckpointError(f"checkpoint {folder} is incomplete: {name} is missing; "
                                  "restore it from git or retrain the model")
        if sha256_file(path) != info.get("sha256"):
            raise CheckpointError(f"checkpoint file {path} does not match the sha256 in its card.json "
                                  "(corrupt or changed after training); restore it from git or retrain the model")
    try:
        config = json.loads((folder / CONFIG).read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{folder / CONFIG} is unreadable ({exc}); retrain the model") from exc
    return config, card


def load_torch_state(path: str | Path) -> dict[str, Any]:
    """A torch state_dict (or other plain container of tensors) loaded with weights_only=True."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError, EOFError... for bad files
        raise CheckpointError(f"cannot load weights from {path}: {type(exc).__name__}: {exc}") from exc


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Plain numpy arrays from an .npz, with allow_pickle=False."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception as exc:
        raise CheckpointError(f"cannot load arrays from {path}: {type(exc).__name__}: {exc}") from exc
