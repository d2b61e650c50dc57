"""Settings resolved in one place: the data root, its source folders, the models folder and the cache folder.

Every command (`--data-root`, `--models-dir`) and the app resolve their paths here, from explicit arguments,
then the environment, then the defaults:

| setting     | argument      | environment      | default                                              |
|-------------|---------------|------------------|------------------------------------------------------|
| data root   | `data_root`   | `ECG_DATA_ROOT`  | `../shared` beside the checkout, if that folder exists |
| models      | `models_dir`  | `ECG_MODELS_DIR` | `assets/models` (the shipped checkpoints)            |
| cache       | `cache_dir`   | `ECG_CACHE_DIR`  | `data/cache` in the checkout (git-ignored)            |

The data root is treated as read-only: nothing is ever written under it (CI's copy has no write bits).
Caches go to `cache_dir`. No state is kept at module level: call `resolve()` where the paths are needed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ecgcore.errors import ECGError

#: The checkout's root folder.
ROOT = Path(__file__).resolve().parent.parent
#: The project's own generated data (synthetic demo, caches, downloads): git-ignored.
DATA_DIR = ROOT / "data"
SHIPPED_MODELS = ROOT / "assets" / "models"
DEFAULT_DATA_ROOT = ROOT.parent / "shared"

#: The data root's source folders (each holds a SOURCE.md).
SOURCES: tuple[str, ...] = ("ptbxl", "ptbxl_more", "cinc", "cinc_more", "ptbdb", "ludb", "formats", "cases")


class DataRootMissingError(ECGError):
    """No data root: neither `--data-root`, nor `ECG_DATA_ROOT`, nor `../shared` beside the checkout exists."""


@dataclass(frozen=True)
class Settings:
    """Resolved paths. `data_root` is None when there is no data root (the app then runs on a synthetic demo)."""

    data_root: Path | None
    models_dir: Path
    cache_dir: Path

    def source(self, name: str) -> Path:
        """The folder of one source under the data root (e.g. "ludb" -> <root>/ludb).

        Raises DataRootMissingError, naming ECG_DATA_ROOT, when there is no data root.
        """
        return self.require_data_root() / name

    def require_data_root(self) -> Path:
        """The data root; raises DataRootMissingError with what to do when there is none."""
        if self.data_root is None:
            raise DataRootMissingError(
                "no data root with real records: set ECG_DATA_ROOT (or pass --data-root) to a folder holding "
                f"ptbxl/, ptbxl_more/, cinc/, ludb/ ..., or place it at {DEFAULT_DATA_ROOT}; "
                "`python -m ecgcore download` fetches PTB-XL and LUDB from PhysioNet (needs internet)")
        return self.data_root


def resolve(data_root: str | os.PathLike | None = None, models_dir: str | os.PathLike | None = None,
            cache_dir: str | os.PathLike | None = None) -> Settings:
    """Resolve the settings from explicit arguments, then the environment, then the defaults (module docstring).

    An explicit or environment data root that does not exist raises DataRootMissingError (a typo must not
    silently fall back to the synthetic demo); the default `../shared` is used only if it exists.
    """
    root_arg = data_root or os.environ.get("ECG_DATA_ROOT")
    if root_arg:
        root: Path | None = Path(root_arg).expanduser().resolve()
        if not root.is_dir():
            raise DataRootMissingError(f"the data root {root} (from --data-root or ECG_DATA_ROOT) is not a folder; "
                                       "point it at the folder holding ptbxl/, cinc/, ludb/ ...")
    else:
        root = DEFAULT_DATA_ROOT if DEFAULT_DATA_ROOT.is_dir() else None
    models = Path(models_dir or os.environ.get("ECG_MODELS_DIR") or SHIPPED_MODELS)
    cache = Path(cache_dir or os.environ.get("ECG_CACHE_DIR") or DATA_DIR / "cache")
    return Settings(data_root=root, models_dir=models, cache_dir=cache)
