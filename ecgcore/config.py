"""Paths and settings shared across the library."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
DEMO_DATA = ASSETS / "data"
DEMO_PTBXL = DEMO_DATA / "ptbxl"
DEMO_CINC = DEMO_DATA / "cinc"
DEMO_PTBDB = DEMO_DATA / "ptbdb"
MODELS_DIR = ASSETS / "models"

SUPERCLASSES: tuple[str, ...] = ("NORM", "MI", "STTC", "CD", "HYP")

#: Upload limit in MB; `.streamlit/config.toml` sets the same `server.maxUploadSize`.
MAX_UPLOAD_MB = 200


def ptbxl_dir(path: str | os.PathLike | None = None) -> Path:
    """The PTB-XL folder to use: an explicit path, else $ECG_PTBXL_DIR, else the shipped demo folder."""
    if path:
        return Path(path)
    env = os.environ.get("ECG_PTBXL_DIR")
    return Path(env) if env else DEMO_PTBXL
