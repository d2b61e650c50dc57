"""The real labelled sets the models are trained and tested on, as arrays at the models' 100 Hz.

- `ptbxl_set()`: every real PTB-XL record under the data root with a waveform and at least one diagnostic
  superclass: `ptbxl_more/` (ecg_id 1-500, 100 Hz files; ecg_id 1 from `ptbxl/`) plus the other PTB-XL ids in
  `ptbxl/` (500 Hz files, resampled to 100 Hz). Recordings listed twice under two ecg_ids are counted once
  (`ecgcore.data.ptbxl.duplicate_recordings`: 137 = 138, which PTB-XL 1.0.3 removed, 456 = 457, 459 = 460). With PTB-XL's `strat_fold` and `patient_id` (folds are patient-disjoint).
- `external_sets()`: test-only sets from other hospitals, one per source: the Challenge sources
  ("cinc_georgia", "cinc_ningbo", "cinc_chapman_shaoxing", "cinc_cpsc2018"; the Challenge's PTB-XL copies HR*
  are PTB-XL recordings and are left out), "ludb" and "ptbdb". `cinc_more/` headers of the Georgia records say
  4880/mV where the true gain is 1000/mV (see cinc_more/SOURCE.md): `ecgcore.data.challenge.read_record`
  reads them at 1000/mV (its GAIN_FIXES; meta["gain_fix"]).
  Challenge labels: SNOMED-CT codes mapped by `ecgcore.data.snomed`; LUDB: its diagnosis statements mapped by
  `ecgcore.data.ludb`; ptbdb: 'Reason for admission'.

Signals are (12, samples) float32 mV at 100 Hz in `ecgcore.leads.LEADS` order; records of other lengths keep
their length (external records run 6-120 s). Arrays are cached under the settings' cache folder.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecgcore.config import SUPERCLASSES
from ecgcore.errors import ECGError
from ecgcore.settings import Settings, resolve

RATE = 100
EXCLUDED_PTBXL = {137: "removed by PTB-XL 1.0.3 as a duplicate recording"}
CHALLENGE_SOURCES = {  # set name -> folders under the data root
    "cinc_georgia": ("cinc/georgia", "cinc_more/georgia"),
    "cinc_ningbo": ("cinc/ningbo",),
    "cinc_chapman_shaoxing": ("cinc/chapman_shaoxing",),
    "cinc_cpsc2018": ("cinc/cpsc2018", "cinc_more/cpsc2018_extra"),
}


@dataclass
class LabelledSet:
    """Records of one source: ids, (12, samples) mV signals at 100 Hz, superclass targets (records, 5) 0/1.

    `folds` and `patients` are set for PTB-XL (strat_fold 1-10, patient_id)."""

    name: str
    record_ids: list[str]
    signals: list[np.ndarray]
    Y: np.ndarray
    folds: np.ndarray | None = None
    patients: np.ndarray | None = None
    meta: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.record_ids)

    def subset(self, rows: np.ndarray) -> "LabelledSet":
        """The records at `rows` (indices), same name."""
        rows = np.asarray(rows, dtype=int)
        return LabelledSet(self.name, [self.record_ids[i] for i in rows], [self.signals[i] for i in rows],
                           self.Y[rows], None if self.folds is None else self.folds[rows],
                           None if self.patients is None else self.patients[rows],
                           [self.meta[i] for i in rows] if self.meta else [])

    def array(self) -> np.ndarray:
        """(records, 12, samples) when every record has the same length (PTB-XL: 1000 samples)."""
        lengths = {s.shape[-1] for s in self.signals}
        if len(lengths) != 1:
            raise ECGError(f"{self.name}: records differ in length {sorted(lengths)[:5]}; use .signals")
        return np.stack(self.signals)

    def positives(self) -> dict[str, int]:
        return {c: int(v) for c, v in zip(SUPERCLASSES, self.Y.sum(axis=0))}


def targets(labels: tuple[str, ...] | None) -> np.ndarray:
    """(5,) 0/1 in SUPERCLASSES order."""
    return np.array([c in (labels or ()) for c in SUPERCLASSES], dtype=np.uint8)


def ptbxl_set(settings: Settings | None = None) -> LabelledSet:
    """Every real PTB-XL record with a waveform and a diagnostic superclass (about 530), at 100 Hz."""
    from ecgcore.data import ptbxl

    settings = settings or resolve()
    root = settings.require_data_root()
    more, old = root / "ptbxl_more", root / "ptbxl"
    for folder in (more, old):
        if not (folder / "ptbxl_database.csv").is_file():
            raise ECGError(f"{folder} is missing: the real PTB-XL set needs ptbxl_more/ and ptbxl/ under the data "
                           "root (set ECG_DATA_ROOT or --data-root)")
    db_more, db_old = ptbxl.load_database(more), ptbxl.load_database(old)
    twins = ptbxl.duplicate_recordings(ptbxl.load_database([old, more]))
    parts = []
    ids_more = [i for i in db_more.index if db_more.at[i, "has_100"] and db_more.at[i, "superclasses"]]
    ids_old = [i for i in db_old.index if (db_old.at[i, "has_100"] or db_old.at[i, "has_500"])
               and db_old.at[i, "superclasses"] and (i not in db_more.index or not db_more.at[i, "has_100"])]
    cache = settings.cache_dir / "realsets"
    for root_i, db, ids in ((more, db_more, ids_more), (old, db_old, ids_old)):
        ids = [i for i in ids if i not in EXCLUDED_PTBXL and i not in twins]
        X = ptbxl.load_signals(root_i, ids, rate=RATE, cache_dir=cache, workers=1, db=db)
        for k, ecg_id in enumerate(ids):
            row = db.loc[ecg_id]
            parts.append((int(ecg_id), X[k], row["superclasses"], int(row["strat_fold"]), int(row["patient_id"]),
                          {"source_folder": root_i.name, "scp_codes": dict(row["scp_codes"])}))
    parts.sort(key=lambda p: p[0])
    return LabelledSet(
        name="ptbxl", record_ids=[f"ptbxl/{p[0]:05d}" for p in parts], signals=[p[1] for p in parts],
        Y=np.stack([targets(p[2]) for p in parts]), folds=np.array([p[3] for p in parts]),
        patients=np.array([p[4] for p in parts]), meta=[p[5] for p in parts])


def _challenge_set(root: Path, name: str, folders: tuple[str, ...]) -> LabelledSet:
    from ecgcore.data import challenge
    from ecgcore.signal.resample import ecg_resample

    ids, signals, Y, meta = [], [], [], []
    for folder in folders:
        path = root / folder
        if not path.is_dir():
            continue
        for stem in challenge.list_records(path):
            if challenge.ptbxl_ecg_id(stem.name) is not None:
                continue  # the Challenge's PTB-XL copies are PTB-XL recordings
            ecg = challenge.read_record(stem, record_id=f"{folder.replace('cinc_more', 'cinc')}/{stem.name}")
            if ecg.labels is None:
                continue
            ecg = ecg_resample(ecg, RATE)  # wrong 2020 header gains are fixed by read_record (GAIN_FIXES)
            ids.append(ecg.record_id); signals.append(ecg.signal.astype(np.float32)); Y.append(targets(ecg.labels))
            meta.append({"dx": ecg.meta.get("dx_abbreviations", []), "folder": folder})
    return LabelledSet(name, ids, signals, np.stack(Y) if Y else np.zeros((0, 5), np.uint8), meta=meta)


def _ptbdb_set(root: Path) -> LabelledSet:
    from ecgcore.data import ptbdb
    from ecgcore.signal.resample import ecg_resample

    ids, signals, Y = [], [], []
    for stem in ptbdb.list_records(root / "ptbdb"):
        ecg = ptbdb.read_record(stem)
        if ecg.labels is None:
            continue
        ecg = ecg_resample(ecg, RATE)
        ids.append(ecg.record_id); signals.append(ecg.signal.astype(np.float32)); Y.append(targets(ecg.labels))
    return LabelledSet("ptbdb", ids, signals, np.stack(Y) if Y else np.zeros((0, 5), np.uint8))


def _ludb_set(root: Path) -> LabelledSet:
    from ecgcore.data import ludb
    from ecgcore.signal.resample import ecg_resample

    ids, signals, Y, meta = [], [], [], []
    for n in ludb.list_records(root / "ludb"):
        ecg = ludb.load_ecg(root / "ludb", n)
        if ecg.labels is None:
            continue
        ecg = ecg_resample(ecg, RATE)
        ids.append(ecg.record_id); signals.append(ecg.signal.astype(np.float32)); Y.append(targets(ecg.labels))
        meta.append({"diagnoses": list(ecg.meta.get("diagnoses", []))})
    return LabelledSet("ludb", ids, signals, np.stack(Y) if Y else np.zeros((0, 5), np.uint8), meta=meta)


def external_sets(settings: Settings | None = None) -> dict[str, LabelledSet]:
    """Every external test set under the data root, by name (sources that are absent or empty are left out)."""
    settings = settings or resolve()
    root = settings.require_data_root()
    out = {name: _challenge_set(root, name, folders) for name, folders in CHALLENGE_SOURCES.items()}
    if (root / "ludb").is_dir():
        out["ludb"] = _ludb_set(root)
    if (root / "ptbdb").is_dir():
        out["ptbdb"] = _ptbdb_set(root)
    return {k: v for k, v in out.items() if len(v)}


def pooled(sets: list[LabelledSet], name: str) -> LabelledSet:
    """One set holding the records of `sets`."""
    return LabelledSet(name, [i for s in sets for i in s.record_ids], [x for s in sets for x in s.signals],
                       np.concatenate([s.Y for s in sets]), meta=[m for s in sets for m in (s.meta or [{}] * len(s))])


def content_hash(signal: np.ndarray, fs: float, seconds: float = 4.0) -> str:
    """sha1 of the first `seconds` of lead I and II rounded to 1 uV (the digital values at 1000 adu/mV) at the
    record's own rate: two files of the same recording (same rate) hash alike whatever their names."""
    n = int(round(seconds * fs))
    q = np.round(np.asarray(signal[:2, :n], dtype=np.float64) * 1000).astype(np.int64)
    return hashlib.sha1(q.tobytes() + str(int(fs)).encode()).hexdigest()
