"""Saliency drawn on ECG paper: a heat band behind the rows, or colour levels on the traces."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ecgcore.ecg import ECG
from ecgcore.errors import ECGError
from ecgcore.plot import style
from ecgcore.plot.paper import S_PER_MM, PaperLayout, Panel

SALIENCY_MODES = ("band", "trace")
LEVEL_EDGES = (0.2, 0.4, 0.6, 0.8)  # saliency levels drawn in colour on the traces


def unit_map(saliency: np.ndarray, ecg: ECG) -> np.ndarray:
    """Check a saliency map's shape against `ecg` and bring it to [0, 1] for display.

    (samples,) maps are shared by all leads (Grad-CAM), (leads, samples) maps are per lead. Negative
    values are shown as 0; a map already within [0, 1] keeps its scale (so records stay comparable).
    """
    n = ecg.n_samples
    if saliency.shape not in ((n,), (len(ecg.leads), n)):
        raise ECGError(f"saliency map shaped {saliency.shape} does not fit a record of {len(ecg.leads)} leads x {n} samples")
    sal = np.nan_to_num(np.clip(saliency, 0.0, None))
    peak = float(sal.max()) if sal.size else 0.0
    return sal / peak if peak > 1.0 else sal


def _lead_values(sal: np.ndarray, ecg: ECG, panel: Panel) -> np.ndarray:
    row = sal if sal.ndim == 1 else sal[ecg.leads.index(panel.lead)]
    return row[panel.start:panel.stop]


def heat_band(paper: PaperLayout, sal: np.ndarray, ecg: ECG, opacity: float) -> go.Heatmap:
    """One heatmap behind every row in 1 mm (40 ms) paper bins; each cell shows its panel's lead."""
    x_min = min(p.x0 for p in paper.panels)
    n_bins = int(np.ceil((max(p.x0 + (p.stop - p.start) / ecg.fs for p in paper.panels) - x_min) / S_PER_MM))
    z = np.full((paper.n_rows, n_bins), np.nan)
    for panel in paper.panels:
        values = _lead_values(sal, ecg, panel)
        x = paper.paper_x(panel, np.arange(panel.start, panel.stop))
        idx = np.minimum(((x - x_min) / S_PER_MM + 1e-9).astype(int), n_bins - 1)
        sums = np.bincount(idx, weights=values, minlength=n_bins)
        counts = np.bincount(idx, minlength=n_bins)
        hit = counts > 0
        z[panel.row, hit] = sums[hit] / counts[hit]
    x = x_min + (np.arange(n_bins) + 0.5) * S_PER_MM
    return go.Heatmap(
        x=x, y=paper.row_baselines(), z=z, zmin=0.0, zmax=1.0, colorscale=style.HEAT_SCALE, opacity=opacity,
        showscale=True, hoverinfo="skip", name="saliency",  # no hover: clicks reach the R-peak marks
        colorbar=dict(title=dict(text="saliency", side="right"), thickness=10, len=0.5, x=1.0, xanchor="left", xpad=6,
                      tickfont=dict(size=10, color="#111111")),
    )


def trace_levels(paper: PaperLayout, sal: np.ndarray, ecg: ECG, opacity: float) -> list[go.Scatter]:
    """Four line traces, one per saliency level (0.2-0.4 ... 0.8-1) of the map averaged over 40 ms, drawn
    over the plain traces."""
    xs: list[list[np.ndarray]] = [[] for _ in LEVEL_EDGES]
    ys: list[list[np.ndarray]] = [[] for _ in LEVEL_EDGES]
    width = max(1, int(round(S_PER_MM * ecg.fs)))  # colour follows the map averaged over 1 mm (40 ms)
    kernel = np.ones(width) / width
    for panel in paper.panels:
        values = np.convolve(_lead_values(sal, ecg, panel), kernel, mode="same")
        level = np.digitize(values, LEVEL_EDGES)
        t = paper.paper_x(panel, np.arange(panel.start, panel.stop))
        y = ecg.lead(panel.lead)[panel.start:panel.stop].astype(np.float64) + panel.baseline
        for k in range(1, len(LEVEL_EDGES) + 1):
            mask = level == k
            if not mask.any():
                continue
            mask[1:] |= mask[:-1]  # reach the next sample so a run draws as a line segment
            x_run, y_run = _runs(t, y, mask)
            xs[k - 1] += [x_run, [np.nan]]
            ys[k - 1] += [y_run, [np.nan]]
    traces = []
    for k, colour in enumerate(style.TRACE_LEVELS):
        if not xs[k]:
            continue
        lo = LEVEL_EDGES[k]
        hi = LEVEL_EDGES[k + 1] if k + 1 < len(LEVEL_EDGES) else 1.0
        traces.append(go.Scatter(
            x=np.concatenate(xs[k]).astype(np.float32), y=np.concatenate(ys[k]).astype(np.float32), mode="lines", opacity=max(opacity, 0.15),
            line=dict(color=colour, width=2.2), name=f"saliency {lo:.1f}-{hi:.1f}", hoverinfo="skip",
            connectgaps=False, showlegend=True,
        ))
    return traces


def _runs(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Only the samples under `mask`, with a NaN between separate runs (so plotly lifts the pen)."""
    idx = np.flatnonzero(mask)
    breaks = np.flatnonzero(np.diff(idx) > 1) + 1
    return np.insert(x[idx], breaks, np.nan), np.insert(y[idx], breaks, np.nan)

