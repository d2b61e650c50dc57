"""The per-lead measurement matrix, as 12SL and the Glasgow program make it, and the global intervals and axes.

Per lead, on the median beat of the cleaned signal (`RecordAnalysis.median`, 500 Hz, mV), between the record's
global QRS onset and offset (`RecordAnalysis.fiducials_ms`):
- the QRS is cut into waves at the zero crossings of (signal - PR baseline); lobes smaller than WAVE_MIN_MV
  are merged into their neighbours (the Minnesota / AHA convention that a wave counts from 20-50 uV). The first
  lobe, when negative and followed by a positive one, is Q; the positive lobes are R and R'; the negative lobes
  after them S and S'. A QRS with no positive lobe is QS (its depth in Q_amp_mV, Q_dur_ms = QRS duration).
  Amplitudes are in mV from the PR baseline (Q and S negative), durations in ms. R_time_ms: the R peak time
  (QRS onset to the peak of R, or of R' when R' is at least half as tall; AHA/ACCF/HRS 2009 part III).
- PR baseline: the mean of the PR_BASELINE_MS before QRS onset (the PR segment; AHA/ACCF/HRS 2009 part V).
- ST_J_mV, ST_J60_mV: the level at the J point (QRS offset) and 60 ms after it, against the PR baseline
  (Fourth Universal Definition of MI measures STEMI at J; J+60 is the usual ischaemia point).
- P_amp_mV (largest deflection, signed) and P_neg_mV / P_neg_ms (the negative part, for the P-terminal force
  in V1); T_amp_mV (largest deflection between J+80 ms and T end, signed); QRS_area_mVms (net area);
  QRS_init40_mVms / QRS_term40_mVms: the net area of the first / last 40 ms of the QRS (the late rightward
  force of RBBB shows as a positive terminal area in V1 and a negative one in I and V6); notched: 1 when the R (or QS / S) lobe holds two peaks NOTCH_MV apart (the LBBB "notched or slurred R").
Global: HR, RR, PR, QRS, QT, QTc (Bazett, Fridericia) from `measure.measurements`; RR_range (ms): the 5th
to 95th percentile spread of the R-R intervals, those into and out of premature beats left out (sinus arrhythmia); the P, QRS and T frontal
axes from the net areas of each wave in I and aVF; pacing spikes found on the unfiltered signal
(`ecgcore.signal.pacing`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ecgcore.signal.pacing import Pacing

WAVE_MIN_MV = 0.03             # a QRS lobe smaller than this is no wave of its own
NOTCH_MV = 0.05                # a dip this deep between two peaks of one lobe = a notch
PR_BASELINE_MS = 20.0
J60_MS = 60.0
T_FROM_J_MS = 80.0
TERMINAL_MS = 40.0             # the initial and terminal QRS forces (bundle-branch-block shapes)
#: per-lead matrix columns (units in the name); missing = not measured in that lead
COLUMNS: tuple[str, ...] = ("P_amp_mV", "P_neg_mV", "P_neg_ms", "P_dur_ms", "Q_amp_mV", "Q_dur_ms", "R_amp_mV", "R_dur_ms",
                            "S_amp_mV", "S_dur_ms", "Rp_amp_mV", "Rp_dur_ms", "Sp_amp_mV", "R_time_ms", "QRS_pp_mV",
                            "QRS_area_mVms", "QRS_init40_mVms", "QRS_term40_mVms", "ST_J_mV", "ST_J60_mV", "T_amp_mV", "notched", "QS")


@dataclass(frozen=True)
class MeasurementMatrix:
    """Per-lead values (`leads[lead][column]`, COLUMNS), global values (`global_values`: HR /min, RR, PR, QRS,
    QT, QTc_Bazett, QTc_Fridericia ms, P_axis, QRS_axis, T_axis deg; None = not measurable, with
    `reasons[key]`), the pacing found, and where the median beat's points lie on the record: `beat_r_s`, the R
    of a representative clean beat (s from the record's start) and `fiducials_ms` (global points, ms from R)."""

    leads: dict[str, dict[str, float]]
    global_values: dict[str, float | None]
    reasons: dict[str, str]
    pacing: Pacing
    fiducials_ms: dict[str, float] = field(default_factory=dict)
    beat_r_s: float | None = None
    rhythm: str = "not determined"
    n_beats: int = 0
    n_premature: int = 0
    irregularity: float = float("nan")
    p_waves: bool | None = None
    confidence: str = "high"
    dead_leads: tuple[str, ...] = ()

    def value(self, key: str) -> float | None:
        return self.global_values.get(key)

    def lead(self, lead: str, column: str) -> float | None:
        v = self.leads.get(lead, {}).get(column)
        return None if v is None or not math.isfinite(v) else float(v)

    def to_dict(self) -> dict:
        def r(v):
            return None if v is None or not math.isfinite(v) else round(float(v), 3)
        return {"global": {k: r(v) for k, v in self.global_values.items()},
                "reasons": dict(self.reasons),
                "leads": {lead: {k: r(v) for k, v in vals.items()} for lead, vals in self.leads.items()},
                "pacing": self.pacing.to_dict(), "fiducials_ms": {k: round(v, 1) for k, v in self.fiducials_ms.items()},
                "rhythm": self.rhythm, "beats": self.n_beats, "premature_beats": self.n_premature,
                "irregularity": r(self.irregularity), "confidence": self.confidence,
                "dead_leads": list(self.dead_leads)}


def _lobes(x: np.ndarray) -> list[tuple[int, int, float]]:
    """[(start, end, signed peak)] of the sign runs of x (baseline-subtracted QRS), small lobes merged."""
    sign = np.sign(x)
    sign[sign == 0] = 1
    edges = np.flatnonzero(np.diff(sign)) + 1
    bounds = np.r_[0, edges, len(x)]
    lobes = [[int(a), int(b), float(x[a:b][np.argmax(np.abs(x[a:b]))])] for a, b in zip(bounds[:-1], bounds[1:])]
    changed = True
    while changed and len(lobes) > 1:  # merge the smallest sub-threshold lobe into its larger neighbour
        changed = False
        small = [i for i, lb in enumerate(lobes) if abs(lb[2]) < WAVE_MIN_MV]
        if not small:
            break
        i = min(small, key=lambda k: abs(lobes[k][2]))
        nb = [j for j in (i - 1, i + 1) if 0 <= j < len(lobes)]
        j = max(nb, key=lambda k: abs(lobes[k][2]))
        a, b = min(lobes[i][0], lobes[j][0]), max(lobes[i][1], lobes[j][1])
        keep = lobes[j][2]
        lobes[min(i, j)] = [a, b, keep]
        del lobes[max(i, j)]
        # neighbours of the same sign now touch: join them
        k = 0
        while k < len(lobes) - 1:
            if np.sign(lobes[k][2]) == np.sign(lobes[k + 1][2]):
                pk = lobes[k][2] if abs(lobes[k][2]) >= abs(lobes[k + 1][2]) else lobes[k + 1][2]
                lobes[k] = [lobes[k][0], lobes[k + 1][1], pk]
                del lobes[k + 1]
            else:
                k += 1
        changed = True
    return [(a, b, p) for a, b, p in lobes]


def _notched(seg: np.ndarray) -> bool:
    """Two peaks of one sign NOTCH_MV above the dip between them."""
    y = np.abs(seg)
    if len(y) < 5:
        return False
    peaks = [i for i in range(1, len(y) - 1) if y[i] >= y[i - 1] and y[i] > y[i + 1]]
    for a, b in zip(peaks[:-1], peaks[1:]):
        if min(y[a], y[b]) - y[a:b + 1].min() >= NOTCH_MV:
            return True
    return False


def lead_values(x: np.ndarray, r: int, fs: float, fid_ms: dict[str, float]) -> dict[str, float]:
    """COLUMNS of one lead's median beat x (mV) with R at sample r, from the global fiducials (ms from R)."""
    out: dict[str, float] = {}
    if "QRS_on" not in fid_ms or "QRS_off" not in fid_ms or not np.isfinite(x).all():
        return out
    ms = fs / 1000.0
    on, off = r + int(round(fid_ms["QRS_on"] * ms)), r + int(round(fid_ms["QRS_off"] * ms))
    if not 0 < on < off < len(x):
        return out
    base = float(np.mean(x[max(0, on - int(round(PR_BASELINE_MS * ms))):on + 1]))
    y = x - base
    qrs = y[on:off + 1]
    lobes = _lobes(qrs)
    pos = [lb for lb in lobes if lb[2] > 0]
    dur = lambda lb: (lb[1] - lb[0]) / ms  # noqa: E731
    if not pos:
        out.update(Q_amp_mV=float(qrs.min()), Q_dur_ms=len(qrs) / ms, R_amp_mV=0.0, R_dur_ms=0.0, S_amp_mV=0.0,
                   S_dur_ms=0.0, QS=1.0)
    else:
        first_pos = lobes.index(pos[0])
        if first_pos > 0:
            q = lobes[0]
            out.update(Q_amp_mV=q[2], Q_dur_ms=dur(q))
        else:
            out.update(Q_amp_mV=0.0, Q_dur_ms=0.0)
        out.update(R_amp_mV=pos[0][2], R_dur_ms=dur(pos[0]), QS=0.0)
        after = lobes[first_pos + 1:]
        negs = [lb for lb in after if lb[2] < 0]
        out.update(S_amp_mV=negs[0][2] if negs else 0.0, S_dur_ms=dur(negs[0]) if negs else 0.0)
        out.update(Rp_amp_mV=pos[1][2] if len(pos) > 1 else 0.0, Rp_dur_ms=dur(pos[1]) if len(pos) > 1 else 0.0)
        out.update(Sp_amp_mV=negs[1][2] if len(negs) > 1 else 0.0)
        last = pos[-1] if len(pos) > 1 and pos[-1][2] >= 0.5 * pos[0][2] else pos[0]
        out["R_time_ms"] = float(last[0] + np.argmax(qrs[last[0]:last[1]])) / ms
    main = max(lobes, key=lambda lb: abs(lb[2]))
    out["notched"] = float(_notched(qrs[main[0]:main[1]]) or (len(pos) > 1 and out.get("QS", 0) == 0 and
                                                                 abs(out.get("Rp_amp_mV", 0)) >= 0.1))
    out["QRS_pp_mV"] = float(qrs.max() - qrs.min())
    out["QRS_area_mVms"] = float(qrs.sum() / ms)
    w40 = max(1, int(round(TERMINAL_MS * ms)))
    out["QRS_init40_mVms"] = float(qrs[:w40].sum() / ms)
    out["QRS_term40_mVms"] = float(qrs[-w40:].sum() / ms)
    out["ST_J_mV"] = float(y[off])
    j60 = off + int(round(J60_MS * ms))
    if j60 < len(y):
        out["ST_J60_mV"] = float(y[j60])
    if "T_off" in fid_ms:
        t0, t1 = off + int(round(T_FROM_J_MS * ms)), r + int(round(fid_ms["T_off"] * ms))
        if t0 < t1 <= len(y):
            seg = y[t0:t1]
            out["T_amp_mV"] = float(seg[np.argmax(np.abs(seg))])
    if "P_on" in fid_ms and "P_off" in fid_ms:
        p0, p1 = r + int(round(fid_ms["P_on"] * ms)), r + int(round(fid_ms["P_off"] * ms))
        if 0 <= p0 < p1 <= on:
            pb = float(x[p0])
            seg = x[p0:p1 + 1] - pb
            out["P_amp_mV"] = float(seg[np.argmax(np.abs(seg))])
            neg = seg < -0.01
            out["P_neg_mV"] = float(min(0.0, seg.min()))
            out["P_neg_ms"] = float(neg.sum() / ms)
    return out


def wave_axis(median: np.ndarray, leads: tuple[str, ...], r: int, fs: float, start_ms: float, end_ms: float,
              base_ms: tuple[float, float]) -> float | None:
    """Frontal axis (deg, -180..180] of a wave from its net areas in I and aVF (aVF = II - I/2 without aVF)
    between start_ms and end_ms from R, baseline the mean over base_ms; None when the leads are missing."""
    if "I" not in leads or ("aVF" not in leads and "II" not in leads):
        return None
    ms = fs / 1000.0
    a, b = r + int(round(start_ms * ms)), r + int(round(end_ms * ms))
    b0, b1 = r + int(round(base_ms[0] * ms)), r + int(round(base_ms[1] * ms))
    if not (0 <= a < b <= median.shape[1] and 0 <= b0 < b1 <= median.shape[1]):
        return None
    lead_i = median[leads.index("I")]
    avf = median[leads.index("aVF")] if "aVF" in leads else median[leads.index("II")] - lead_i / 2
    ar = [float(np.sum(x[a:b] - np.mean(x[b0:b1]))) for x in (lead_i, avf)]
    if not all(map(math.isfinite, ar)) or (ar[0] == 0 and ar[1] == 0):
        return None
    return math.degrees(math.atan2(ar[1], ar[0]))


def measurement_matrix(ecg, analysis) -> MeasurementMatrix:
    """The matrix of one record from its `ECG` (unfiltered, own rate: for the pacing spikes) and its
    `RecordAnalysis` (median beat, fiducials, global measurements)."""
    from ecgcore.signal.pacing import find_pacing

    a = analysis
    fs = a.analysis_fs
    fid = dict(a.fiducials_ms)
    g: dict[str, float | None] = {k: a.measurements[k].value for k in a.measurements}
    reasons = {k: m.reason for k, m in a.measurements.items() if m.reason}
    g["QRS_axis"] = g.pop("axis", None)
    if "axis" in reasons:
        reasons["QRS_axis"] = reasons.pop("axis")
    per: dict[str, dict[str, float]] = {}
    median_ok = a.median.ndim == 2 and a.median.shape[1] > 1 and np.isfinite(a.median).all()
    live = [lead for lead in a.leads if lead not in a.dead_leads]
    if median_ok:
        for lead in live:
            per[lead] = lead_values(a.median[a.leads.index(lead)], a.median_r, fs, fid)
            own = a.per_lead_ms.get(lead, {})
            if g.get("PR") is not None and np.isfinite(own.get("P_off", np.nan) - own.get("P_on", np.nan)):
                per[lead]["P_dur_ms"] = float(own["P_off"] - own["P_on"])  # this lead's own P wave
    p_dur = fid["P_off"] - fid["P_on"] if "P_on" in fid and "P_off" in fid and g.get("PR") is not None else None
    g["P_dur"] = p_dur
    if p_dur is None:
        reasons["P_dur"] = reasons.get("PR", "P wave not delineated")
    lead_tuple = tuple(live)
    med = a.median[[a.leads.index(lead) for lead in live]] if median_ok and live else None
    pr_base = (fid.get("QRS_on", -40.0) - PR_BASELINE_MS, fid.get("QRS_on", -40.0))
    g["P_axis"] = (wave_axis(med, lead_tuple, a.median_r, fs, fid["P_on"], fid["P_off"], pr_base)
                   if med is not None and p_dur is not None else None)
    g["T_axis"] = (wave_axis(med, lead_tuple, a.median_r, fs, fid["QRS_off"] + T_FROM_J_MS, fid["T_off"], pr_base)
                   if med is not None and "T_off" in fid and "QRS_off" in fid else None)
    for k in ("P_axis", "T_axis"):
        if g[k] is None:
            reasons[k] = "needs leads I and aVF (or II) and the wave delineated"
    rp = a.beats.rpeaks
    rr_ms = np.diff(rp) / a.beats.fs * 1000.0
    if len(a.premature) == len(rp) and len(rr_ms):  # leave out the intervals into and out of a premature beat
        near = a.premature[1:] | a.premature[:-1]  # interval j runs from beat j to beat j + 1
        rr_ms = rr_ms[~near]
    g["RR_range"] = (float(np.percentile(rr_ms, 95) - np.percentile(rr_ms, 5)) if len(rr_ms) >= 3 else None)
    clean_idx = np.flatnonzero(a.clean)
    beat_r_s = float(rp[clean_idx[len(clean_idx) // 2]] / a.beats.fs) if len(clean_idx) else None
    pacing = find_pacing(ecg.signal, ecg.fs, ecg.leads, rp)
    if a.rhythm.reason:
        reasons["rhythm"] = a.rhythm.reason
    return MeasurementMatrix(per, g, reasons, pacing, fid, beat_r_s, a.rhythm.name, int(a.beats.n),
                             int(a.premature.sum()), float(a.rhythm.irregularity), a.rhythm.p_waves, a.confidence,
                             tuple(a.dead_leads))
