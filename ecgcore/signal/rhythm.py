"""Rhythm from R-R intervals and atrial activity: sinus rhythm / bradycardia / tachycardia, atrial fibrillation,
irregular rhythm; premature beats.

- RR irregularity: the median |difference of successive RR| over the median RR, on RR intervals that span no
  excluded (flat) stretch; one or two premature beats barely move a median, atrial fibrillation does.
- P waves: in each of the leads where P waves show best (`P_LEADS`: II or the Holter's MLII, V1, I, aVF, III,
  ...: those present), the stretch P_WINDOW_S before QRS onset (long enough for a PR of 400 ms) (but after the previous T end) is cut out of every beat, less the line joining
  its ends (the tail of a T wave is a slope, a P wave a bump); its median is the P template. P waves are
  "consistent" in a lead when the template is at least P_MIN_MV tall and the beats correlate with it at least
  P_MIN_CORR (median); fibrillatory waves neither add up in a median nor correlate from beat to beat.
- Atrial fibrillation: irregular RR (> AF_IRREGULARITY) and no consistent P waves (coarse fibrillatory waves
  can line up by chance in a median, so an irregular rhythm needs P_MIN_CORR_IRREGULAR). Sinus rhythm: consistent P
  waves, upright in II when II is present; bradycardia < 60 /min, tachycardia > 100 /min (AHA/ACC/HRS 2009).
- A beat is premature when its RR is < PREMATURE_RATIO x the median RR and the next RR is longer (a pause).
The thresholds were set on real records with AF/flutter statements (Challenge SNOMED 164889003/164890007 and
LUDB's rhythm statements) against the others: bench/bench_rhythm.py prints the sensitivity and specificity.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: leads searched for P waves, best first: II (or the Holter's modified lead II, MLII, which shows P waves alike),
#: V1, I, aVF, III, the other modified limb leads, and the one channel of a record that does not name its lead
P_LEADS: tuple[str, ...] = ("II", "MLII", "V1", "I", "aVF", "III", "MLI", "MLIII", "ECG")
LEAD_II = ("II", "MLII")
P_WINDOW_S = (0.45, 0.02)      # the P-wave search stretch: from 450 ms (a PR up to 400 ms) to 20 ms before QRS onset
P_MIN_WINDOW_S = 0.1          # a shorter stretch between T end and QRS onset can't show a P wave
P_MIN_MV = 0.04
P_MIN_OTHER_LEADS = 2          # without P waves in II, they must show in this many of the other P leads
P_MIN_CORR = 0.6
P_MIN_CORR_IRREGULAR = 0.85    # an irregular rhythm needs clearer P waves to be called anything but AF
AF_IRREGULARITY = 0.08
PREMATURE_RATIO = 0.85
BRADY_BPM, TACHY_BPM = 60.0, 100.0
MIN_BEATS = 4


@dataclass(frozen=True)
class Rhythm:
    """name: "sinus rhythm", "sinus bradycardia", "sinus tachycardia", "atrial fibrillation", "irregular rhythm",
    "regular rhythm without consistent P waves", or "not determined". p_waves: whether consistent P waves were
    found (None: not judged). irregularity: median |delta RR| / median RR. premature: (beats,) bool.
    reason: why the rhythm is "not determined" (else None)."""

    name: str
    p_waves: bool | None
    p_upright: bool | None
    irregularity: float
    premature: np.ndarray
    p_lead: str | None = None
    reason: str | None = None

    @property
    def af(self) -> bool:
        return self.name == "atrial fibrillation"


def valid_rr(rpeaks: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """(beats - 1,) bool: RR intervals whose span is usable signal throughout (no excluded stretch inside)."""
    if len(rpeaks) < 2:
        return np.zeros(0, dtype=bool)
    bad = np.concatenate([[0], np.cumsum(~usable)])
    return (bad[rpeaks[1:]] - bad[rpeaks[:-1]]) == 0


def irregularity(rr: np.ndarray) -> float:
    """Median |successive RR difference| / median RR (NaN with fewer than 3 intervals)."""
    if len(rr) < 3:
        return float("nan")
    return float(np.median(np.abs(np.diff(rr))) / np.median(rr))


def premature_beats(rpeaks: np.ndarray, ok_rr: np.ndarray) -> np.ndarray:
    """(beats,) bool: beats that come early (RR < PREMATURE_RATIO x median) and are followed by a longer RR."""
    out = np.zeros(len(rpeaks), dtype=bool)
    rr = np.diff(rpeaks).astype(float)
    if ok_rr.sum() < 3:
        return out
    med = np.median(rr[ok_rr])
    for i in range(len(rr) - 1):
        if ok_rr[i] and ok_rr[i + 1] and rr[i] < PREMATURE_RATIO * med and rr[i + 1] > rr[i] * 1.1:
            out[i + 1] = True
    return out


def p_wave_evidence(cleaned: np.ndarray, leads: tuple[str, ...], rpeaks: np.ndarray, fs: float,
                    qrs_on_s: float, t_off_s: float, beats_ok: np.ndarray,
                    min_corr: float = P_MIN_CORR,
                    p_window_s: tuple[float, float] = P_WINDOW_S) -> tuple[bool, bool | None, str | None]:
    """(consistent P waves?, upright in that lead?, the lead) from beats_ok beats of (leads, samples) mV.

    The stretch starts no earlier than the previous beat's T end (median RR + t_off_s before R), so a fast
    rhythm's T waves are not taken for P waves. When lead II is present the P waves must show in II (where
    sinus P waves are clearest) or in P_MIN_OTHER_LEADS of the others (one lead alone can be fooled by
    fibrillatory waves lining up)."""
    rr = float(np.median(np.diff(rpeaks))) / fs if len(rpeaks) > 1 else 1.0
    start_s = min(p_window_s[0] - qrs_on_s, rr - t_off_s)
    if start_s < p_window_s[1] - qrs_on_s + P_MIN_WINDOW_S:  # no room for a P wave between T end and QRS
        return False, None, None
    a = int(round(start_s * fs))
    b = int(round((p_window_s[1] - qrs_on_s) * fs))
    r = rpeaks[beats_ok]
    r = r[(r - a >= 0) & (r - b < cleaned.shape[1])]
    if len(r) < 3:
        return False, None, None
    idx = r[:, None] + np.arange(-a, -b)[None, :]
    hits: list[tuple[float, bool, str]] = []
    for lead in P_LEADS:
        if lead not in leads:
            continue
        seg = cleaned[leads.index(lead)][idx]
        ramp = np.linspace(0.0, 1.0, seg.shape[1])[None, :]
        seg = seg - (seg[:, :1] * (1 - ramp) + seg[:, -1:] * ramp)  # the line joining its ends is the baseline
        tmpl = np.median(seg, axis=0)
        amp = float(np.max(np.abs(tmpl)))
        dev = seg - seg.mean(axis=1, keepdims=True)
        tc = tmpl - tmpl.mean()
        den = np.linalg.norm(dev, axis=1) * np.linalg.norm(tc)
        corr = float(np.median(dev @ tc / np.where(den > 0, den, np.inf)))
        if amp >= P_MIN_MV and corr >= min_corr:
            upright = bool(tmpl[np.argmax(np.abs(tmpl))] > 0)
            if lead in LEAD_II:
                return True, upright, lead
            hits.append((corr, upright, lead))
    if len(hits) >= P_MIN_OTHER_LEADS or (hits and not any(x in leads for x in LEAD_II)):
        best = max(hits)
        return True, best[1], best[2]
    return False, None, None


def classify(rpeaks: np.ndarray, fs: float, usable: np.ndarray, cleaned: np.ndarray, leads: tuple[str, ...],
             qrs_on_s: float, t_off_s: float, p_window_s: tuple[float, float] = P_WINDOW_S) -> Rhythm:
    """The rhythm of a record from its R-peaks (samples at `fs`), usable-signal mask and cleaned leads.

    qrs_on_s, t_off_s: QRS onset and T end relative to R (seconds) from the delineation; p_window_s: the P-wave
    search stretch (start, end) in seconds before QRS onset (P_WINDOW_S; the kernel model keeps the one its
    weights were fitted with, `ecgcore.models.kernel_features.P_WINDOW_S`).
    """
    ok_rr = valid_rr(rpeaks, usable)
    premature = premature_beats(rpeaks, ok_rr)
    rr = np.diff(rpeaks)[ok_rr] / fs
    if len(rpeaks) < MIN_BEATS or len(rr) < MIN_BEATS - 1:
        return Rhythm("not determined", None, None, float("nan"), premature,
                      reason=f"too few clean beats ({len(rr) + 1 if len(rr) else len(rpeaks)}) to judge the rhythm")
    irr = irregularity(rr)
    beat_ok = usable[rpeaks] & ~premature
    irregular = irr > AF_IRREGULARITY
    p, upright, p_lead = p_wave_evidence(cleaned, leads, rpeaks, fs, qrs_on_s, t_off_s, beat_ok,
                                         P_MIN_CORR_IRREGULAR if irregular else P_MIN_CORR, p_window_s)
    hr = 60.0 / float(np.median(rr))
    if irregular and not p:
        name = "atrial fibrillation"
    elif irregular:
        name = "irregular rhythm"
    elif p and (upright or p_lead not in LEAD_II):
        name = "sinus bradycardia" if hr < BRADY_BPM else "sinus tachycardia" if hr > TACHY_BPM else "sinus rhythm"
    elif p:
        name = "regular rhythm, P waves not upright in II (not sinus)"
    else:
        name = "regular rhythm without consistent P waves"
    return Rhythm(name, p, upright, irr, premature, p_lead)
