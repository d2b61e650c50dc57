"""Textbook signatures of PTB-XL's diagnostic statements, applied to a beat `Morphology` with a severity.

Each function takes (morphology, severity s in (0, 1], rng, ctx) and changes the morphology in place; it
returns a dict of facts for the metadata (e.g. the infarction stage). Severity 1 is a florid textbook case,
severity ~0.1 is below the usual criteria (subtle, as many real labels are). Amplitudes in mV, times in s.
Criteria: /work/shared/ECG_CRITERIA.md (AHA/ACCF/HRS 2007-09, 4th universal definition of MI, Sokolow-Lyon).

Where the signature lies (leads and times) is not declared here: the record builder renders one beat with
and without each lesion and keeps the leads and times where they differ, so the lesion windows cannot drift
from what was simulated.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ecgcore.synth.catalogue import TERRITORY
from ecgcore.synth.geometry import direction, frontal_of, frontal_to_8, territory
from ecgcore.synth.waves import Morphology, Wave

Lesion = Callable[[Morphology, float, np.random.Generator, dict], dict]


# ------------------------------------------------------------------------------------------------ helpers
def _frontal_unit(w: np.ndarray) -> tuple[np.ndarray, float]:
    fx, fy = frontal_of(w)
    mag = float(np.hypot(fx, fy))
    return (np.array([fx, fy]) / mag if mag > 1e-9 else np.zeros(2)), mag


def _push(vec: np.ndarray, w: np.ndarray, amount: float, base_gain: float = 0.0) -> np.ndarray:
    """Move `vec` by `amount` (mV, signed) along territory `w`, plus `base_gain` times the part of `vec` that
    already points into the territory (used to invert an upright T in proportion to its size)."""
    out = vec.copy()
    u, fw = _frontal_unit(w)
    if fw > 0:
        x, y = frontal_of(vec)
        along = max(x * u[0] + y * u[1], 0.0)
        dx, dy = (amount + base_gain * along * np.sign(amount)) * fw * u
        out[:2] += frontal_to_8(dx, dy)[:2]
    pw = w[2:]
    out[2:] += pw * amount + base_gain * np.abs(pw) * np.maximum(np.sign(pw) * vec[2:], 0.0) * np.sign(amount)
    return out


def _lose(vec: np.ndarray, w: np.ndarray, frac: float) -> np.ndarray:
    """Remove `frac` of the part of `vec` pointing into territory `w` (loss of R over dead myocardium)."""
    out = vec.copy()
    u, fw = _frontal_unit(w)
    if fw > 0:
        x, y = frontal_of(vec)
        along = max(x * u[0] + y * u[1], 0.0)
        dx, dy = -frac * min(fw, 1.0) * along * u
        out[:2] += frontal_to_8(dx, dy)[:2]
    pw = np.clip(w[2:], 0.0, 1.0)
    out[2:] -= frac * pw * np.maximum(vec[2:], 0.0)
    return out


def _t(m: Morphology) -> Wave:
    t = m.get("T")
    assert t is not None
    return t


def _st(m: Morphology, name: str, w: np.ndarray, amount: float, shape: str = "horizontal") -> None:
    """ST shift of `amount` mV along territory `w`, from the J point to the T upstroke.

    shape: "horizontal", "downsloping" (deepens toward the T), "scooped" (sagging, digitalis-like),
    "elevation" (convex, merging into the T: injury)."""
    t = _t(m)
    end = t.at - 0.6 * t.left
    vec = _push(np.zeros(8), w, amount)
    if shape == "scooped":
        m.add(Wave(name, vec * 1.2, "T", t.at - 0.9 * t.left, 0.09, 0.05))
        return
    m.add(Wave(name, vec, "Q", 1.0, end, 0.012, kind="box"))
    if shape == "downsloping":
        m.add(Wave(name + "_slope", vec * 0.7, "T", t.at - 0.3 * t.left, 0.06, 0.04))
    elif shape == "elevation":
        m.add(Wave(name + "_dome", vec * 0.5, "T", t.at - 0.7 * t.left, 0.05, 0.06))


def _invert_t(m: Morphology, w: np.ndarray, depth: float, gain: float = 1.0) -> None:
    """Push the T wave down in territory `w`: an upright T of height h ends near -(depth + (gain-1) h)."""
    t = _t(m)
    t.vec = _push(t.vec, w, -depth, base_gain=gain)


def _scale_t(m: Morphology, w: np.ndarray, factor: float) -> None:
    """Scale the T wave toward `factor` (0 = flat) where territory `w` looks."""
    t = _t(m)
    t.vec = _push(t.vec, w, -1e-12, base_gain=1.0 - factor)


def _rotate_frontal(vec: np.ndarray, deg: float) -> np.ndarray:
    x, y = frontal_of(vec)
    c, s_ = np.cos(np.deg2rad(deg)), np.sin(np.deg2rad(deg))
    out = vec.copy()
    out[:2] = frontal_to_8(c * x - s_ * y, s_ * x + c * y)[:2]
    return out


def qrs_axis(m: Morphology) -> float:
    """Frontal angle (deg) of the net QRS vector (sum of QRS wave areas)."""
    x = y = 0.0
    for w in m.qrs_waves():
        fx, fy = frontal_of(w.vec)
        area = (w.left + w.right) / 2.0
        x, y = x + fx * area, y + fy * area
    return float(np.rad2deg(np.arctan2(y, x)))


def _set_axis(m: Morphology, target: float, names: tuple[str, ...] = ("R1", "R2", "S")) -> None:
    delta = target - qrs_axis(m)
    for name in names:
        w = m.get(name)
        if w is not None:
            w.vec = _rotate_frontal(w.vec, delta)


def _widen(m: Morphology, qrs: float) -> None:
    """Set the QRS duration (s); the QRS waves stretch with it (their times are fractions of it) and the QT
    grows by as much (slowed depolarisation delays repolarisation: the JT interval is kept)."""
    qrs = max(m.qrs, qrs)
    m.qtc += qrs - m.qrs
    m.qrs = qrs


def _compress_qrs(m: Morphology, frac: float) -> None:
    """Squeeze the existing QRS waves into the first `frac` of the QRS (before adding late waves)."""
    for w in m.qrs_waves():
        w.at *= frac
        w.left *= frac
        w.right *= frac


# --------------------------------------------------------------------------------------------------- MI
_STADIA = ("unknown", "Stadium III", "Stadium II-III", "Stadium II", "Stadium I-II", "Stadium I")
_STADIA_P = (0.45, 0.33, 0.08, 0.06, 0.04, 0.04)


def _q_wave(m: Morphology, w: np.ndarray, s: float, name: str = "mi_q") -> None:
    depth = (0.03 + 0.47 * s) * np.sqrt(m.amp)
    sig = 0.07 + 0.05 * s
    m.add(Wave(name, _push(np.zeros(8), np.clip(w, 0.0, None), -depth), "Q", 2.0 * sig, sig, sig))
    r1, sep = m.get("R1"), m.get("septal")
    if r1 is not None:
        r1.vec = _lose(r1.vec, w, 0.1 + 0.7 * s)
    if sep is not None:
        sep.vec = _lose(sep.vec, w, 0.5 + 0.5 * s)


def _posterior_r(m: Morphology, s: float, gain: float = 1.0) -> None:
    w = territory("posterior")
    m.add(Wave("mi_post_r", -w * (0.2 + 0.6 * s) * gain * m.amp, "Q", 0.45, 0.11, 0.11))


def myocardial_infarction(m: Morphology, s: float, rng: np.random.Generator, ctx: dict, stmt: str) -> dict:
    """Established MI (IMI, ASMI, ILMI, AMI, ALMI, LMI, IPLMI, IPMI, PMI) or injury (INJ*, ANEUR handled apart).

    Pathological Q (>= 30 ms, >= 0.1 mV at moderate severity) and R loss in the territory; by stage: ST
    elevation with hyperacute T (stadium I), ST elevation fading with T inversion (II), Q with or without
    T inversion (III)."""
    terr = TERRITORY.get(stmt, "inferior")
    w = territory(terr, rng)
    if stmt.startswith("INJ"):
        stadium = "Stadium I"
        if rng.random() < 0.7:     # subendocardial injury: ST depression
            _st(m, "inj_st", w, -(0.05 + 0.2 * s), "horizontal" if rng.random() < 0.5 else "downsloping")
        else:
            _st(m, "inj_st", w, 0.08 + 0.3 * s, "elevation")
            _t(m).vec = _push(_t(m).vec, np.clip(w, 0, None), 0.3 * s)
        if rng.random() < 0.5:
            _invert_t(m, w, 0.03 + 0.2 * s, gain=1.0)
        if rng.random() < 0.3:
            _q_wave(m, w, 0.5 * s)
        return {"stadium": stadium}
    stadium = str(rng.choice(_STADIA, p=_STADIA_P))
    if terr == "posterior":
        _posterior_r(m, s)
    else:
        _q_wave(m, w, s)
        if stmt in ("IPLMI", "IPMI"):
            _posterior_r(m, s, 0.6)
    st = {"Stadium I": 0.08 + 0.3 * s, "Stadium I-II": 0.05 + 0.2 * s, "Stadium II": 0.03 + 0.12 * s}.get(stadium, 0.0)
    if st:
        _st(m, "mi_st", w, st, "elevation")
    if stadium == "Stadium I":
        _t(m).vec = _push(_t(m).vec, np.clip(w, 0, None), 0.5 * st)
    elif stadium in ("Stadium I-II", "Stadium II", "Stadium II-III"):
        _invert_t(m, w, 0.05 + 0.3 * s, gain=1.2)
    elif rng.random() < 0.5:
        _invert_t(m, w, 0.03 + 0.2 * s, gain=1.0)
    return {"stadium": stadium}


def aneurysm(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """ANEUR: Q waves with persistent ST elevation (anterior)."""
    w = territory("anterior", rng)
    _q_wave(m, w, 0.5 + 0.5 * s)
    _st(m, "aneur_st", w, 0.08 + 0.2 * s, "elevation")
    return {}


# ------------------------------------------------------------------------------------------------- STTC
def _random_territory(rng: np.random.Generator, choices: tuple[str, ...]) -> np.ndarray:
    return territory(str(rng.choice(choices)), rng)


def ischaemia(m: Morphology, s: float, rng: np.random.Generator, ctx: dict, stmt: str) -> dict:
    """ISC_ / ISCxx: horizontal or down-sloping ST depression (>= 0.05 mV at moderate severity), often with
    T inversion, in the named territory (ISC_: lateral, anterolateral or inferolateral)."""
    w = territory(TERRITORY[stmt], rng) if stmt in TERRITORY else _random_territory(
        rng, ("lateral", "anterolateral", "inferolateral", "anterolateral"))
    _st(m, "isc_st", w, -(0.03 + 0.17 * s), "horizontal" if rng.random() < 0.5 else "downsloping")
    if rng.random() < 0.65:
        _invert_t(m, w, 0.04 + 0.3 * s, gain=1.0)
    else:
        _scale_t(m, w, 0.6 - 0.5 * s)
    return {}


def nonspecific_st(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """NST_: small ST depression and flattened T, in one or two territories."""
    for _ in range(1 + int(rng.random() < 0.4)):
        w = _random_territory(rng, ("lateral", "inferior", "anterolateral", "inferolateral"))
        _st(m, "nst_st", w, -(0.02 + 0.06 * s), "horizontal")
        _scale_t(m, w, 0.8 - 0.5 * s)
    return {}


def nondiagnostic_t(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """NDT: flattened or slightly inverted T in lateral / inferior leads."""
    w = _random_territory(rng, ("lateral", "inferior", "anterolateral", "inferolateral"))
    if rng.random() < 0.6:
        _scale_t(m, w, 0.75 - 0.7 * s)
    else:
        _invert_t(m, w, 0.02 + 0.12 * s, gain=1.0)
    return {}


def digitalis(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """DIG: scooped ST depression (lateral and inferior), flattened T, short QT."""
    w = territory("lateral", rng) + territory("inferior", rng)
    w = w / max(np.abs(w).max(), 1e-9)
    _st(m, "dig_st", w, -(0.05 + 0.15 * s), "scooped")
    _scale_t(m, w, 0.7 - 0.4 * s)
    m.qtc = min(m.qtc, 0.385 - 0.03 * s)
    return {}


def long_qt(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """LNGQT: QTc 465-540 ms with a broad T."""
    m.qtc = 0.465 + 0.075 * s
    t = _t(m)
    t.left *= 1.1 + 0.2 * s
    return {}


def electrolyte(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """EL: hypokalaemia (flat T, prominent U, slight ST depression) or hyperkalaemia (tall narrow peaked T)."""
    t = _t(m)
    every = territory("anterior") + territory("lateral") + territory("inferior")
    every = every / np.abs(every).max()
    if rng.random() < 0.5:
        t.vec = t.vec * (0.6 - 0.3 * s)
        u = m.get("U")
        base = t.vec / max(np.abs(t.vec).max(), 1e-9)
        if u is not None:
            u.vec = base * (0.08 + 0.15 * s)
            u.left, u.right = 0.04, 0.045
            u.at = 0.09
        _st(m, "el_st", every, -(0.02 + 0.05 * s), "horizontal")
    else:
        t.vec = t.vec * (1.6 + 1.2 * s)
        t.left *= 0.55
        t.right *= 0.75
    return {}


# --------------------------------------------------------------------------------------------------- CD
def first_degree_avb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """1AVB: PR > 200 ms (200-330; the subtlest at 192-200 ms, borderline calls as an annotator measuring to
    +-10 ms makes them)."""
    m.pr = 0.192 + 0.138 * s
    return {}


def second_degree_avb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """2AVB (Wenckebach): PR lengthens beat by beat until a P is not conducted (handled by the schedule)."""
    m.pr = min(m.pr, 0.18)
    return {"av_block": "2AVB"}


def third_degree_avb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """3AVB: P waves and a slow junctional escape rhythm independent of each other (schedule)."""
    _widen(m, m.qrs + 0.012)
    return {"av_block": "3AVB"}


def ivcd(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """IVCD: QRS > 110 ms without a bundle-branch pattern (the subtlest at 106-110 ms, borderline calls)."""
    _widen(m, 0.106 + 0.036 * s)
    return {}


def lafb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """LAFB: axis -45..-80 deg (from -38 deg when subtle, below the criterion as some labels are), qR in
    aVL, rS in II/III/aVF, QRS < 120 ms."""
    _set_axis(m, -(38.0 + 42.0 * s) + rng.normal(0, 4))
    sep = m.get("septal")
    if sep is not None:
        x, y = frontal_of(sep.vec)
        mag = max(np.hypot(x, y), 0.08 * m.amp)
        sep.vec[:2] = frontal_to_8(mag * np.cos(np.deg2rad(115)), mag * np.sin(np.deg2rad(115)))[:2]
    _widen(m, m.qrs + 0.008 + 0.01 * s)
    return {}


def lpfb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """LPFB: axis > +90 deg (95-135), rS in I/aVL, qR in III/aVF."""
    _set_axis(m, 95.0 + 40.0 * s + rng.normal(0, 4))
    sep = m.get("septal")
    if sep is not None:
        x, y = frontal_of(sep.vec)
        mag = max(np.hypot(x, y), 0.08 * m.amp)
        sep.vec[:2] = frontal_to_8(mag * np.cos(np.deg2rad(-40)), mag * np.sin(np.deg2rad(-40)))[:2]
    _widen(m, m.qrs + 0.006)
    return {}


def _r_prime(m: Morphology, amp: float) -> None:
    """A late rightward-anterior wave: R' in V1-V2, broad S in I, aVL, V5-V6."""
    sig = 0.11
    m.add(Wave("rbbb_r", m.dipole(np.array([-0.55, -0.1, 0.83]) * amp), "Q", 1.0 - 2.0 * sig, sig, sig))


def crbbb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """CRBBB: QRS >= 120 ms, rsR' in V1-V2, wide S in I and V6, secondary T inversion V1-V3."""
    old = m.qrs
    new = 0.122 + 0.04 * s
    _compress_qrs(m, old / new * 0.95)
    _widen(m, new)
    _r_prime(m, (0.5 + 0.6 * s) * m.amp)
    right = np.zeros(8)
    right[2:] = (1.0, 0.8, 0.4, 0.0, 0.0, 0.0)
    _invert_t(m, right, 0.1 + 0.2 * s, gain=1.0)
    _st(m, "rbbb_st", right, -(0.02 + 0.04 * s))
    return {}


def irbbb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """IRBBB: the RBBB shape with QRS 100-118 ms (borderline calls from 97 ms) and a smaller R'."""
    old = m.qrs
    new = max(old, 0.097 + 0.021 * s)
    _compress_qrs(m, old / new * 0.97)
    _widen(m, new)
    _r_prime(m, (0.15 + 0.35 * s) * m.amp)
    return {}


def clbbb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict, incomplete: bool = False) -> dict:
    """CLBBB: QRS >= 120 ms, no septal q in I/V5-V6, broad notched R in I, aVL, V5-V6, QS in V1-V3, ST-T
    discordant to the QRS. Incomplete (ILBBB): QRS 110-119 ms, the same shape, milder."""
    a = (1.3 + 0.4 * s) * m.amp
    axis = rng.normal(5.0, 18.0)
    l1 = m.dipole(direction(axis, -40.0) * a)
    l2 = m.dipole(direction(axis - 5.0, -55.0) * a * rng.uniform(0.85, 1.1))
    m.remove("septal", "R1", "R2", "S")
    if incomplete:
        _widen(m, 0.11 + 0.009 * s)
        m.add(Wave("lbbb_1", l1 * 0.9, "Q", 0.28, 0.14, 0.14))
        m.add(Wave("lbbb_2", l2 * 0.8, "Q", 0.72, 0.14, 0.14))
        return {}
    _widen(m, 0.128 + 0.045 * s)
    m.add(Wave("lbbb_1", l1, "Q", 0.30, 0.15, 0.15))
    m.add(Wave("lbbb_2", l2, "Q", 0.72, 0.14, 0.14))
    main = (l1 + l2) / 2.0
    t = _t(m)
    t_size = max(np.abs(t.vec).max(), 0.15)
    t.vec = -main / max(np.abs(main).max(), 1e-9) * t_size * (0.8 + 0.6 * s)
    _st(m, "lbbb_st", -main / max(np.abs(main).max(), 1e-9), 0.05 + 0.1 * s)
    return {}


def ilbbb(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    return clbbb(m, s, rng, ctx, incomplete=True)


def wpw(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """WPW: short PR (< 120 ms), delta wave slurring the QRS upstroke, QRS >= 110 ms."""
    delta = 0.03 + 0.03 * s
    old = m.qrs
    new = old + delta
    for w in m.qrs_waves():
        w.at = (w.at * old + delta) / new
        w.left *= old / new
        w.right *= old / new
    _widen(m, new)
    m.pr = 0.085 + 0.03 * (1.0 - s)                 # P onset to delta-wave onset: 85-115 ms
    r1 = m.get("R1")
    vec = (r1.vec if r1 is not None else np.ones(8) * 0.3) * (0.3 + 0.25 * s)
    sig = delta / new / 2.0
    m.add(Wave("delta", vec, "Q", 2.0 * sig, sig, sig * 1.5))
    _invert_t(m, np.clip(territory("lateral"), 0, None), 0.02 + 0.06 * s, gain=0.6)
    return {}


# -------------------------------------------------------------------------------------------------- HYP
def lvh(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """LVH: larger leftward-posterior QRS forces (Sokolow-Lyon S(V1) + R(V5/6) >= 3.5 mV at moderate severity),
    QRS slightly wider, slight left axis; with strain: down-sloping ST depression and asymmetric T inversion
    in V5-V6, I, aVL."""
    f = 1.35 + 1.0 * s
    for name in ("R1", "R2"):
        w = m.get(name)
        if w is not None:
            w.vec = _rotate_frontal(w.vec * f, -8.0 * s)
    sw = m.get("S")
    if sw is not None:
        sw.vec = sw.vec * (1.0 + 0.3 * s)
    _widen(m, m.qrs + 0.004 + 0.012 * s)
    strain = rng.random() < 0.25 + 0.35 * s
    if strain:
        w = territory("lateral", rng)
        _st(m, "lvh_strain", w, -(0.04 + 0.1 * s), "downsloping")
        _invert_t(m, w, 0.08 + 0.25 * s, gain=1.3)
    return {"strain": strain}


def rvh(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """RVH: tall R in V1 (R/S > 1 when severe), right axis deviation (> +110 deg), deep S in V5-V6,
    strain V1-V3."""
    m.add(Wave("rvh_r", m.dipole(direction(125.0, 45.0) * (0.35 + 0.9 * s) * m.amp), "Q", 0.5, 0.11, 0.11))
    r2 = m.get("R2")
    if r2 is not None:
        r2.vec = r2.vec * (1.0 - 0.4 * s)
    _set_axis(m, 95.0 + 35.0 * s, names=("R1", "R2", "S", "rvh_r"))
    if rng.random() < 0.3 + 0.4 * s:
        right = np.zeros(8)
        right[2:] = (1.0, 0.9, 0.5, 0.1, 0.0, 0.0)
        _invert_t(m, right, 0.06 + 0.2 * s, gain=1.0)
    return {}


def left_atrial(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """LAO/LAE: P >= 120 ms, notched (P mitrale) in II, deep broad negative terminal P in V1."""
    m.p_dur = 0.112 + 0.035 * s
    p1, p2 = m.get("P1"), m.get("P2")
    if p1 is not None and p2 is not None:
        p1.at, p1.left, p1.right = 0.26, 0.13, 0.13
        p2.at, p2.left, p2.right = 0.72, 0.14, 0.14
        p2.vec = p2.vec * (1.3 + 0.9 * s) + m.dipole(np.array([0.0, 0.0, -0.05 - 0.07 * s]))
    return {}


def right_atrial(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """RAO/RAE: tall peaked P in II (>= 0.25 mV at moderate severity) and V1."""
    p1 = m.get("P1")
    if p1 is not None:
        p1.vec = p1.vec + m.dipole(direction(75.0, 30.0) * (0.08 + 0.22 * s))
    return {}


def septal_hypertrophy(m: Morphology, s: float, rng: np.random.Generator, ctx: dict) -> dict:
    """SEHYP: prominent septal q in I, aVL, V5-V6 and tall R in V1."""
    sep = m.get("septal")
    if sep is not None:
        sep.vec = sep.vec * (2.5 + 2.5 * s)
        sep.left *= 1.2
        sep.right *= 1.2
    return {}


# ----------------------------------------------------------------------------------------------- registry
def _mi(stmt: str) -> Lesion:
    return lambda m, s, rng, ctx: myocardial_infarction(m, s, rng, ctx, stmt)


def _isc(stmt: str) -> Lesion:
    return lambda m, s, rng, ctx: ischaemia(m, s, rng, ctx, stmt)


LESIONS: dict[str, Lesion] = {
    **{k: _mi(k) for k in ("IMI", "ASMI", "ILMI", "AMI", "ALMI", "LMI", "IPLMI", "IPMI", "PMI",
                           "INJAS", "INJAL", "INJIN", "INJLA", "INJIL")},
    "ANEUR": aneurysm,
    **{k: _isc(k) for k in ("ISC_", "ISCAL", "ISCAS", "ISCLA", "ISCAN", "ISCIN", "ISCIL")},
    "NST_": nonspecific_st, "NDT": nondiagnostic_t, "DIG": digitalis, "LNGQT": long_qt, "EL": electrolyte,
    "1AVB": first_degree_avb, "2AVB": second_degree_avb, "3AVB": third_degree_avb, "IVCD": ivcd,
    "LAFB": lafb, "LPFB": lpfb, "CRBBB": crbbb, "IRBBB": irbbb, "CLBBB": clbbb, "ILBBB": ilbbb, "WPW": wpw,
    "LVH": lvh, "RVH": rvh, "LAO/LAE": left_atrial, "RAO/RAE": right_atrial, "SEHYP": septal_hypertrophy,
}

#: the order lesions are applied in: conduction first (it reshapes the QRS), then hypertrophy, MI, ST-T.
ORDER: tuple[str, ...] = (
    "WPW", "CLBBB", "ILBBB", "CRBBB", "IRBBB", "IVCD", "LAFB", "LPFB", "1AVB", "2AVB", "3AVB",
    "LVH", "RVH", "SEHYP", "LAO/LAE", "RAO/RAE",
    "IMI", "ILMI", "IPLMI", "IPMI", "PMI", "ASMI", "AMI", "ALMI", "LMI", "ANEUR",
    "INJAS", "INJAL", "INJIN", "INJLA", "INJIL",
    "ISC_", "ISCAL", "ISCAS", "ISCLA", "ISCAN", "ISCIN", "ISCIL", "NST_", "NDT", "DIG", "LNGQT", "EL",
)
assert set(ORDER) == set(LESIONS)

#: statements that may show in only some beats of a record (T-wave alternans-like / transient ST-T change,
#: rate-dependent bundle-branch block, intermittent pre-excitation), and how often they do.
INTERMITTENT: dict[str, float] = {"NDT": 0.35, "NST_": 0.35, "ISC_": 0.2, "CLBBB": 0.1, "CRBBB": 0.1,
                                  "IRBBB": 0.15, "WPW": 0.3, "IVCD": 0.15, "LNGQT": 0.0}


# ----------------------------------------------------------------------------------- normal variants
def early_repolarisation(m: Morphology, rng: np.random.Generator) -> None:
    """J-point elevation with concave ST elevation (0.05-0.2 mV) in V2-V5 and/or inferior leads: a benign
    mimic of injury, common in young men."""
    w = np.zeros(8)
    if rng.random() < 0.75:
        w[2:] = (0.2, 0.8, 1.0, 1.0, 0.6, 0.2)
    if rng.random() < 0.5:
        w[:2] = territory("inferior")[:2]
    amount = rng.uniform(0.05, 0.2)
    m.add(Wave("er_j", _push(np.zeros(8), w, amount * 0.8), "Q", 1.0, 0.06, 0.06))
    _st(m, "er_st", w, amount, "horizontal")
    _t(m).vec = _t(m).vec * rng.uniform(1.1, 1.4)


def juvenile_t(m: Morphology, rng: np.random.Generator) -> None:
    """Persistent juvenile T pattern: T inversion V1-V3 in the young."""
    w = np.zeros(8)
    w[2:] = (1.0, 0.7, 0.3, 0.0, 0.0, 0.0)
    _invert_t(m, w, rng.uniform(0.05, 0.15), gain=1.0)


def benign_rsr(m: Morphology, rng: np.random.Generator) -> None:
    """Normal-variant rSr' in V1 with a narrow QRS."""
    _r_prime(m, rng.uniform(0.08, 0.2) * m.amp)


def poor_r_progression(m: Morphology, rng: np.random.Generator) -> None:
    """Small r in V1-V3 without infarction (lead placement, habitus): a mimic of anteroseptal MI."""
    keep = rng.uniform(0.1, 0.5)
    for name, frac in (("septal", keep), ("R1", 0.5 + 0.5 * keep)):
        w = m.get(name)
        if w is not None:
            w.vec[2:5] = np.where(w.vec[2:5] > 0, w.vec[2:5] * frac, w.vec[2:5])


def inferior_q(m: Morphology, rng: np.random.Generator) -> None:
    """Small normal q in III/aVF (septal forces pointing up): a mimic of inferior MI."""
    sep = m.get("septal")
    if sep is not None:
        mag = rng.uniform(0.05, 0.14)
        ang = np.deg2rad(rng.uniform(-120.0, -60.0))
        sep.vec[:2] = frontal_to_8(mag * np.cos(ang), mag * np.sin(ang))[:2]


def flat_t(m: Morphology, rng: np.random.Generator) -> None:
    """Non-specific low T in lateral leads (elderly, not labelled)."""
    _scale_t(m, territory("lateral", rng), rng.uniform(0.35, 0.7))


VARIANTS: dict[str, Callable[[Morphology, np.random.Generator], None]] = {
    "early_repolarisation": early_repolarisation, "juvenile_t": juvenile_t, "rsr_v1": benign_rsr,
    "flat_t": flat_t, "poor_r_progression": poor_r_progression, "inferior_q": inferior_q,
}


def apply(stmt: str, m: Morphology, s: float, rng: np.random.Generator, ctx: dict[str, Any]) -> dict:
    """Apply one statement's signature with severity s (0, 1]."""
    return LESIONS[stmt](m, float(np.clip(s, 0.01, 1.0)), rng, ctx)
