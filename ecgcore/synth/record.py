"""One synthetic 12-lead record from its spec: signal, lesion windows, true measurements and metadata.

The spec (a plain dict from `ecgcore.synth.cohort`) fixes who the patient is and what they have; every
random choice made here comes from the record's own seeds, so a record does not depend on which worker
renders it or on the other records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ecgcore.core.leads import LEADS
from ecgcore.signal.resample import resample_signal
from ecgcore.synth import lesions as L
from ecgcore.synth.catalogue import SUPERCLASS_OF
from ecgcore.synth.geometry import SQ3_2, to_12
from ecgcore.synth.noise import fibrillatory_waves, make_noise
from ecgcore.synth.rhythm import PAC, PVC, Schedule, make_schedule
from ecgcore.synth.waves import Kernels, Morphology, add_beats, normal_morphology, pvc_morphology, render

DURATION_S = 10.0
#: a lesion "shows" in a lead when its largest change there is >= this share of its largest change anywhere
LEAD_SHARE = 0.5
#: ... and at least this many mV; times where some lead changes by >= WINDOW_SHARE of the peak are the window
MIN_MV = 0.02
WINDOW_SHARE = 0.15
_FINE_FS = 500.0


@dataclass
class SimRecord:
    """signals: rate (Hz) -> (12, samples) float64 mV; lesions: lesion windows; truth: true measurements;
    meta: values for ptbxl_database.csv columns and extra SCP form statements."""

    ecg_id: int
    signals: dict[int, np.ndarray]
    lesions: list[dict[str, Any]]
    truth: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


# -------------------------------------------------------------------------------------- beat analysis
def _beats_on_grid(ms: list[Morphology], rr: float) -> tuple[np.ndarray, list[np.ndarray]]:
    pr = max(m.pr for m in ms)
    qt = max(float(m.qt(rr)) for m in ms)
    t = np.arange(-pr - 0.06, qt + 0.32, 1.0 / _FINE_FS)
    out = []
    for m in ms:
        k = Kernels()
        add_beats(k, m, np.array([0.0]), np.array([rr]), np.array([-m.pr]))
        out.append(to_12(render(k, t)))
    return t, out


def _segments(active: np.ndarray, t: np.ndarray, gap: float = 0.04) -> list[tuple[float, float]]:
    idx = np.flatnonzero(active)
    if idx.size == 0:
        return []
    segs, start, prev = [], idx[0], idx[0]
    for i in idx[1:]:
        if t[i] - t[prev] > gap:
            segs.append((float(t[start]), float(t[prev])))
            start = i
        prev = i
    segs.append((float(t[start]), float(t[prev])))
    return segs


def lesion_footprint(before: Morphology, after: Morphology, rr: float) -> dict[str, Any]:
    """Where `after` differs from `before` on one beat (QRS onset at 0): leads, signed peak change per lead
    (mV) and time segments (s, relative to the QRS onset). Empty leads when nothing shows (>= 0.02 mV)."""
    t, (a, b) = _beats_on_grid([before, after], rr)
    diff = b - a
    mag = np.abs(diff)
    per_lead = mag.max(axis=1)
    peak = float(per_lead.max())
    if peak < MIN_MV:
        return {"leads": [], "delta_mv": [], "segments": [], "peak_mv": peak}
    show = np.flatnonzero(per_lead >= max(LEAD_SHARE * peak, MIN_MV))
    signed = diff[show, mag[show].argmax(axis=1)]
    active = mag.max(axis=0) >= max(WINDOW_SHARE * peak, 0.6 * MIN_MV)
    return {"leads": [LEADS[i] for i in show], "delta_mv": [round(float(x), 3) for x in signed],
            "segments": _segments(active, t), "peak_mv": peak}


def beat_facts(m: Morphology, rr: float) -> dict[str, float]:
    """R-peak offset (s after QRS onset: the peak of the spatial QRS magnitude), frontal axis (deg, net QRS
    area in I and aVF), Sokolow-Lyon voltage (mV) and the largest limb-lead QRS amplitude (mV)."""
    t, (s12,) = _beats_on_grid([m], rr)
    q = (t >= 0.0) & (t <= m.qrs)
    qrs = s12[:, q]
    mag = np.sqrt((qrs ** 2).sum(axis=0))
    r_off = float(t[q][mag.argmax()])
    area_i = qrs[0].sum()
    area_avf = qrs[5].sum()
    axis = float(np.rad2deg(np.arctan2(area_avf / SQ3_2, area_i)))
    sokolow = float(-qrs[6].min() + max(qrs[10].max(), qrs[11].max()))
    limb = float((qrs[:6].max(axis=1) - qrs[:6].min(axis=1)).max())
    return {"r_off": r_off, "axis": axis, "sokolow": sokolow, "limb_pp": limb}


# ------------------------------------------------------------------------------------------------ helpers
def _beat_scale(rng: np.random.Generator, onsets: np.ndarray, resp_hz: float) -> np.ndarray:
    """Per-beat, per-lead amplitude factors (n, 8): respiration swings the electrical axis a little."""
    a = rng.uniform(0.02, 0.08)
    lead_gain = rng.uniform(-1.0, 1.0, 8)
    phase = rng.uniform(0, 2 * np.pi)
    resp = np.sin(2 * np.pi * resp_hz * onsets + phase)
    return 1.0 + a * resp[:, None] * lead_gain[None, :] + rng.normal(0.0, 0.015, (onsets.size, 8))


def _intermittent_mask(rng: np.random.Generator, sched: Schedule) -> np.ndarray:
    sinus = sched.kind != PVC
    inside = (sched.onset > 0.0) & (sched.onset < DURATION_S - 0.4) & sinus
    if rng.random() < 0.3:
        mask = (np.arange(sched.n) % 2 == int(rng.integers(0, 2)))      # alternans
    else:
        mask = rng.random(sched.n) < rng.uniform(0.3, 0.7)
    idx = np.flatnonzero(inside)
    if idx.size >= 2:                                                    # at least one of each inside
        if not mask[idx].any():
            mask[rng.choice(idx)] = True
        if mask[idx].all():
            mask[rng.choice(idx)] = False
    return mask & sinus


def _axis_label(axis: float) -> str:
    if -30.0 <= axis <= 90.0:
        return "MID"
    if -45.0 <= axis < -30.0:
        return "LAD"
    if -90.0 <= axis < -45.0:
        return "ALAD"
    if 90.0 < axis <= 120.0:
        return "RAD"
    if 120.0 < axis <= 180.0:
        return "ARAD"
    return "SAD"


VARIANT_P = {  # (probability young male, young female, older) of each normal variant (mimics of lesions)
    "early_repolarisation": (0.25, 0.06, 0.05),
    "juvenile_t": (0.12, 0.18, 0.0),
    "rsr_v1": (0.05, 0.05, 0.05),
    "flat_t": (0.0, 0.02, 0.12),
    "poor_r_progression": (0.02, 0.04, 0.10),
    "inferior_q": (0.08, 0.08, 0.10),
}


# ------------------------------------------------------------------------------------------------- record
def simulate_record(spec: dict[str, Any], rates: tuple[int, ...] = (100,), lesions: bool = True,
                    noise: bool = True) -> SimRecord:
    """Render one record. `lesions=False` / `noise=False` give the same record without its diagnostic
    signatures / without recording noise (same seeds, same beats), for checks."""
    prng = np.random.default_rng(spec["patient_seed"])
    rrng = np.random.default_rng(spec["record_seed"])
    lrng = np.random.default_rng([spec["record_seed"], 7])   # lesion details: independent of other draws
    age, male = float(spec["age"]), bool(spec["male"])
    m = normal_morphology(prng, rrng, age, male, float(spec["bmi"]), strict="NORM" in spec.get("combo", ("NORM",)))

    variants: list[str] = []
    col = 0 if (age < 40 and male) else 1 if age < 40 else 2
    for name, probs in VARIANT_P.items():
        if name == "juvenile_t" and age >= 25:
            continue
        if rrng.random() < probs[col]:
            L.VARIANTS[name](m, rrng)
            variants.append(name)
    if rrng.random() < 0.03:
        for w in m.qrs_waves():
            w.vec = w.vec * 0.45
        variants.append("low_voltage")

    stmts: list[tuple[str, float]] = sorted(spec["statements"], key=lambda x: L.ORDER.index(x[0]))
    intermittent = ""
    for stmt, _ in stmts:
        if lrng.random() < L.INTERMITTENT.get(stmt, 0.0):
            intermittent = stmt
            break
    steps: list[tuple[str, Morphology, Morphology, dict]] = []
    info: dict[str, Any] = {}
    m_alt: Morphology | None = None
    if lesions:
        for stmt, sev in stmts:
            if stmt == intermittent:
                continue
            before = m.copy()
            facts = L.apply(stmt, m, sev, lrng, info)
            info.update({f"{stmt}:{k}": v for k, v in facts.items()})
            if "av_block" in facts:
                info["av_block"] = facts["av_block"]
            steps.append((stmt, before, m.copy(), facts))
        if intermittent:
            m_alt = m.copy()
            sev = dict(stmts)[intermittent]
            facts = L.apply(intermittent, m_alt, sev, lrng, info)
            info.update({f"{intermittent}:{k}": v for k, v in facts.items()})
            steps.append((intermittent, m, m_alt, facts))

    rhythm = spec["rhythm"]
    sched = make_schedule(rrng, float(spec["hr"]), rhythm, DURATION_S, age, int(spec["n_pvc"]), int(spec["n_pac"]),
                          info.get("av_block", "") if rhythm != "AFIB" else "")
    mask = _intermittent_mask(rrng, sched) if m_alt is not None else np.zeros(sched.n, bool)
    scale = _beat_scale(rrng, sched.onset, sched.resp_hz)
    m_pvc = pvc_morphology(m, rrng) if (sched.kind == PVC).any() else None

    master = 500 if 500 in rates else 100
    n = int(round(DURATION_S * master))
    t = np.arange(n) / master
    k = Kernels()
    sinus = sched.kind != PVC
    for morph, sel in ((m, sinus & ~mask), (m_alt, sinus & mask)):
        if morph is None or not sel.any():
            continue
        cond = sel & sched.conducted
        p_on = sched.onset[cond] - morph.pr - sched.pr_extra[cond]
        add_beats(k, morph, sched.onset[sel], sched.rr_prev[sel], p_on, scale[sel])
    extra_p = np.concatenate([sched.atrial_only, sched.blocked - m.pr])
    if extra_p.size:
        add_beats(k, m, np.zeros(0), np.zeros(0), extra_p)
    if m_pvc is not None:
        sel = sched.kind == PVC
        add_beats(k, m_pvc, sched.onset[sel], sched.rr_prev[sel], np.zeros(0), scale[sel])
    sig8 = render(k, t)
    if rhythm == "AFIB":
        sig8 += fibrillatory_waves(rrng, n, master, m.P)
    report = None
    if noise:
        noise8, report = make_noise(np.random.default_rng([spec["record_seed"], 11]), n, master, sched.resp_hz)
        sig8 = sig8 + noise8
    sig12 = to_12(sig8)
    signals = {master: sig12}
    for r in rates:
        if r != master:
            signals[r] = resample_signal(sig12, master, r).astype(np.float64)

    # ---- truth
    inside = (sched.onset >= -0.02) & (sched.onset < DURATION_S)
    rr_nom = float(np.median(sched.rr_prev[sinus])) if sinus.any() else float(np.median(sched.rr_prev))
    facts_base = beat_facts(m, rr_nom)
    r_off = np.full(sched.n, facts_base["r_off"])
    if m_alt is not None and mask.any():
        r_off[mask] = beat_facts(m_alt, rr_nom)["r_off"]
    if m_pvc is not None:
        r_off[sched.kind == PVC] = beat_facts(m_pvc, rr_nom)["r_off"]
    r_times = sched.onset + r_off
    keep_r = (r_times >= 0.0) & (r_times < DURATION_S)
    beat_index = np.cumsum(keep_r) - 1
    rr_mean = float(np.mean(np.diff(r_times[keep_r]))) if keep_r.sum() > 1 else rr_nom   # over the 10 s shown
    in_sinus = inside & sinus & ~mask
    qt = m.qt(sched.rr_prev[in_sinus]) if in_sinus.any() else m.qt(np.array([rr_nom]))
    no_pr = rhythm == "AFIB" or info.get("av_block") == "3AVB"
    truth = {
        "ecg_id": spec["ecg_id"],
        "hr_bpm": round(60.0 / rr_mean, 1),
        "pr_ms": np.nan if no_pr else round(1000 * m.pr, 1),
        "qrs_ms": round(1000 * m.qrs, 1),
        "qt_ms": round(1000 * float(np.median(qt)), 1),
        "qtc_bazett_ms": round(1000 * float(np.median(qt)) / np.sqrt(rr_mean), 1),
        "axis_deg": round(facts_base["axis"], 1),
        "rhythm": rhythm,
        "rpeaks_s": " ".join(f"{x:.3f}" for x in r_times[keep_r]),
        "pvc_s": " ".join(f"{x:.3f}" for x in r_times[keep_r & (sched.kind == PVC)]),
        "true_statements": " ".join(s for s, _ in stmts),
        "true_superclasses": " ".join(spec.get("combo", ())),
        "severity": " ".join(f"{s}:{v:.2f}" for s, v in stmts),
        "intermittent": intermittent if m_alt is not None else "",
        "intermittent_qrs_ms": round(1000 * m_alt.qrs, 1) if m_alt is not None else np.nan,
        "variants": " ".join(variants),
        "label_noise": spec.get("label_noise", ""),
    }

    # ---- lesion windows
    out: list[dict[str, Any]] = []
    qt_nom = float(m.qt(rr_nom))
    for stmt, before, after, facts in steps:
        cls = SUPERCLASS_OF[stmt]
        if stmt in ("2AVB", "3AVB"):
            out += _block_windows(stmt, cls, sched, m)
            continue
        fp = lesion_footprint(before, after, rr_nom)
        if not fp["leads"]:
            continue
        carriers = sinus & mask if (m_alt is not None and stmt == intermittent) else sinus
        for b in np.flatnonzero(carriers):
            if stmt in ("1AVB", "LAO/LAE", "RAO/RAE") and not sched.conducted[b]:
                continue
            shift = float(m.qt(sched.rr_prev[b])) - qt_nom
            for s0, s1 in fp["segments"]:
                a0 = sched.onset[b] + s0 + (shift if s0 > after.qrs else 0.0)
                a1 = sched.onset[b] + s1 + (shift if s1 > after.qrs else 0.0)
                a0, a1 = max(a0, 0.0), min(a1, DURATION_S)
                if a1 - a0 < 0.01:
                    continue
                out.append({"class": cls, "statement": stmt, "leads": fp["leads"], "delta_mv": fp["delta_mv"],
                            "start_s": round(a0, 3), "end_s": round(a1, 3),
                            "beat": int(beat_index[b]) if keep_r[b] else None})

    meta = _metadata(spec, rrng, m, facts_base, report, sched, steps, variants, info)
    return SimRecord(ecg_id=int(spec["ecg_id"]), signals=signals, lesions=out, truth=truth, meta=meta)


def _block_windows(stmt: str, cls: str, sched: Schedule, m: Morphology) -> list[dict[str, Any]]:
    out = []
    if stmt == "2AVB":
        spans = [(b - m.pr, nxt) for b, nxt in sched.dropped]
        leads = list(LEADS)
    else:
        spans = [(p, p + m.p_dur) for p in sched.atrial_only]
        leads = ["II", "III", "aVF", "V1"]
    for a0, a1 in spans:
        a0, a1 = max(a0, 0.0), min(a1, DURATION_S)
        if a1 - a0 >= 0.01:
            out.append({"class": cls, "statement": stmt, "leads": leads, "delta_mv": [],
                        "start_s": round(float(a0), 3), "end_s": round(float(a1), 3), "beat": None})
    return out


def _metadata(spec: dict, rng: np.random.Generator, m: Morphology, facts: dict, report: Any, sched: Schedule,
              steps: list, variants: list[str], info: dict) -> dict[str, Any]:
    """Database columns that depend on the signal, and SCP form statements an annotator would add."""
    stmts = {s for s, *_ in steps}
    forms: dict[str, float] = {}
    n_pvc = int((sched.kind == PVC).sum())
    n_pac = int((sched.kind == PAC).sum())
    if n_pvc and rng.random() < 0.85:
        forms["PVC"] = 100.0
    if n_pac and rng.random() < 0.7:
        forms["PAC"] = 100.0
    mi_q = {"IMI", "ASMI", "ILMI", "AMI", "ALMI", "LMI", "IPLMI", "IPMI", "ANEUR"}
    if stmts & mi_q and rng.random() < 0.25:
        forms["QWAVE"] = 0.0
    if stmts & {"ISC_", "ISCAL", "ISCAS", "ISCLA", "ISCAN", "ISCIN", "ISCIL", "NST_", "DIG", "INJAS", "INJAL"} \
            and rng.random() < 0.2:
        forms["STD_"] = 0.0
    if "early_repolarisation" in variants and rng.random() < 0.3:
        forms["STE_"] = 0.0
    if stmts & {"NDT", "NST_"} and rng.random() < 0.3:
        forms["NT_"] = 0.0
    if ("flat_t" in variants or "NDT" in stmts) and rng.random() < 0.2:
        forms["LOWT"] = 0.0
    if stmts & {"ISC_", "ISCAL", "ISCLA", "ISCIN"} and rng.random() < 0.12:
        forms["INVT"] = 0.0
    if facts["sokolow"] >= 3.5 and "LVH" not in stmts and rng.random() < 0.5:
        forms["VCLVH"] = 0.0
    if facts["limb_pp"] < 0.5 and rng.random() < 0.7:
        forms["LVOLT"] = 0.0
    if stmts & (mi_q | {"IVCD", "WPW"}) and rng.random() < 0.12:
        forms["ABQRS"] = 0.0
    if "1AVB" in stmts and rng.random() < 0.1:
        forms["LPR"] = 0.0
    stadium = next((v for k, v in info.items() if k.endswith(":stadium")), None)
    extra = None
    if n_pvc:
        extra = "VES" if rng.random() < 0.5 else f"{n_pvc}ES"
    elif n_pac:
        extra = "SVES"
    return {
        "forms": forms,
        "heart_axis": _axis_label(facts["axis"]) if rng.random() < 0.4 else None,
        "infarction_stadium1": stadium,
        "infarction_stadium2": "Stadium III" if stadium == "Stadium II-III" and rng.random() < 0.3 else None,
        "baseline_drift": report.baseline_drift if report else None,
        "static_noise": report.static_noise if report else None,
        "burst_noise": report.burst_noise if report else None,
        "electrodes_problems": report.electrodes_problems if report else None,
        "extra_beats": extra,
    }
