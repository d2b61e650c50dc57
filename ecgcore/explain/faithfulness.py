"""Checks that a saliency map means something: lesion overlap, Adebayo sanity, deletion.

Used by tests/test_explain_faithfulness.py and bench/bench_faithfulness.py.

- `lesion_mass_share`: the share of a map's positive mass inside known lesion windows, against the share of
  time those windows cover (a map that ignores the lesions scores about the time share).
- `sanity_rank_correlation` (Adebayo et al. 2018, "Sanity checks for saliency maps"): Spearman correlation
  between the maps of the trained model and of the same architecture with random weights; a map that
  explains the model, not the input's edges, changes when the weights do (low correlation).
- `deletion_drop`: the fall in the class probability when the most salient segments are removed (set to
  0 mV in every lead) against removing random segments of the same total length. Segments are 0.1 s, about
  a QRS: with 0.25 s ones and max-aggregated windows, the lesions left on other beats keep the probability up.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np
from scipy.stats import spearmanr

from ecgcore.core.ecg import ECG


def lesion_mask(lesions: Iterable[dict[str, Any]], cls: str, n_samples: int, fs: float) -> np.ndarray:
    """(samples,) bool: inside any lesion window of class `cls` (windows with start_s/end_s in seconds)."""
    mask = np.zeros(n_samples, dtype=bool)
    for les in lesions:
        if les.get("class") == cls:
            a = max(0, int(np.floor(les["start_s"] * fs)))
            b = min(n_samples, int(np.ceil(les["end_s"] * fs)))
            mask[a:b] = True
    return mask


def lesion_mass_share(saliency: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(share of the positive saliency mass inside `mask`, share of samples inside `mask`); NaN mass share
    when the map has no positive mass."""
    pos = np.maximum(np.nan_to_num(saliency), 0.0)
    total = float(pos.sum())
    return (float(pos[mask].sum()) / total if total > 0 else float("nan")), float(mask.mean())


def sanity_rank_correlation(map_trained: np.ndarray, map_random: np.ndarray) -> float:
    """Spearman rank correlation of two maps of the same record (flattened); NaN if either is constant."""
    a, b = np.ravel(map_trained), np.ravel(map_random)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def segment_scores(saliency: np.ndarray, fs: float, segment_s: float) -> np.ndarray:
    """Positive saliency mass of consecutive segments of `segment_s` seconds (the last may be shorter)."""
    seg = max(1, int(round(segment_s * fs)))
    pos = np.maximum(np.nan_to_num(saliency), 0.0)
    n = int(np.ceil(len(pos) / seg))
    return np.add.reduceat(pos, np.arange(n) * seg)


def remove_segments(ecg: ECG, segments: Iterable[int], segment_s: float) -> ECG:
    """A copy of `ecg` with the given segments (indices of `segment_s`-long pieces) at 0 mV in every lead."""
    seg = max(1, int(round(segment_s * ecg.fs)))
    sig = ecg.signal.copy()
    for i in segments:
        sig[:, int(i) * seg:(int(i) + 1) * seg] = 0.0
    return ecg.with_signal(sig)


def deletion_drop(ecg: ECG, saliency: np.ndarray, proba: Callable[[ECG], float], fraction: float = 0.2,
                  segment_s: float = 0.1, random_draws: int = 10, seed: int = 0) -> tuple[float, float]:
    """(probability drop when the top `fraction` of segments by saliency are removed, mean drop when as many
    random segments are removed). saliency: (samples,) at `ecg.fs`; proba: ECG -> class probability."""
    scores = segment_scores(saliency, ecg.fs, segment_s)
    k = max(1, int(round(fraction * len(scores))))
    base = proba(ecg)
    top = np.argsort(-scores, kind="stable")[:k]
    drop_top = base - proba(remove_segments(ecg, top, segment_s))
    rng = np.random.default_rng(seed)
    drops = [base - proba(remove_segments(ecg, rng.choice(len(scores), k, replace=False), segment_s))
             for _ in range(random_draws)]
    return float(drop_top), float(np.mean(drops))
