"""THE table of interpretation criteria: one row per statement, each with its rule, thresholds and source.

Each row (`Criterion`) names the statement (key, text, category, severity when met), the criterion as printed,
its source, the PTB-XL SCP acronym and the SNOMED-CT code, and the rule: a function of the measurement
context (`Context`) that returns
- `Met(leads, values, marks)` when the criterion is met,
- `Unmet(values)` when it was judged and is not met (values kept for the validation and tests),
- `NotAssessable(reason)` when it cannot be judged (noise, too few beats, missing leads, a paced or wide QRS
  that hides it): never a guess.
Rows of one `group` exclude each other: the first met row wins (rhythm; the frontal axis category; complete
before incomplete bundle-branch block).

Sources (see ECG_CRITERIA.md in the data root):
AHA/ACC(F)/HRS Recommendations for the Standardization and Interpretation of the ECG, Circulation 2007-2009
(part II, Mason et al. 2007: the statement lexicon, rhythm and axis; part III, Surawicz et al. 2009:
intraventricular and AV conduction; part IV, Rautaharju et al. 2009: ST, T, QT; part V, Hancock et al. 2009:
hypertrophy and QRS voltage); Fourth Universal Definition of
Myocardial Infarction (Thygesen et al., Circulation 2018); Sokolow & Lyon, Am Heart J 1949; Casale et al.
(Cornell voltage), Circulation 1987.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from ecgcore.core.leads import LEAD_GROUPS, LEADS
from ecgcore.interpret.statement import Mark
from ecgcore.signal.matrix import MeasurementMatrix

AHA_RHYTHM = "AHA/ACC/HRS 2007 part II (Mason et al.): rhythm statements"
AHA_CONDUCTION = "AHA/ACCF/HRS 2009 part III (Surawicz et al.): intraventricular conduction"
AHA_AV = "AHA/ACCF/HRS 2009 part III (Surawicz et al.): AV conduction"
AHA_HYP = "AHA/ACCF/HRS 2009 part V (Hancock et al.): chamber hypertrophy"
AHA_STT = "AHA/ACCF/HRS 2009 part IV (Rautaharju et al.): ST segment, T and U waves, QT"
AHA_AXIS = "AHA/ACC/HRS 2007 part II (Mason et al.): frontal QRS axis"
AHA_VOLT = "AHA/ACCF/HRS 2009 part V (Hancock et al.): QRS voltage"
UDMI = "Fourth Universal Definition of MI (Thygesen et al., Circulation 2018); under LBBB Sgarbossa et al., NEJM 1996"
SOKOLOW = "Sokolow & Lyon, Am Heart J 1949; Casale et al. (Cornell voltage), Circulation 1987"

# thresholds (one place each)
BRADY_BPM, TACHY_BPM = 60.0, 100.0
SINUS_ARRHYTHMIA_MS = 160.0        # P-P (here R-R of sinus beats) varying by more than 160 ms
PR_LONG_MS, PR_SHORT_MS = 200.0, 120.0
QRS_COMPLETE_MS, QRS_INCOMPLETE_MS = 120.0, 110.0
LBBB_R_TIME_MS = 60.0               # R peak time in V5-V6 (AHA 2009 part III: > 60 ms)
Q_SEPTAL_MV = 0.1                   # a septal q deeper than this in I, V5, V6 speaks against LBBB
RBBB_S_MS = 40.0                    # S in I and V6 wider than 40 ms (or than R)
WAVE_R_PRIME_MV = 0.05              # an R' counts from this height
LAFB_AXIS = (-90.0, -45.0)
LPFB_AXIS = (90.0, 180.0)
AXIS_NORMAL = (-30.0, 90.0)
SOKOLOW_MV = 3.5
CORNELL_MV = {"M": 2.8, "F": 2.0}  # unknown sex: the men's (higher, more specific) limit
RAVL_MV = 1.1
RVH_RV1_MV = 0.7
P_WIDE_MS = 120.0
PTF_V1_MVS = 0.004                  # 1 mm (0.1 mV) deep x 40 ms
P_TALL_II_MV, P_TALL_V1_MV = 0.25, 0.15
Q_MS, Q_MV, Q_V2V3_MS = 30.0, 0.1, 20.0
Q_LEADS = ("I", "II", "aVL", "aVF", "V2", "V3", "V4", "V5", "V6")  # UDMI: III, aVR and V1 not counted
STE_MV = 0.1
STE_V2V3_MV = {("M", True): 0.2, ("M", False): 0.25, ("F", None): 0.15}  # (sex, age >= 40)
SGARBOSSA_STE_MV = 0.1             # concordant ST elevation >= 1 mm under LBBB (Sgarbossa et al., NEJM 1996)
LBBB_REASON = "left bundle-branch block: Q waves and ST depression are not read"
LBBB_STEMI_TEXT = "Concordant ST elevation under LBBB (Sgarbossa): acute infarct suspected"
STD_MV = 0.05
T_INV_MV = 0.1
T_INV_SKIP = ("aVR", "III", "V1")   # T normally variable or inverted there
QTC_LONG_MS = {"M": 450.0, "F": 460.0, None: 460.0}
QTC_HIGH_RISK_MS = 500.0
LOW_LIMB_MV, LOW_PRECORDIAL_MV = 0.5, 1.0
LIMB = ("I", "II", "III", "aVR", "aVL", "aVF")
PRECORDIAL = ("V1", "V2", "V3", "V4", "V5", "V6")
#: STEMI territories: the lead groups of core.leads (posterior is read as a mirror: not an elevation rule)
STEMI_GROUPS = ("inferior", "anteroseptal", "lateral")


@dataclass(frozen=True)
class Met:
    leads: tuple[str, ...] = ()
    values: dict[str, float] = field(default_factory=dict)
    marks: tuple[Mark, ...] = ()
    text: str | None = None          # a more specific text (e.g. which voltage criteria met)


@dataclass(frozen=True)
class Unmet:
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class NotAssessable:
    reason: str


Verdict = Met | Unmet | NotAssessable


@dataclass(frozen=True)
class Context:
    """What the rules read: the measurement matrix, the patient's sex ("M"/"F"/None) and age (years/None),
    and the leads present and alive."""

    m: MeasurementMatrix
    sex: str | None
    age: float | None
    leads: tuple[str, ...]

    def g(self, key: str) -> float | None:
        return self.m.value(key)

    def v(self, lead: str, col: str) -> float | None:
        return self.m.lead(lead, col)

    def have(self, leads) -> tuple[str, ...]:
        """The leads of `leads` missing (not recorded or dead)."""
        return tuple(lead for lead in leads if lead not in self.leads or lead not in self.m.leads
                     or not self.m.leads[lead])

    def mark(self, lead: str, ms_from_r: float, label: str) -> Mark | None:
        if self.m.beat_r_s is None or not math.isfinite(ms_from_r):
            return None
        return Mark(lead, self.m.beat_r_s + ms_from_r / 1000.0, label)

    def marks(self, *items) -> tuple[Mark, ...]:
        return tuple(mk for mk in (self.mark(*it) for it in items) if mk is not None)


def _reason(ctx: Context, key: str, default: str) -> str:
    return ctx.m.reasons.get(key) or default


def _missing(ctx: Context, leads) -> NotAssessable | None:
    miss = ctx.have(leads)
    if miss:
        have = ", ".join(lead for lead in ctx.leads) or "none"
        return NotAssessable(f"needs lead{'s' if len(miss) > 1 else ''} {', '.join(miss)} (usable: {have})")
    return None


# --- rhythm ---------------------------------------------------------------------------------------------------
def _rhythm_known(ctx: Context) -> NotAssessable | None:
    if ctx.m.rhythm == "not determined":
        return NotAssessable(ctx.m.reasons.get("rhythm") or "too few clean beats to judge the rhythm")
    return None


def paced(ctx: Context) -> Verdict:
    p = ctx.m.pacing
    if p.paced is None:
        return NotAssessable(p.reason or "pacing not judged")
    if not p.paced:
        return Unmet({"ventricular_paced_fraction": p.ventricular, "atrial_paced_fraction": p.atrial})
    marks = tuple(Mark(p.spike_leads[0] if p.spike_leads else ctx.leads[0], t, "pacing spike")
                  for t in p.spikes_s[:40])
    return Met(p.spike_leads, {"ventricular_paced_fraction": p.ventricular, "atrial_paced_fraction": p.atrial,
                               "spikes": float(len(p.spikes_s))}, marks,
               text=f"Paced rhythm ({p.kind})")


def atrial_fibrillation(ctx: Context) -> Verdict:
    na = _rhythm_known(ctx)
    if na:
        return na
    vals = {"RR_irregularity": ctx.m.irregularity, "HR_per_min": ctx.g("HR") or math.nan}
    return Met((), vals) if ctx.m.rhythm == "atrial fibrillation" else Unmet(vals)


def _sinus(ctx: Context) -> bool:
    return ctx.m.rhythm.startswith("sinus") or (ctx.m.rhythm == "irregular rhythm" and bool(ctx.m.p_waves))


def _sinus_rate(lo: float, hi: float) -> Callable[[Context], Verdict]:
    def rule(ctx: Context) -> Verdict:
        na = _rhythm_known(ctx)
        if na:
            return na
        hr = ctx.g("HR")
        vals = {"HR_per_min": hr if hr is not None else math.nan}
        if _sinus(ctx) and hr is not None and lo <= hr < hi:
            return Met(("II",) if "II" in ctx.leads else (), vals)
        return Unmet(vals)
    return rule


def other_rhythm(ctx: Context) -> Verdict:
    """Any determined rhythm that no earlier row of the rhythm group named (last row of the group)."""
    na = _rhythm_known(ctx)
    if na:
        return na
    name = ctx.m.rhythm
    if name.startswith("regular rhythm without"):
        name += " (atrial flutter, junctional or ectopic atrial rhythm not excluded)"
    return Met((), {"HR_per_min": ctx.g("HR") or math.nan, "RR_irregularity": ctx.m.irregularity},
               text=name[0].upper() + name[1:])


def sinus_arrhythmia(ctx: Context) -> Verdict:
    na = _rhythm_known(ctx)
    if na:
        return na
    if ctx.m.pacing.paced:
        return Unmet()
    span = ctx.g("RR_range")
    vals = {"RR_range_ms": span if span is not None else math.nan}
    if _sinus(ctx) and span is not None and span > SINUS_ARRHYTHMIA_MS:
        return Met((), vals)
    return Unmet(vals)


def ectopic(ctx: Context) -> Verdict:
    na = _rhythm_known(ctx)
    if na:
        return na
    n = ctx.m.n_premature
    vals = {"premature_beats": float(n), "beats": float(ctx.m.n_beats)}
    return Met((), vals, text=f"Premature beats ({n} of {ctx.m.n_beats})") if n else Unmet(vals)


# --- AV conduction --------------------------------------------------------------------------------------------
def _pr(ctx: Context) -> float | NotAssessable | Unmet:
    if ctx.m.pacing.paced:
        return Unmet()
    if not (_sinus(ctx) or ctx.m.p_waves):
        return Unmet()  # no P waves: AV conduction is not read (AF, flutter)
    pr = ctx.g("PR")
    return NotAssessable(_reason(ctx, "PR", "PR not measurable")) if pr is None else pr


def av_block_1(ctx: Context) -> Verdict:
    pr = _pr(ctx)
    if not isinstance(pr, float):
        return pr
    fid = ctx.m.fiducials_ms
    marks = ctx.marks(("II", fid.get("P_on", math.nan), "P onset"), ("II", fid.get("QRS_on", math.nan),
                                                                   f"QRS onset: PR {pr:.0f} ms"))
    return Met(("II",), {"PR_ms": pr}, marks) if pr > PR_LONG_MS else Unmet({"PR_ms": pr})


def short_pr(ctx: Context) -> Verdict:
    pr = _pr(ctx)
    if not isinstance(pr, float):
        return pr
    return Met(("II",), {"PR_ms": pr}) if pr < PR_SHORT_MS else Unmet({"PR_ms": pr})


# --- ventricular conduction -----------------------------------------------------------------------------------
def _qrs(ctx: Context) -> float | NotAssessable:
    if ctx.m.pacing.paced:
        return NotAssessable("paced QRS: bundle-branch and fascicular criteria do not apply")
    qrs = ctx.g("QRS")
    return NotAssessable(_reason(ctx, "QRS", "QRS duration not measurable")) if qrs is None else qrs


def _lbbb_shape(ctx: Context) -> bool:
    """Dominant S/QS in V1; broad positive QRS without a septal q in I and V6 (or V5); R peak time
    >= LBBB_R_TIME_MS in V5 or V6."""
    v1 = ctx.v("V1", "QRS_area_mVms")
    left = [lead for lead in ("I", "V6", "V5") if ctx.v(lead, "QRS_area_mVms") is not None]
    if v1 is None or v1 >= 0 or not left:
        return False
    pos = [lead for lead in left if (ctx.v(lead, "QRS_area_mVms") or 0) > 0]
    no_q = [lead for lead in left if (ctx.v(lead, "Q_amp_mV") or 0) > -Q_SEPTAL_MV]
    late = [lead for lead in ("V5", "V6") if (ctx.v(lead, "R_time_ms") or 0) >= LBBB_R_TIME_MS]
    return len(pos) >= 2 and len(no_q) >= 2 and bool(late)


def _rbbb_shape(ctx: Context) -> bool:
    """rsR' (an R') or a dominant R in V1 or V2 with a positive terminal force there, and a terminal S in I or
    V6 (negative terminal force, S at least RBBB_S_MS wide or wider than R)."""
    right = False
    for lead in ("V1", "V2"):
        t = ctx.v(lead, "QRS_term40_mVms")
        rp, r, s = ctx.v(lead, "Rp_amp_mV") or 0.0, ctx.v(lead, "R_amp_mV") or 0.0, -(ctx.v(lead, "S_amp_mV") or 0.0)
        if t is not None and t > 0 and (rp >= WAVE_R_PRIME_MV or r > s):
            right = True
    left = False
    for lead in ("I", "V6"):
        t = ctx.v(lead, "QRS_term40_mVms")
        sd, rd = ctx.v(lead, "S_dur_ms") or 0.0, ctx.v(lead, "R_dur_ms") or 0.0
        if t is not None and t < 0 and (sd >= RBBB_S_MS or sd > rd):
            left = True
    return right and left


def _bbb(shape: Callable[[Context], bool], lo: float, hi: float, leads: tuple[str, ...]) -> Callable:
    def rule(ctx: Context) -> Verdict:
        na = _missing(ctx, ("V1", "I", "V6"))
        if na:
            return na
        qrs = _qrs(ctx)
        if isinstance(qrs, NotAssessable):
            return qrs
        vals = {"QRS_ms": qrs}
        ok = lo <= qrs < hi and shape(ctx)
        fid = ctx.m.fiducials_ms
        marks = ctx.marks(*[(lead, fid.get("QRS_on", math.nan), "QRS onset") for lead in leads[:1]],
                          *[(lead, fid.get("QRS_off", math.nan), f"QRS end: {qrs:.0f} ms") for lead in leads[:1]])
        return Met(leads, vals, marks) if ok else Unmet(vals)
    return rule


def _depth(ctx: Context, lead: str) -> float:
    """The depth (mV, positive) of a lead's main negative wave: S, or the QS complex."""
    if (ctx.v(lead, "QS") or 0) > 0:
        return -(ctx.v(lead, "Q_amp_mV") or 0.0)
    return -(ctx.v(lead, "S_amp_mV") or 0.0)


def _fascicular(axis_range: tuple[float, float], rs_leads: tuple[str, ...]) -> Callable:
    def rule(ctx: Context) -> Verdict:
        na = _missing(ctx, rs_leads)
        if na:
            return na
        qrs = _qrs(ctx)
        if isinstance(qrs, NotAssessable):
            return qrs
        axis = ctx.g("QRS_axis")
        if axis is None:
            return NotAssessable(_reason(ctx, "QRS_axis", "axis not measurable"))
        vals = {"QRS_axis_deg": axis, "QRS_ms": qrs}
        rs = all(_depth(ctx, lead) > abs(ctx.v(lead, "R_amp_mV") or 0) * 0.5 for lead in rs_leads)
        ok = axis_range[0] <= axis <= axis_range[1] and qrs < QRS_COMPLETE_MS and rs
        return Met(rs_leads, vals) if ok else Unmet(vals)
    return rule


def ivcd(ctx: Context) -> Verdict:
    qrs = _qrs(ctx)
    if isinstance(qrs, NotAssessable):
        return qrs
    vals = {"QRS_ms": qrs}
    if qrs <= QRS_INCOMPLETE_MS or _missing(ctx, ("V1", "I", "V6")) is None and (
            _lbbb_shape(ctx) or (_rbbb_shape(ctx) and qrs >= QRS_INCOMPLETE_MS)):
        return Unmet(vals)
    return Met((), vals)


def wpw(ctx: Context) -> Verdict:
    pr = _pr(ctx)
    if not isinstance(pr, float):
        return pr
    qrs = ctx.g("QRS")
    if qrs is None:
        return NotAssessable(_reason(ctx, "QRS", "QRS duration not measurable"))
    vals = {"PR_ms": pr, "QRS_ms": qrs}
    return Met(("II",), vals) if pr < PR_SHORT_MS and qrs >= QRS_INCOMPLETE_MS else Unmet(vals)


# --- axis -----------------------------------------------------------------------------------------------------
def _axis(lo: float, hi: float) -> Callable:
    def rule(ctx: Context) -> Verdict:
        axis = ctx.g("QRS_axis")
        if axis is None:
            return NotAssessable(_reason(ctx, "QRS_axis", "axis not measurable"))
        vals = {"QRS_axis_deg": axis}
        return Met(("I", "aVF"), vals) if lo < axis <= hi else Unmet(vals)
    return rule


# --- hypertrophy ----------------------------------------------------------------------------------------------
def _narrow(ctx: Context) -> NotAssessable | None:
    qrs = _qrs(ctx)
    if isinstance(qrs, NotAssessable):
        return qrs
    if qrs >= QRS_COMPLETE_MS:
        return NotAssessable(f"QRS {qrs:.0f} ms: voltage criteria do not apply to a wide QRS")
    return None


def lvh(ctx: Context) -> Verdict:
    na = _missing(ctx, ("V1", "V5", "V6", "aVL", "V3")) or _narrow(ctx)
    if na:
        return na
    sv1 = -(ctx.v("V1", "S_amp_mV") or 0.0)
    rv56 = max(ctx.v("V5", "R_amp_mV") or 0.0, ctx.v("V6", "R_amp_mV") or 0.0)
    ravl = ctx.v("aVL", "R_amp_mV") or 0.0
    sv3 = -(ctx.v("V3", "S_amp_mV") or 0.0)
    cornell_limit = CORNELL_MV.get(ctx.sex or "M", CORNELL_MV["M"])
    vals = {"Sokolow_Lyon_mV": sv1 + rv56, "Cornell_mV": ravl + sv3, "R_aVL_mV": ravl}
    met = [name for name, ok in (("Sokolow-Lyon", sv1 + rv56 >= SOKOLOW_MV), ("Cornell", ravl + sv3 > cornell_limit),
                                 ("R(aVL)", ravl >= RAVL_MV)) if ok]
    if not met:
        return Unmet(vals)
    return Met(("V1", "V5", "V6", "aVL", "V3"), vals, text=f"Left ventricular hypertrophy by voltage ({', '.join(met)})")


def rvh(ctx: Context) -> Verdict:
    na = _missing(ctx, ("V1",)) or _narrow(ctx)
    if na:
        return na
    r, s = ctx.v("V1", "R_amp_mV") or 0.0, -(ctx.v("V1", "S_amp_mV") or 0.0)
    axis = ctx.g("QRS_axis")
    vals = {"R_V1_mV": r, "S_V1_mV": s, "QRS_axis_deg": axis if axis is not None else math.nan}
    ok = r >= RVH_RV1_MV and r > s and axis is not None and axis > 90.0
    return Met(("V1",), vals) if ok else Unmet(vals)


def lae(ctx: Context) -> Verdict:
    if not ctx.m.p_waves:
        return NotAssessable("no consistent P waves")
    # P duration in lead II, that lead's own P wave (Hancock et al., AHA/ACCF/HRS 2009 part V): the global P
    # duration spans the earliest onset to the latest offset over leads and runs long (PTB-XL: 65% of records
    # over 120 ms against 1% coded LAO/LAE), so it does not decide here
    pdur = ctx.v("II", "P_dur_ms")
    neg, negms = ctx.v("V1", "P_neg_mV"), ctx.v("V1", "P_neg_ms")
    ptf = abs(neg) * negms / 1000.0 if neg is not None and negms is not None else None
    if pdur is None and ptf is None:
        return NotAssessable("P wave not delineated")
    vals = {"P_dur_ms": pdur if pdur is not None else math.nan, "PTF_V1_mVs": ptf if ptf is not None else math.nan}
    ok = (pdur is not None and pdur >= P_WIDE_MS) or (ptf is not None and ptf >= PTF_V1_MVS)
    return Met(("II", "V1"), vals) if ok else Unmet(vals)


def rae(ctx: Context) -> Verdict:
    if not ctx.m.p_waves:
        return NotAssessable("no consistent P waves")
    p2, p1 = ctx.v("II", "P_amp_mV"), ctx.v("V1", "P_amp_mV")
    if p2 is None and p1 is None:
        return NotAssessable("P wave not delineated")
    vals = {"P_II_mV": p2 if p2 is not None else math.nan, "P_V1_mV": p1 if p1 is not None else math.nan}
    ok = (p2 is not None and p2 >= P_TALL_II_MV) or (p1 is not None and p1 >= P_TALL_V1_MV)
    return Met(("II", "V1"), vals) if ok else Unmet(vals)


# --- infarct, ST, T -------------------------------------------------------------------------------------------
def _confounded(ctx: Context) -> NotAssessable | None:
    if ctx.m.pacing.paced:
        return NotAssessable("paced rhythm: Q waves and ST levels are not read")
    qrs = ctx.g("QRS")
    if qrs is None:
        return NotAssessable(_reason(ctx, "QRS", "QRS boundaries unclear"))
    if qrs >= QRS_COMPLETE_MS and _missing(ctx, ("V1", "I", "V6")) is None and _lbbb_shape(ctx):
        return NotAssessable(LBBB_REASON)
    return None


def _group_leads(group: str, allowed: tuple[str, ...] = LEADS) -> tuple[str, ...]:
    return tuple(lead for lead in LEAD_GROUPS[group] if lead in allowed)


def _q_wave(group: str) -> Callable:
    leads = _group_leads(group, Q_LEADS)

    def rule(ctx: Context) -> Verdict:
        na = _confounded(ctx)
        if na:
            return na
        present = tuple(lead for lead in leads if not ctx.have((lead,)))
        if len(present) < 2:
            return NotAssessable(f"needs two of {', '.join(leads)}")
        hits, vals, marks = [], {}, []
        on = ctx.m.fiducials_ms.get("QRS_on", math.nan)
        for lead in present:
            q, qd = ctx.v(lead, "Q_amp_mV") or 0.0, ctx.v(lead, "Q_dur_ms") or 0.0
            qs = (ctx.v(lead, "QS") or 0.0) > 0
            vals[f"Q_{lead}_mV"], vals[f"Q_{lead}_ms"] = q, qd
            ok = (lead in ("V2", "V3") and (qd >= Q_V2V3_MS and q <= -Q_MV / 2 or qs)) or \
                 (qd >= Q_MS and q <= -Q_MV) or (qs and lead not in ("V2", "V3"))
            if ok:
                hits.append(lead)
                marks += ctx.marks((lead, on + qd / 2, f"Q {q:+.2f} mV, {qd:.0f} ms"))
        return Met(tuple(hits), vals, tuple(marks)) if len(hits) >= 2 else Unmet(vals)
    return rule


def _ste_limit(ctx: Context, lead: str) -> float:
    if lead not in ("V2", "V3"):
        return STE_MV
    if ctx.sex == "F":
        return STE_V2V3_MV[("F", None)]
    old = ctx.age is None or ctx.age >= 40  # unknown age: the lower (more sensitive) men's limit
    return STE_V2V3_MV[("M", old)]


def _stemi(group: str) -> Callable:
    leads = _group_leads(group, tuple(lead for lead in LEADS if lead != "aVR"))

    def rule(ctx: Context) -> Verdict:
        na = _confounded(ctx)
        sgarbossa = na is not None and na.reason == LBBB_REASON
        if na and not sgarbossa:
            return na
        present = tuple(lead for lead in leads if not ctx.have((lead,)))
        if len(present) < 2:
            return NotAssessable(f"needs two of {', '.join(leads)}")
        off = ctx.m.fiducials_ms.get("QRS_off", math.nan)
        hits, vals, marks = [], {}, []
        for lead in present:
            st = ctx.v(lead, "ST_J_mV")
            if st is None:
                continue
            vals[f"ST_J_{lead}_mV"] = st
            st60 = ctx.v(lead, "ST_J60_mV")
            if st60 is not None:
                vals[f"ST_J60_{lead}_mV"] = st60
            # under LBBB only an elevation concordant with the QRS counts (Sgarbossa et al., NEJM 1996)
            limit = SGARBOSSA_STE_MV if sgarbossa else _ste_limit(ctx, lead)
            ok = st >= limit and (not sgarbossa or (ctx.v(lead, "QRS_area_mVms") or 0) > 0)
            # the elevation must persist to J+60 ms: a J point placed on the downslope of a wide QRS reads the
            # R wave as ST elevation (PTB-XL 180, CLBBB: ST +0.24/+0.31 mV at J in I/aVL, -0.36/-0.32 at J+60)
            ok = ok and st60 is not None and st60 >= limit
            if ok:
                hits.append(lead)
                marks += ctx.marks((lead, off, f"J point ST {st:+.2f} mV"))
        if len(hits) < (1 if sgarbossa else 2):  # Sgarbossa: one lead with concordant elevation scores 5 (>= 3)
            return Unmet(vals)
        return Met(tuple(hits), vals, tuple(marks),
                   text=f"{LBBB_STEMI_TEXT} ({group} leads)" if sgarbossa else None)
    return rule


def _per_lead(col: str, test: Callable[[float, Context, str], bool], skip: tuple[str, ...], label: str,
              at: str) -> Callable:
    def rule(ctx: Context) -> Verdict:
        na = _confounded(ctx)
        if na:
            return na
        hits_by_group: dict[str, list[str]] = {}
        vals, marks = {}, []
        when = ctx.m.fiducials_ms.get(at, math.nan)
        for group in STEMI_GROUPS:
            for lead in LEAD_GROUPS[group]:
                if lead in skip or ctx.have((lead,)):
                    continue
                v = ctx.v(lead, col)
                if v is None:
                    continue
                vals[f"{col[:-3]}_{lead}_mV"] = v
                if test(v, ctx, lead):
                    hits_by_group.setdefault(group, []).append(lead)
        hits = sorted({lead for ls in hits_by_group.values() if len(ls) >= 2 for lead in ls}, key=LEADS.index)
        if not vals:
            return NotAssessable("no lead measured")
        if not hits:
            return Unmet(vals)
        extra = 60.0 if col == "ST_J60_mV" else 0.0
        for lead in hits:
            marks += ctx.marks((lead, when + extra, f"{label} {vals[f'{col[:-3]}_{lead}_mV']:+.2f} mV"))
        return Met(tuple(hits), vals, tuple(marks))
    return rule


def _std(v: float, ctx: Context, lead: str) -> bool:
    j = ctx.v(lead, "ST_J_mV")
    return v <= -STD_MV and j is not None and j <= -STD_MV and v <= j + 0.02  # horizontal or down-sloping


def _tinv(v: float, ctx: Context, lead: str) -> bool:
    r, s = ctx.v(lead, "R_amp_mV") or 0.0, -(ctx.v(lead, "S_amp_mV") or 0.0)
    return v <= -T_INV_MV and r > s  # in a lead with a dominant R


def long_qt(ctx: Context) -> Verdict:
    qtc = ctx.g("QTc_Bazett")
    if qtc is None:
        return NotAssessable(_reason(ctx, "QTc_Bazett", "QT not measurable"))
    limit = QTC_LONG_MS.get(ctx.sex, QTC_LONG_MS[None])
    vals = {"QTc_Bazett_ms": qtc, "QT_ms": ctx.g("QT") or math.nan, "limit_ms": limit}
    if qtc <= limit:
        return Unmet(vals)
    fid = ctx.m.fiducials_ms
    marks = ctx.marks(("II", fid.get("QRS_on", math.nan), "QRS onset"),
                      ("II", fid.get("T_off", math.nan), f"T end: QTc {qtc:.0f} ms"))
    text = "Markedly prolonged QT (QTc >= 500 ms)" if qtc >= QTC_HIGH_RISK_MS else None
    return Met(("II",), vals, marks, text=text)


def low_voltage(ctx: Context) -> Verdict:
    limb = [ctx.v(lead, "QRS_pp_mV") for lead in LIMB if not ctx.have((lead,))]
    prec = [ctx.v(lead, "QRS_pp_mV") for lead in PRECORDIAL if not ctx.have((lead,))]
    limb, prec = [v for v in limb if v is not None], [v for v in prec if v is not None]
    if len(limb) < len(LIMB) and len(prec) < len(PRECORDIAL):
        return NotAssessable("needs all six limb or all six precordial leads")
    vals = {"max_limb_QRS_mV": max(limb) if limb else math.nan, "max_precordial_QRS_mV": max(prec) if prec else math.nan}
    ok = (len(limb) == 6 and max(limb) < LOW_LIMB_MV) or (len(prec) == 6 and max(prec) < LOW_PRECORDIAL_MV)
    return Met(LIMB if limb and max(limb) < LOW_LIMB_MV else PRECORDIAL, vals) if ok else Unmet(vals)


@dataclass(frozen=True)
class Criterion:
    """One row of the table. group: rows of one group exclude each other (first met wins)."""

    key: str
    text: str
    category: str
    severity: str
    criterion: str
    source: str
    scp: str | None
    snomed: str | None
    rule: Callable[[Context], Verdict]
    group: str | None = None


_T = Criterion
#: THE table. Order = reading order of the statements.
CRITERIA: tuple[Criterion, ...] = (
    _T("PACE", "Paced rhythm", "pacing", "abnormal",
       "pacing spike before >= 50% of beats (unfiltered signal)", "AHA/ACC/HRS 2007 part II (Mason et al.): pacemaker rhythm",
       "PACE", "10370003", paced, group="rhythm"),
    _T("AFIB", "Atrial fibrillation", "rhythm", "abnormal",
       "irregular R-R without consistent P waves", AHA_RHYTHM, "AFIB", "164889003", atrial_fibrillation,
       group="rhythm"),
    _T("SBRAD", "Sinus bradycardia", "rhythm", "abnormal", f"sinus P waves, HR < {BRADY_BPM:g} /min", AHA_RHYTHM,
       "SBRAD", "426177001", _sinus_rate(0.0, BRADY_BPM), group="rhythm"),
    _T("STACH", "Sinus tachycardia", "rhythm", "abnormal", f"sinus P waves, HR > {TACHY_BPM:g} /min", AHA_RHYTHM,
       "STACH", "427084000", _sinus_rate(TACHY_BPM + 1e-9, math.inf), group="rhythm"),
    _T("SR", "Sinus rhythm", "rhythm", "normal", f"sinus P waves, HR {BRADY_BPM:g}-{TACHY_BPM:g} /min", AHA_RHYTHM,
       "SR", "426783006", _sinus_rate(BRADY_BPM, TACHY_BPM + 1e-9), group="rhythm"),
    _T("RHYTHM_OTHER", "Other rhythm", "rhythm", "abnormal", "none of the rhythms above", AHA_RHYTHM, None, None,
       other_rhythm, group="rhythm"),
    _T("SARRH", "Sinus arrhythmia", "rhythm", "normal", f"sinus rhythm, R-R varying by > {SINUS_ARRHYTHMIA_MS:g} ms",
       AHA_RHYTHM, "SARRH", "427393009", sinus_arrhythmia),
    _T("PREMATURE", "Premature beats", "rhythm", "abnormal",
       "R-R < 0.85 x median followed by a longer one", AHA_RHYTHM, None, "63593006", ectopic),
    _T("1AVB", "1st-degree AV block", "av_conduction", "abnormal", f"PR > {PR_LONG_MS:g} ms", AHA_AV, "1AVB",
       "270492004", av_block_1),
    _T("SPRI", "Short PR interval", "av_conduction", "abnormal", f"PR < {PR_SHORT_MS:g} ms", AHA_AV, None,
       "49578007", short_pr),
    _T("WPW", "Ventricular pre-excitation (WPW pattern)", "ventricular_conduction", "abnormal",
       f"PR < {PR_SHORT_MS:g} ms and QRS >= {QRS_INCOMPLETE_MS:g} ms", AHA_CONDUCTION, "WPW", "74390002", wpw),
    _T("CLBBB", "Complete left bundle-branch block", "ventricular_conduction", "abnormal",
       f"QRS >= {QRS_COMPLETE_MS:g} ms; QS/rS in V1; broad R without q in I, V5-V6", AHA_CONDUCTION, "CLBBB",
       "733534002", _bbb(_lbbb_shape, QRS_COMPLETE_MS, math.inf, ("V1", "I", "V6")), group="bbb"),
    _T("CRBBB", "Complete right bundle-branch block", "ventricular_conduction", "abnormal",
       f"QRS >= {QRS_COMPLETE_MS:g} ms; terminal R (rsR') in V1; terminal S in I or V6", AHA_CONDUCTION, "CRBBB",
       "713427006", _bbb(_rbbb_shape, QRS_COMPLETE_MS, math.inf, ("V1", "I", "V6")), group="bbb"),
    _T("IRBBB", "Incomplete right bundle-branch block", "ventricular_conduction", "abnormal",
       f"QRS {QRS_INCOMPLETE_MS:g}-{QRS_COMPLETE_MS - 1:g} ms with the RBBB shape", AHA_CONDUCTION, "IRBBB",
       "713426002", _bbb(_rbbb_shape, QRS_INCOMPLETE_MS, QRS_COMPLETE_MS, ("V1", "I", "V6")), group="bbb"),
    _T("ILBBB", "Incomplete left bundle-branch block", "ventricular_conduction", "abnormal",
       f"QRS {QRS_INCOMPLETE_MS:g}-{QRS_COMPLETE_MS - 1:g} ms with the LBBB shape", AHA_CONDUCTION, "ILBBB",
       "251120003", _bbb(_lbbb_shape, QRS_INCOMPLETE_MS, QRS_COMPLETE_MS, ("V1", "I", "V6")), group="bbb"),
    _T("LAFB", "Left anterior fascicular block", "ventricular_conduction", "abnormal",
       f"axis {LAFB_AXIS[0]:g} to {LAFB_AXIS[1]:g} deg; rS in II, III, aVF; QRS < {QRS_COMPLETE_MS:g} ms",
       AHA_CONDUCTION, "LAFB", "445118002", _fascicular(LAFB_AXIS, ("II", "III", "aVF"))),
    _T("LPFB", "Left posterior fascicular block", "ventricular_conduction", "abnormal",
       f"axis {LPFB_AXIS[0]:g} to {LPFB_AXIS[1]:g} deg; rS in I, aVL; QRS < {QRS_COMPLETE_MS:g} ms",
       AHA_CONDUCTION, "LPFB", "445211001", _fascicular(LPFB_AXIS, ("I", "aVL"))),
    _T("IVCD", "Non-specific intraventricular conduction delay", "ventricular_conduction", "abnormal",
       f"QRS > {QRS_INCOMPLETE_MS:g} ms without a bundle-branch-block shape", AHA_CONDUCTION, "IVCD", "698252002",
       ivcd),
    _T("AXIS_NORMAL", "Normal frontal QRS axis", "axis", "normal", "axis -30 to +90 deg", AHA_AXIS, None, None,
       _axis(*AXIS_NORMAL), group="axis"),
    _T("LAD", "Left axis deviation", "axis", "abnormal", "axis -30 to -90 deg", AHA_AXIS, "LAD", "39732003",
       _axis(-90.0 - 1e-9, -30.0 - 1e-9), group="axis"),
    _T("RAD", "Right axis deviation", "axis", "abnormal", "axis +90 to +180 deg", AHA_AXIS, "RAD", "47665007",
       _axis(90.0, 180.0), group="axis"),
    _T("AXIS_EXTREME", "Extreme (north-west) axis", "axis", "abnormal", "axis -90 to -180 deg", AHA_AXIS, None,
       None, _axis(-180.0, -90.0 - 1e-9), group="axis"),
    _T("LVH", "Left ventricular hypertrophy by voltage", "hypertrophy", "abnormal",
       f"Sokolow-Lyon S(V1)+R(V5/V6) >= {SOKOLOW_MV:g} mV, Cornell R(aVL)+S(V3) > 2.8 mV (men) / 2.0 mV (women), "
       f"or R(aVL) >= {RAVL_MV:g} mV; QRS < 120 ms", SOKOLOW, "LVH", "164873001", lvh),
    _T("RVH", "Right ventricular hypertrophy", "hypertrophy", "abnormal",
       f"R(V1) >= {RVH_RV1_MV:g} mV, R > S in V1 and axis > +90 deg", AHA_HYP, "RVH", "89792004", rvh),
    _T("LAE", "Left atrial enlargement", "hypertrophy", "abnormal",
       f"P in II >= {P_WIDE_MS:g} ms or P-terminal force in V1 >= 0.04 mm*s", AHA_HYP, "LAO/LAE", "67741000119109", lae),
    _T("RAE", "Right atrial enlargement", "hypertrophy", "abnormal",
       f"P >= {P_TALL_II_MV:g} mV in II or >= {P_TALL_V1_MV:g} mV in V1", AHA_HYP, "RAO/RAE", "253339007", rae),
    _T("QMI_INFERIOR", "Q waves in inferior leads: inferior infarct, age undetermined", "infarct", "abnormal",
       "Q >= 30 ms and >= 0.1 mV (or QS) in two of II, aVF", UDMI, "IMI", "164867002", _q_wave("inferior")),
    _T("QMI_ANTEROSEPTAL", "Q waves in anteroseptal leads: anteroseptal infarct, age undetermined", "infarct",
       "abnormal", "Q >= 20 ms or QS in V2-V3; Q >= 30 ms and >= 0.1 mV in V4", UDMI, "ASMI", "164867002",
       _q_wave("anteroseptal")),
    _T("QMI_LATERAL", "Q waves in lateral leads: lateral infarct, age undetermined", "infarct", "abnormal",
       "Q >= 30 ms and >= 0.1 mV (or QS) in two of I, aVL, V5, V6", UDMI, "LMI", "164867002", _q_wave("lateral")),
    _T("STEMI_INFERIOR", "ST elevation in inferior leads meeting STEMI criteria", "infarct", "urgent",
       "ST at J >= 0.1 mV in two of II, III, aVF", UDMI, "INJIN", "164931005", _stemi("inferior")),
    _T("STEMI_ANTEROSEPTAL", "ST elevation in anteroseptal leads meeting STEMI criteria", "infarct", "urgent",
       "ST at J in V2-V3 >= 0.2 mV (men >= 40 y) / 0.25 mV (men < 40 y) / 0.15 mV (women), >= 0.1 mV in V1, V4; "
       "two leads", UDMI, "INJAS", "164931005", _stemi("anteroseptal")),
    _T("STEMI_LATERAL", "ST elevation in lateral leads meeting STEMI criteria", "infarct", "urgent",
       "ST at J >= 0.1 mV in two of I, aVL, V5, V6", UDMI, "INJLA", "164931005", _stemi("lateral")),
    _T("STD", "ST depression", "st_t", "abnormal",
       f"horizontal or down-sloping ST depression >= {STD_MV:g} mV at J and J+60 in two contiguous leads",
       UDMI, "STD_", "429622005", _per_lead("ST_J60_mV", _std, ("aVR",), "ST depression at J+60", "QRS_off")),
    _T("INVT", "T-wave inversion", "st_t", "abnormal",
       f"T <= -{T_INV_MV:g} mV in two contiguous leads with a dominant R (not aVR, III, V1)", AHA_STT, "INVT",
       "59931005", _per_lead("T_amp_mV", _tinv, T_INV_SKIP, "T", "T_peak")),
    _T("LNGQT", "Prolonged QT", "qt", "abnormal",
       "QTc (Bazett) > 450 ms men, > 460 ms women (unknown sex: 460 ms)", AHA_STT, "LNGQT", "111975006", long_qt),
    _T("LVOLT", "Low QRS voltage", "voltage", "abnormal",
       f"QRS < {LOW_LIMB_MV:g} mV in every limb lead or < {LOW_PRECORDIAL_MV:g} mV in every precordial lead",
       AHA_VOLT, "LVOLT", "251146004", low_voltage),
)
