"""Signal quality: flat (lead-off) spans, disconnected leads, records that look inverted or limb-reversed, noise.

Flat: a stretch of at least FLAT_MIN_S where a lead's peak-to-peak stays under FLAT_MV (an electrode off, a
saturated or zeroed channel; a living heart moves every lead more than that within a second). A span flat in
at least half of the leads is excluded from the whole record; a lead flat over most of the record is left out.
Polarity is judged on the median beat from net areas (baseline: the PR segment), never from a peak's sign.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLAT_MV = 0.01
FLAT_MIN_S = 1.0
DEAD_LEAD_FRACTION = 0.8       # a lead flat over this share of the record is left out
GOOD_CORR = 0.9                # median beat-to-template correlation: at least this = clean
POOR_CORR = 0.7                # below this = noisy: low confidence


@dataclass(frozen=True)
class Quality:
    """Where the signal can be trusted.

    excluded: (spans, 2) [start, end) sample ranges at the analysis rate left out of every lead.
    dead_leads: leads flat over most of the record (left out of delineation).
    notes: plain sentences for the user.
    """

    excluded: np.ndarray
    dead_leads: tuple[str, ...]
    notes: tuple[str, ...]

    def mask(self, n_samples: int) -> np.ndarray:
        """(samples,) bool, True where the signal is usable."""
        ok = np.ones(n_samples, dtype=bool)
        for a, b in self.excluded:
            ok[a:b] = False
        return ok


def _runs(flag: np.ndarray) -> np.ndarray:
    """(runs, 2) [start, end) of the True runs of a bool array."""
    d = np.diff(np.r_[0, flag.astype(np.int8), 0])
    return np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=1)


def flat_mask(signal: np.ndarray, fs: float) -> np.ndarray:
    """(leads, samples) bool: True inside stretches >= FLAT_MIN_S whose peak-to-peak is < FLAT_MV."""
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    w = max(2, int(round(FLAT_MIN_S * fs)))
    out = np.zeros(signal.shape, dtype=bool)
    if signal.shape[1] < w:
        return out
    for i, lead in enumerate(signal):  # one lead at a time: a long record's peak memory stays small
        x = np.nan_to_num(lead.astype(np.float32))
        # ptp over the window starting at each sample; a flat window marks all of its samples
        ptp = maximum_filter1d(x, w, origin=-(w // 2)) - minimum_filter1d(x, w, origin=-(w // 2))
        start = ptp < FLAT_MV
        start[len(x) - w + 1:] = False
        cover = np.cumsum(np.pad(start, (w, 0)), dtype=np.int32)
        out[i] = (cover[w:] - cover[:-w]) > 0
    return out


def assess(signal: np.ndarray, fs: float, leads: tuple[str, ...]) -> Quality:
    """Flat spans and dead leads of (leads, samples) mV at `fs`."""
    flat = flat_mask(signal, fs)
    n = signal.shape[1]
    dead = tuple(lead for lead, f in zip(leads, flat) if f.mean() >= DEAD_LEAD_FRACTION)
    live = [i for i, lead in enumerate(leads) if lead not in dead]
    notes = []
    if dead:
        notes.append(f"lead{'s' if len(dead) > 1 else ''} {', '.join(dead)} flat over most of the record "
                     "(electrode off or channel not recorded): left out")
    spans = np.zeros((0, 2), dtype=np.int64)
    if live:
        common = flat[live].sum(axis=0) * 2 >= len(live)
        spans = _runs(common).astype(np.int64)
        for a, b in spans:
            notes.append(f"flat signal from {a / fs:.1f} s to {b / fs:.1f} s in "
                         f"{'all' if flat[live][:, a:b].all() else 'most'} leads (electrodes off?): excluded; "
                         "measured on the rest")
        if len(spans) and (spans[:, 1] - spans[:, 0]).sum() >= n:
            notes[-1] = "the whole record is flat: nothing to measure"
    return Quality(spans, dead, tuple(notes))


def net_area(x: np.ndarray, start: int, end: int, base: float) -> float:
    """Sum of (x - base) over [start, end) samples (mV x samples)."""
    start, end = max(0, start), min(len(x), end)
    return float(np.sum(x[start:end] - base)) if end > start else float("nan")


def polarity_notes(median: np.ndarray, leads: tuple[str, ...], r: int, fid: dict[str, int]) -> tuple[str, ...]:
    """Notes on leads whose waves all point the wrong way, from the median beat (leads, samples) with R at r.

    fid: global fiducials as sample indices into the median beat (P_on, P_off, QRS_on, QRS_off, T_on, T_off;
    missing keys skip that wave). Lead I with negative P (when there is one), QRS and T: "possible limb-lead
    reversal". I, II, V5, V6 negative and aVR positive: the whole record looks inverted.
    """
    if "QRS_on" not in fid or "QRS_off" not in fid:
        return ()
    on = fid["QRS_on"]
    base_at = max(0, on - max(1, (on - fid["P_off"]) if "P_off" in fid and fid["P_off"] < on else 5))

    def areas(lead: str) -> dict[str, float]:
        x = median[leads.index(lead)]
        base = float(np.mean(x[base_at:on + 1]))
        out = {"QRS": net_area(x, on, fid["QRS_off"] + 1, base)}
        if "P_on" in fid and "P_off" in fid:
            out["P"] = net_area(x, fid["P_on"], fid["P_off"] + 1, base)
        if "T_off" in fid:
            t_on = fid.get("T_on", fid["QRS_off"] + 1)
            out["T"] = net_area(x, t_on, fid["T_off"] + 1, base)
        return out

    notes = []
    a = {lead: areas(lead) for lead in ("I", "II", "aVR", "V5", "V6") if lead in leads}
    negative = lambda lead: all(v < 0 for v in a[lead].values())  # noqa: E731
    inverted = ("aVR" in a and a["aVR"]["QRS"] > 0 and a["aVR"].get("T", 1) > 0
                and sum(negative(x) for x in ("I", "II", "V5", "V6") if x in a) >= 3)
    if inverted:
        notes.append("the record looks inverted (QRS and T negative in I, II, V5, V6 and positive in aVR): "
                     "check the lead polarity")
    elif "I" in a and negative("I") and len(a["I"]) >= 2:
        notes.append("possible limb-lead reversal: P, QRS and T negative in lead I" if "P" in a["I"]
                     else "possible limb-lead reversal: QRS and T negative in lead I")
    return tuple(notes)


def confidence(template_corr: float, excluded_s: float, duration_s: float) -> tuple[str, str | None]:
    """("high" | "reduced" | "low", why or None) from how alike the beats are and how much was excluded."""
    if not template_corr >= POOR_CORR:
        return "low", f"noisy signal: beats correlate {template_corr:.2f} with their median (clean > {GOOD_CORR})"
    if template_corr < GOOD_CORR:
        return "reduced", f"some noise: beats correlate {template_corr:.2f} with their median (clean > {GOOD_CORR})"
    if excluded_s > 0.25 * duration_s:
        return "reduced", f"{excluded_s:.1f} s of {duration_s:.1f} s excluded"
    return "high", None
