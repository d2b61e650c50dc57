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

from ecgcore.data.evalsets import eval_set

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


#: Colours of a class's call: above the threshold (positive) and below it.
POSITIVE_COLOUR = "#c62828"
NEGATIVE_COLOUR = "#b8c4d6"
OUTCOME_TEXT = {"TP": "TP ✓", "TN": "TN ✓", "FP": "FP ✗ (false alarm)", "FN": "FN ✗ (missed)"}


def probability_figure(
    classes: Sequence[str],
    by_model: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    truth: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars of each class's probability, one bar per model, each with its own threshold tick.

    A bar above its model's threshold is red (the model calls the class), below it pale; with ground truth
    each bar says TP / FP / FN / TN, and true classes are marked ✔ on the axis. NORM above threshold with any
    other class is flagged as contradictory in the figure. by_model: {model: (probabilities (classes,),
    thresholds (classes,))}; truth: ground-truth superclasses, None for an unlabelled record.
    """
    from ecgcore.metrics.clinical import contradiction, verdicts

    names = list(by_model)
    k = len(names)
    band = 0.8 / k  # each model's bar gets its own slot (and tick) inside the class's row
    data, shapes, flags = [], [], []
    for m, name in enumerate(names):
        probs, thr = by_model[name]
        found = verdicts(classes, probs, thr, truth)
        y = [i - 0.4 + band * (m + 0.5) for i in range(len(classes))]
        text = [f"{v.probability:.2f} {'≥' if v.positive else '<'} {v.threshold:.2f}"
                + (f" · {OUTCOME_TEXT[v.outcome]}" if v.outcome else "") + (f" · {name}" if k > 1 else "")
                for v in found]
        data.append(go.Bar(
            y=y, x=[v.probability for v in found], orientation="h", width=band * 0.9, name=name,
            marker=dict(color=[POSITIVE_COLOUR if v.positive else NEGATIVE_COLOUR for v in found],
                        line=dict(color="#333333", width=0.5)),
            customdata=[[v.threshold, v.outcome or "no ground truth"] for v in found],
            meta=dict(positive=[v.positive for v in found], outcome=[v.outcome for v in found]),
            hovertemplate=f"{name}<br>p = %{{x:.3f}}<br>threshold %{{customdata[0]:.3f}}<br>%{{customdata[1]}}"
                          "<extra></extra>",
        ))
        data.append(go.Scatter(  # the verdict in a column right of the axis, clear of bars and ticks
            x=[1.03] * len(found), y=y, mode="text", text=text, textposition="middle right", cliponaxis=False,
            textfont=dict(size=11, color=[POSITIVE_COLOUR if v.positive else "#333333" for v in found]),
            hoverinfo="skip", showlegend=False, name=f"{name} verdicts"))
        for yi, v in zip(y, found):  # the threshold tick spans exactly this bar's slot
            shapes.append(dict(type="line", x0=v.threshold, x1=v.threshold, y0=yi - band * 0.5, y1=yi + band * 0.5,
                               line=dict(color="#111111", width=3)))
        flag = contradiction(found)
        if flag:
            flags.append(f"{name}: {flag}" if k > 1 else flag)
    labels = [f"<b>{c} ✔</b>" if truth and c in truth else c for c in classes]
    fig = go.Figure(data=data)
    fig.update_yaxes(tickvals=list(range(len(classes))), ticktext=labels, autorange="reversed", title=None,
                     range=[len(classes) - 0.5, -0.5], showgrid=False)
    fig.update_xaxes(range=[0, 1.62 if k > 1 or truth is not None else 1.35], title="probability · black tick = "
                     "the model's decision threshold · red = above it", tickvals=[0, 0.25, 0.5, 0.75, 1.0])
    fig.update_layout(shapes=shapes, showlegend=False, bargap=0.0, meta=dict(contradiction=flags or None))
    note = "ground truth: " + (", ".join(truth) + " (✔)" if truth else "none for this record")
    fig.add_annotation(text=note, xref="paper", yref="paper", x=1.0, y=1.02, showarrow=False, xanchor="right",
                       yanchor="bottom", font=dict(size=11))
    for i, flag in enumerate(flags):
        fig.add_annotation(text=f"⚠ {flag}", xref="paper", yref="paper", x=0.0, y=-0.25 - 0.09 * i,
                           showarrow=False, xanchor="left", yanchor="top", font=dict(size=11, color="#8a1c1c"),
                           bgcolor="#fdecea")
    height = 110 + 34 * len(classes) * max(1, k) ** 0.7 + 26 * len(flags)
    fig = _style(fig, int(height), title)
    if flags:
        fig.update_layout(margin=dict(b=60 + 26 * len(flags)))
    return fig


def _auc_text(res: Mapping[str, Any], cls: str) -> str:
    pc = res["auc"]["per_class"].get(cls)
    return "n/a" if not pc else f"{pc['auc']:.3f}"


def roc_figure(results: Mapping[str, Mapping[str, Any]], title: str | None = None) -> go.Figure:
    """ROC curves per class (one subplot each), one line per model, each model's operating point (its
    threshold) as a marker, and per panel the number of positives and each model's AUC with its 95% CI.
    A class with fewer than `MIN_POSITIVES` positives is flagged in its panel title."""
    from ecgcore.metrics.clinical import MIN_POSITIVES, operating_points

    names = list(results)
    first = next(iter(results.values()))
    classes = list(first["classes"])
    colours = model_colours(names)
    points = {name: operating_points(results[name]) for name in names}
    titles = []
    for cls in classes:
        n_pos = int(first["positives"][cls])
        flag = f" ⚠ <b>only {n_pos}</b> (< {MIN_POSITIVES})" if n_pos < MIN_POSITIVES else ""
        titles.append(f"<b>{cls}</b> · N+ = {n_pos}{flag}" if not flag else f"<b>{cls}</b> · N+ ={flag}")
    fig = make_subplots(rows=1, cols=len(classes), subplot_titles=titles, shared_yaxes=True,
                        horizontal_spacing=0.02)
    for j, cls in enumerate(classes, start=1):
        ax = "" if j == 1 else str(j)
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#999999", dash="dot", width=1),
                                 hoverinfo="skip", showlegend=False), row=1, col=j)
        legend_lines = []
        for name in names:
            roc = results[name]["roc"].get(cls)
            if roc is None:
                continue
            fig.add_trace(go.Scatter(
                x=roc["fpr"], y=roc["tpr"], mode="lines", line=dict(color=colours[name], width=2),
                name=name, legendgroup=name, showlegend=j == 1,
                hovertemplate=f"{name} · {cls} (AUC {_auc_text(results[name], cls)})<br>"
                              "1 − specificity %{x:.2f} · sensitivity %{y:.2f}<extra></extra>",
            ), row=1, col=j)
            op = points[name][cls]
            if op.fpr is not None and op.sensitivity is not None:
                fig.add_trace(go.Scatter(
                    x=[op.fpr], y=[op.sensitivity], mode="markers", name=f"{name} operating point",
                    legendgroup=name, showlegend=False, meta=dict(kind="operating_point", model=name, cls=cls),
                    marker=dict(symbol="circle", size=10, color=colours[name], line=dict(color="#111111", width=1.5)),
                    hovertemplate=f"{name} · {cls} at its threshold {op.threshold:.2f}<br>sensitivity "
                                  f"{op.sensitivity:.2f} · specificity {op.specificity:.2f}<br>TP {op.tp} · FP "
                                  f"{op.fp} · FN {op.fn} · TN {op.tn}<extra></extra>",
                ), row=1, col=j)
            legend_lines.append(f"<span style='color:{colours[name]}'>■</span> {name} {_auc_ci_text(results[name], cls)}")
        fig.add_annotation(text="<br>".join(legend_lines) if legend_lines else "no positives or<br>no negatives",
                           x=0.98 if legend_lines else 0.5, y=0.02 if legend_lines else 0.5, showarrow=False,
                           xref=f"x{ax}", yref=f"y{ax}", xanchor="right" if legend_lines else "center",
                           yanchor="bottom" if legend_lines else "middle", align="right",
                           font=dict(size=10), bgcolor="rgba(255,255,255,0.85)")
    fig.update_xaxes(range=[0, 1], constrain="domain", title="1 − specificity", tickvals=[0, 0.5, 1])
    fig.update_yaxes(range=[0, 1], scaleanchor="x", title=None, tickvals=[0, 0.5, 1])
    fig.update_yaxes(title="sensitivity", row=1, col=1)
    fig.update_annotations(selector=dict(text=titles[0]), font_size=12)
    return _style(fig, 380, title)


def _auc_ci_text(res: Mapping[str, Any], cls: str) -> str:
    pc = res["auc"]["per_class"].get(cls)
    if not pc:
        return "AUC n/a"
    ci = pc.get("ci95")
    return f"AUC {pc['auc']:.2f}" + (f" ({ci[0]:.2f}–{ci[1]:.2f})" if ci else " (too few for an interval)"
                                     if pc.get("too_few") else "")


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
    """One row per model: records, macro AUC with its 95% interval, and each class's AUC with its interval
    (text, 3 decimals; values as stored by `evaluate`)."""
    rows = []
    for name, res in results.items():
        auc = res["auc"]
        row = {"model": name, "records": res["n_records"],
               "macro AUC (95% CI)": _with_ci(auc["macro"], auc.get("macro_ci95"), bool(auc.get("too_few")))}
        for cls in res["classes"]:
            pc = auc["per_class"].get(cls)
            row[f"{cls} AUC (95% CI)"] = "—" if not pc else _with_ci(pc["auc"], pc.get("ci95"), pc.get("too_few", False))
        rows.append(row)
    return pd.DataFrame(rows)


def _with_ci(value: float | None, ci: Sequence[float] | None, too_few: bool = False) -> str:
    """"0.893 (0.862–0.918)"; "0.864 (too few)" where a class has fewer than 10 positives (no interval)."""
    if value is None or not np.isfinite(value):
        return "—"
    return f"{value:.3f}" + (f" ({ci[0]:.3f}–{ci[1]:.3f})" if ci else " (too few)" if too_few else "")


def _ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def clinical_table(results: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per model and class at the model's threshold, the one Predict & explain decides with (every
    set, the cross-validated one included: `ecgcore.metrics.clinical.record_thresholds`): positives,
    sensitivity, specificity, PPV, NPV (2 decimals; "—" where the denominator is 0) with the TP / FP / FN / TN
    counts they come from."""
    from ecgcore.metrics.clinical import MIN_POSITIVES, operating_points

    rows = []
    for name, res in results.items():
        for cls, op in operating_points(res).items():
            rows.append({"model": name, "class": cls,
                         "positives": str(op.positives) if op.positives >= MIN_POSITIVES else f"{op.positives} ⚠ few",
                         "threshold": f"{op.threshold:.2f}",
                         "sensitivity": _ratio_text(op.sensitivity), "specificity": _ratio_text(op.specificity),
                         "PPV": _ratio_text(op.ppv), "NPV": _ratio_text(op.npv),
                         "TP": op.tp, "FP": op.fp, "FN": op.fn, "TN": op.tn})
    return pd.DataFrame(rows)


#: What the synthetic evaluation set is called wherever it is shown.
SYNTHETIC_SET_LABEL = "Synthetic test set (not patients)"


def set_label(slug: str, res: Mapping[str, Any] | None, with_n: bool = True) -> str:
    """The name a set is shown under: "Synthetic test set (not patients)" for generated records, else its
    registry description (`ecgcore.data.evalsets.eval_set`); with the number of records unless `with_n` is False."""
    n = f" · {(res or {}).get('n_records', '?')} records" if with_n else ""
    entry = eval_set(slug, res)
    return (SYNTHETIC_SET_LABEL if entry.synthetic else entry.description) + n


def mark_synthetic(fig: go.Figure) -> go.Figure:
    """A banner inside a figure computed from synthetic records (survives screenshots and downloads)."""
    fig.add_annotation(text=f"<b>⚠ {SYNTHETIC_SET_LABEL.upper()}</b> · generated records, not patients",
                       xref="paper", yref="paper", x=0.5, y=1.0, yshift=28, showarrow=False, xanchor="center",
                       yanchor="bottom", font=dict(size=13, color="#ffffff"), bgcolor="#b42318", borderpad=4)
    top = (fig.layout.margin.t or 40) + 34
    fig.update_layout(margin=dict(t=top), height=(fig.layout.height or 330) + 34,
                      meta={**(fig.layout.meta or {}), "synthetic": True})
    return fig


def per_class_table(res: Mapping[str, Any]) -> pd.DataFrame:
    """One model's per-class figures: positives, AUC with interval, threshold, and at that threshold the
    accuracy, precision, recall and F1 (as stored; 3 decimals)."""
    rows = []
    for cls in res["classes"]:
        pc = res["auc"]["per_class"].get(cls)
        at = res["at_thresholds"]["per_class"][cls]
        rows.append({"class": cls, "positives": res["positives"][cls],
                     "AUC (95% CI)": "—" if not pc else _with_ci(pc["auc"], pc.get("ci95")),
                     "threshold": round(res["thresholds"][cls], 3), "accuracy": round(at["accuracy"], 3),
                     "precision (PPV)": round(at["precision"], 3), "recall (sensitivity)": round(at["recall"], 3),
                     "F1": round(at["f1"], 3)})
    return pd.DataFrame(rows)
