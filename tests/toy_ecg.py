"""A toy 12-lead signal-shape task for the model tests (100 Hz, mV): two classes anyone can see.

Class "TINV": T waves inverted in V1-V4. Class "WIDE": QRS three times wider in every lead.
Each label is drawn independently (p = 0.4), so records carry none, one or both.
"""
from __future__ import annotations

import numpy as np

CLASSES = ["TINV", "WIDE"]


def toy_dataset(n: int, seed: int, seconds: float = 10.0, fs: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """X (n, 12, seconds*fs) float32 mV and Y (n, 2) uint8."""
    rng = np.random.default_rng(seed)
    T = int(seconds * fs)
    t = np.arange(T) / fs
    Y = (rng.random((n, 2)) < 0.4).astype(np.uint8)
    X = np.empty((n, 12, T), dtype=np.float32)
    lead_gain = np.linspace(0.6, 1.4, 12)
    for i in range(n):
        rr = 60.0 / rng.uniform(55, 100)
        beats = np.arange(rng.uniform(0, rr), seconds, rr)
        qrs_w = 0.012 * (3.0 if Y[i, 1] else 1.0)
        x = np.zeros(T)
        for b in beats:
            x += np.exp(-0.5 * ((t - b) / qrs_w) ** 2) * (1.0 / (3.0 if Y[i, 1] else 1.0)) ** 0.5
        tw = sum(0.3 * np.exp(-0.5 * ((t - b - 0.3) / 0.05) ** 2) for b in beats)
        sig = lead_gain[:, None] * x[None] + np.repeat(tw[None], 12, axis=0)
        if Y[i, 0]:
            sig[6:10] -= 2 * tw
        sig += rng.normal(0, 0.05, sig.shape) + rng.normal(0, 0.1, (12, 1))
        X[i] = sig
    return X, Y
