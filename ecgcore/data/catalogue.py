"""One catalogue of every real record under the data root, one loader, and the real evaluation sets per source.

The data root (`ecgcore.core.settings`) holds one folder per source; this module reads them all:

| folders                  | record ids                          | labels                                   |
|--------------------------|-------------------------------------|------------------------------------------|
| `ptbxl/`, `ptbxl_more/`  | "ptbxl/00001" (ecg_id)              | PTB-XL SCP statements -> superclasses    |
| `cinc/`, `cinc_more/`    | "cinc/<database>/<name>"            | SNOMED-CT `#Dx` codes (`snomed`)         |
| `ptbdb/`                 | "ptbdb/<patient>/<name>"            | 'Reason for admission' (`ptbdb`)         |
| `ludb/`                  | "ludb/<n>"                          | diagnosis statements (`ludb`)            |

Duplicates (one recording, one row):
- PTB-XL: an ecg_id in both `ptbxl/` and `ptbxl_more/` is one record; each rate's file comes from the first
  folder holding it (`ptbxl/` first: the original files), so every record with a 500 Hz file is read at 500 Hz.
- PTB-XL: one recording listed under two ecg_ids (same patient and time, byte-identical files:
  `ptbxl.duplicate_recordings`, e.g. 137 = 138, which PTB-XL 1.0.3 removed) keeps the later ecg_id; the other
  row stays listed with `duplicate_of`.
- Challenge: a record in both `cinc/` and `cinc_more/` is one record (the `cinc/` copy, with the 2021 header).
- Challenge `HR<ecg_id>` records are PTB-XL recordings (sample for sample): where that ecg_id is in the
  PTB-XL catalogue, the Challenge row stays listed with `duplicate_of` = the PTB-XL record and is left out of
  every count and evaluation set; PTB-XL's own files and labels are used.
Metadata rows without a waveform file (`ptbxl_database.csv` rows, `ludb.csv` rows) are counted as
"no waveform" in `summary`, never as errors. Nothing is written under the data root; nothing is cached here
(the app caches with Streamlit; callers keep the frame they build).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data import challenge, ludb, ptbdb, ptbxl, record_ids, snomed
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import UnknownNameError
from ecgcore.io.wfdb_reader import dx_codes, fix_header_text, parse_age, parse_sex
from ecgcore.core.settings import Settings, resolve
from ecgcore.signal.resample import ecg_resample

COLUMNS = ["record_id", "source", "fs", "rates", "duration", "age", "sex", "superclasses", "strat_fold",
           "patient_id", "validated_by_human", "report", "codes", "duplicate_of", "eval_set", "in_real_set"]
#: The Challenge folders of the data root, preferred first.
CINC_FOLDERS: tuple[str, ...] = ("cinc", "cinc_more")


# ------------------------------------------------------------------------------------------------ rows
def _ptbxl_rows(settings: Settings, counts: dict) -> list[dict]:
    if not any(settings.has_source(f) for f in ptbxl.DATA_ROOT_FOLDERS):
        return []
    db = ptbxl.load_database(ptbxl.data_root_folders(settings))
    has_wave = db["has_100"] | db["has_500"]
    same = ptbxl.duplicate_recordings(db)
    counts["ptbxl"] = {"metadata_rows": int(len(db)), "no_waveform": int((~has_wave).sum()),
                       "duplicates_removed": int((db["folders"] > 1).sum()) + len(same)}
    rows = []
    for ecg_id, row in db[has_wave].iterrows():
        labels = tuple(row["superclasses"]) or None
        rates = [r for r in ptbxl.RATES if row[f"has_{r}"]]
        patient = row.get("patient_id")
        rows.append({
            "record_id": record_ids.ptbxl(int(ecg_id)), "source": "ptbxl", "fs": float(max(rates)),
            "rates": tuple(rates), "duration": 10.0, "age": ptbxl.age_years(row.get("age")),
            "sex": row["sex"] if isinstance(row.get("sex"), str) else None, "superclasses": labels,
            "strat_fold": int(row["strat_fold"]),
            "patient_id": None if pd.isna(patient) else str(int(patient)),
            "validated_by_human": bool(row.get("validated_by_human", False)),
            "report": row.get("report") if isinstance(row.get("report"), str) else None,
            "codes": ", ".join(row["scp_codes"]),
            "duplicate_of": record_ids.ptbxl(same[ecg_id]) if ecg_id in same else None,
        })
    return rows


def _header(path: Path) -> tuple[float, int, list[str]]:
    """(fs, samples, comment lines) of a WFDB header, parsed from its text (Challenge quirks fixed in memory)."""
    text = fix_header_text(path.read_bytes())
    lines = text.splitlines()
    record = next(line.split() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    fs = float(re.split(r"[/(]", record[2])[0]) if len(record) > 2 else 250.0
    samples = int(record[3]) if len(record) > 3 else 0
    comments = [line.lstrip()[1:].strip() for line in lines if line.lstrip().startswith("#")]
    return fs, samples, comments


def _value(comments: list[str], key: str) -> str | None:
    for line in comments:
        name, _, value = line.partition(":")
        if name.strip().strip("<>").lower() == key.lower():
            return value.strip()
    return None


def _cinc_rows(settings: Settings, ptbxl_ids: set[int], counts: dict) -> list[dict]:
    rows: dict[str, dict] = {}
    for folder_name in CINC_FOLDERS:
        if not settings.has_source(folder_name):
            continue
        folder = settings.source(folder_name)
        for stem in challenge.list_records(folder):
            rel = stem.relative_to(folder)
            if len(rel.parts) != 2:
                continue
            rid = f"cinc/{rel.as_posix()}"
            source = f"cinc/{rel.parts[0]}"
            entry = counts.setdefault(source, {"metadata_rows": 0, "no_waveform": 0, "duplicates_removed": 0})
            entry["metadata_rows"] += 1
            if rid in rows:
                entry["duplicates_removed"] += 1
                continue
            fs, samples, comments = _header(stem.with_suffix(".hea"))
            codes = dx_codes(comments)
            ecg_id = challenge.ptbxl_ecg_id(stem.name)
            duplicate = record_ids.ptbxl(ecg_id) if ecg_id in ptbxl_ids else None
            if duplicate:
                entry["duplicates_removed"] += 1
            rows[rid] = {
                "record_id": rid, "source": source, "fs": fs, "rates": (int(fs),),
                "duration": samples / fs if fs else None, "age": parse_age(_value(comments, "Age")),
                "sex": parse_sex(_value(comments, "Sex")), "superclasses": snomed.superclasses(codes),
                "strat_fold": None, "patient_id": None, "validated_by_human": None, "report": None,
                "codes": ", ".join(snomed.code_abbreviation(c) for c in codes), "duplicate_of": duplicate,
            }
    return list(rows.values())


def _ptbdb_rows(settings: Settings, counts: dict) -> list[dict]:
    if not settings.has_source("ptbdb"):
        return []
    rows = []
    root = settings.source("ptbdb")
    for stem in ptbdb.list_records(root):
        fs, samples, comments = _header(stem.with_suffix(".hea"))
        reason = ptbdb.reason_for_admission(comments)
        rows.append({
            "record_id": f"ptbdb/{stem.parent.name}/{stem.name}", "source": "ptbdb", "fs": fs, "rates": (int(fs),),
            "duration": samples / fs, "age": parse_age(_value(comments, "age")),
            "sex": parse_sex(_value(comments, "sex")), "superclasses": ptbdb.reason_labels(reason),
            "strat_fold": None, "patient_id": stem.parent.name, "validated_by_human": None, "report": reason,
            "codes": reason or "", "duplicate_of": None,
        })
    counts["ptbdb"] = {"metadata_rows": len(rows), "no_waveform": 0, "duplicates_removed": 0}
    return rows


def _ludb_rows(settings: Settings, counts: dict) -> list[dict]:
    if not settings.has_source("ludb"):
        return []
    root = settings.source("ludb")
    rows = []
    for n in ludb.list_records(root):
        fs, samples, comments = _header(ludb.record_path(root, n).with_suffix(".hea"))
        statements = ludb.diagnosis_lines(comments)
        rows.append({
            "record_id": f"ludb/{n}", "source": "ludb", "fs": fs, "rates": (int(fs),), "duration": samples / fs,
            "age": parse_age(_value(comments, "age")), "sex": parse_sex(_value(comments, "sex")),
            "superclasses": ludb.superclasses(statements), "strat_fold": None, "patient_id": f"ludb/{n}",
            "validated_by_human": None, "report": "; ".join(s.rstrip(". ") for s in statements) or None,
            "codes": "", "duplicate_of": None,
        })
    listed = _ludb_listed(root)
    counts["ludb"] = {"metadata_rows": len(listed) or len(rows),
                      "no_waveform": len(listed - {record_ids.parse(r["record_id"]).number for r in rows}),
                      "duplicates_removed": 0}
    return rows


def _ludb_listed(root: Path) -> set[int]:
    """Record numbers listed in `ludb.csv` (all 200 of LUDB; the data root holds files for some)."""
    path = root / "ludb.csv"
    if not path.is_file():
        return set()
    with open(path, newline="", encoding="utf-8") as fh:
        return {int(row["ID"]) for row in csv.DictReader(fh) if str(row.get("ID", "")).strip().isdigit()}


# ------------------------------------------------------------------------------------------- catalogue
def _build(settings: Settings) -> tuple[pd.DataFrame, dict]:
    counts: dict[str, dict] = {}
    ptbxl_rows = _ptbxl_rows(settings, counts)
    ids = {record_ids.parse(r["record_id"]).number for r in ptbxl_rows}
    rows = ptbxl_rows + _cinc_rows(settings, ids, counts) + _ptbdb_rows(settings, counts) + _ludb_rows(settings, counts)
    frame = pd.DataFrame(rows, columns=COLUMNS[:-2])
    labelled = frame["superclasses"].notna() & frame["duplicate_of"].isna()
    frame["eval_set"] = frame["source"].where(labelled, None).astype(object)
    frame["in_real_set"] = labelled.astype(bool)
    frame["strat_fold"] = frame["strat_fold"].astype("Int64")
    for column in ("record_id", "source", "sex", "patient_id", "report", "codes", "duplicate_of", "eval_set"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.reset_index(drop=True), counts


def catalogue(settings: Settings | None = None) -> pd.DataFrame:
    """Every real record under the data root with a waveform, one row each (headers only; no signal is read).

    Columns: record_id; source ("ptbxl", "cinc/<database>", "ptbdb", "ludb"); fs (Hz of the file read by
    default: PTB-XL's 500 Hz file where it exists); rates (tuple of file rates); duration (s); age (years, None
    when unknown or PTB-XL's "over 89"); sex ("M"/"F"/None); superclasses (tuple in NORM, MI, STTC, CD, HYP
    order, None when unlabelled); strat_fold (PTB-XL only, Int64); patient_id (str: PTB-XL patient_id, ptbdb
    patient folder, LUDB subject; None for the Challenge, whose ids are not patients); validated_by_human
    (PTB-XL); report (PTB-XL report, ptbdb reason for admission, LUDB statements); codes (SCP codes, SNOMED
    abbreviations); duplicate_of (the PTB-XL record a Challenge HR* row duplicates); eval_set (the real
    evaluation set holding the record, None when unlabelled or a duplicate); in_real_set (eval_set is set).
    Empty when there is no data root.
    """
    settings = settings or resolve()
    if settings.data_root is None:
        return pd.DataFrame(columns=COLUMNS)
    return _build(settings)[0]


def summary(settings: Settings | None = None) -> dict[str, dict]:
    """Per source: records (with a waveform, duplicates removed), rates ({Hz: records}), labelled (records with
    a superclass), per superclass counts, unlabelled, duplicates_removed, no_waveform (metadata rows without a
    file), metadata_rows, eval_set size; plus "total". What `python -m ecgcore data` prints."""
    settings = settings or resolve()
    if settings.data_root is None:
        return {}
    frame, counts = _build(settings)
    unique = frame[frame["duplicate_of"].isna()]
    out: dict[str, dict] = {}
    for source in sorted(set(counts) | set(frame["source"])):
        rows = unique[unique["source"] == source]
        rates: dict[str, int] = {}
        for file_rates in rows["rates"]:
            for rate in file_rates:
                rates[str(rate)] = rates.get(str(rate), 0) + 1
        labels = rows["superclasses"].dropna()
        extra = counts.get(source, {})
        out[source] = {
            "records": int(len(rows)),
            "rates_hz": dict(sorted(rates.items(), key=lambda kv: int(kv[0]))),
            "labelled": int(len(labels)),
            "superclasses": {c: int(sum(c in s for s in labels)) for c in SUPERCLASSES},
            "unlabelled": int(len(rows) - len(labels)),
            "duplicates_removed": int(extra.get("duplicates_removed", 0)),
            "no_waveform": int(extra.get("no_waveform", 0)),
            "metadata_rows": int(extra.get("metadata_rows", len(rows))),
            "eval_set": int(rows["in_real_set"].sum()),
        }
    total = {key: sum(v[key] for v in out.values()) for key in
             ("records", "labelled", "unlabelled", "duplicates_removed", "no_waveform", "eval_set")}
    total["superclasses"] = {c: sum(v["superclasses"][c] for v in out.values()) for c in SUPERCLASSES}
    return {**out, "total": total}


# --------------------------------------------------------------------------------------------- loading
def _cinc_path(settings: Settings, parts: tuple[str, ...]) -> Path | None:
    for folder_name in CINC_FOLDERS:
        if settings.has_source(folder_name):
            stem = settings.source(folder_name).joinpath(*parts)
            if stem.with_suffix(".hea").is_file():
                return stem
    return None


def load_record(record_id: str, settings: Settings | None = None, rate: float | None = None,
                db: pd.DataFrame | None = None) -> ECG:
    """A real record by its record_id (see `ecgcore.data.record_ids`), at its file's rate (None) or resampled
    to `rate` Hz; "synthetic/NNNNN" reads the synthetic demo corpus (settings.demo_dir).

    PTB-XL records: no rate gives the 500 Hz file where it exists (else 100 Hz); rate 100 reads the 100 Hz file
    where it exists, else derives it from 500 Hz (meta["resampled_from_hz"]). `db`: the PTB-XL table to use
    (`ptbxl.load_database`), read when None. Raises UnknownNameError for an id that names no record here,
    DataRootMissingError when there is no data root.
    """
    settings = settings or resolve()
    rid = record_ids.parse(record_id)
    if rid.kind in ("ptbxl", "synthetic"):
        roots = [settings.demo_dir] if rid.kind == "synthetic" else ptbxl.data_root_folders(settings)
        table = ptbxl.load_database(roots) if db is None else db
        if rid.number not in table.index or not (table.loc[rid.number, "has_100"] or table.loc[rid.number, "has_500"]):
            raise UnknownNameError(f"No record {rid}: {'the synthetic demo' if rid.kind == 'synthetic' else 'PTB-XL'} "
                                   f"here has no waveform for ecg_id {rid.number}. `python -m ecgcore records` "
                                   f"lists the records.")
        row = table.loc[rid.number]
        native_rate = 100 if rate == 100 and row["has_100"] else (500 if row["has_500"] else 100)
        ecg = ptbxl.load_ecg(roots, rid.number, rate=native_rate, db=table)
    elif rid.kind == "cinc":
        stem = _cinc_path(settings, rid.parts)
        if stem is None:
            raise UnknownNameError(f"No Challenge record {rid} under {settings.require_data_root()}/cinc or "
                                   f"cinc_more. Record ids look like {record_ids.EXAMPLES}.")
        ecg = challenge.read_record(stem, record_id=str(rid), source=rid.source,
                                    names=snomed.code_names(settings))
    elif rid.kind == "ptbdb":
        stem = settings.source("ptbdb").joinpath(*rid.parts)
        if not stem.with_suffix(".hea").is_file():
            raise UnknownNameError(f"No ptbdb record {rid} under {settings.source('ptbdb')}.")
        ecg = ptbdb.read_record(stem, record_id=str(rid))
    else:
        root = settings.source("ludb")
        if rid.number not in ludb.list_records(root):
            raise UnknownNameError(f"No LUDB record {rid}: {root}/data holds records "
                                   f"{_span(ludb.list_records(root))}.")
        ecg = ludb.load_ecg(root, rid.number)
    return ecg if rate is None or ecg.fs == rate else ecg_resample(ecg, rate)


def _span(numbers: list[int]) -> str:
    return f"{numbers[0]}-{numbers[-1]}" if numbers else "none"


# ------------------------------------------------------------------------------------ evaluation sets
def eval_sets(settings: Settings | None = None, frame: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """The real evaluation sets: {source: record ids} of every labelled, non-duplicate record, per source
    ("ptbxl", "cinc/georgia", "cinc/ningbo", ..., "ptbdb", "ludb"), so figures read per hospital and database.
    PTB-XL's set is every labelled PTB-XL record; select its test fold with the `strat_fold` column."""
    frame = catalogue(settings) if frame is None else frame
    rows = frame[frame["in_real_set"]]
    return {source: list(group["record_id"]) for source, group in rows.groupby("eval_set", sort=True)}


def eval_records(name: str, settings: Settings | None = None, rate: float | None = None) -> list[ECG]:
    """The records of one real evaluation set (`eval_sets`), each at its file's rate or resampled to `rate`."""
    settings = settings or resolve()
    frame = catalogue(settings)
    sets = eval_sets(settings, frame)
    if name not in sets:
        raise UnknownNameError(f"No real evaluation set {name!r}; the data root has {', '.join(sets) or 'none'}.")
    db = ptbxl.load_database(ptbxl.data_root_folders(settings)) if name == "ptbxl" else None
    return [load_record(rid, settings, rate=rate, db=db) for rid in sets[name]]


def real_labelled_records(settings: Settings | None = None, rate: float | None = None) -> list[ECG]:
    """Every real evaluation set's records together (each recording once, PTB-XL labels for PTB-XL recordings)."""
    settings = settings or resolve()
    frame = catalogue(settings)
    db = ptbxl.load_database(ptbxl.data_root_folders(settings)) if (frame["source"] == "ptbxl").any() else None
    return [load_record(rid, settings, rate=rate, db=db) for rid in frame.loc[frame["in_real_set"], "record_id"]]


def label_matrix(records: list[ECG]) -> np.ndarray:
    """(n, 5) uint8 targets in NORM, MI, STTC, CD, HYP order for labelled records."""
    return np.array([[int(c in (r.labels or ())) for c in SUPERCLASSES] for r in records],
                    dtype=np.uint8).reshape(len(records), len(SUPERCLASSES))



def patient_labels(record_ids: list[str], settings: Settings | None = None) -> list[str]:
    """One patient label per record id, for resampling patients rather than records (a patient-level
    bootstrap): "ptbxl:<patient_id>" (PTB-XL), "ptbdb:<patient folder>", "ludb:<subject>"; a Challenge record,
    whose source gives no patient id, and a record missing from the catalogue count as their own patient
    (the record id)."""
    frame = catalogue(settings)
    known = dict(zip(frame["record_id"], frame["patient_id"])) if len(frame) else {}
    out = []
    for rid in record_ids:
        patient = known.get(rid)
        out.append(rid if patient is None or pd.isna(patient) else f"{rid.split('/')[0]}:{patient}")
    return out
