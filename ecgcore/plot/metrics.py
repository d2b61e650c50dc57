"""Model figures from stored evaluation results (`results_<dataset>.json` written by `evaluate`):
probabilities against thresholds, ROC, confusion matrices, calibration; one figure per kind with subplots,
so a page holds few figures (and no WebGL contexts: every trace here is SVG).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

#: A colour per model, fixed by name order so a model keeps its colour across figures.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
FONT = dict(size=12)


def model_colours(names: Sequence[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(names))}


def _style(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=60 if title else 40, b=50), font=FONT,
                      title=dict(text=title, x=0.01) if title else None, template="plotly_white",
                      legend=dict(orientation="h", y=-0.18, x=0.0))
    return fig


def probability_figure(
    classes: Sequence[str],
    by_model: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    truth: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars of each class's probability, one bar per model, with each model's decision
    threshold as a tick and the ground-truth classes marked (truth None: unlabelled record).

    by_model: {model: (probabilities (classes,), thresholds (classes,))}.
    """
    colours = model_colours(list(by_model))
    fig = go.Figure()
    for name, (probs, thr) in by_model.items():
        probs, thr = np.asarray(probs, float), np.asarray(thr, float)
        positive = probs >= thr
        fig.add_trace(go.Bar(
            y=list(classes), x=probs, orientation="h", name=name, marker_color=colours[name],
            text=[f"{p:.2f}{' ≥' if pos else ' <'} {t:.2f}" for p, t, pos in zip(probs, thr, positive)],
            textposition="outside", cliponaxis=False, customdata=thr, offsetgroup=name,
            hovertemplate=f"{name}<br>%{{y}}: p = %{{x:.3f}}<br>threshold %{{customdata:.3f}}<extra></extra>",
        ))
        fig.add_trace(go.Scatter(
            y=list(classes), x=thr, mode="markers", name=f"{name} threshold", showlegend=False, offsetgroup=name,
            orientation="h",
            marker=dict(symbol="line-ns", size=16 if len(by_model) > 1 else 26, line=dict(width=3, color="#222222")),
            hoverinfo="skip",
        ))
    labels = [f"<b>{c} ✔</b>" if truth and c in truth else c for c in classes]
    fig.update_yaxes(tickvals=list(classes), ticktext=labels, autorange="reversed", title=None)
    fig.update_xaxes(range=[0, 1.18], title="probability (bars) · decision threshold (black tick)",
                     tickvals=[0, 0.25, 0.5, 0.75, 1.0])
    fig.update_layout(barmode="group", scattermode="group", bargap=0.25, scattergap=0.25, showlegend=len(by_model) > 1)
    note = "ground truth: " + (", ".join(truth) if truth else "unlabelled") + " (✔)"
    fig.add_annotation(text=note, xref="paper", yref="paper", x=1.0, y=1.02, showarrow=False, xanchor="right",
                       yanchor="bottom", font=dict(size=11))
    return _style(fig, 90 + 48 * len(classes) * max(1, len(by_model)) ** 0.5, title)


def _auc_text(res: Mapping[str, Any], cls: str) -> str:
    pc = res["auc"]["per_class"].get(cls)
    return "n/a" if not pc else f"{pc['auc']:.3f}"


def roc_figure(results: Mapping[str, Mapping[str, Any]], title: str | None = None) -> go.Figure:
    """ROC curves per class (one subplot each), one line per model; AUC in the legend."""
    names = list(results)
    classes = list(next(iter(results.values()))["classes"])
    colours = model_colours(names)
    fig = make_subplots(rows=1, cols=len(classes), subplot_titles=classes, shared_yaxes=True,
                        horizontal_spacing=0.02)
    for j, cls in enumerate(classes, start=1):
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#999999", dash="dot", width=1),
                                 hoverinfo="skip", showlegend=False), row=1, col=j)
        for name in names:
            roc = results[name]["roc"].get(cls)
            if roc is None:
                continue
            fig.add_trace(go.Scatter(
                x=roc["fpr"], y=roc["tpr"], mode="lines", line=dict(color=colours[name], width=2),
                name=name, legendgroup=name, showlegend=j == 1,
                hovertemplate=f"{name} · {cls} (AUC {_auc_text(results[name], cls)})<br>"
                              "FPR %{x:.2f} · TPR %{y:.2f}<extra></extra>",
            ), row=1, col=j)
        missing = [n for n in names if results[n]["roc"].get(cls) is None]
        if missing:
            fig.add_annotation(text="no positives or<br>no negatives", x=0.5, y=0.5, showarrow=False,
                               xref=f"x{j if j > 1 else ''}", yref=f"y{j if j > 1 else ''}", font=dict(size=11))
    fig.update_xaxes(range=[0, 1], constrain="domain", title="false positive rate", tickvals=[0, 0.5, 1])
    fig.update_yaxes(range=[0, 1], scaleanchor="x", title=None, tickvals=[0, 0.5, 1])
    fig.update_yaxes(title="true positive rate", row=1, col=1)
    return _style(fig, 330, title)


def confusion_figure(results: Mapping[str, Mapping[str, Any]], title: str | None = None) -> go.Figure:
    """Per model (rows): a 2x2 matrix per class at its threshold, then the single-label 5x5 matrix
    (records with exactly one true class; predicted = most probable class). Cells show counts."""
    names = list(results)
    classes = list(next(iter(results.values()))["classes"])
    n_cols = len(classes) + 1
    titles = []
    for name in names:
        titles += [f"{name} · {c}" for c in classes] + [f"{name} · single-label"]
    fig = make_subplots(rows=len(names), cols=n_cols, subplot_titles=titles,
                        column_widths=[1.0] * len(classes) + [2.4], horizontal_spacing=0.035,
                        vertical_spacing=0.12 if len(names) > 1 else 0.0)
    for i, name in enumerate(names, start=1):
        res = results[name]
        for j, cls in enumerate(classes, start=1):
            m = res["confusion_per_class"][cls]
            z = np.array([[m["tn"], m["fp"]], [m["fn"], m["tp"]]])
            fig.add_trace(_heat(z, ["pred −", "pred +"], ["true −", "true +"], f"{name} · {cls}"), row=i, col=j)
        single = res["confusion_single_label"]
        fig.add_trace(_heat(np.array(single["matrix"]), single["classes"], single["classes"],
                            f"{name} · single-label ({single['n_records']} records)"), row=i, col=n_cols)
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=10))
    fig.update_xaxes(tickfont=dict(size=10), side="bottom")
    fig.update_annotations(font_size=11)
    return _style(fig, 60 + 250 * len(names), title)


def _heat(z: np.ndarray, x: Sequence[str], y: Sequence[str], name: str) -> go.Heatmap:
    share = z / np.maximum(z.sum(axis=1, keepdims=True), 1)  # row-normalised colour: recall per true class
    return go.Heatmap(z=share, x=list(x), y=list(y), text=z, texttemplate="%{text}", colorscale="Blues",
                      zmin=0, zmax=1, showscale=False, name=name,
                      hovertemplate=f"{name}<br>%{{y}} → %{{x}}: %{{text}} records<extra></extra>")


def calibration_figure(results: Mapping[str, Mapping[str, Any]], title: str | None = None) -> go.Figure:
    """Reliability curves (observed frequency vs mean predicted probability per bin), per class and pooled,
    one line per model; ECE in the hover text."""
    names = list(results)
    classes = list(next(iter(results.values()))["classes"])
    colours = model_colours(names)
    panels = classes + ["pooled"]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels, shared_yaxes=True,
                        horizontal_spacing=0.02)
    for j, panel in enumerate(panels, start=1):
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#999999", dash="dot", width=1),
                                 hoverinfo="skip", showlegend=False), row=1, col=j)
        for name in names:
            cal = results[name]["calibration"]
            rel = cal["pooled"] if panel == "pooled" else cal["per_class"][panel]
            ece = rel.get("ece")
            fig.add_trace(go.Scatter(
                x=rel["mean_predicted"], y=rel["observed"], mode="lines+markers", connectgaps=True,
                line=dict(color=colours[name], width=2), marker=dict(size=5), name=name, legendgroup=name,
                showlegend=j == 1, customdata=rel["count"],
                hovertemplate=f"{name} · {panel} (ECE {'n/a' if ece is None else f'{ece:.3f}'})<br>"
                              "predicted %{x:.2f} · observed %{y:.2f} · %{customdata} records<extra></extra>",
            ), row=1, col=j)
    fig.update_xaxes(range=[0, 1], constrain="domain", title="predicted", tickvals=[0, 0.5, 1])
    fig.update_yaxes(range=[0, 1], scaleanchor="x", tickvals=[0, 0.5, 1])
    fig.update_yaxes(title="observed frequency", row=1, col=1)
    return _style(fig, 330, title)


def metrics_table(results: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per model: macro AUC with its 95% interval, per-class AUC, and the macro accuracy,
    precision, recall and F1 at the model's thresholds (values as stored by `evaluate`)."""
    rows = []
    for name, res in results.items():
        auc = res["auc"]
        ci = auc.get("macro_ci95")
        row = {"model": name, "records": res["n_records"],
               "macro AUC": auc["macro"],
               "95% CI": "" if not ci else f"{ci[0]:.3f}–{ci[1]:.3f}"}
        for cls in res["classes"]:
            pc = auc["per_class"].get(cls)
            row[f"AUC {cls}"] = None if not pc else pc["auc"]
            row[f"AUC {cls} CI"] = "" if not pc or not pc.get("ci95") else f"{pc['ci95'][0]:.2f}–{pc['ci95'][1]:.2f}"
        macro = res["at_thresholds"]["macro"]
        for key in ("accuracy", "precision", "recall", "f1"):
            row[key] = macro[key]
        rows.append(row)
    return pd.DataFrame(rows)


def per_class_table(res: Mapping[str, Any]) -> pd.DataFrame:
    """One model's per-class figures: positives, AUC with interval, accuracy, precision, recall, F1."""
    rows = []
    for cls in res["classes"]:
        pc = res["auc"]["per_class"].get(cls)
        at = res["at_thresholds"]["per_class"][cls]
        rows.append({"class": cls, "positives": res["positives"][cls],
                     "AUC": None if not pc else pc["auc"],
                     "95% CI": "" if not pc or not pc.get("ci95") else f"{pc['ci95'][0]:.3f}–{pc['ci95'][1]:.3f}",
                     "threshold": res["thresholds"][cls], "accuracy": at["accuracy"], "precision": at["precision"],
                     "recall": at["recall"], "F1": at["f1"]})
    return pd.DataFrame(rows)
