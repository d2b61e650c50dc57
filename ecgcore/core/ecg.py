"""`ECG`: the one in-memory record type every reader returns and every later stage takes."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ecgcore.core.errors import ECGSignalError
from ecgcore.core.leads import INDEPENDENT, LEADS, derive_limb_leads


@dataclass(frozen=True, eq=False)
class ECG:
    """An ECG: the 12 standard leads, or a subset of them (a single-lead wearable, a 2-lead Holter strip).

    signal: float32 array shaped (leads, samples) in millivolts, one row per entry of `leads`.
    fs: sampling rate in Hz.
    record_id: a name that identifies the record within its source (e.g. "ptbxl/00001" or an upload name).
    source: where it came from ("ptbxl", "cinc/georgia", "ptbdb", "upload:wfdb", "synthetic", ...).
    leads: the lead of each row: `LEADS` (in that order) for a 12-lead record; for fewer leads, the canonical
        leads present in canonical order, then Holter leads such as `MLII` (`ecgcore.core.leads.HOLTER_LEADS`), or
        the single channel `ECG` of a recording that does not say its lead (`ecgcore.core.leads.ALL_LEADS`).
        Consumers draw and measure the leads present; the 12-lead models take `twelve_leads(ecg)`.
    derived: leads computed from others rather than recorded (e.g. III, aVR, aVL, aVF from I and II).
    age, sex: where known (sex "M" / "F"), else None; never invented.
    labels: ground-truth diagnostic superclasses where known, None where the record is unlabelled.
    meta: anything else worth showing (report text, SCP codes with likelihoods, SNOMED codes, notes).
    """

    signal: np.ndarray
    fs: float
    record_id: str
    source: str
    leads: tuple[str, ...] = LEADS
    derived: tuple[str, ...] = ()
    age: float | None = None
    sex: str | None = None
    labels: tuple[str, ...] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.signal.ndim != 2 or self.signal.shape[0] != len(self.leads):
            raise ValueError(f"signal must be (leads, samples) with {len(self.leads)} leads, got {self.signal.shape}")
        if self.signal.dtype != np.float32:
            object.__setattr__(self, "signal", self.signal.astype(np.float32))
        if not self.fs > 0:
            raise ValueError(f"sampling rate must be positive, got {self.fs}")

    @property
    def is_twelve_lead(self) -> bool:
        """True when the rows are the 12 standard leads in `LEADS` order."""
        return tuple(self.leads) == LEADS

    @property
    def n_samples(self) -> int:
        return int(self.signal.shape[1])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.n_samples / self.fs

    def lead(self, name: str) -> np.ndarray:
        """One lead's samples in mV."""
        return self.signal[self.leads.index(name)]

    def with_signal(self, signal: np.ndarray, fs: float | None = None, **changes: Any) -> "ECG":
        """A copy with a new signal (and optionally rate or other fields)."""
        return replace(self, signal=signal.astype(np.float32, copy=False), fs=self.fs if fs is None else fs, **changes)

    def summary(self) -> dict[str, Any]:
        """What was understood about the record, as plain JSON-able values."""
        return {
            "record_id": self.record_id,
            "source": self.source,
            "fs": self.fs,
            "samples": self.n_samples,
            "duration_s": round(self.duration, 3),
            "leads": list(self.leads),
            "derived": list(self.derived),
            "age": self.age,
            "sex": self.sex,
            "labels": None if self.labels is None else list(self.labels),
        }


def twelve_leads(ecg: ECG) -> ECG:
    """`ecg` as a 12-lead record for the 12-lead models: as it is when it has the 12 leads; with III, aVR, aVL
    and aVF computed (Einthoven/Goldberger, marked in `derived`) when it has the 8 independent leads I, II,
    V1-V6; else an `ECGSignalError` that says plainly the models cannot score it and what they need. A record
    whose limb leads break Einthoven's/Goldberger's equations (meta["limb_leads"] == "inconsistent", set by the
    readers) is refused too.
    """
    if ecg.meta.get("limb_leads") == "inconsistent":
        raise ECGSignalError(
            "The 12-lead models will not score this record: its limb leads do not fit Einthoven's and Goldberger's "
            "equations, so the leads are probably mislabelled or in another order. Export it again with the leads "
            "named correctly. The record can still be viewed.")
    if ecg.is_twelve_lead:
        return ecg
    present = set(ecg.leads)
    if all(lead in present for lead in INDEPENDENT):
        rows = {lead: ecg.lead(lead) for lead in ecg.leads if lead in LEADS}
        rows.update({k: v for k, v in derive_limb_leads(rows["I"], rows["II"]).items() if k not in rows})
        derived = tuple(lead for lead in LEADS if lead not in present or lead in ecg.derived)
        return replace(ecg, signal=np.stack([rows[lead] for lead in LEADS]).astype(np.float32), leads=LEADS,
                       derived=derived)
    missing = [lead for lead in INDEPENDENT if lead not in present]
    raise ECGSignalError(
        f"The 12-lead models cannot score this record: it holds {len(ecg.leads)} lead(s) ({', '.join(ecg.leads)}) "
        f"and lacks {', '.join(missing)}. They need the 12 standard leads, or the 8 independent ones (I, II, V1-V6) "
        "from which III, aVR, aVL and aVF are computed. The record can still be viewed and measured."
    )
