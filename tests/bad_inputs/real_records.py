"""Where the real records live for the tests: the data root (`ecgcore.core.settings`: ECG_DATA_ROOT, else ../shared).

A test that needs a real file and finds no data root, or not the file, FAILS with a message naming
ECG_DATA_ROOT: the data root is part of every development and CI machine, so a skip would hide a broken set-up.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ecgcore.core.errors import ECGError
from ecgcore.core.settings import resolve


def data_root() -> Path:
    """The data root, or a failed test naming ECG_DATA_ROOT."""
    try:
        root = resolve().data_root
    except ECGError as exc:
        pytest.fail(f"ECG_DATA_ROOT is wrong: {exc}", pytrace=False)
    if root is None:
        pytest.fail("these tests read real records from the data root, and there is none: set ECG_DATA_ROOT to the "
                    "folder holding ptbxl/, ptbxl_more/, cinc/, cinc_more/, ptbdb/, ludb/ (or place it at ../shared "
                    "beside the checkout)", pytrace=False)
    return root


def real_path(relative: str) -> Path:
    """<data root>/<relative>; fails (naming ECG_DATA_ROOT) when the data root or that path is missing."""
    path = data_root() / relative
    if not path.exists():
        pytest.fail(f"the data root {data_root()} has no {relative}: is ECG_DATA_ROOT the project's data root?",
                    pytrace=False)
    return path


def record_files(relative_hea: str) -> dict[str, bytes]:
    """{file name: bytes} of a WFDB record: the .hea and every sibling with the same stem (.dat/.mat/.xyz)."""
    hea = real_path(relative_hea)
    return {p.name: p.read_bytes() for p in sorted(hea.parent.glob(hea.stem + ".*"))}


def record_stem(relative_hea: str) -> str:
    """The path without extension, as wfdb.rdsamp takes it."""
    return str(real_path(relative_hea).with_suffix(""))
