"""Pacemaker spikes, found on the UNFILTERED signal at the record's own rate (a 0.5-40 Hz filter smears a
0.5 ms spike into nothing).

A spike is a sample that stands out from the line joining its neighbours SPIKE_HALF_S on either side by at
least SPIKE_MV, where the signal also jumps by at least SLOPE_MV_PER_MS between two samples (a QRS never
rises that steeply; a pacing artefact does). Spikes within SAME_SPIKE_S of each other are one spike, kept when it
shows in at least MIN_SPIKE_LEADS leads. A beat
is ventricular-paced when a spike lies within VENTRICULAR_WINDOW_S before its R-peak, atrial-paced when one lies
within ATRIAL_WINDOW_S before it; the record is paced when at least PACED_FRACTION of its beats are.
Records below MIN_FS (PTB-XL's 100 Hz version) keep too little of a spike: pacing is "not assessable" there.
The thresholds were chosen on the tuning part (`ecgcore.data.tuning`: LUDB 1-70 with pacemaker records 8, 34,
45; the PTB-XL PACE records and 150 others, the Challenge pacing records, halved by record id) from a grid of
SPIKE_MV (0.25, 0.4) x SLOPE_MV_PER_MS (0.25, 0.35) x MIN_SPIKE_LEADS (1, 2) x PACED_FRACTION (0.4, 0.5): the
settings without a false pacing call there found 5 of its 7 paced records; these are the first of them. Held
out (LUDB 71-100 and the other half) they found 4 of 9 paced records and called pacing on none of 101 others.
Missed: records whose spikes the recorder filtered away (LUDB 8, 90, 93, 95 show none at 500 Hz).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPIKE_HALF_S = 0.004
SPIKE_MV = 0.25
SLOPE_MV_PER_MS = 0.35
SAME_SPIKE_S = 0.01
VENTRICULAR_WINDOW_S = (-0.12, 0.0)
ATRIAL_WINDOW_S = (-0.40, -0.12)
PACED_FRACTION = 0.5
MIN_FS = 250.0
MIN_SPIKE_LEADS = 2           # a spike in one lead alone is an artefact more often than a pacemaker


@dataclass(frozen=True)
class Pacing:
    """spikes_s: spike times (s from the record's start); leads: the leads each spike showed in (joined);
    ventricular, atrial: share of beats paced in the ventricle / atrium; paced: the record is paced
    (None: not assessable, with reason)."""

    spikes_s: tuple[float, ...]
    spike_leads: tuple[str, ...]
    ventricular: float
    atrial: float
    paced: bool | None
    reason: str | None = None

    @property
    def kind(self) -> str | None:
        if not self.paced:
            return None
        if self.ventricular >= PACED_FRACTION and self.atrial >= PACED_FRACTION:
            return "atrioventricular (dual-chamber) paced"
        return "ventricular paced" if self.ventricular >= PACED_FRACTION else "atrial paced"

    def to_dict(self) -> dict:
        return {"paced": self.paced, "kind": self.kind, "spikes_s": [round(t, 4) for t in self.spikes_s],
                "ventricular_fraction": round(self.ventricular, 3), "atrial_fraction": round(self.atrial, 3),
                "reason": self.reason}


def spike_samples(signal: np.ndarray, fs: float) -> tuple[np.ndarray, list[set[int]]]:
    """(spike sample indices at fs, the lead rows each showed in) from (leads, samples) unfiltered mV."""
    x = np.nan_to_num(np.asarray(signal, dtype=np.float64))
    k = max(1, int(round(SPIKE_HALF_S * fs)))
    if x.shape[1] <= 2 * k + 1:
        return np.zeros(0, np.int64), []
    dev = np.abs(x[:, k:-k] - (x[:, :-2 * k] + x[:, 2 * k:]) / 2)
    jump = np.abs(np.diff(x, axis=1)) * fs / 1000.0
    n = dev.shape[1]  # dev[:, j] is sample j + k; its steepness: the larger jump into or out of it
    steep = np.maximum(jump[:, k - 1:k - 1 + n], jump[:, k:k + n])
    hit = (dev >= SPIKE_MV) & (steep >= SLOPE_MV_PER_MS)
    rows, cols = np.nonzero(hit)
    if len(cols) == 0:
        return np.zeros(0, np.int64), []
    order = np.argsort(cols)
    rows, cols = rows[order], cols[order] + k
    gap = max(1, int(round(SAME_SPIKE_S * fs)))
    spikes, leads = [], []
    start = 0
    for i in range(1, len(cols) + 1):
        if i == len(cols) or cols[i] - cols[i - 1] > gap:
            seg_c, seg_r = cols[start:i], rows[start:i]
            if len(set(seg_r.tolist())) >= MIN_SPIKE_LEADS:
                best = seg_c[np.argmax(np.abs(dev[seg_r, seg_c - k]))]
                spikes.append(int(best))
                leads.append(set(seg_r.tolist()))
            start = i
    return np.asarray(spikes, np.int64), leads


def find_pacing(signal: np.ndarray, fs: float, leads: tuple[str, ...], rpeaks: np.ndarray) -> Pacing:
    """Pacing of a record: (leads, samples) unfiltered mV at its own rate `fs`, R-peaks in samples at fs."""
    if fs < MIN_FS:
        return Pacing((), (), 0.0, 0.0, None, f"sampled at {fs:g} Hz: pacing spikes need at least {MIN_FS:g} Hz")
    rpeaks = np.asarray(rpeaks, np.int64)
    if len(rpeaks) < 3:
        return Pacing((), (), 0.0, 0.0, None, "too few beats to judge pacing")
    spikes, rows = spike_samples(signal, fs)
    names = sorted({leads[r] for s in rows for r in s}, key=leads.index)

    def share(window: tuple[float, float]) -> float:
        if len(spikes) == 0:
            return 0.0
        lo, hi = int(round(window[0] * fs)), int(round(window[1] * fs))
        d = spikes[None, :] - rpeaks[:, None]
        return float(((d >= lo) & (d <= hi)).any(axis=1).mean())

    v, a = share(VENTRICULAR_WINDOW_S), share(ATRIAL_WINDOW_S)
    return Pacing(tuple(float(s / fs) for s in spikes), tuple(names), v, a,
                  bool(v >= PACED_FRACTION or a >= PACED_FRACTION))
