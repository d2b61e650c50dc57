"""The real labelled sets the models are trained and tested on, as arrays at the models' 100 Hz.

Every set is drawn from the one catalogue of the data root (`ecgcore.data.catalogue`): its record ids,
superclasses, `strat_fold` and `patient_id`, with its duplicate rules; signals come from its `load_record`.

- `ptbxl_set()`: the catalogue's "ptbxl" evaluation set: every real PTB-XL record under the data root with a
  waveform and at least one diagnostic superclass, a recording listed under two ecg_ids counted once
  (`ecgcore.data.ptbxl.duplicate_recordings`: 137 = 138, which PTB-XL 1.0.3 removed, 456 = 457, 459 = 460). The
  100 Hz file where it exists, else the 500 Hz file resampled to 100 Hz. With PTB-XL's `strat_fold` and
  `patient_id` (folds are patient-disjoint).
- `external_sets()`: test-only sets from other hospitals, one per source (`EXTERNAL_SETS`): the Challenge
  sources ("cinc_georgia", "cinc_ningbo", "cinc_chapman_shaoxing", "cinc_cpsc2018" with the CPSC 2018 extra
  records), "ludb" and "ptbdb". The Challenge's PTB-XL copies (HR*, catalogue set "cinc/ptbxl") are PTB-XL
  recordings and are left out. `cinc_more/` headers of the Georgia records say 4880/mV where the true gain is
  1000/mV (see cinc_more/SOURCE.md): `ecgcore.data.challenge.read_record` reads them at 1000/mV (its
  GAIN_FIXES; meta["gain_fix"]). Challenge labels: SNOMED-CT codes mapped by `ecgcore.data.snomed`; LUDB: its
  diagnosis statements mapped by `ecgcore.data.ludb`; ptbdb: 'Reason for admission'.

Signals are (12, samples) float32 mV at 100 Hz in `ecgcore.core.leads.LEADS` order; records of other lengths keep
their length (external records run 6-120 s). Nothing is cached here.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.errors import ECGError
from ecgcore.core.settings import Settings, resolve

RATE = 100


@dataclass(frozen=True)
class EvalSet:
    """One evaluation set, as every reader of stored results names, describes and orders it.

    name: the key of its figures (`assets/models/<model>/results_<name>.json`, the card's `metrics`);
    synthetic: generated records, not patients (shown with a SYNTHETIC banner, never as a patient figure);
    source: where its records come from; members: the catalogue's evaluation sets an external set holds."""

    name: str
    description: str
    synthetic: bool
    source: str
    members: tuple[str, ...] = ()


#: THE registry of evaluation sets, in display order (the CLI, the cards, the Compare page and the README's
#: tables read it): real PTB-XL first, then external sources, synthetic last.
EVAL_SETS: tuple[EvalSet, ...] = (
    EvalSet("ptbxl_cv", "Real PTB-XL, 10-fold cross-validated out-of-fold predictions", False, "ptbxl/ + ptbxl_more/"),
    EvalSet("ptbxl_fold10", "Real PTB-XL, test fold 10 (shipped weights)", False, "ptbxl/ + ptbxl_more/"),
    EvalSet("cinc_pooled", "All four Challenge sources pooled, external", False, "cinc/ + cinc_more/"),
    EvalSet("cinc_georgia", "Georgia (Emory), Challenge 2020/21 records, external", False, "cinc/ + cinc_more/",
            ("cinc/georgia",)),
    EvalSet("cinc_ningbo", "Ningbo, Challenge 2021 records, external", False, "cinc/ + cinc_more/", ("cinc/ningbo",)),
    EvalSet("cinc_chapman_shaoxing", "Chapman-Shaoxing, Challenge 2021 records, external", False,
            "cinc/ + cinc_more/", ("cinc/chapman_shaoxing",)),
    EvalSet("cinc_cpsc2018", "CPSC 2018 (incl. CPSC-Extra), Challenge records, external", False, "cinc/ + cinc_more/",
            ("cinc/cpsc2018", "cinc/cpsc2018_extra")),
    EvalSet("ludb", "LUDB (Lobachevsky University), external", False, "ludb/", ("ludb",)),
    EvalSet("ptbdb", "PTB Diagnostic ECG Database, external", False, "ptbdb/", ("ptbdb",)),
    EvalSet("synthetic_fold10", "Synthetic test set (not patients), fold 10", True,
            "fold 10 of a 2,000-record ecgcore.synth corpus (seed 0)"),
)
_BY_NAME = {s.name: s for s in EVAL_SETS}
#: external set name -> the catalogue's evaluation sets it holds
EXTERNAL_SETS: dict[str, tuple[str, ...]] = {s.name: s.members for s in EVAL_SETS if s.members}


def eval_set(name: str, results: Mapping[str, Any] | None = None) -> EvalSet:
    """The registry's entry for `name`; a set outside the registry (`evaluate --data FOLDER` names it after the
    folder) is described by its stored results: their `set` block says whether its records were synthetic
    (decided when it was evaluated, by `ecgcore.data.ptbxl.is_synthetic`)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    stored = (results or {}).get("set") or {}
    source = ((results or {}).get("source") or {}).get("path") or "a folder given to `evaluate`"
    return EvalSet(name, str(stored.get("description") or name), bool(stored.get("synthetic")), str(source))


def set_order(names: Iterable[str], results: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    """Real sets before synthetic ones; within each, the registry's order, then sets outside it by name.
    `results` (name -> stored results) tells whether a set outside the registry is synthetic."""
    rank = {s.name: i for i, s in enumerate(EVAL_SETS)}
    return sorted(names, key=lambda n: (eval_set(n, (results or {}).get(n)).synthetic, n not in rank,
                                        rank.get(n, 0), n))


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


def _records(settings: Settings, rows: pd.DataFrame) -> list:
    """The catalogue rows' records at RATE Hz (`catalogue.load_record`), PTB-XL's table read once."""
    from ecgcore.data import ptbxl
    from ecgcore.data.catalogue import load_record

    db = ptbxl.load_database(ptbxl.data_root_folders(settings)) if (rows["source"] == "ptbxl").any() else None
    return [load_record(rid, settings, rate=RATE, db=db) for rid in rows["record_id"]]


#: per source, what each record's `LabelledSet.meta` keeps: {key: its ECG.meta key}; the Challenge sources: "cinc"
META_KEYS: dict[str, dict[str, str]] = {"ptbxl": {"scp_codes": "scp_codes"}, "cinc": {"dx": "dx_abbreviations"},
                                        "ludb": {"diagnoses": "diagnoses"}, "ptbdb": {}}


def _labelled_set(name: str, rows: pd.DataFrame, settings: Settings) -> LabelledSet:
    """The set `name` of the catalogue rows `rows`, in their order."""
    records = _records(settings, rows)
    keys = [META_KEYS[source.split("/")[0]] for source in rows["source"]]
    return LabelledSet(name, list(rows["record_id"]), [ecg.signal.astype(np.float32) for ecg in records],
                       np.stack([targets(labels) for labels in rows["superclasses"]]) if len(rows)
                       else np.zeros((0, len(SUPERCLASSES)), np.uint8),
                       meta=[{key: ecg.meta.get(m) for key, m in k.items()} for k, ecg in zip(keys, records)])


def ptbxl_set(settings: Settings | None = None) -> LabelledSet:
    """Every real PTB-XL record with a waveform and a diagnostic superclass (about 510), at 100 Hz, in ecg_id
    order: the catalogue's "ptbxl" evaluation set with its folds and patients. meta: scp_codes {code: %}."""
    from ecgcore.data.catalogue import catalogue

    settings = settings or resolve()
    root = settings.require_data_root()
    for folder in (root / "ptbxl_more", root / "ptbxl"):
        if not (folder / "ptbxl_database.csv").is_file():
            raise ECGError(f"{folder} is missing: the real PTB-XL set needs ptbxl_more/ and ptbxl/ under the data "
                           "root (set ECG_DATA_ROOT or --data-root)")
    frame = catalogue(settings)
    rows = frame[frame["eval_set"] == "ptbxl"].sort_values("record_id")
    out = _labelled_set("ptbxl", rows, settings)
    out.folds = rows["strat_fold"].to_numpy(dtype=int)
    out.patients = rows["patient_id"].astype(int).to_numpy()
    return out


def external_sets(settings: Settings | None = None) -> dict[str, LabelledSet]:
    """Every external test set under the data root, by name (`EXTERNAL_SETS`; sources that are absent or empty
    are left out). meta: "dx" (Challenge SNOMED abbreviations) or "diagnoses" (LUDB statements)."""
    from ecgcore.data.catalogue import catalogue

    settings = settings or resolve()
    settings.require_data_root()
    frame = catalogue(settings)
    out = {}
    for name, sources in EXTERNAL_SETS.items():
        rows = frame[frame["eval_set"].isin(sources)]
        if len(rows):
            out[name] = _labelled_set(name, rows, settings)
    return out


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
