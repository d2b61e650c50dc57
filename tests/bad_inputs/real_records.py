"""Where the real records live for the IO tests: the shipped copies in assets/data/ when present, else the
originals in ../shared/ (the same files byte for byte)."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "assets" / "data"
ORIGINALS = REPO.parent / "shared"


def real_path(relative: str) -> Path:
    """assets/data/<relative> if it exists, else ../shared/<relative>."""
    shipped = SHIPPED / relative
    return shipped if shipped.exists() else ORIGINALS / relative


def record_files(relative_hea: str) -> dict[str, bytes]:
    """{file name: bytes} of a WFDB record: the .hea and every sibling with the same stem (.dat/.mat/.xyz)."""
    hea = real_path(relative_hea)
    return {p.name: p.read_bytes() for p in sorted(hea.parent.glob(hea.stem + ".*"))}


def record_stem(relative_hea: str) -> str:
    """The path without extension, as wfdb.rdsamp takes it."""
    return str(real_path(relative_hea).with_suffix(""))
