"""Beat morphology as a handful of wave templates, expanded over beats and rendered in one matrix product.

A template is a Gaussian (possibly asymmetric) or a smooth box whose amplitude is an (8,) vector over the
independent leads I, II, V1..V6 (mV). Its time is relative to an anchor of each beat:

- "P": the P-wave onset; times in units of the P duration,
- "Q": the QRS onset; times in units of the QRS duration (so widening the QRS stretches every QRS wave),
- "T": the T-wave end; times in seconds.

Rendering evaluates all (beats x templates) kernels on the sample grid at once and sums them with a single
(8, K) @ (K, samples) product. The true QRS onset/offset is the first/last QRS wave's centre -/+ 2 sigma,
the true T end is the T peak + 2 sigma of its descending limb (where the steepest tangent meets the
baseline), the P onset is the P anchor.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.special import expit

from ecgcore.synth.geometry import direction, projection


@dataclass
class Wave:
    """One template wave. Gaussian: centre `at`, sigmas `left`/`right` (anchor units). Box: from `at` (anchor
    units) to `left` (units of `end_anchor`), smooth edges of `right` seconds."""

    name: str
    vec: np.ndarray
    anchor: str
    at: float
    left: float
    right: float
    kind: str = "gauss"
    end_anchor: str = "T"


@dataclass
class Morphology:
    """Everything that shapes one kind of beat. Times in seconds."""

    waves: list[Wave]
    pr: float          # P onset -> QRS onset
    p_dur: float       # P-wave duration
    qrs: float         # QRS duration
    qtc: float         # QT corrected to RR = 1 s (Fridericia: QT = QTc * RR ** (1/3))
    P: np.ndarray = field(repr=False, default_factory=lambda: projection())   # (8, 3) lead field
    amp: float = 1.0   # the patient's overall QRS amplitude factor

    def copy(self) -> "Morphology":
        """A copy whose waves can be changed without touching this one (the lead field is shared)."""
        return replace(self, waves=[replace(w, vec=w.vec.copy()) for w in self.waves])

    def get(self, name: str) -> Wave | None:
        for w in self.waves:
            if w.name == name:
                return w
        return None

    def remove(self, *names: str) -> None:
        self.waves = [w for w in self.waves if w.name not in names]

    def add(self, wave: Wave) -> None:
        self.waves.append(wave)

    def qt(self, rr: np.ndarray | float) -> np.ndarray:
        """QT (s) for the preceding RR interval(s) (s), Fridericia."""
        return self.qtc * np.cbrt(np.clip(rr, 0.3, 2.5))

    def qrs_waves(self) -> list[Wave]:
        return [w for w in self.waves if w.anchor == "Q" and w.kind == "gauss"]

    def dipole(self, v: np.ndarray) -> np.ndarray:
        """A 3-D dipole (mV) as its (8,) lead vector for this patient."""
        return self.P @ v


def normal_morphology(prng: np.random.Generator, rrng: np.random.Generator, age: float, male: bool,
                      bmi: float, strict: bool = True) -> Morphology:
    """A normal adult beat. `prng` draws the patient's anatomy (lead field, axis, rotation, amplitudes),
    `rrng` this recording's intervals. Ranges per ECG_CRITERIA.md: PR 120-200 ms, QRS < 110 ms,
    axis -30..+90 deg, QTc normal; with `strict=False` (records not labelled normal) the axis may drift a
    little beyond (-40..+100 deg), as it does in older patients with other findings."""
    P = projection(prng)
    young = float(np.clip((40.0 - age) / 25.0, 0.0, 1.0))
    axis = float(np.clip(prng.normal(62.0 - 0.55 * (age - 20.0), 22.0), *((-28.0, 88.0) if strict else (-40.0, 100.0))))
    rot = np.deg2rad(prng.normal(0.0, 12.0))          # horizontal rotation: transition-zone shift
    amp = float(np.exp(prng.normal(0.0, 0.2)) * (24.5 / np.clip(bmi, 16.0, 45.0)) ** 0.6
                * (1.0 + 0.3 * young) * (1.08 if male else 0.95) * max(0.7, 1.0 - 0.004 * max(age - 40.0, 0.0)))
    cy, sy = np.cos(rot), np.sin(rot)
    rot_y = np.array([[cy, 0.0, -sy], [0.0, 1.0, 0.0], [sy, 0.0, cy]])

    def dip(v: np.ndarray) -> np.ndarray:
        return P @ (rot_y @ v)

    a_r = 1.15 * amp
    septal = np.array([-0.12, 0.06, 0.22]) * prng.uniform(0.6, 1.4) * amp
    r1 = direction(axis, prng.normal(10.0, 8.0)) * a_r
    r2 = direction(axis - 10.0, prng.normal(-55.0, 10.0)) * a_r * prng.uniform(0.6, 0.95)
    s = np.array([-0.25, -0.15, -0.35]) * (1.0 + prng.normal(0.0, 0.2, 3)) * amp
    t_axis = axis + prng.normal(0.0, 15.0)
    t_vec = direction(t_axis, prng.normal(28.0, 10.0)) * 0.3 * np.exp(prng.normal(0.0, 0.25)) * np.sqrt(amp)
    p_axis = prng.normal(55.0, 12.0)
    a_p = 0.12 * np.exp(prng.normal(0.0, 0.2))
    p1 = direction(p_axis + 20.0, 35.0) * a_p * 0.9
    p2 = direction(p_axis - 15.0, -35.0) * a_p * 0.9
    u_gain = prng.uniform(0.0, 0.15)

    t_fall = float(np.clip(rrng.normal(0.032, 0.004), 0.022, 0.045))
    t_rise = float(np.clip(rrng.normal(0.055, 0.008), 0.035, 0.08))
    waves = [
        Wave("P1", P @ p1, "P", 0.30, 0.15, 0.15),
        Wave("P2", P @ p2, "P", 0.70, 0.15, 0.15),
        Wave("septal", dip(septal), "Q", 0.13, 0.065, 0.065),
        Wave("R1", dip(r1), "Q", 0.42, 0.11, 0.11),
        Wave("R2", dip(r2), "Q", 0.60, 0.10, 0.10),
        Wave("S", dip(s), "Q", 0.83, 0.07, 0.085),
        Wave("T", P @ t_vec, "T", -2.0 * t_fall, t_rise, t_fall),
        Wave("U", P @ t_vec * u_gain, "T", 0.07, 0.03, 0.035),
    ]
    pr = float(np.clip(rrng.normal(0.155 + 0.0006 * (age - 50.0), 0.018), 0.122, 0.198))
    p_dur = float(np.clip(rrng.normal(0.095, 0.01), 0.075, 0.112))
    qrs = float(np.clip(rrng.normal(0.088 + (0.006 if male else 0.0), 0.008), 0.074, 0.106))
    qtc = float(np.clip(rrng.normal(0.400 + (0.0 if male else 0.008), 0.015), 0.365, 0.440))
    return Morphology(waves=waves, pr=pr, p_dur=p_dur, qrs=qrs, qtc=qtc, P=P, amp=amp)


def pvc_morphology(base: Morphology, rng: np.random.Generator) -> Morphology:
    """An ectopic ventricular beat: broad (130-170 ms), bizarre QRS from a random focus, discordant T, no P."""
    focus = direction(rng.uniform(-180.0, 180.0), rng.uniform(-60.0, 60.0))
    a = 1.6 * base.amp * rng.uniform(0.8, 1.3)
    v1 = base.dipole(focus * a)
    v2 = base.dipole(direction(np.rad2deg(np.arctan2(focus[1], focus[0])) + rng.normal(0, 25), 0.0) * a * 0.7)
    t_vec = -(v1 + v2) / 2.0 * rng.uniform(0.25, 0.4)
    waves = [
        Wave("V1", v1, "Q", 0.33, 0.165, 0.165),
        Wave("V2", v2, "Q", 0.68, 0.16, 0.16),
        Wave("T", t_vec, "T", -0.08, 0.07, 0.04),
    ]
    return Morphology(waves=waves, pr=base.pr, p_dur=base.p_dur, qrs=float(rng.uniform(0.13, 0.17)),
                      qtc=base.qtc * 1.1, P=base.P, amp=base.amp)


@dataclass
class Kernels:
    """Flattened kernels of many beats, ready to render. Gaussian: centre c, sigmas sl/sr; box: t1, t2, tau."""

    gc: list = field(default_factory=list)
    gl: list = field(default_factory=list)
    gr: list = field(default_factory=list)
    ga: list = field(default_factory=list)
    b1: list = field(default_factory=list)
    b2: list = field(default_factory=list)
    bt: list = field(default_factory=list)
    ba: list = field(default_factory=list)


def add_beats(k: Kernels, m: Morphology, onsets: np.ndarray, rr_prev: np.ndarray, p_onsets: np.ndarray,
              scale: np.ndarray | None = None) -> None:
    """Add the QRS/T waves of `m` for beats with QRS onsets `onsets` (s) and preceding RR `rr_prev` (s), and
    its P waves at the P onsets `p_onsets` (s). `scale`: optional per-beat amplitude factors (n, 8)."""
    onsets = np.asarray(onsets, dtype=float)
    if onsets.size == 0 and np.asarray(p_onsets).size == 0:
        return
    t_end = onsets + m.qt(rr_prev)
    for w in m.waves:
        if w.anchor == "P":
            base, unit, sc = np.asarray(p_onsets, dtype=float), m.p_dur, None
        elif w.anchor == "Q":
            base, unit, sc = onsets, m.qrs, scale
        else:
            base, unit, sc = t_end, 1.0, scale
        if base.size == 0:
            continue
        amp = np.broadcast_to(w.vec, (base.size, 8)) if sc is None else w.vec[None, :] * sc
        if w.kind == "gauss":
            k.gc.append(base + w.at * unit)
            k.gl.append(np.full(base.size, w.left * unit))
            k.gr.append(np.full(base.size, w.right * unit))
            k.ga.append(amp)
        else:
            end = {"Q": onsets + w.left * m.qrs, "T": t_end + w.left}[w.end_anchor]
            k.b1.append(base + w.at * unit)
            k.b2.append(end)
            k.bt.append(np.full(base.size, w.right))
            k.ba.append(amp)


def _scatter(out: np.ndarray, start: np.ndarray, values: np.ndarray, amp: np.ndarray) -> None:
    """Add kernel `values` (K, W), evaluated on samples start + 0..W-1, times amplitudes `amp` (K, 8) to
    `out` (8, n), dropping samples outside the grid."""
    n = out.shape[1]
    idx = start[:, None] + np.arange(values.shape[1])[None, :]
    ok = (idx >= 0) & (idx < n)
    idx, vals = idx[ok], values[ok]
    rows = np.nonzero(ok)[0]
    for lead in range(8):
        out[lead] += np.bincount(idx, weights=vals * amp[rows, lead], minlength=n)[:n]


def render(k: Kernels, t: np.ndarray) -> np.ndarray:
    """Sum the kernels on the regular time grid `t` (s): (8, len(t)) mV.

    Each kernel is evaluated only where it is non-negligible (Gaussians within 6 sigma, boxes within 10 edge
    widths of their ends), then scattered onto the grid."""
    out = np.zeros((8, t.size))
    if t.size == 0:
        return out
    fs = 1.0 / (t[1] - t[0]) if t.size > 1 else 1.0
    t0 = t[0]
    if k.gc:
        c = np.concatenate(k.gc)
        sl = np.concatenate(k.gl)
        sr = np.concatenate(k.gr)
        a = np.concatenate(k.ga)
        start = np.floor((c - 6.0 * sl - t0) * fs).astype(int)
        width = int(np.ceil(6.0 * (sl + sr).max() * fs)) + 2
        tt = t0 + (start[:, None] + np.arange(width)[None, :]) / fs
        d = tt - c[:, None]
        z = d / np.where(d < 0.0, sl[:, None], sr[:, None])
        _scatter(out, start, np.exp(-0.5 * np.minimum(z * z, 60.0)), a)
    if k.b1:
        t1 = np.concatenate(k.b1)
        t2 = np.concatenate(k.b2)
        tau = np.concatenate(k.bt)
        a = np.concatenate(k.ba)
        start = np.floor((t1 - 10.0 * tau - t0) * fs).astype(int)
        width = int(np.ceil(((t2 - t1) + 20.0 * tau).max() * fs)) + 2
        tt = t0 + (start[:, None] + np.arange(width)[None, :]) / fs
        g = expit((tt - t1[:, None]) / tau[:, None]) - expit((tt - t2[:, None]) / tau[:, None])
        _scatter(out, start, g, a)
    return out
