"""Recording noise, generated per electrode (RA, LA, LL, V1..V6) and turned into leads the way an ECG
amplifier does (I = LA - RA, II = LL - RA, Vi = Vi - Wilson's central terminal), so every lead shares its
electrodes' noise and the limb-lead identities still hold.

Components, each with a random strength per record: baseline wander (respiration + slow drift), muscle
(EMG) noise band-passed 20-150 Hz in bursts, 50/60 Hz mains hum (above the Nyquist rate it is taken as
removed by the anti-alias filter, as in PTB-XL's 100 Hz files), a white amplifier floor, and occasional
electrode artefacts (a step with slow recovery, or a burst of large motion noise on one electrode).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.signal import butter, sosfilt

ELECTRODES: tuple[str, ...] = ("RA", "LA", "LL", "V1", "V2", "V3", "V4", "V5", "V6")
#: which of the 12 leads (PTB-XL spelling) each electrode reaches, for the metadata strings.
_LEADS_UPPER = ("I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6")
_ELECTRODE_LEADS = {
    "RA": ("I", "II", "AVR", "AVL", "AVF"), "LA": ("I", "III", "AVR", "AVL", "AVF"),
    "LL": ("II", "III", "AVR", "AVL", "AVF"),
}

#: (8, 9) electrodes -> independent leads I, II, V1..V6.
_E2L = np.zeros((8, 9))
_E2L[0, :2] = (-1.0, 1.0)
_E2L[1, [0, 2]] = (-1.0, 1.0)
_E2L[2:, :3] = -1.0 / 3.0
_E2L[2:, 3:] = np.eye(6)


@dataclass
class NoiseReport:
    """What was added, in PTB-XL's metadata vocabulary (None = nothing notable)."""

    baseline_drift: str | None = None
    static_noise: str | None = None
    burst_noise: str | None = None
    electrodes_problems: str | None = None
    levels: dict[str, float] = field(default_factory=dict)


def _emg_filter(fs: float) -> np.ndarray:
    high = min(150.0, 0.45 * fs)
    return butter(2, [20.0, high], btype="bandpass", fs=fs, output="sos")


def _lead_spec(leads: list[str]) -> str:
    """PTB-XL style lead list: contiguous runs as 'I-AVF', everything as 'alles'."""
    if len(leads) >= 11:
        return "alles"
    idx = sorted(_LEADS_UPPER.index(x) for x in set(leads))
    runs, start = [], idx[0]
    for a, b in zip(idx, idx[1:] + [None]):
        if b != a + 1:
            runs.append(_LEADS_UPPER[start] if start == a else f"{_LEADS_UPPER[start]}-{_LEADS_UPPER[a]}")
            if b is not None:
                start = b
    return ",".join(runs)


def _affected(electrodes: list[int]) -> list[str]:
    out: list[str] = []
    for e in electrodes:
        name = ELECTRODES[e]
        out += list(_ELECTRODE_LEADS.get(name, (name,)))
    return out


def make_noise(rng: np.random.Generator, n: int, fs: float, resp_hz: float) -> tuple[np.ndarray, NoiseReport]:
    """Noise for one record: ((8, n) mV in I, II, V1..V6, what was added)."""
    t = np.arange(n) / fs
    report = NoiseReport()
    e = np.zeros((9, n))

    # baseline wander: a shared respiratory swing with electrode-specific gains, plus slow drift per electrode
    level = float(np.exp(rng.uniform(np.log(0.01), np.log(0.25))))
    if rng.random() < 0.06:
        level = float(rng.uniform(0.3, 0.8))
    gains = rng.uniform(0.1, 1.0, 9)
    e += level * gains[:, None] * np.sin(2 * np.pi * resp_hz * t + rng.uniform(0, 2 * np.pi))[None, :]
    freqs = rng.uniform(0.03, 0.5, (9, 2))
    phases = rng.uniform(0, 2 * np.pi, (9, 2))
    amps = level * rng.uniform(0.0, 0.8, (9, 2))
    e += np.einsum("ek,ekn->en", amps, np.sin(2 * np.pi * freqs[:, :, None] * t[None, None, :] + phases[:, :, None]))
    report.levels["wander_mv"] = level

    # muscle noise: band-passed white noise with bursts, strongest on the limb electrodes
    emg = float(np.exp(rng.uniform(np.log(0.001), np.log(0.015))))
    if rng.random() < 0.08:
        emg = float(rng.uniform(0.02, 0.08))
    white = rng.standard_normal((9, n))
    band = sosfilt(_emg_filter(fs), white, axis=1)
    band /= max(float(band.std()), 1e-12)
    env = np.ones(n)
    for _ in range(int(rng.integers(0, 3))):
        c, w = rng.uniform(0, n / fs), rng.uniform(0.3, 1.5)
        env += 2.0 * np.exp(-0.5 * ((t - c) / (w / 2)) ** 2)
    limb = np.array([1.0, 1.0, 1.0] + [0.5] * 6) * rng.uniform(0.5, 1.5, 9)
    e += emg * limb[:, None] * band * env[None, :]
    report.levels["emg_mv"] = emg

    # mains hum (50 Hz in Germany, 60 Hz sometimes): only where the rate can carry it
    hum_hz = 50.0 if rng.random() < 0.85 else 60.0
    hum = float(np.exp(rng.uniform(np.log(0.001), np.log(0.03))))
    if hum_hz < 0.45 * fs:
        e += hum * rng.uniform(0.2, 1.0, 9)[:, None] * np.sin(2 * np.pi * hum_hz * t[None, :] + rng.uniform(0, 2 * np.pi, 9)[:, None])
    report.levels["hum_mv"] = hum if hum_hz < 0.45 * fs else 0.0

    # electrode artefact on one electrode
    if rng.random() < 0.05:
        which = int(rng.integers(0, 9))
        start = rng.uniform(0.5, n / fs - 1.0)
        if rng.random() < 0.5:
            tau = rng.uniform(0.2, 1.0)
            step = rng.choice([-1, 1]) * rng.uniform(0.3, 1.5)
            e[which] += np.where(t >= start, step * np.exp(-(t - start) / tau), 0.0)
        else:
            dur = rng.uniform(0.5, 2.0)
            burst = np.cumsum(rng.standard_normal(n)) / np.sqrt(fs) * rng.uniform(0.5, 1.5)
            burst -= np.convolve(burst, np.ones(int(fs * 0.2)) / int(fs * 0.2), mode="same")
            e[which] += np.where((t >= start) & (t < start + dur), burst * 2.0, 0.0)
        report.burst_noise = _lead_spec(_affected([which]))
        if which >= 3:
            report.electrodes_problems = ELECTRODES[which]

    leads = _E2L @ e
    leads += rng.uniform(0.0008, 0.004) * rng.standard_normal((8, n))

    if level > 0.15:
        strong = [i for i in range(9) if gains[i] * level > 0.15]
        if strong:
            report.baseline_drift = " , " + _lead_spec(_affected(strong))
    if emg > 0.015:
        noisy = [i for i in range(9) if emg * limb[i] > 0.015]
        if noisy:
            report.static_noise = " , " + _lead_spec(_affected(noisy)) + ",  "
    return leads, report


def fibrillatory_waves(rng: np.random.Generator, n: int, fs: float, P: np.ndarray) -> np.ndarray:
    """Atrial fibrillation f-waves (4.5-8 Hz, 0.02-0.1 mV, drifting frequency), strongest in V1 and the
    inferior leads: (8, n) mV."""
    t = np.arange(n) / fs
    f0 = rng.uniform(4.5, 8.0)
    drift = np.cumsum(rng.normal(0.0, 0.05, n)) / np.sqrt(fs)
    phase = 2 * np.pi * f0 * t + 2 * np.pi * drift
    wave = np.sin(phase) + 0.4 * np.sin(2 * phase + rng.uniform(0, 2 * np.pi))
    amp = rng.uniform(0.02, 0.1) * (1.0 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t))
    vec = P @ np.array([-0.2, 0.6, 0.75])
    return vec[:, None] * (amp * wave)[None, :]
