"""Per-beat saliency: how much of a class's Grad-CAM mass falls inside each beat window.

Beat windows come from `ecgcore.signal.beats.beat_bounds` on the R-peaks of `ecgcore.signal.analyse_record`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BeatScores:
    """Saliency per beat.

    mass: (beats, classes) positive Grad-CAM mass inside each beat window (logit units: the map in logit/s
    integrated over the window's seconds). share: the same as a fraction of the class's positive mass over
    the whole record (0..1). top_lead: (beats,) index into LEADS of the lead with the largest absolute
    per-lead attribution in the window (-1 without a per-lead map). ranking: beat indices, most salient
    first for the target class.
    """

    bounds: np.ndarray
    mass: np.ndarray
    share: np.ndarray
    top_lead: np.ndarray
    ranking: np.ndarray


def score_beats(bounds: np.ndarray, gradcam: np.ndarray, fs: float, target: int,
                per_lead: np.ndarray | None = None) -> BeatScores:
    """Score beats by saliency.

    bounds: (beats, 2) sample ranges (`beat_bounds`). gradcam: (classes, samples) signed Grad-CAM in logit/s
    at `fs`. per_lead: (12, samples) attribution for the target class, or None. target: class index to rank by.
    """
    pos = np.maximum(gradcam, 0.0)
    csum = np.concatenate([np.zeros((pos.shape[0], 1)), np.cumsum(pos, axis=1)], axis=1) / fs
    mass = (csum[:, bounds[:, 1]] - csum[:, bounds[:, 0]]).T if len(bounds) else np.zeros((0, pos.shape[0]))
    total = csum[:, -1]
    share = mass / np.where(total > 0, total, np.inf)[None, :]
    if per_lead is not None and len(bounds):
        lsum = np.concatenate([np.zeros((per_lead.shape[0], 1)), np.cumsum(np.abs(per_lead), axis=1)], axis=1)
        lead_mass = lsum[:, bounds[:, 1]] - lsum[:, bounds[:, 0]]  # (12, beats)
        top_lead = np.argmax(lead_mass, axis=0).astype(np.int64)
    else:
        top_lead = np.full(len(bounds), -1, dtype=np.int64)
    ranking = np.argsort(-mass[:, target], kind="stable") if len(bounds) else np.zeros(0, dtype=np.int64)
    return BeatScores(bounds, mass.astype(np.float32), share.astype(np.float32), top_lead, ranking)
