"""Pictures of a score run (`ecgcore.score`): class and statement counts, probability distributions, failures
by reason, and a long record's time course. Inputs are a run's rows (`ecgcore.score.load_rows`, triaged or
not) and time course (`load_timecourse`); each function returns a Plotly figure."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ecgcore.score.triage import add_triage, classes, owner, short_reason

AF = "atrial fibrillation"


def _empty(title: str, text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(title=title, height=260, xaxis_visible=False, yaxis_visible=False)
    return fig


def class_counts(frame: pd.DataFrame) -> go.Figure:
    """Records decided positive per class (the ensemble's decisions, else the first model's)."""
    t = add_triage(frame)
    names = classes(t)
    who = owner(t)
    if not names:
        return _empty("Positive decisions per class", "no model scored this run")
    counts = [int(t[f"d.{who}.{c}"].fillna(False).astype(bool).sum()) for c in names]
    fig = go.Figure(go.Bar(x=names, y=counts, text=counts, textposition="outside"))
    fig.update_layout(title=f"Records decided positive per class ({who}; {len(t)} records)", height=320,
                      yaxis_title="records", margin=dict(t=50, b=30))
    return fig


def statement_counts(frame: pd.DataFrame, top: int = 20) -> go.Figure:
    """The `top` most frequent interpretation statements (where the run has them)."""
    texts = frame.get("interpretation", pd.Series(dtype=str)).dropna()
    items = pd.Series([s.strip() for t in texts for s in str(t).split(";") if s.strip()])
    if items.empty:
        return _empty("Interpretation statements", "this run has no interpretation statements")
    counts = items.value_counts().head(top)[::-1]
    fig = go.Figure(go.Bar(x=counts.values, y=counts.index, orientation="h"))
    fig.update_layout(title="Interpretation statements", height=max(260, 22 * len(counts) + 80), xaxis_title="records")
    return fig


def probability_distributions(frame: pd.DataFrame, bins: int = 20) -> go.Figure:
    """One histogram per class of the records' probabilities (ensemble, else first model), with the class's
    threshold where a single model is shown."""
    t = frame
    names = classes(t)
    who = owner(t)
    if not names:
        return _empty("Probability distributions", "no model scored this run")
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True)
    for i, c in enumerate(names, start=1):
        values = t[f"p.{who}.{c}"].dropna()
        fig.add_trace(go.Histogram(x=values, xbins=dict(start=0, end=1, size=1 / bins), name=c, showlegend=False),
                      row=1, col=i)
        fig.update_xaxes(range=[0, 1], row=1, col=i, title_text="probability")
    fig.update_yaxes(title_text="records", row=1, col=1)
    fig.update_layout(title=f"Probability per class ({who})", height=300, bargap=0.05, margin=dict(t=70, b=40))
    return fig


def failures_by_reason(frame: pd.DataFrame) -> go.Figure:
    """Records that were not scored, per status and reason (first sentence)."""
    failed = frame[frame["status"] != "ok"]
    if failed.empty:
        return _empty("Failures by reason", "every record was read")
    reasons = pd.Series([f"{s}: {short_reason(r, 70)}" for s, r in zip(failed["status"], failed["reason"])])
    counts = reasons.value_counts()[::-1]
    fig = go.Figure(go.Bar(x=counts.values, y=counts.index, orientation="h"))
    fig.update_layout(title=f"Failures by reason ({len(failed)} records)", height=max(260, 30 * len(counts) + 100),
                      xaxis_title="records", xaxis_dtick=1 if counts.max() < 10 else None)
    fig.update_yaxes(automargin=True)
    return fig


def timeline(course: pd.DataFrame, title: str = "") -> go.Figure:
    """A long record's time course (`load_timecourse` rows of one record): heart rate, rhythm (atrial
    fibrillation shaded), premature beats per segment and, where the models scored it, each class's
    probability per segment. x: hours from the start (minutes for a record under 2 hours). Selecting a point gives its segment's start (s)."""
    if course.empty:
        return _empty(title or "Time course", "no time course (records up to 60 s are scored whole)")
    scale, unit = (3600.0, "hours") if course["end_s"].max() >= 2 * 3600 else (60.0, "minutes")
    hours = course["start_s"] / scale
    probs = [c for c in course.columns if c.startswith("p.ensemble.")] or \
        [c for c in course.columns if c.startswith("p.")][:5]
    rows = 3 if probs else 2
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.45, 0.2, 0.35][:rows],
                        subplot_titles=["Heart rate (/min) and rhythm", "Premature beats per segment",
                                        "Class probability per segment"][:rows])
    custom = course[["start_s"]].to_numpy()
    fig.add_trace(go.Scattergl(x=hours, y=course["HR"], mode="lines+markers", marker=dict(size=3), name="HR",
                               customdata=custom, hovertemplate=f"%{{x:.2f}} {unit}: %{{y:.0f}}/min<extra></extra>"),
                  row=1, col=1)
    af = (course["rhythm"] == AF).to_numpy()
    for start, end in _runs(af, course["start_s"].to_numpy(), course["end_s"].to_numpy()):
        fig.add_vrect(x0=start / scale, x1=end / scale, fillcolor="crimson", opacity=0.15, line_width=0, row=1, col=1)
    if af.any():
        fig.add_trace(go.Scattergl(x=[None], y=[None], mode="markers", marker=dict(color="crimson", symbol="square"),
                                   name="atrial fibrillation"), row=1, col=1)
    fig.add_trace(go.Bar(x=hours, y=course["premature_beats"], name="premature beats", customdata=custom,
                         marker_color="darkorange"), row=2, col=1)
    for c in probs:
        fig.add_trace(go.Scattergl(x=hours, y=course[c], mode="lines", name=c.split(".")[-1], customdata=custom),
                      row=3, col=1)
    if probs:
        fig.update_yaxes(range=[0, 1], row=3, col=1)
    fig.update_xaxes(title_text=f"{unit} from the start", row=rows, col=1)
    fig.update_layout(title=title, height=520 if probs else 400, margin=dict(t=60, b=40), legend=dict(orientation="h"))
    return fig


def _runs(mask, starts, ends) -> list[tuple[float, float]]:
    out, i, n = [], 0, len(mask)
    while i < n:
        if mask[i]:
            j = i
            while j + 1 < n and mask[j + 1]:
                j += 1
            out.append((float(starts[i]), float(ends[j])))
            i = j + 1
        else:
            i += 1
    return out
