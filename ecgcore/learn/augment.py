"""Training-time augmentations of ECG crops (records, 12, samples) in mV at `fs` Hz.

Each one imitates a way real recordings differ from each other and from the synthetic corpus:
- "amplitude": one gain per crop, log-uniform 0.8-1.25 (body habitus, electrode contact);
- "lead_gain": an extra gain per lead, log-normal sd 0.1 (electrode placement);
- "baseline": a per-lead offset (sd 0.1 mV) plus baseline wander, a sine of 0.05-0.5 Hz, amplitude up to
  0.3 mV (respiration, movement);
- "muscle": band-limited (moving-average) Gaussian noise, sd up to 0.03 mV (EMG);
- "mains": a 50 or 60 Hz sine up to 0.03 mV, as sampled at `fs` (aliased at 100 Hz);
- "time_warp": the crop resampled by a factor 0.9-1.1 (heart-rate and sampling differences);
- "lead_dropout": with probability 0.1 per crop, one lead set to zero (a lead off).
Probabilities and sizes are chosen to stay inside what a cardiologist would still read as the same ECG.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ecgcore.core.errors import UnknownNameError


def _amplitude(x: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    return x * np.exp(rng.uniform(np.log(0.8), np.log(1.25), size=(len(x), 1, 1)))


def _lead_gain(x: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    return x * np.exp(rng.normal(0.0, 0.1, size=(len(x), x.shape[1], 1)))


def _baseline(x: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    t = np.arange(x.shape[-1]) / fs
    f = rng.uniform(0.05, 0.5, size=(len(x), 1, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(len(x), x.shape[1], 1))
    amp = rng.uniform(0.0, 0.3, size=(len(x), 1, 1)) * rng.uniform(0.5, 1.0, size=(len(x), x.shape[1], 1))
    return x + rng.normal(0.0, 0.1, size=(len(x), x.shape[1], 1)) + amp * np.sin(2 * np.pi * f * t + phase)


def _muscle(x: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    noise = rng.normal(0.0, 1.0, size=x.shape)
    k = np.ones(3) / 3
    noise = np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), -1, noise)
    return x + noise * rng.uniform(0.0, 0.03, size=(len(x), 1, 1)) / noise.std()


def _mains(x: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    t = np.arange(x.shape[-1]) / fs
    f = rng.choice([50.0, 60.0], size=(len(x), 1, 1))
    amp = rng.uniform(0.0, 0.03, size=(len(x), 1, 1))
    return x + amp * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi, size=(len(x), 1, 1)))


def _time_warp(x: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    n = x.shape[-1]
    out = np.empty_like(x)
    for i, factor in enumerate(rng.uniform(0.9, 1.1, size=len(x))):
        src = np.clip(np.arange(n) * factor, 0, n - 1)
        lo = np.floor(src).astype(int); hi = np.minimum(lo + 1, n - 1); w = src - lo
        out[i] = x[i][:, lo] * (1 - w) + x[i][:, hi] * w
    return out


def _lead_dropout(x: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    x = x.copy()
    for i in np.flatnonzero(rng.random(len(x)) < 0.1):
        x[i, rng.integers(0, x.shape[1])] = 0.0
    return x


AUGMENTATIONS: dict[str, Callable[[np.ndarray, np.random.Generator, float], np.ndarray]] = {
    "amplitude": _amplitude, "lead_gain": _lead_gain, "baseline": _baseline, "muscle": _muscle,
    "mains": _mains, "time_warp": _time_warp, "lead_dropout": _lead_dropout,
}
#: what the shipped synthetic models were trained with
BASIC = ("amplitude", "baseline_offset")
ALL = tuple(AUGMENTATIONS)


def check(names: Sequence[str]) -> tuple[str, ...]:
    """The names, validated; UnknownNameError lists the valid ones."""
    unknown = [n for n in names if n not in AUGMENTATIONS and n != "baseline_offset"]
    if unknown:
        raise UnknownNameError(f"unknown augmentation(s) {unknown}; valid: {', '.join(AUGMENTATIONS)}")
    return tuple(names)


def apply(x: np.ndarray, names: Sequence[str], rng: np.random.Generator, fs: float) -> np.ndarray:
    """Crops (B, 12, samples) mV with the named augmentations applied in the order given (float32 copy)."""
    out = x.astype(np.float64)
    for name in names:
        if name == "baseline_offset":  # the synthetic models' original per-lead offset only
            out = out + rng.normal(0.0, 0.1, size=(len(out), out.shape[1], 1))
        else:
            out = AUGMENTATIONS[name](out, rng, fs)
    return out.astype(np.float32)
