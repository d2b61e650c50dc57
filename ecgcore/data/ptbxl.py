"""PTB-XL on disk: the metadata index, benchmark labels, filters, the fold split and the waveforms.

A PTB-XL folder holds `ptbxl_database.csv`, `scp_statements.csv`, `records100/` (100 Hz) and `records500/`
(500 Hz) WFDB records, as published on PhysioNet (Wagner et al., Sci. Data 2020). Labels follow the PTB-XL
benchmark (Strodthoff et al., IEEE JBHI 2021): an SCP code counts whatever its likelihood (0.0 too).
Waveforms are read with `wfdb` and returned in millivolts, leads in canonical order.
"""
from __future__ import annotations

import ast
import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np
import pandas as pd
import wfdb

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data import record_ids
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError, ECGReadError, UnknownNameError
from ecgcore.core.leads import LEADS, canonical_lead
from ecgcore.core.settings import DataRootMissingError, Settings, resolve

DATABASE_CSV = "ptbxl_database.csv"
STATEMENTS_CSV = "scp_statements.csv"
RATES: tuple[int, ...] = (100, 500)
TASKS: tuple[str, ...] = ("superdiagnostic", "subdiagnostic", "diagnostic", "form", "rhythm", "all")
_FILE_COLUMN = {100: "filename_lr", 500: "filename_hr"}
#: The data root's PTB-XL folders, in order of preference (the original files first).
DATA_ROOT_FOLDERS: tuple[str, ...] = ("ptbxl", "ptbxl_more")
#: The `device` of every row `ecgcore.synth` writes: what marks a corpus synthetic (`is_synthetic`).
SYNTHETIC_DEVICE = "SYNTHETIC"
#: PTB-XL writes every age above 89 as this value.
AGE_OVER_89 = 300
_PTBXL_HINT = (
    "set ECG_DATA_ROOT (or --data-root) to a data root holding ptbxl/ (and ptbxl_more/), or give --data a PTB-XL "
    "folder holding ptbxl_database.csv, scp_statements.csv, records100/ and records500/ "
    "(`python -m ecgcore download` fetches PTB-XL into data/ptbxl)"
)


# --------------------------------------------------------------------------------------------- metadata
Roots = Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]]


def _roots(root: Roots | None) -> list[Path]:
    """One PTB-XL folder or several (in order of preference), as a list of Paths."""
    if root is None:
        raise ECGError(f"No PTB-XL folder given: {_PTBXL_HINT}.")
    if isinstance(root, (str, os.PathLike)):
        return [Path(root)]
    folders = [Path(r) for r in root]
    if not folders:
        raise ECGError(f"No PTB-XL folder given: {_PTBXL_HINT}.")
    return folders


def data_root_folders(settings: Settings | None = None) -> list[Path]:
    """The PTB-XL folders of the data root, original first: `ptbxl/`, then `ptbxl_more/` (those that exist).

    Raises DataRootMissingError (naming ECG_DATA_ROOT) when there is no data root or it holds neither.
    """
    settings = settings or resolve()
    root = settings.require_data_root()
    folders = [root / name for name in DATA_ROOT_FOLDERS if (root / name / DATABASE_CSV).is_file()]
    if not folders:
        raise DataRootMissingError(f"The data root {root} holds no PTB-XL folder ({' or '.join(DATA_ROOT_FOLDERS)} "
                                   f"with {DATABASE_CSV}); set ECG_DATA_ROOT to the folder that has them.")
    return folders


def _csv(root: Path, name: str) -> Path:
    path = root / name
    if not path.is_file():
        raise ECGReadError(f"No {name} in {root}: {_PTBXL_HINT}.")
    return path


def load_statements(root: Roots) -> pd.DataFrame:
    """`scp_statements.csv` (of the first folder) indexed by SCP code: columns diagnostic / form / rhythm (1.0 or
    NaN), diagnostic_class (superclass), diagnostic_subclass, description, ..."""
    statements = pd.read_csv(_csv(_roots(root)[0], STATEMENTS_CSV), index_col=0)
    statements.index = statements.index.astype(str).str.strip()
    return statements


def _parse_codes(text: object) -> dict[str, float]:
    """One `scp_codes` cell, e.g. "{'NORM': 100.0, 'SR': 0.0}", parsed safely (ast.literal_eval, never eval)."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise ECGReadError(f"Unreadable scp_codes cell {text[:60]!r}: expected a dict like {{'NORM': 100.0}}.") from exc
    if not isinstance(value, dict):
        raise ECGReadError(f"Unreadable scp_codes cell {text[:60]!r}: expected a dict like {{'NORM': 100.0}}.")
    return {str(k): float(v) for k, v in value.items()}


def _sex(value: object) -> str | None:
    """PTB-XL's sex code (0 = male, 1 = female; also "M"/"F"/"male"/"female") as "M" / "F", else None."""
    key = str(value).strip().lower()
    if key in ("0", "0.0", "m", "male"):
        return "M"
    if key in ("1", "1.0", "f", "female"):
        return "F"
    return None


def age_years(value: object) -> float | None:
    """A PTB-XL age cell in years, or None: PTB-XL writes every age above 89 as 300 (de-identification), and an
    empty cell is unknown. The one place this rule lives (the catalogue, the records table and ECG.age use it)."""
    try:
        age = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if np.isnan(age) or age >= AGE_OVER_89 or age < 0:
        return None
    return age


def age_column(db: pd.DataFrame) -> pd.Series:
    """The `age` column in years for display and filtering: PTB-XL's "over 89" (300) as 90.0, unknown as NaN."""
    age = pd.to_numeric(db["age"], errors="coerce")
    return age.where(age < AGE_OVER_89, 90.0).where(age.notna())


def _existing_records(root: Path, folder: str) -> set[str]:
    """Relative record paths ("records100/00000/00001_lr") whose .hea and .dat both exist."""
    found: set[str] = set()
    base = root / folder
    if not base.is_dir():
        return found
    for sub in os.scandir(base):
        if not sub.is_dir():
            continue
        names = {entry.name for entry in os.scandir(sub.path)}
        for name in names:
            if name.endswith(".hea") and name[:-4] + ".dat" in names:
                found.add(f"{folder}/{sub.name}/{name[:-4]}")
    return found


def load_database(root: Roots) -> pd.DataFrame:
    """`ptbxl_database.csv` indexed by ecg_id, ready to use; several folders (e.g. the data root's `ptbxl/` and
    `ptbxl_more/`, `data_root_folders()`) are merged into one table.

    Columns as in PTB-XL, except: `scp_codes` is a dict {code: likelihood %}; `sex` is "M"/"F" (PTB-XL codes
    0 = male, 1 = female). Added: `superclasses` (tuple in NORM, MI, STTC, CD, HYP order; empty when the
    record has no diagnostic statement), `has_100` / `has_500` (both .hea and .dat of the 100 / 500 Hz
    record exist in some folder), `path_100` / `path_500` (that record's path without extension, or None),
    `folders` (how many of the folders hold any waveform of the ecg_id; >1 means duplicate copies were merged).
    Merging: an ecg_id's row comes from the first folder that lists it; each rate's waveform from the first
    folder that holds it. A row without any waveform file is kept (has_100 and has_500 False): "no waveform",
    not an error. PTB-XL writes ages above 89 as 300 (see `age_years`). Read afresh on every call (callers cache).
    """
    folders = _roots(root)
    tables = [_read_table(folder) for folder in folders]
    db = tables[0]
    for extra in tables[1:]:
        db = pd.concat([db, extra.loc[~extra.index.isin(db.index)]])
    db = db.sort_index()
    raw = db["scp_codes"]
    parsed = {text: _parse_codes(text) for text in pd.unique(raw)}
    db["scp_codes"] = raw.map(parsed)
    if "sex" in db.columns:
        db["sex"] = db["sex"].map(_sex).astype(object)
    if "validated_by_human" in db.columns:
        db["validated_by_human"] = db["validated_by_human"].astype(str).str.strip().str.lower().isin(
            ("true", "1", "1.0", "yes"))
    db["strat_fold"] = db["strat_fold"].astype(int)
    to_class = _aggregation(load_statements(folders[0]), "superdiagnostic")
    order = {c: i for i, c in enumerate(SUPERCLASSES)}
    by_text = {
        text: tuple(sorted({to_class[c] for c in codes if c in to_class}, key=order.__getitem__))
        for text, codes in parsed.items()
    }
    db["superclasses"] = raw.map(by_text)
    copies = pd.Series(0, index=db.index, dtype=int)
    for rate in RATES:
        db[f"path_{rate}"] = None
    for folder in folders:
        held = pd.Series(False, index=db.index)
        for rate in RATES:
            existing = _existing_records(folder, f"records{rate}")
            here = db[_FILE_COLUMN[rate]].isin(existing)
            take = here & db[f"path_{rate}"].isna()
            db.loc[take, f"path_{rate}"] = [str(folder / f) for f in db.loc[take, _FILE_COLUMN[rate]]]
            held |= here
        copies += held.astype(int)
    for rate in RATES:
        db[f"has_{rate}"] = db[f"path_{rate}"].notna()
    db["folders"] = copies
    return db


def duplicate_recordings(db: pd.DataFrame) -> dict[int, int]:
    """{ecg_id: the ecg_id kept} for recordings listed twice under two ecg_ids: same patient_id and recording_date,
    and byte-identical waveform files (the highest rate both have). The later ecg_id is kept, as PTB-XL 1.0.3 did
    when it removed ecg_id 137 (a copy of 138). In PTB-XL 1.0.1/1.0.2 ecg_id 1-500 this finds 137 -> 138,
    143 -> 144, 456 -> 457 and 459 -> 460. Needs `load_database` columns (path_100/path_500)."""
    wave = db[db["has_100"] | db["has_500"]]
    if not {"patient_id", "recording_date"} <= set(wave.columns):
        return {}
    out: dict[int, int] = {}
    for _, group in wave.groupby(["patient_id", "recording_date"], sort=False):
        if len(group) < 2:
            continue
        ids = sorted(int(i) for i in group.index)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if a not in out and _same_files(db.loc[a], db.loc[b]):
                    out[a] = out.get(b, b)
    return out


def _same_files(a: pd.Series, b: pd.Series) -> bool:
    for rate in (500, 100):
        if a[f"has_{rate}"] and b[f"has_{rate}"]:
            return Path(str(a[f"path_{rate}"]) + ".dat").read_bytes() == Path(str(b[f"path_{rate}"]) + ".dat").read_bytes()
    return False


def _read_table(folder: Path) -> pd.DataFrame:
    csv = _csv(folder, DATABASE_CSV)
    _csv(folder, STATEMENTS_CSV)
    try:
        db = pd.read_csv(csv, index_col="ecg_id")
    except (ValueError, pd.errors.ParserError) as exc:
        raise ECGReadError(f"{csv} is not a PTB-XL database table ({exc}); {_PTBXL_HINT}.") from exc
    missing = {"scp_codes", "strat_fold", "filename_lr", "filename_hr"} - set(db.columns)
    if missing:
        raise ECGReadError(f"{csv} lacks the column(s) {sorted(missing)}; {_PTBXL_HINT}.")
    db.index = db.index.astype(int)
    return db


# ----------------------------------------------------------------------------------------------- labels
def _aggregation(statements: pd.DataFrame, task: str) -> dict[str, str]:
    """SCP code -> label for one task (codes outside the task are absent)."""
    if task == "all":
        return {code: code for code in statements.index}
    if task in ("form", "rhythm"):
        rows = statements[statements[task] == 1]
        return {code: code for code in rows.index}
    rows = statements[statements["diagnostic"] == 1]
    column = {"diagnostic": None, "subdiagnostic": "diagnostic_subclass", "superdiagnostic": "diagnostic_class"}[task]
    if column is None:
        return {code: code for code in rows.index}
    return {code: str(value) for code, value in rows[column].items() if isinstance(value, str)}


def task_labels(db: pd.DataFrame, statements: pd.DataFrame, task: str = "superdiagnostic") -> tuple[list[str], np.ndarray]:
    """Multi-label targets for a PTB-XL benchmark task.

    Returns (classes, Y) with Y uint8 shaped (len(db), len(classes)), rows in db order. Classes are every label
    the statements define for the task (superdiagnostic: NORM, MI, STTC, CD, HYP; others sorted), so the class
    list does not depend on which records are present. 'all' covers every code in scp_codes that the
    statements table knows. Rows with no label are all zero (the benchmark drops them: `Y.any(1)`).
    """
    if task not in TASKS:
        raise UnknownNameError(f"Unknown task {task!r}: choose one of {', '.join(TASKS)}.")
    mapping = _aggregation(statements, task)
    classes = list(SUPERCLASSES) if task == "superdiagnostic" else sorted(set(mapping.values()))
    column = {c: i for i, c in enumerate(classes)}
    Y = np.zeros((len(db), len(classes)), dtype=np.uint8)
    for row, codes in enumerate(db["scp_codes"]):
        for code in codes:
            label = mapping.get(code)
            if label is not None:
                Y[row, column[label]] = 1
    return classes, Y


# ---------------------------------------------------------------------------------------------- filters
def _as_set(value: str | int | Iterable) -> set:
    if isinstance(value, (str, int, np.integer)):
        return {value}
    return set(value)


def filter_records(
    db: pd.DataFrame,
    superclass: str | Iterable[str] | None = None,
    scp: str | Iterable[str] | None = None,
    age_min: float | None = None,
    age_max: float | None = None,
    sex: str | None = None,
    fold: int | Iterable[int] | None = None,
    validated: bool | None = None,
    with_signal: bool | None = None,
) -> pd.DataFrame:
    """Rows of `load_database` output matching every given filter (None = no filter).

    superclass / scp: the record has any of the given superclasses / SCP codes (any likelihood; SCP codes are
    not checked here, see `check_scp_codes`).
    age_min / age_max: inclusive, in years (records without an age drop out). sex: "M" or "F".
    fold: strat_fold(s) 1-10. validated: validated_by_human. with_signal: a 100 or 500 Hz waveform exists.
    """
    mask = np.ones(len(db), dtype=bool)
    if superclass is not None:
        wanted = {s.upper() for s in _as_set(superclass)}
        unknown = wanted - set(SUPERCLASSES)
        if unknown:
            raise UnknownNameError(f"Unknown superclass {sorted(unknown)}: choose from {', '.join(SUPERCLASSES)}.")
        mask &= db["superclasses"].map(lambda s: not wanted.isdisjoint(s)).to_numpy(bool)
    if scp is not None:
        wanted = {s.upper() for s in _as_set(scp)}
        mask &= db["scp_codes"].map(lambda codes: any(c.upper() in wanted for c in codes)).to_numpy(bool)
    if age_min is not None:
        mask &= (db["age"] >= age_min).to_numpy(bool)
    if age_max is not None:
        mask &= (db["age"] <= age_max).to_numpy(bool)
    if sex is not None:
        key = str(sex).strip().upper()[:1]
        if key not in ("M", "F"):
            raise ECGError(f"Unknown sex {sex!r}: use M or F.")
        mask &= (db["sex"] == key).to_numpy(bool)
    if fold is not None:
        folds = {int(f) for f in _as_set(fold)}
        if not folds <= set(range(1, 11)):
            raise ECGError(f"strat_fold must be between 1 and 10, got {sorted(folds)}.")
        mask &= db["strat_fold"].isin(folds).to_numpy(bool)
    if validated is not None:
        mask &= (db["validated_by_human"] == bool(validated)).to_numpy(bool)
    if with_signal is not None:
        mask &= ((db["has_100"] | db["has_500"]) == bool(with_signal)).to_numpy(bool)
    return db[mask]


def check_scp_codes(codes: Iterable[str], statements: pd.DataFrame) -> list[str]:
    """The codes upper-cased, or UnknownNameError naming the ones `scp_statements.csv` does not define."""
    wanted = [c.strip().upper() for c in codes]
    known = {c.upper() for c in statements.index}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise UnknownNameError(f"Unknown SCP code(s) {', '.join(unknown)}: scp_statements.csv defines "
                               f"{', '.join(sorted(statements.index))}.")
    return wanted


def split(db: pd.DataFrame) -> dict[str, np.ndarray]:
    """The PTB-XL benchmark split by strat_fold: train = folds 1-8, val = 9, test = 10 (ecg_id arrays)."""
    fold = db["strat_fold"]
    return {
        "train": db.index[fold.between(1, 8)].to_numpy(),
        "val": db.index[fold == 9].to_numpy(),
        "test": db.index[fold == 10].to_numpy(),
    }


# -------------------------------------------------------------------------------------------- waveforms
def _check_rate(rate: int) -> int:
    if rate not in RATES:
        raise ECGError(f"PTB-XL records exist at 100 Hz and 500 Hz, not {rate} Hz: use rate=100 or rate=500.")
    return int(rate)


def _read_wfdb(path: Path, label: str) -> tuple[np.ndarray, float]:
    """(12, samples) float32 mV in canonical lead order, and fs, from a WFDB record path (no extension)."""
    if not (path.with_suffix(".hea").is_file() and path.with_suffix(".dat").is_file()):
        raise ECGReadError(f"The waveform of {label} is missing: no {path}.hea/.dat. The metadata lists it, "
                           f"but this folder does not hold the file; use a record with a waveform (has_100/has_500).")
    try:
        signal, fields = wfdb.rdsamp(str(path))
    except Exception as exc:  # wfdb raises many types for broken files
        raise ECGReadError(f"Could not read {label} from {path}.hea/.dat with wfdb: {exc}") from exc
    names = [canonical_lead(n) for n in fields["sig_name"]]
    missing = [lead for lead in LEADS if lead not in names]
    if missing:
        raise ECGReadError(f"{label} ({path}.hea) lacks the lead(s) {', '.join(missing)}; a PTB-XL record has "
                           f"all 12 standard leads.")
    order = [names.index(lead) for lead in LEADS]
    return np.ascontiguousarray(signal[:, order].T, dtype=np.float32), float(fields["fs"])


def _row(db: pd.DataFrame, ecg_id: int) -> pd.Series:
    try:
        return db.loc[int(ecg_id)]
    except (KeyError, ValueError, TypeError):
        raise ECGReadError(f"ecg_id {ecg_id} is not in the PTB-XL metadata ({DATABASE_CSV}).") from None


def _path(row: pd.Series, rate: int) -> Path:
    return Path(row[f"path_{rate}"])


def _signal_of(row: pd.Series, ecg_id: int, rate: int) -> tuple[np.ndarray, int | None]:
    """The (12, samples) signal at `rate`; second value: the file rate it was resampled from, or None."""
    label = f"PTB-XL ecg_id {ecg_id}"
    if row[f"has_{rate}"]:
        signal, fs = _read_wfdb(_path(row, rate), label)
        return signal, None
    if rate == 100 and row["has_500"]:
        signal, fs = _read_wfdb(_path(row, 500), label)
        from ecgcore.signal.resample import resample_signal  # scipy.signal (~1.5 s cold): imported when needed

        return resample_signal(signal, fs, 100), int(fs)
    if rate == 500 and row["has_100"]:
        raise ECGReadError(f"{label} exists only at 100 Hz here ({_path(row, 100)}); use rate=100.")
    raise ECGReadError(f"{label} has no waveform here: its metadata row names {row[_FILE_COLUMN[rate]]}, but no "
                       f"folder holds that file; choose a record with a waveform (has_100/has_500).")


def load_ecg(root: Roots, ecg_id: int, rate: int = 100, db: pd.DataFrame | None = None) -> ECG:
    """One PTB-XL record as an `ECG` at 100 or 500 Hz (signal (12, samples) float32 mV).

    `root`: a PTB-XL folder or several (`data_root_folders()`); `db`: their `load_database` (read if None).
    Where only the 500 Hz file exists, the 100 Hz signal is derived by polyphase resampling and
    meta["resampled_from_hz"] = 500. Missing files raise ECGReadError naming the record and path.
    Labels: the record's diagnostic superclasses, None when it has no diagnostic statement.
    """
    rate = _check_rate(rate)
    db = load_database(root) if db is None else db
    row = _row(db, ecg_id)
    signal, resampled_from = _signal_of(row, int(ecg_id), rate)
    return ecg_from_row(int(ecg_id), row, signal, rate, resampled_from)


def ecg_from_row(ecg_id: int, row: pd.Series, signal: np.ndarray, rate: int, resampled_from: int | None = None) -> ECG:
    """An `ECG` from a `load_database` row and its (12, samples) mV signal at `rate` Hz, with PTB-XL's metadata
    (age, sex, report, scp_codes with likelihoods, strat_fold, validated_by_human, ...) in its fields and meta."""
    meta: dict = {
        "ecg_id": int(ecg_id),
        "report": _clean(row.get("report")),
        "scp_codes": dict(row["scp_codes"]),
        "strat_fold": int(row["strat_fold"]),
        "validated_by_human": bool(row.get("validated_by_human", False)),
        "file": str(row[_FILE_COLUMN[rate if resampled_from is None else resampled_from]]),
    }
    for key in ("patient_id", "recording_date", "device", "heart_axis", "infarction_stadium1", "pacemaker"):
        value = _clean(row.get(key))
        if value is not None:
            meta[key] = int(value) if key == "patient_id" and float(value).is_integer() else value
    if resampled_from is not None:
        meta["resampled_from_hz"] = int(resampled_from)
    age_value = age_years(row.get("age"))
    if age_value is None and _clean(row.get("age")) is not None and float(row["age"]) >= AGE_OVER_89:
        meta["age_note"] = f"over 89 (PTB-XL writes ages above 89 as {AGE_OVER_89})"
    synthetic = is_synthetic(row)
    if synthetic:
        meta["synthetic"] = True
    labels = tuple(row["superclasses"]) or None
    if labels is None:
        meta["label_note"] = "no diagnostic SCP statement (rhythm/form only): unlabelled for the superclasses"
    return ECG(
        signal=signal,
        fs=float(rate),
        record_id=record_ids.ptbxl(int(ecg_id), synthetic=synthetic),
        source="synthetic" if synthetic else "ptbxl",
        age=age_value,
        sex=_clean(row.get("sex")),
        labels=labels,
        meta=meta,
    )


def is_synthetic(rows: pd.Series | pd.DataFrame) -> bool:
    """The one rule for "is this synthetic?": PTB-XL-layout rows written by `ecgcore.synth` have `device`
    SYNTHETIC (SYNTHETIC_DEVICE). A row: whether it is; a table: whether any row is (a corpus is one or the other)."""
    if isinstance(rows, pd.DataFrame):
        return "device" in rows.columns and bool(rows["device"].astype(str).str.strip().str.upper()
                                                  .eq(SYNTHETIC_DEVICE).any())
    return str(rows.get("device", "")).strip().upper() == SYNTHETIC_DEVICE


def _clean(value: object) -> object:
    """None for NaN/empty cells, plain Python values otherwise (strings stripped)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, np.generic):
        return value.item()
    return value


# ----------------------------------------------------------------------------------------- bulk loading
def _cache_key(ecg_ids: np.ndarray, rate: int, files: list[str]) -> str:
    digest = hashlib.sha1()
    digest.update(np.asarray(ecg_ids, dtype=np.int64).tobytes())
    digest.update(str(rate).encode())
    digest.update("\n".join(files).encode())
    return digest.hexdigest()[:16]


def _load_chunk(args: tuple[list[tuple[int, str, int | None]], int]) -> np.ndarray:
    """Worker: read a list of (ecg_id, record path, file rate) and return (n, 12, T) float32 at `rate`."""
    items, rate = args
    out = []
    for ecg_id, path, file_rate in items:
        signal, fs = _read_wfdb(Path(path), f"PTB-XL ecg_id {ecg_id}")
        if fs != rate:
            from ecgcore.signal.resample import resample_signal

            signal = resample_signal(signal, fs, rate)
        out.append(signal)
    lengths = {s.shape[1] for s in out}
    if len(lengths) > 1:
        raise ECGReadError(f"PTB-XL records have different lengths {sorted(lengths)} samples; load_signals needs "
                           f"equal lengths (PTB-XL records are 10 s).")
    return np.stack(out) if out else np.zeros((0, len(LEADS), 0), np.float32)


def load_signals(
    root: Roots,
    ecg_ids: Iterable[int],
    rate: int = 100,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    db: pd.DataFrame | None = None,
    chunk_size: int = 500,
) -> np.ndarray:
    """Bulk-load PTB-XL signals for training: (n, 12, T) float32 mV in ecg_ids order (T = 10 s x rate).

    The first call reads every record with wfdb (chunks of `chunk_size` records spread over a process pool of
    `workers`, default the CPU count) and
    saves the array as `<cache_dir>/signals_<rate>hz_<key>.npy` (default: the settings' cache folder, never
    under the data root), keyed by a hash of the ids, the rate and the file paths; later calls just load that file. 100 Hz signals are resampled
    from 500 Hz where only the 500 Hz file exists. A record without a waveform raises ECGReadError listing it.
    """
    rate = _check_rate(rate)
    db = load_database(root) if db is None else db
    ids = np.asarray(list(ecg_ids), dtype=np.int64)
    items: list[tuple[int, str, int | None]] = []
    missing: list[int] = []
    for ecg_id in ids:
        row = _row(db, int(ecg_id))
        if row[f"has_{rate}"]:
            items.append((int(ecg_id), str(row[f"path_{rate}"]), rate))
        elif rate == 100 and row["has_500"]:
            items.append((int(ecg_id), str(row["path_500"]), 500))
        else:
            missing.append(int(ecg_id))
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise ECGReadError(f"{len(missing)} record(s) have no {rate} Hz waveform here: ecg_id {shown}. "
                           f"Select records with has_{rate} (or has_500 for 100 Hz) first.")
    cache = Path(cache_dir) if cache_dir is not None else resolve().cache_dir
    cache_file = cache / f"signals_{rate}hz_{_cache_key(ids, rate, [i[1] for i in items])}.npy"
    if cache_file.is_file():
        try:
            return np.load(cache_file)
        except (OSError, ValueError):
            pass  # a broken cache file is rebuilt below
    chunk_size = max(1, int(chunk_size))
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    jobs = [(chunk, rate) for chunk in chunks]
    workers = max(1, min(workers or os.cpu_count() or 1, len(chunks)))
    if workers == 1:
        parts = [_load_chunk(job) for job in jobs]
    else:
        # fork where available: workers only run wfdb/numpy/scipy, and spawn would re-run `python -m ecgcore`
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
            parts = list(pool.map(_load_chunk, jobs))
    lengths = {p.shape[2] for p in parts if len(p)}
    if len(lengths) > 1:
        raise ECGReadError(f"PTB-XL records have different lengths {sorted(lengths)} samples; load_signals needs "
                           f"equal lengths (PTB-XL records are 10 s).")
    X = np.concatenate(parts) if parts else np.zeros((0, len(LEADS), 10 * rate), np.float32)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, X)
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only cache folder: no cache, same result
    return X
