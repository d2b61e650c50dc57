"""Folders of PhysioNet/CinC Challenge 2020/2021 records (`<name>.hea` + `<name>.mat`) -> labelled `ECG`s.

Records are decoded by `ecgcore.io.wfdb_reader.read_wfdb`, which fixes the Challenge header quirks in memory
(the files are never changed). The `#Dx:` SNOMED-CT codes become PTB-XL superclasses via `ecgcore.data.snomed`;
meta keeps the codes with their names and abbreviations.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ecgcore.data import snomed
from ecgcore.ecg import ECG
from ecgcore.errors import ECGReadError
from ecgcore.io.wfdb_reader import read_wfdb

_DATA_SUFFIXES = (".mat", ".dat")
_PTBXL_NAME = re.compile(r"^HR(\d{5})$")


def list_records(folder: str | os.PathLike, recursive: bool = True) -> list[Path]:
    """Record paths (without extension) of every `.hea` in `folder` that has a `.mat` or `.dat` beside it,
    sorted. Sub-folders are searched too unless recursive=False."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ECGReadError(f"{folder} is not a folder. Give a folder of Challenge records (.hea + .mat files).")
    headers = folder.rglob("*.hea") if recursive else folder.glob("*.hea")
    return sorted(h.with_suffix("") for h in headers
                  if any(h.with_suffix(s).is_file() for s in _DATA_SUFFIXES))


def ptbxl_ecg_id(record_name: str) -> int | None:
    """The PTB-XL ecg_id of a Challenge PTB-XL record name (HR00001 -> 1), else None."""
    match = _PTBXL_NAME.match(record_name)
    return int(match.group(1)) if match else None


def read_record(path: str | os.PathLike, record_id: str | None = None, source: str = "challenge") -> ECG:
    """One Challenge record (path with or without `.hea`) as an `ECG` at its own rate, signal (12, samples) mV.

    labels: superclasses from the `#Dx:` codes (`snomed.superclasses`), None when unlabelled.
    meta: dx_codes, dx_names, dx_abbreviations, dx_unmapped (codes mapping to no superclass), comments, and
    ptbxl_ecg_id for PTB-XL's HR* records. Raises ECGReadError for missing or broken files.
    """
    stem = Path(path)
    if stem.suffix.lower() in (".hea",) + _DATA_SUFFIXES:
        stem = stem.with_suffix("")
    header = stem.with_suffix(".hea")
    if not header.is_file():
        raise ECGReadError(f"No header {header}: a Challenge record is a .hea file with its .mat file.")
    files = {p.name: p.read_bytes() for p in stem.parent.glob(stem.name + ".*")
             if p.suffix.lower() in (".hea",) + _DATA_SUFFIXES}
    ecg = read_wfdb(files, record_id=record_id or stem.name, source=source)
    codes = list(ecg.meta.get("dx_codes", []))
    meta = {
        **ecg.meta,
        "dx_codes": codes,
        "dx_names": [snomed.code_name(c) for c in codes],
        "dx_abbreviations": [snomed.code_abbreviation(c) for c in codes],
        "dx_unmapped": [c for c in codes if snomed.code_superclass(c) is None],
        "label_source": "SNOMED-CT #Dx codes mapped by ecgcore.data.snomed",
    }
    ecg_id = ptbxl_ecg_id(stem.name)
    if ecg_id is not None:
        meta["ptbxl_ecg_id"] = ecg_id
    return ecg.with_signal(ecg.signal, labels=snomed.superclasses(codes), meta=meta)


def read_folder(folder: str | os.PathLike, source: str = "challenge") -> list[ECG]:
    """Every record of `list_records(folder)`; record_id is the path relative to `folder` (no extension)."""
    folder = Path(folder)
    return [read_record(p, record_id=p.relative_to(folder).as_posix(), source=source) for p in list_records(folder)]
