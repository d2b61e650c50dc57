"""`analyse_record(ecg) -> RecordAnalysis`: beats, rhythm, median beat, fiducials, measurements, flags, notes.

Reads like neurokit2's `ecg_process`, one step each:
    resample (once, to ANALYSIS_FS) -> clean (`delineate.clean`) -> quality (`quality.assess`: flat spans,
    dead leads) -> R-peaks (`peaks.find_beats`) -> delineate (`delineate.delineate` on the clean beats, combined
    over leads) -> rhythm (`rhythm.classify`) -> measure (`measure.measurements`) -> flags (`flags.flags_for`).
R-peaks are returned in samples of the input rate; the median beat and the fiducials are at ANALYSIS_FS, the
fiducials in ms from R so they can be drawn on any window. Works on any subset of the 12 leads (the leads
present); a record where nothing can be measured gives measurements that are None with their reasons, never
an exception.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.leads import LEADS
from ecgcore.signal import delineate as dl
from ecgcore.signal import quality
from ecgcore.signal.beats import BEAT_AFTER_S, BEAT_BEFORE_S, median_beat
from ecgcore.signal.flags import Flag, flags_for
from ecgcore.signal.measure import FEW_BEATS, INVERTED, KEYS, UNITS, Measurement, frontal_axis, measurements
from ecgcore.signal.peaks import DEFAULT_RPEAK_METHOD, Beats, find_beats
from ecgcore.signal.resample import ecg_resample
from ecgcore.signal.rhythm import P_WINDOW_S, Rhythm, classify, valid_rr

ANALYSIS_FS = 500.0
#: measurement key -> the label shown to users (app, CLI, PDF), in display order
LABELS: dict[str, str] = {"HR": "Heart rate", "PR": "PR", "QRS": "QRS", "QT": "QT", "QTc_Bazett": "QTc Bazett",
                          "QTc_Fridericia": "QTc Fridericia", "axis": "Frontal QRS axis"}
#: the median beat's window around R, seconds (room for a long PR before and a long QT after)
MEDIAN_BEFORE_S = 0.5
MEDIAN_AFTER_S = 0.7
EXCLUDED_MARGIN_S = 0.3       # clean beats keep this far from a flat (excluded) span
MAX_DELINEATED = 120           # beats given to the delineator (a 30-minute record: its first 120 clean beats)


@dataclass(frozen=True)
class RecordAnalysis:
    """Everything measured on one record.

    beats: R-peaks in samples of the input rate `beats.fs` (`beats.reason` says why there are none).
    premature, clean: (beats,) bool: premature beats; beats used for the median beat and delineation.
    median: (leads, samples) median of the clean beats of the cleaned signal (mV) at `analysis_fs`, R at
    sample `median_r`; NaN when no beat fits. fiducials_ms: global P/QRS/T points, ms from R (missing = not found; P points only where a PR is measured).
    measurements: `measure.KEYS` -> Measurement. excluded_s: [(start, end)] seconds left out (flat spans).
    confidence: "high" | "reduced" | "low" (with confidence_reason). dead_leads: leads flat over most of the
    record (left out of every measurement).
    """

    record_id: str
    leads: tuple[str, ...]
    beats: Beats
    premature: np.ndarray
    clean: np.ndarray
    rhythm: Rhythm
    analysis_fs: float
    median: np.ndarray
    median_r: int
    fiducials_ms: dict[str, float]
    measurements: dict[str, Measurement]
    flags: tuple[Flag, ...]
    notes: tuple[str, ...]
    excluded_s: tuple[tuple[float, float], ...] = ()
    confidence: str = "high"
    confidence_reason: str | None = None
    per_lead_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    dead_leads: tuple[str, ...] = ()

    @property
    def rpeaks(self) -> np.ndarray:
        return self.beats.rpeaks

    @property
    def fs(self) -> float:
        return self.beats.fs

    def value(self, key: str) -> float | None:
        """A measurement's value (None when not measurable)."""
        return self.measurements[key].value

    def flags_of(self, key: str) -> tuple[Flag, ...]:
        """The flags of one measurement ("QTc" covers both QTc keys)."""
        k = "QTc" if key.startswith("QTc") else key
        return tuple(f for f in self.flags if f.key == k)

    def rows(self) -> list[dict[str, str | None]]:
        """One row per shown measurement (LABELS order): label, text ("120 ms" or "—"), reason (why "—"),
        flags (their texts joined by "; ", or None)."""
        out = []
        for key, label in LABELS.items():
            m = self.measurements[key]
            flags = self.flags_of(key) if key != "QTc_Fridericia" else ()
            out.append({"key": key, "label": label, "text": m.text(), "reason": m.reason,
                        "flags": "; ".join(f.text for f in flags) or None})
        return out

    def to_dict(self) -> dict:
        """Plain JSON values: rhythm, measurements (value or null + reason), flags, notes."""
        return {
            "record_id": self.record_id,
            "rhythm": self.rhythm.name,
            "rhythm_reason": self.rhythm.reason,
            "beats": int(self.beats.n),
            "premature_beats": [int(i) for i in np.flatnonzero(self.premature)],
            "measurements": {k: m.to_dict() for k, m in self.measurements.items()},
            "flags": [f.to_dict() for f in self.flags],
            "notes": list(self.notes),
            "excluded_s": [list(map(lambda v: round(v, 2), s)) for s in self.excluded_s],
            "confidence": self.confidence,
            "confidence_reason": self.confidence_reason,
            "fiducials_ms": {k: round(v, 1) for k, v in self.fiducials_ms.items()},
        }


def _nothing(ecg: ECG, beats: Beats, notes: list[str], reason: str) -> RecordAnalysis:
    n = len(beats.rpeaks)
    ms = {k: Measurement(None, UNITS[k], reason) for k in KEYS}
    return RecordAnalysis(ecg.record_id, ecg.leads, beats, np.zeros(n, bool), np.zeros(n, bool),
                          Rhythm("not determined", None, None, math.nan, np.zeros(n, bool), reason=reason),
                          ANALYSIS_FS, np.full((len(ecg.leads), 1), np.nan), 0, {}, ms, (), tuple(notes),
                          confidence="low", confidence_reason=reason)


@dataclass(frozen=True)
class AnalysisOptions:
    """Choices of the analysis a caller may pin. The defaults are the analysis shown everywhere; only the kernel
    model passes others (`ecgcore.models.kernel_features.ANALYSIS`: the analysis its weights were fitted with).

    p_window_s: the P-wave search stretch (start, end) in seconds before QRS onset (`rhythm.P_WINDOW_S`, long
    enough for a PR of 400 ms); qrs_from_velocity: QRS onset/offset from the median beat's spatial velocity
    where it agrees with the per-lead delineation (`delineate.spatial_velocity_qrs`)."""

    p_window_s: tuple[float, float] = P_WINDOW_S
    qrs_from_velocity: bool = True


def analyse_record(ecg: ECG, rpeak_method: str = DEFAULT_RPEAK_METHOD,
                   options: AnalysisOptions = AnalysisOptions()) -> RecordAnalysis:
    """Analyse one record (any rate, any subset of the 12 leads, mV). See the module docstring; `options`:
    `AnalysisOptions` (the defaults unless a model pins the analysis it was fitted with)."""
    fs_in = float(ecg.fs)
    work = ecg_resample(ecg, ANALYSIS_FS)
    fs = ANALYSIS_FS
    sig = np.nan_to_num(work.signal.astype(np.float32))  # a copy: flat spans are bridged in it below
    notes: list[str] = []
    if fs_in != fs:
        notes.append(f"analysed at {fs:g} Hz (resampled once from {fs_in:g} Hz)")
    q = quality.assess(sig, fs, work.leads)
    notes += q.notes
    usable = q.mask(work.n_samples)
    live = tuple(lead for lead in work.leads if lead not in q.dead_leads)
    found = find_beats(work, rpeak_method)
    rp = found.rpeaks[usable[found.rpeaks]] if found.ok else found.rpeaks
    scale = fs_in / fs
    beats = Beats(np.unique(np.clip(np.round(rp * scale).astype(np.int64), 0, ecg.n_samples - 1)), fs_in,
                  found.method, found.lead, found.reason, found.template_corr)
    if not found.ok or not live:
        return _nothing(ecg, beats, notes + [found.reason or "no usable lead"], FEW_BEATS)
    li = [work.leads.index(lead) for lead in live]
    for a, b in q.excluded:  # bridge each flat span with a straight line: no step for the filters to ring on
        left, right = sig[:, max(a - 1, 0)], sig[:, min(b, sig.shape[1] - 1)]
        sig[:, a:b] = left[:, None] + (right - left)[:, None] * np.linspace(0, 1, b - a)[None, :]
    cleaned_all = dl.clean(sig, fs)
    cleaned = cleaned_all if len(li) == len(work.leads) else cleaned_all[li]
    before, after = int(round(BEAT_BEFORE_S * fs)), int(round(BEAT_AFTER_S * fs))
    in_record = (rp - before >= 0) & (rp + after <= len(usable))
    # a beat is clean when its window lies in usable signal at least EXCLUDED_MARGIN_S away from an excluded
    # span
    from scipy.ndimage import binary_erosion

    margin = int(round(EXCLUDED_MARGIN_S * fs))
    usable_far = binary_erosion(np.pad(usable, margin, constant_values=True), np.ones(2 * margin + 1, bool))[
        margin:-margin] if q.excluded.size and margin else usable
    window_ok = np.array([in_record[i] and usable_far[max(0, r - before):r + after].all()
                          for i, r in enumerate(rp)])
    # rhythm first needs a QRS onset; premature beats are then kept out of the median beat
    ok_rr = valid_rr(rp, usable)
    rr_s = np.diff(rp)[ok_rr] / fs
    # delineated beats: the clean-window beats, at most MAX_DELINEATED of them (the first), so a long record
    # costs what a few minutes do
    sel = np.flatnonzero(window_ok)[:MAX_DELINEATED]
    if len(sel) >= 2:
        lo, hi = max(0, int(rp[sel[0]] - fs)), min(sig.shape[1], int(rp[sel[-1]] + fs))
        pts = dl.delineate(sig[li, lo:hi], fs, rp[sel] - lo, dl.DEFAULT_METHOD, cleaned=cleaned[:, lo:hi]) + lo
    else:
        pts = np.full((len(li), 0, len(dl.FIDUCIALS)), np.nan)
    fid_s = {k: v / fs for k, v in dl.record_fiducials(pts, rp[sel], dl.DEFAULT_COMBINE).items()}
    rr_med = float(np.median(rr_s)) if len(rr_s) else 1.0
    t_off_s = fid_s.get("T_off", fid_s.get("T_peak", 0.3 * rr_med ** 0.5) + 0.1)
    rhythm = classify(rp, fs, usable, cleaned, live, fid_s.get("QRS_on", -0.04), t_off_s, options.p_window_s)
    clean = window_ok & ~rhythm.premature
    fid_ms = {k: v * 1000.0 for k, v in fid_s.items() if k != "R"}
    mb = int(round(MEDIAN_BEFORE_S * fs))
    median = median_beat(cleaned_all, rp[clean], fs, MEDIAN_BEFORE_S, MEDIAN_AFTER_S)
    if options.qrs_from_velocity and np.isfinite(median).all() and "QRS_on" in fid_ms and "QRS_off" in fid_ms:
        sv = dl.spatial_velocity_qrs(median[li], mb, fs)
        if sv is not None and abs((sv[1] - sv[0]) - (fid_ms["QRS_off"] - fid_ms["QRS_on"])) <= dl.SV_AGREE_MS:
            fid_ms["QRS_on"], fid_ms["QRS_off"] = sv
    per_lead = {}
    if pts.shape[1]:
        with np.errstate(all="ignore"):
            for k, lead in enumerate(live):
                rel_l = pts[k] - rp[sel][:, None]
                per_lead[lead] = {name: float(np.nanmedian(rel_l[:, i])) / fs * 1000 for name, i in dl.IDX.items()
                                  if np.isfinite(rel_l[:, i]).any()}
    fid_idx = {k: mb + int(round(v * fs / 1000)) for k, v in fid_ms.items()}
    pol = quality.polarity_notes(median[li], live, mb, fid_idx) if np.isfinite(median).all() else ()
    notes += pol
    axis = frontal_axis(median[li], live, mb, fs, fid_ms) if np.isfinite(median).all() \
        else Measurement(None, "deg", FEW_BEATS)
    if any("looks inverted" in n for n in pol):
        axis = Measurement(None, "deg", INVERTED)
    ms = measurements(rr_s, int(clean.sum()), fid_ms, rhythm.p_waves, rhythm.af, axis)
    if not ms["PR"].ok:  # no P wave to point at: none is drawn either
        fid_ms = {k: v for k, v in fid_ms.items() if not k.startswith("P_")}
    if rhythm.reason:
        notes.append(rhythm.reason)
    flagged = flags_for({"PR": ms["PR"].value, "QRS": ms["QRS"].value, "QTc": ms["QTc_Bazett"].value,
                         "HR": ms["HR"].value, "axis": ms["axis"].value}, ecg.sex)
    excluded = tuple((a / fs, b / fs) for a, b in q.excluded)
    conf, why = quality.confidence(found.template_corr, sum(b - a for a, b in excluded), work.duration)
    if why:
        notes.append(f"confidence {conf}: {why}")
    return RecordAnalysis(ecg.record_id, ecg.leads, beats, rhythm.premature, clean, rhythm, fs, median, mb,
                          fid_ms, ms, flagged, tuple(notes), excluded, conf, why, per_lead, tuple(q.dead_leads))


def analyse_array(signal: np.ndarray, fs: float, leads: tuple[str, ...] = LEADS,
                  record_id: str = "array", options: AnalysisOptions = AnalysisOptions()) -> RecordAnalysis:
    """`analyse_record` on a bare (leads, samples) array in mV (e.g. a model's input)."""
    return analyse_record(ECG(np.asarray(signal, dtype=np.float32), float(fs), record_id, "array", tuple(leads)),
                          options=options)
