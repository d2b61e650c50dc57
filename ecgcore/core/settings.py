"""Settings resolved in one place: the data root, its source folders, the models folder and the cache folder.

Every command (`--data-root`, `--models-dir`) and the app resolve their paths here, from explicit arguments,
then the environment, then the defaults:

| setting     | argument      | environment      | default                                              |
|-------------|---------------|------------------|------------------------------------------------------|
| data root   | `data_root`   | `ECG_DATA_ROOT`  | `../shared` beside the checkout, if that folder exists, |
|             |               |                  | else `data/` once `download` has filled it; "none":  |
|             |               |                  | no data root (the app then shows a synthetic demo)    |
| models      | `models_dir`  | `ECG_MODELS_DIR` | `assets/models` (the shipped checkpoints)            |
| cache       | `cache_dir`   | `ECG_CACHE_DIR`  | `data/cache` in the checkout (git-ignored)            |
| demo        | `demo_dir`    | `ECG_DEMO_DIR`   | `data/demo` in the checkout (git-ignored)             |

With no data root the app runs on a small synthetic demo written by `ecgcore.synth` into `demo_dir`
(`data/demo`, git-ignored). `python -m ecgcore download` fetches real data into `data/` (PTB-XL, LUDB).
The data root is treated as read-only: nothing is ever written under it (CI's copy has no write bits).
Caches go to `cache_dir`. No state is kept at module level: call `resolve()` where the paths are needed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ecgcore.core.errors import ECGError

#: The checkout's root folder.
ROOT = Path(__file__).resolve().parents[2]
#: The project's own generated data (synthetic demo, caches, downloads): git-ignored.
DATA_DIR = ROOT / "data"
SHIPPED_MODELS = ROOT / "assets" / "models"
DEFAULT_DATA_ROOT = ROOT.parent / "shared"
#: The synthetic demo corpus the app generates on first start when there is no data root.
DEMO_DIR = DATA_DIR / "demo"
#: The sources `python -m ecgcore download` writes into DATA_DIR, which then serves as the data root.
DOWNLOADED_SOURCES: tuple[str, ...] = ("ptbxl", "ludb")
#: `--data-root none` / `ECG_DATA_ROOT=none`: run without a data root even where ../shared exists.
NO_DATA_ROOT = "none"

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
    demo_dir: Path = DEMO_DIR

    def source(self, name: str) -> Path:
        """The folder of one source under the data root (e.g. "ludb" -> <root>/ludb).

        Raises DataRootMissingError, naming ECG_DATA_ROOT, when there is no data root.
        """
        return self.require_data_root() / name

    def has_source(self, name: str) -> bool:
        """Whether the data root exists and holds the folder `name` (e.g. "ptbxl_more")."""
        return self.data_root is not None and (self.data_root / name).is_dir()

    def require_data_root(self) -> Path:
        """The data root; raises DataRootMissingError with what to do when there is none."""
        if self.data_root is None:
            raise DataRootMissingError(
                "no data root with real records: set ECG_DATA_ROOT (or pass --data-root) to a folder holding "
                f"ptbxl/, ptbxl_more/, cinc/, ludb/ ..., or place it at {DEFAULT_DATA_ROOT}; "
                "`python -m ecgcore download` fetches PTB-XL and LUDB from PhysioNet (needs internet)")
        return self.data_root


def resolve(data_root: str | os.PathLike | None = None, models_dir: str | os.PathLike | None = None,
            cache_dir: str | os.PathLike | None = None, demo_dir: str | os.PathLike | None = None) -> Settings:
    """Resolve the settings from explicit arguments, then the environment, then the defaults (module docstring).

    An explicit or environment data root that does not exist raises DataRootMissingError (a typo must not
    silently fall back to the synthetic demo); the default `../shared` is used only if it exists. The value
    "none" (NO_DATA_ROOT) means no data root on purpose.
    """
    root_arg = str(data_root or os.environ.get("ECG_DATA_ROOT") or "")
    root: Path | None
    if root_arg.strip().lower() == NO_DATA_ROOT:
        root = None
    elif root_arg:
        root = Path(root_arg).expanduser().resolve()
        if not root.is_dir():
            raise DataRootMissingError(f"the data root {root} (from --data-root or ECG_DATA_ROOT) is not a folder; "
                                       "point it at the folder holding ptbxl/, cinc/, ludb/ ...")
    elif DEFAULT_DATA_ROOT.is_dir():
        root = DEFAULT_DATA_ROOT
    else:  # what `python -m ecgcore download` fetched, if anything
        root = DATA_DIR if any((DATA_DIR / name).is_dir() for name in DOWNLOADED_SOURCES) else None
    models = Path(models_dir or os.environ.get("ECG_MODELS_DIR") or SHIPPED_MODELS)
    cache = Path(cache_dir or os.environ.get("ECG_CACHE_DIR") or DATA_DIR / "cache")
    demo = Path(demo_dir or os.environ.get("ECG_DEMO_DIR") or DEMO_DIR)
    return Settings(data_root=root, models_dir=models, cache_dir=cache, demo_dir=demo)


def passive_thread_waits() -> None:
    """Entry points (`python -m ecgcore`, the app, the test session) call this before torch loads: OpenMP
    threads that spin while they wait make torch 10-100x slower on a shared, busy CPU (measured on a 2-core
    machine); passive waiting costs little when the CPU is free. An OMP_WAIT_POLICY already set is kept.
    Importing ecgcore never sets environment variables."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
