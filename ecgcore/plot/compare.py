"""Comparing models on one record: their saliency side by side (where they disagree: `ecgcore.metrics.disagreements`)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from ecgcore.core.ecg import ECG
from ecgcore.plot.ecg_figure import ecg_figure


def saliency_strips_figure(ecg: ECG, lead: str, maps: Mapping[str, np.ndarray | None], opacity: float = 0.7,
                           start_s: float = 0.0, title: str | None = None) -> go.Figure:
    """One lead drawn once per model, each row with that model's saliency (samples,) as a heat band, on
    one sheet of ECG paper; a model without a map (None) gets a plain row."""
    names = list(maps)
    signal = np.tile(ecg.lead(lead), (len(names), 1))
    strips = ECG(signal, ecg.fs, ecg.record_id, ecg.source, leads=tuple(f"{lead} · {n}" for n in names))
    stacked = np.stack([np.zeros(ecg.n_samples) if maps[n] is None else np.asarray(maps[n], float) for n in names])
    return ecg_figure(strips, "12x1", start_s=start_s, saliency=stacked, saliency_mode="band", opacity=opacity,
                      title=title)
