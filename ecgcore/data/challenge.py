"""Folders of PhysioNet/CinC Challenge 2020/2021 records (`<name>.hea` + `<name>.mat`) -> labelled `ECG`s.

Records are decoded by `ecgcore.io.wfdb_reader.read_wfdb`, which fixes the Challenge header quirks in memory
(the files are never changed). The `#Dx:` SNOMED-CT codes become PTB-XL superclasses via `ecgcore.data.snomed`;
meta keeps the codes with their names and abbreviations.

Wrong gains (`GAIN_FIXES`, fixed in memory): the Challenge **2020** headers of PTB-XL records (HR*) say
200/mV and those of Georgia records (E*) 4880/mV, where the samples are at 1000/mV: the HR* samples are
PTB-XL's `records500` values, whose gain is 1000 (HR00001's 2020 copy is identical, sample for sample, to
PTB-XL `00001_hr.dat`), and the Challenge 2021 headers of the same databases say 1000/mV (data root
`cinc_more/SOURCE.md`). Such a record is read with gain 1000/mV and meta["gain_fix"] says so.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ecgcore.data import snomed
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io.wfdb_reader import read_wfdb

_DATA_SUFFIXES = (".mat", ".dat")
_PTBXL_NAME = re.compile(r"^HR(\d{5})$")
#: (record-name prefix, gain the header wrongly states in /mV) -> the true gain (module docstring).
GAIN_FIXES: dict[tuple[str, float], float] = {("HR", 200.0): 1000.0, ("E", 4880.0): 1000.0}
_SIGNAL_LINE = re.compile(r"^(\S+\s+\S+\s+)([0-9.]+)((?:\([^)]*\))?/?\S*)(.*)$")


def fix_gains(header_text: str, record_name: str) -> tuple[str, str | None]:
    """(header text with a known wrong gain replaced, a note saying what was fixed or None). See GAIN_FIXES."""
    lines = header_text.replace("\r\n", "\n").split("\n")
    fixed: set[tuple[float, float]] = set()
    seen_record_line = False
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not seen_record_line:
            seen_record_line = True
            continue
        match = _SIGNAL_LINE.match(line)
        if not match:
            continue
        try:
            gain = float(match.group(2))
        except ValueError:
            continue
        for (prefix, wrong), right in GAIN_FIXES.items():
            if record_name.startswith(prefix) and gain == wrong:
                lines[i] = f"{match.group(1)}{right:g}{match.group(3)}{match.group(4)}"
                fixed.add((wrong, right))
    if not fixed:
        return header_text, None
    note = "; ".join(f"header gain {w:g}/mV read as {r:g}/mV (Challenge 2020 header error)" for w, r in sorted(fixed))
    return "\n".join(lines), note


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


def read_record(path: str | os.PathLike, record_id: str | None = None, source: str = "challenge",
                names: dict[str, str] | None = None) -> ECG:
    """One Challenge record (path with or without `.hea`) as an `ECG` at its own rate, signal (12, samples) mV.

    labels: superclasses from the `#Dx:` codes (`snomed.superclasses`), None when unlabelled.
    meta: dx_codes, dx_names (from `names`, default `snomed.code_names()`), dx_abbreviations, dx_unmapped
    (codes mapping to no superclass), comments, ptbxl_ecg_id for PTB-XL's HR* records, gain_fix when a known
    wrong header gain was corrected (GAIN_FIXES). Raises ECGReadError for missing or broken files.
    """
    stem = Path(path)
    if stem.suffix.lower() in (".hea",) + _DATA_SUFFIXES:
        stem = stem.with_suffix("")
    header = stem.with_suffix(".hea")
    if not header.is_file():
        raise ECGReadError(f"No header {header}: a Challenge record is a .hea file with its .mat file.")
    files = {p.name: p.read_bytes() for p in stem.parent.glob(stem.name + ".*")
             if p.suffix.lower() in (".hea",) + _DATA_SUFFIXES}
    text, gain_note = fix_gains(files[header.name].decode("utf-8", errors="replace"), stem.name)
    if gain_note:
        files[header.name] = text.encode("utf-8")
    ecg = read_wfdb(files, record_id=record_id or stem.name, source=source)
    codes = list(ecg.meta.get("dx_codes", []))
    names = snomed.code_names() if names is None else names
    meta = {
        **ecg.meta,
        "dx_codes": codes,
        "dx_names": [snomed.code_name(c, names) for c in codes],
        "dx_abbreviations": [snomed.code_abbreviation(c) for c in codes],
        "dx_unmapped": [c for c in codes if snomed.code_superclass(c) is None],
        "label_source": "SNOMED-CT #Dx codes mapped by ecgcore.data.snomed",
    }
    ecg_id = ptbxl_ecg_id(stem.name)
    if ecg_id is not None:
        meta["ptbxl_ecg_id"] = ecg_id
    if gain_note:
        meta["gain_fix"] = gain_note
    return ecg.with_signal(ecg.signal, labels=snomed.superclasses(codes), meta=meta)
