"""Lead geometry for the simulator.

Signals are built in the 8 independent leads (I, II, V1..V6) and the other four limb leads are derived by
Einthoven's and Goldberger's equations, so III = II - I etc. hold exactly. Cardiac sources are 3-D dipoles
in body axes: x to the patient's left, y inferior (feet), z anterior (chest), amplitudes in mV.
"""
from __future__ import annotations

import numpy as np

INDEPENDENT: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
SQ3_2 = np.sqrt(3.0) / 2.0

#: (12, 8) matrix: 12 leads in canonical order from the 8 independent leads.
TO_12 = np.zeros((12, 8))
TO_12[0, 0] = 1.0                       # I
TO_12[1, 1] = 1.0                       # II
TO_12[2, :2] = (-1.0, 1.0)              # III = II - I
TO_12[3, :2] = (-0.5, -0.5)             # aVR = -(I + II) / 2
TO_12[4, :2] = (1.0, -0.5)              # aVL = I - II / 2
TO_12[5, :2] = (-0.5, 1.0)              # aVF = II - I / 2
TO_12[6:, 2:] = np.eye(6)

#: horizontal-plane angle (deg, 0 = patient's left, 90 = anterior) and gain of V1..V6 (near-field larger).
PRECORDIAL_ANGLE = np.array([115.0, 95.0, 78.0, 60.0, 35.0, 10.0])
PRECORDIAL_GAIN = np.array([1.1, 1.6, 1.7, 1.6, 1.3, 1.0])
PRECORDIAL_Y = np.array([-0.05, 0.0, 0.05, 0.1, 0.15, 0.15])


def to_12(sig8: np.ndarray) -> np.ndarray:
    """(8, n) independent leads -> (12, n) leads in `LEADS` order (same units)."""
    return TO_12 @ sig8


def projection(rng: np.random.Generator | None = None) -> np.ndarray:
    """(8, 3) lead-field matrix from a dipole (x, y, z) to I, II, V1..V6; jittered per patient when rng is given
    (electrode placement +-6 deg, precordial gain +-12%)."""
    ang = PRECORDIAL_ANGLE.copy()
    gain = PRECORDIAL_GAIN.copy()
    ycoef = PRECORDIAL_Y.copy()
    if rng is not None:
        ang = ang + rng.normal(0.0, 6.0, 6)
        gain = gain * np.exp(rng.normal(0.0, 0.12, 6))
        ycoef = ycoef + rng.normal(0.0, 0.05, 6)
    a = np.deg2rad(ang)
    P = np.zeros((8, 3))
    P[0] = (1.0, 0.0, 0.0)
    P[1] = (0.5, SQ3_2, 0.0)
    P[2:, 0] = gain * np.cos(a)
    P[2:, 1] = ycoef
    P[2:, 2] = gain * np.sin(a)
    return P


def frontal_to_8(x: float, y: float) -> np.ndarray:
    """A frontal-plane vector (x left, y inferior, mV) as its (8,) lead values (precordials zero)."""
    v = np.zeros(8)
    v[0] = x
    v[1] = 0.5 * x + SQ3_2 * y
    return v


def frontal_of(vec8: np.ndarray) -> tuple[float, float]:
    """Inverse of `frontal_to_8` for the limb part of an (8,) lead vector: (x, y)."""
    return float(vec8[0]), float((vec8[1] - 0.5 * vec8[0]) / SQ3_2)


def direction(frontal_deg: float, elevation_deg: float = 0.0) -> np.ndarray:
    """Unit 3-D vector: frontal angle (0 = lead I, +90 = aVF/inferior) and elevation toward anterior (deg)."""
    f, e = np.deg2rad(frontal_deg), np.deg2rad(elevation_deg)
    return np.array([np.cos(e) * np.cos(f), np.cos(e) * np.sin(f), np.sin(e)])


#: territory -> (frontal angle deg, frontal weight, V1..V6 weights): where a regional lesion shows.
TERRITORIES: dict[str, tuple[float, float, tuple[float, ...]]] = {
    "inferior": (100.0, 1.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    "inferolateral": (75.0, 1.0, (0.0, 0.0, 0.0, 0.3, 0.85, 1.0)),
    "septal": (0.0, 0.0, (1.0, 1.0, 0.3, 0.0, 0.0, 0.0)),
    "anteroseptal": (0.0, 0.0, (0.85, 1.0, 1.0, 0.7, 0.1, 0.0)),
    "anterior": (0.0, 0.0, (0.2, 0.8, 1.0, 1.0, 0.5, 0.1)),
    "anterolateral": (-20.0, 0.6, (0.0, 0.2, 0.6, 1.0, 1.0, 0.85)),
    "lateral": (-20.0, 1.0, (0.0, 0.0, 0.0, 0.3, 0.9, 1.0)),
    "posterior": (0.0, 0.0, (-0.8, -1.0, -0.6, 0.0, 0.0, 0.0)),
}


def territory(name: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """(8,) unit-scale lead weights of a territory (frontal part from its angle); jittered per record when rng
    is given (frontal angle +-12 deg, precordial extent x0.7-1.3)."""
    angle, fw, prec = TERRITORIES[name]
    prec = np.asarray(prec, dtype=float)
    if rng is not None:
        angle = angle + rng.normal(0.0, 12.0)
        prec = prec * rng.uniform(0.7, 1.3, 6)
    rad = np.deg2rad(angle)
    v = frontal_to_8(fw * np.cos(rad), fw * np.sin(rad))
    v[2:] = prec
    return v
