"""Beat schedules: when each QRS starts, what kind of beat it is, and where P waves fall (times in seconds).

Sinus rhythms get heart-rate variability (respiratory sinus arrhythmia + a ~0.1 Hz component + jitter);
atrial fibrillation gets irregularly irregular RR and no P waves; PVCs are premature with a compensatory
pause, PACs premature with a reset; 2nd-degree (Wenckebach) and 3rd-degree AV block drop or dissociate QRS
complexes from P waves.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SINUS, PVC, PAC = 0, 1, 2


@dataclass
class Schedule:
    """Ventricular beats (QRS onsets `onset`, kind, preceding RR, P-to-QRS extra delay), P waves independent
    of the QRS (`atrial_only`: P onsets, 3rd-degree block), QRS onsets that a conducted P would have had but
    were blocked (`blocked`, 2nd-degree block; their P onset is that time minus the PR) and the (start, end)
    of those pauses (`dropped`)."""

    onset: np.ndarray
    kind: np.ndarray
    rr_prev: np.ndarray
    conducted: np.ndarray
    pr_extra: np.ndarray
    atrial_only: np.ndarray
    blocked: np.ndarray
    resp_hz: float
    dropped: list[tuple[float, float]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.onset.size)


def _sinus_times(rng: np.random.Generator, rr0: float, t0: float, t1: float, rsa: float, resp_hz: float,
                 irregular: float = 0.0) -> np.ndarray:
    """QRS onset times from t0 to t1 with HRV (rsa: relative RSA depth) or AF-like irregularity."""
    n_max = int((t1 - t0) / (0.3 * rr0)) + 4
    phase_r, phase_l = rng.uniform(0, 2 * np.pi, 2)
    lf_hz, lf = rng.uniform(0.06, 0.12), rng.uniform(0.005, 0.03)
    jitter = rng.normal(0.0, 0.008, n_max)
    af = np.exp(rng.normal(0.0, irregular, n_max)) if irregular else np.ones(n_max)
    times = [t0]
    for i in range(n_max):
        t = times[-1]
        rr = rr0 * (1.0 + rsa * np.sin(2 * np.pi * resp_hz * t + phase_r) + lf * np.sin(2 * np.pi * lf_hz * t + phase_l)
                    + jitter[i]) * af[i]
        times.append(t + max(rr, 0.3))
        if times[-1] > t1:
            break
    return np.asarray(times)


def make_schedule(rng: np.random.Generator, hr: float, rhythm: str, duration: float, age: float,
                  n_pvc: int = 0, n_pac: int = 0, av_block: str = "") -> Schedule:
    """A beat schedule over [0, duration] (beats start up to ~1.5 s before and end after, so edges are partial).

    hr: mean ventricular rate (bpm); rhythm: SR/SBRAD/STACH/SARRH/AFIB; av_block: "", "2AVB" or "3AVB".
    """
    rr0 = 60.0 / hr
    resp_hz = float(rng.uniform(0.15, 0.33))
    rsa = float(rng.uniform(0.005, 0.035) * (1.6 if age < 35 else 1.0))
    if rhythm == "SARRH":
        rsa = float(rng.uniform(0.07, 0.14))
    t0 = -rng.uniform(0.3, 1.0) * rr0 - 0.5
    t1 = duration + 1.0
    atrial_only = np.zeros(0)
    blocked = np.zeros(0)
    dropped: list[tuple[float, float]] = []
    if rhythm == "AFIB":
        onset = _sinus_times(rng, rr0, t0, t1, 0.0, resp_hz, irregular=0.2)
        conducted = np.zeros(onset.size, bool)
    elif av_block == "3AVB":
        onset = _sinus_times(rng, 60.0 / rng.uniform(32, 48), t0, t1, 0.0, resp_hz)
        conducted = np.zeros(onset.size, bool)
        atrial_only = _sinus_times(rng, 60.0 / rng.uniform(65, 95), t0 - 0.3, t1, rsa, resp_hz)
    else:
        onset = _sinus_times(rng, rr0, t0, t1, rsa, resp_hz)
        conducted = np.ones(onset.size, bool)
    kind = np.full(onset.size, SINUS)
    pr_extra = np.zeros(onset.size)
    if av_block == "2AVB" and rhythm != "AFIB":
        cycle = int(rng.integers(3, 6))                      # Wenckebach 3:2 .. 5:4
        step = rng.uniform(0.05, 0.09)
        keep = np.ones(onset.size, bool)
        start = int(rng.integers(0, cycle))
        for i in range(onset.size):
            pos = (i + start) % cycle
            if pos == cycle - 1:
                keep[i] = False                               # P conducts to nothing
            else:
                pr_extra[i] = step * pos * (1.0 - 0.25 * pos / cycle)
        blocked = onset[~keep]
        onset = onset + pr_extra                              # P-P stays regular, R-R shortens
        for i in np.flatnonzero(~keep):
            nxt = onset[i + 1] if i + 1 < onset.size else onset[i] + rr0
            dropped.append((float(onset[i]), float(nxt)))       # would-be QRS onset .. next QRS onset
        onset, kind, pr_extra, conducted = onset[keep], kind[keep], pr_extra[keep], conducted[keep]
    idx = np.arange(1, onset.size - 1)
    inside = idx[(onset[idx] > 0.3) & (onset[idx] < duration - 0.6)]
    if n_pac and inside.size:
        for i in np.sort(rng.choice(inside, size=min(n_pac, inside.size), replace=False)):
            rr = onset[i] - onset[i - 1]
            new = onset[i - 1] + rr * rng.uniform(0.6, 0.78)
            onset[i:] -= onset[i] - new                       # sinus node reset
            kind[i] = PAC
    if n_pvc and inside.size:
        cand = inside[kind[inside] == SINUS]
        if cand.size:
            for i in rng.choice(cand, size=min(n_pvc, cand.size), replace=False):
                rr = onset[i] - onset[i - 1]
                onset[i] = onset[i - 1] + rr * rng.uniform(0.5, 0.72)   # compensatory pause follows
                kind[i] = PVC
                conducted[i] = False
    rr_prev = np.diff(onset, prepend=onset[0] - rr0)
    return Schedule(onset=onset, kind=kind, rr_prev=rr_prev, conducted=conducted, pr_extra=pr_extra,
                    atrial_only=atrial_only, blocked=blocked, resp_hz=resp_hz, dropped=dropped)
