"""Predict & explain: the interpretation first (statements, urgent ones marked); then each class's call against
its threshold and the ground truth (TP / FP / FN / TN, contradictions flagged); where the model found its
evidence, per lead on the traces by default (a selected statement's leads and points marked too), with the lead
evidence strip beside the tracing (how far each lead's own signal raises the class's probability, against the
leads of the criteria statements); a report."""
from __future__ import annotations

import streamlit as st

from app.common import explain_view, interpretation_view, labels, loaders, tracing, widgets
from app.common.safe import md
from ecgcore.metrics.clinical import class_operating_sentences, contradiction, verdicts
from ecgcore.plot import ecg_figure
from ecgcore.plot.metrics import probability_figure
from ecgcore.plot.statements import overlay

st.title("Predict & explain")
ecg = widgets.need_record()
if ecg is not None:
    st.subheader(md(ecg.record_id))
    interp, statement = interpretation_view.panel(ecg, "predict")
    leads, marks = overlay(statement)
    st.markdown("#### The models")
    top = st.columns([2, 3])
    with top[0]:
        name = widgets.model_picker(key="_predict_model")
    if name is not None:
        classes = explain_view.classes_of(name)
        with top[0]:
            target = explain_view.class_picker(classes, "predict", default=explain_view.default_target(ecg, name))
            labels.ground_truth_line(ecg)
        view = explain_view.saliency_controls("predict")
        layout = tracing.view_controls(ecg, "predict")
        ex = explain_view.explanation_or_error(ecg, name, target, view, layout.start_s)
        if ex is not None:
            truth = labels.truth(ecg)
            found = verdicts(ex.classes, ex.probabilities, ex.thresholds, truth)
            with top[1]:
                widgets.show_figure(probability_figure(ex.classes, {name: (ex.probabilities, ex.thresholds)},
                                                       truth=truth, title=f"{name}: probability per class"),
                                    key="predict_probs")
                flag = contradiction(found)
                if flag:
                    st.warning(flag, icon=":material/warning:")
                oof = loaders.results(name, "ptbxl_cv")  # the operating point of each class at the threshold in use
                if oof is not None:
                    st.markdown(f"**At the thresholds in use**, out of fold on {oof['n_records']} real PTB-XL records:",
                                help="Each class's sensitivity and PPV at the threshold this page decides with, from "
                                     "the model's cross-validated predictions (each record predicted by a model that "
                                     "never saw it). PPV depends on how common the class is.")
                    st.markdown("\n".join(f"- **{c}**: {t}" for c, t in class_operating_sentences(
                        oof, dict(zip(ex.classes, ex.thresholds)), None).items()))
            saliency = explain_view.saliency_map(ex, view)
            empty = explain_view.empty_message(ex, view, saliency)
            if empty:
                st.info(empty, icon=":material/visibility_off:")
            trace_col, strip_col = st.columns([5, 1.4]) if (ex.evidence is not None or ex.contributions is not None) else (st.container(), None)
            with trace_col:
                widgets.show_figure(ecg_figure(ecg, layout.layout, start_s=layout.start_s, saliency=saliency,
                                               saliency_mode=view.figure_mode, opacity=view.opacity,
                                               legend=explain_view.legend(ex, view), statement_leads=leads,
                                               marks=marks,
                                               title=f"{name} · {ex.target}: {explain_view.method_text(ex, view)}"),
                                    key="predict_ecg")
            if strip_col is not None:
                with strip_col:
                    explain_view.evidence_panel(ex, interp.statements if interp is not None else ())
            if getattr(ex, "per_lead_span_s", None):
                st.caption(f"A long record: the maps are computed for the {ex.per_lead_span_s[0]:.0f}–"
                           f"{ex.per_lead_span_s[1]:.0f} s in view (move the window to explain another part); "
                           "the probabilities cover the whole record.")
            if view.mode != "none":
                st.caption(f"Blue marks evidence FOR {ex.target} only (evidence against is not drawn); darker and "
                           f"thicker = stronger. {explain_view.legend(ex, view)}. Computed in "
                           f"{ex.timings.get('total', 0):.0f} ms.")
            with st.expander("Model card", expanded=False):
                widgets.card_summary(name)
            widgets.export_report(ecg, ex, saliency if view.mode != "none" else None, layout.start_s,
                                  interpretation=interp, saliency_method=explain_view.method_text(ex, view))
