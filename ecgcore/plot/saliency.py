"""Saliency drawn on ECG paper: a heat band behind the rows, or colour levels on the traces."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.plot import style
from ecgcore.plot.paper import S_PER_MM, PaperLayout, Panel

SALIENCY_MODES = ("band", "trace")
SCALES = ("relative", "fixed")
LEVEL_EDGES = (0.2, 0.4, 0.6, 0.8)  # saliency levels drawn in colour on the traces
LEVEL_NAMES = ("weak", "moderate", "strong", "strongest")
#: The relative scale maps this percentile of the record's positive evidence to full colour (robust to a
#: single spike, which would otherwise leave everything else pale).
RELATIVE_PERCENTILE = 99.0


def display_map(values: np.ndarray, scale: str = "relative", method: str | None = None) -> np.ndarray:
    """THE way a saliency map becomes colour: its positive part (evidence FOR the class) on [0, 1].

    values: a signed map (samples,) or (leads, samples), e.g. a class activation map or per-lead attribution
    in logits/s. scale "relative": divided by the map's own RELATIVE_PERCENTILE of positive values (1 =
    strongest evidence in this record; an all-non-positive map stays all 0); "fixed": divided by the CAM
    method's fixed display scale (`ecgcore.explain.gradcam.display_scale(method)`, logits/s), so colours
    mean the same on every record and model. Clipped to [0, 1]; NaN counts as 0.
    """
    from ecgcore.explain.gradcam import display_scale

    if scale not in SCALES:
        raise ECGError(f"unknown saliency scale {scale!r}; use one of {', '.join(SCALES)}")
    v = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if scale == "fixed":
        full = display_scale(method)
    else:
        positive = v[v > 0]
        full = float(np.percentile(positive, RELATIVE_PERCENTILE)) if positive.size else 0.0
    if full <= 0:
        return np.zeros_like(v)
    return np.clip(v / full, 0.0, 1.0)


def is_blank(shown: np.ndarray | None) -> bool:
    """True when a display map would colour nothing (no value reaches the first level)."""
    return shown is None or not np.any(np.asarray(shown) >= LEVEL_EDGES[0])


def legend_title(target: str, scale: str = "relative") -> str:
    """What full colour means, in words, for the figure's legend."""
    if scale == "fixed":
        return f"Evidence for {target} (fixed scale, same on every record): full colour = very strong evidence"
    return f"Evidence for {target}: full colour = strongest evidence for {target} in this record"


def unit_map(saliency: np.ndarray, ecg: ECG) -> np.ndarray:
    """Check a display map (from `display_map`, on [0, 1]) against `ecg`: (samples,) shared by all leads,
    or (leads, samples) per lead. ECGError for another shape. Values outside [0, 1] are clipped, never
    rescaled (scaling is `display_map`'s job alone)."""
    n = ecg.n_samples
    if saliency.shape not in ((n,), (len(ecg.leads), n)):
        raise ECGError(f"saliency map shaped {saliency.shape} does not fit a record of {len(ecg.leads)} leads x {n} samples")
    return np.clip(np.nan_to_num(saliency), 0.0, 1.0)


def level_legend(legend: str | None) -> list[go.Scatter]:
    """Legend entries for the saliency levels (no data drawn), so both modes explain their colours the same
    way and no colour bar narrows the paper."""
    traces = []
    for k, (colour, width) in enumerate(zip(style.TRACE_LEVELS, style.TRACE_LEVEL_WIDTHS)):
        traces.append(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=colour, width=width + 1),
                                 name=LEVEL_NAMES[k], legendgroup="saliency", showlegend=True, hoverinfo="skip",
                                 legendgrouptitle=dict(text=legend) if k == 0 and legend else None))
    return traces


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
        showscale=False, hoverinfo="skip", name="saliency",  # no hover: clicks reach the R-peak marks
    )


def trace_levels(paper: PaperLayout, sal: np.ndarray, ecg: ECG, opacity: float) -> list[go.Scatter]:
    """Four line traces, one per saliency level (0.2-0.4 ... 0.8-1) of the map averaged over 40 ms, drawn
    over the plain traces, darker and thicker as the level rises (legible in grey too)."""
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
    for k, (colour, width) in enumerate(zip(style.TRACE_LEVELS, style.TRACE_LEVEL_WIDTHS)):
        if not xs[k]:
            continue
        traces.append(go.Scatter(
            x=np.concatenate(xs[k]).astype(np.float32), y=np.concatenate(ys[k]).astype(np.float32), mode="lines",
            opacity=max(opacity, 0.15), line=dict(color=colour, width=width), name=f"evidence: {LEVEL_NAMES[k]}",
            hoverinfo="skip", connectgaps=False, showlegend=False, legendgroup="saliency",
        ))
    return traces


def _runs(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Only the samples under `mask`, with a NaN between separate runs (so plotly lifts the pen)."""
    idx = np.flatnonzero(mask)
    breaks = np.flatnonzero(np.diff(idx) > 1) + 1
    return np.insert(x[idx], breaks, np.nan), np.insert(y[idx], breaks, np.nan)



#: colours of the lead evidence: for the class, against it
EVIDENCE_FOR, EVIDENCE_AGAINST = "#1f5fbf", "#b0b7bf"


def evidence_figure(changes: dict[str, float], cls: str, highlight: tuple[str, ...] = (),
                    height: int = 420, title: str | None = None) -> go.Figure:
    """The per-lead evidence strip: one bar per lead, top to bottom in the order of `changes` ({lead:
    probability change when the lead is replaced}, `ecgcore.explain.evidence.LeadEvidence.lead_changes`), in
    percentage points; blue = the lead carried evidence for `cls`, grey = against. `highlight`: leads named in
    bold (e.g. those of a criteria statement)."""
    return _lead_bars({lead: 100.0 * v for lead, v in changes.items()}, highlight, height, title, "{:+.0f}", 5.0,
                      "%{y}: p(" + cls + ") falls by %{x:.1f} points without this lead<extra></extra>",
                      f"p({cls}) change, points")


def contribution_figure(contributions: dict[str, float], cls: str, highlight: tuple[str, ...] = (),
                        height: int = 420, title: str | None = None) -> go.Figure:
    """The lead-wise model's strip: one bar per lead, what it adds to the class's logit beyond a normal lead
    ({lead: logit}, `ecgcore.models.leadwise.LeadContributions.lead_changes`: lead weight x lead score minus the
    NORM reference, parts that add up to the logit); blue = towards `cls`, grey = away from it; `highlight` as
    `evidence_figure`."""
    return _lead_bars(dict(contributions), highlight, height, title, "{:+.2f}", 0.5,
                      "%{y}: adds %{x:.2f} to the logit of " + cls + " beyond a normal lead<extra></extra>", f"{cls} logit contribution")


def _lead_bars(values: dict[str, float], highlight: tuple[str, ...], height: int, title: str | None, fmt: str,
               min_span: float, hover: str, axis_title: str) -> go.Figure:
    leads = list(values)
    points = [values[lead] for lead in leads]
    labels = [f"<b>{lead}</b>" if lead in highlight else lead for lead in leads]
    fig = go.Figure(go.Bar(x=points, y=labels, orientation="h",
                           marker_color=[EVIDENCE_FOR if v > 0 else EVIDENCE_AGAINST for v in points],
                           text=[fmt.format(v) for v in points], textposition="outside", cliponaxis=False,
                           hovertemplate=hover))
    span = max(min_span, max(abs(v) for v in points) * 1.3) if points else min_span
    fig.update_layout(height=height, margin=dict(l=40, r=16, t=40 if title else 8, b=36), showlegend=False,
                      title=dict(text=title, font=dict(size=13)) if title else None,
                      paper_bgcolor="white", plot_bgcolor="white", font=dict(color="#222222"))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=12))
    fig.update_xaxes(range=[-span, span], zeroline=True, zerolinecolor="#555555", gridcolor="#eeeeee",
                     title=dict(text=axis_title, font=dict(size=11)))
    return fig
