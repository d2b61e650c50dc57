"""A SYNTHETIC Holter-length record (hours, a few leads) with a known rhythm course, for scoring benchmarks.

`simulate_holter(hours, fs, leads, af_hours, seed)` tiles 10 s records rendered by `simulate_record` (one
patient: same morphology seeds, heart rate following a day-night course, a few premature beats) into one long
recording, with atrial fibrillation over the hours `af_hours` (start, end). A small pool of distinct pieces
is rendered and reused, so a 24-hour record takes seconds to make; pieces join at 10 s boundaries (a beat may be
cut there, as at any segment edge). `write_holter` saves it as a WFDB record (format 16, 1 µV per count).
Returns `HolterRecord`: the signal, and per 10 s piece its rhythm, heart rate and premature beats (the truth
a time course can be checked against). Not a patient: meta["synthetic"] is True.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.leads import LEADS

PIECE_S = 10.0
HOLTER_LEADS = ("II", "V1", "V5")


@dataclass
class HolterRecord:
    """ecg: the record (mV, `fs`); truth: per 10 s piece (rhythm "SR"/"AFIB", hr bpm, pvc, pac counts)."""

    ecg: ECG
    truth: list[dict]


def simulate_holter(hours: float = 24.0, fs: int = 250, leads: tuple[str, ...] = HOLTER_LEADS,
                    af_hours: tuple[float, float] | None = (2.0, 4.0), pool: int = 24, seed: int = 0) -> HolterRecord:
    """A synthetic Holter record of `hours` at `fs` Hz (a divisor of 500) with `leads` (of the 12), atrial
    fibrillation from af_hours[0] to af_hours[1] (hours from the start; None: none). `pool` distinct pieces
    per rhythm are rendered. Memory: the float32 result (leads x hours*3600*fs) plus one piece."""
    from scipy.signal import resample_poly

    from ecgcore.synth.cohort import make_spec
    from ecgcore.synth.record import simulate_record

    if 500 % fs:
        raise ValueError(f"fs must divide 500 (e.g. 125, 250, 500), got {fs}")
    rng = np.random.default_rng(seed)
    rows = [LEADS.index(lead) for lead in leads]
    pieces: dict[str, list[tuple[np.ndarray, dict]]] = {"SR": [], "AFIB": []}
    for rhythm in pieces:
        for k in range(pool):
            hr = float(rng.uniform(55, 95) if rhythm == "SR" else rng.uniform(80, 130))
            n_pvc, n_pac = int(rng.random() < 0.3), int(rng.random() < 0.2 and rhythm == "SR")
            spec = make_spec(None, seed=seed, ecg_id=1 + k + (pool if rhythm == "AFIB" else 0), rhythm=rhythm,
                             hr=hr, n_pvc=n_pvc, n_pac=n_pac, patient_id=1)
            sig = simulate_record(spec, rates=(500,)).signals[500][rows]
            if fs != 500:
                sig = resample_poly(sig, 1, 500 // fs, axis=1)
            pieces[rhythm].append((sig.astype(np.float32), {"rhythm": rhythm, "hr": hr, "pvc": n_pvc, "pac": n_pac}))
    n_pieces = int(round(hours * 3600 / PIECE_S))
    step = int(PIECE_S * fs)
    out = np.empty((len(leads), n_pieces * step), dtype=np.float32)
    truth = []
    for i in range(n_pieces):
        hour = i * PIECE_S / 3600
        rhythm = "AFIB" if af_hours and af_hours[0] <= hour < af_hours[1] else "SR"
        sig, facts = pieces[rhythm][int(rng.integers(pool))]
        out[:, i * step:(i + 1) * step] = sig[:, :step]
        truth.append({"start_s": i * PIECE_S, **facts})
    ecg = ECG(out, float(fs), "synthetic-holter", "synthetic", leads=tuple(leads),
              meta={"synthetic": True, "hours": hours})
    return HolterRecord(ecg, truth)


def write_holter(record: HolterRecord, folder: str | Path, name: str = "holter") -> Path:
    """Write the record as WFDB (`name`.hea + `name`.dat, format 16, 1000 counts per mV); returns the .hea."""
    import wfdb

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ecg = record.ecg
    digital = np.empty((ecg.n_samples, len(ecg.leads)), dtype=np.int16)
    for j in range(len(ecg.leads)):  # one lead at a time: no float64 copy of the whole record
        digital[:, j] = np.clip(np.round(ecg.signal[j] * 1000.0), -32767, 32767).astype(np.int16)
    wfdb.wrsamp(name, fs=ecg.fs, units=["mV"] * len(ecg.leads), sig_name=list(ecg.leads), d_signal=digital,
                fmt=["16"] * len(ecg.leads), adc_gain=[1000.0] * len(ecg.leads), baseline=[0] * len(ecg.leads),
                write_dir=str(folder), comments=["SYNTHETIC Holter record (ecgcore.synth.holter); not a patient"])
    return folder / f"{name}.hea"
