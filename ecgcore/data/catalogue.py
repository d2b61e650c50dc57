"""The shipped real demo records (assets/data/): one catalogue, one loader, and the real evaluation set.

record_id forms: "ptbxl/00001" (PTB-XL ecg_id), "cinc/<source>/<name>" (a Challenge record, e.g.
"cinc/georgia/E00271"), "ptbdb/<patient>/<name>" (e.g. "ptbdb/patient096/s0379lre").

Duplicates: the Challenge's PTB-XL records (cinc/ptbxl/HR<ecg_id>) are the same recordings, sample for
sample, as PTB-XL records in ptbxl/. The catalogue lists both (`duplicate_of` names the PTB-XL record); the
real evaluation set counts each recording once, with PTB-XL's own labels (its cardiologists' SCP statements;
the Challenge's SNOMED re-coding adds findings such as axis deviation or low voltage, see `snomed`).
"""
from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import wfdb

from ecgcore.config import DEMO_CINC, DEMO_PTBDB, DEMO_PTBXL, SUPERCLASSES
from ecgcore.data import challenge, ptbdb, ptbxl, snomed
from ecgcore.ecg import ECG
from ecgcore.errors import UnknownNameError
from ecgcore.io.wfdb_reader import dx_codes, fix_header_text, parse_age, parse_sex
from ecgcore.signal.resample import ecg_resample

COLUMNS = ["record_id", "source", "fs", "duration", "age", "sex", "superclasses", "strat_fold", "report",
           "codes", "duplicate_of", "in_real_set"]


def _ptbxl_rows() -> list[dict]:
    db = ptbxl.load_database(DEMO_PTBXL)
    rows = []
    for ecg_id, row in db[db["has_100"] | db["has_500"]].iterrows():
        age = None if pd.isna(row["age"]) or row["age"] >= 300 else float(row["age"])
        labels = tuple(row["superclasses"]) or None
        rows.append({
            "record_id": f"ptbxl/{ecg_id:05d}", "source": "ptbxl", "fs": 500.0 if row["has_500"] else 100.0,
            "duration": 10.0, "age": age, "sex": row["sex"] if isinstance(row["sex"], str) else None,
            "superclasses": labels, "strat_fold": int(row["strat_fold"]), "report": row["report"],
            "codes": ", ".join(row["scp_codes"]), "duplicate_of": None, "in_real_set": labels is not None,
        })
    return rows


def _header_info(path: Path, tmp: str) -> tuple[float, int, list[str]]:
    """(fs, samples, comment lines) of a WFDB header, read by wfdb from a copy in `tmp` with the Challenge
    quirks fixed (the shipped file is untouched)."""
    stem = Path(tmp) / "record"
    stem.with_suffix(".hea").write_text(fix_header_text(path.read_bytes()), encoding="utf-8")
    header = wfdb.rdheader(str(stem))
    return float(header.fs), int(header.sig_len), [str(c) for c in header.comments or []]


def _cinc_rows(ptbxl_ids: set[int], tmp: str) -> list[dict]:
    rows = []
    for stem in challenge.list_records(DEMO_CINC):
        fs, samples, comments = _header_info(stem.with_suffix(".hea"), tmp)
        codes = dx_codes(comments)
        labels = snomed.superclasses(codes)
        ecg_id = challenge.ptbxl_ecg_id(stem.name)
        duplicate = f"ptbxl/{ecg_id:05d}" if ecg_id in ptbxl_ids else None
        rows.append({
            "record_id": "cinc/" + stem.relative_to(DEMO_CINC).as_posix(), "source": f"cinc/{stem.parent.name}",
            "fs": fs, "duration": samples / fs, "age": parse_age(_value(comments, "Age")),
            "sex": parse_sex(_value(comments, "Sex")), "superclasses": labels, "strat_fold": None,
            "report": None, "codes": ", ".join(snomed.code_abbreviation(c) for c in codes),
            "duplicate_of": duplicate, "in_real_set": labels is not None and duplicate is None,
        })
    return rows


def _value(comments: list[str], key: str) -> str | None:
    for line in comments:
        name, _, value = line.partition(":")
        if name.strip().lower() == key.lower():
            return value.strip()
    return None


def _ptbdb_rows(tmp: str) -> list[dict]:
    rows = []
    for stem in ptbdb.list_records(DEMO_PTBDB):
        fs, samples, comments = _header_info(stem.with_suffix(".hea"), tmp)
        reason = ptbdb.reason_for_admission(comments)
        labels = ptbdb.reason_labels(reason)
        rows.append({
            "record_id": f"ptbdb/{stem.parent.name}/{stem.name}", "source": "ptbdb", "fs": fs,
            "duration": samples / fs, "age": parse_age(_value(comments, "age")),
            "sex": parse_sex(_value(comments, "sex")), "superclasses": labels, "strat_fold": None,
            "report": reason, "codes": reason or "", "duplicate_of": None, "in_real_set": labels is not None,
        })
    return rows


@lru_cache(maxsize=1)
def _catalogue() -> pd.DataFrame:
    ptbxl_rows = _ptbxl_rows()
    ids = {int(r["record_id"].split("/")[1]) for r in ptbxl_rows}
    with tempfile.TemporaryDirectory(prefix="ecg-hea-") as tmp:
        rows = ptbxl_rows + _cinc_rows(ids, tmp) + _ptbdb_rows(tmp)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["strat_fold"] = frame["strat_fold"].astype("Int64")
    return frame


def demo_catalogue() -> pd.DataFrame:
    """Every shipped real record, one row each (headers only; no signal is loaded).

    Columns: record_id, source ("ptbxl", "cinc/<database>", "ptbdb"), fs (Hz of the file; PTB-XL: the
    500 Hz original), duration (s), age, sex ("M"/"F"/None), superclasses (tuple, or None when unlabelled),
    strat_fold (PTB-XL only), report (PTB-XL report / ptbdb reason for admission), codes (SCP codes, SNOMED
    abbreviations or the ptbdb reason), duplicate_of (the PTB-XL record a Challenge HR* record duplicates),
    in_real_set (counted in `real_labelled_records`).
    """
    return _catalogue().copy()


def load_record(record_id: str, rate: float | None = None) -> ECG:
    """A shipped record by its record_id, at its file's rate (None) or resampled to `rate` Hz.

    PTB-XL records: rate 100 reads records100 where it exists, else derives 100 Hz from the 500 Hz original
    (meta["resampled_from_hz"] = 500); no rate gives the 500 Hz original.
    """
    parts = str(record_id).strip().strip("/").split("/")
    known = set(_catalogue()["record_id"])
    rid = "/".join(parts)
    if rid not in known:
        frame = _catalogue()
        examples = ", ".join(frame.groupby(frame["record_id"].str.split("/").str[0], sort=False)["record_id"].first())
        raise UnknownNameError(f"No shipped record {record_id!r}. Record ids look like {examples}; "
                               f"`python -m ecgcore records --demo` lists all {len(known)}.")
    if parts[0] == "ptbxl":
        native = ptbxl.load_ecg(DEMO_PTBXL, int(parts[1]), rate=500 if rate is None or rate != 100 else 100)
        return native if rate is None or native.fs == rate else ecg_resample(native, rate)
    if parts[0] == "cinc":
        ecg = challenge.read_record(DEMO_CINC.joinpath(*parts[1:]), record_id=rid, source=f"cinc/{parts[1]}")
    else:
        ecg = ptbdb.read_record(DEMO_PTBDB.joinpath(*parts[1:]), record_id=rid)
    return ecg if rate is None else ecg_resample(ecg, rate)


@lru_cache(maxsize=1)
def _real_records() -> tuple[ECG, ...]:
    frame = _catalogue()
    return tuple(load_record(rid) for rid in frame.loc[frame["in_real_set"], "record_id"])


def real_labelled_records() -> list[ECG]:
    """The project's real evaluation set, each at its file's rate: the PTB-XL demo records with a superclass
    (PTB-XL labels), the Challenge records whose SNOMED codes give a label (except HR* duplicates of PTB-XL
    records), and the labelled ptbdb records. Loaded once per process."""
    return list(_real_records())


def real_label_matrix(records: list[ECG]) -> np.ndarray:
    """(n, 5) uint8 targets in NORM, MI, STTC, CD, HYP order for labelled records."""
    return np.array([[int(c in (r.labels or ())) for c in SUPERCLASSES] for r in records], dtype=np.uint8)
