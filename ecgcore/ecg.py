"""`ECG`: the one in-memory record type every reader returns and every later stage takes."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ecgcore.leads import LEADS


@dataclass(frozen=True)
class ECG:
    """A 12-lead ECG.

    signal: float32 array shaped (12, samples) in millivolts, leads in `LEADS` order.
    fs: sampling rate in Hz.
    record_id: a name that identifies the record within its source (e.g. "ptbxl/00001" or an upload name).
    source: where it came from ("ptbxl", "cinc/georgia", "ptbdb", "upload:wfdb", "synthetic", ...).
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
