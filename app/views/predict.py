"""Predict & explain: every class's probability against its threshold and the ground truth; where the
model looked (Grad-CAM heat band or per-lead attribution on the traces); a report to download."""
from __future__ import annotations

import streamlit as st

from app.common import explain_view, state, tracing, widgets
from ecgcore.plot import ecg_figure
from ecgcore.plot.metrics import probability_figure

widgets.page_setup()
st.title("Predict & explain")
ecg = widgets.need_record()
if ecg is not None:
    st.subheader(ecg.record_id)
    top = st.columns([2, 3])
    with top[0]:
        name = widgets.model_picker(key="_predict_model")
    if name is not None:
        classes = explain_view.classes_of(name)
        if state.get("target") not in classes:  # default: the class the model finds most probable
            state.set_choice("target", explain_view.most_probable(ecg, name) or classes[0])
        with top[0]:
            target = explain_view.class_picker(classes, "predict")
        view = explain_view.saliency_controls("predict")
        ex = explain_view.explanation_or_error(ecg, name, target, view)
        if ex is not None:
            with top[1]:
                widgets.show_figure(probability_figure(ex.classes, {name: (ex.probabilities, ex.thresholds)},
                                                       truth=ecg.labels, title=f"{name}: probability per class"),
                                    key="predict_probs")
            layout = tracing.view_controls(ecg, "predict")
            saliency = explain_view.saliency_map(ex, view)
            if view.mode == "band" and saliency is None:
                st.info(explain_view.notes_text(ex) or f"Grad-CAM is not available for {name}.")
            cam = {"gradcam": "Grad-CAM", "hirescam": "HiResCAM"}.get(ex.cam_method or "", "Grad-CAM")
            what = {"band": f"{cam} ({ex.gradcam_layer} layer), one map over time shared by all leads"
                    if ex.gradcam is not None else "no Grad-CAM for this model (choose per-lead attribution)",
                    "trace": f"per-lead attribution ({ex.per_lead_method}): which leads pushed {ex.target}",
                    "none": "no saliency drawn"}[view.mode]
            widgets.show_figure(ecg_figure(ecg, layout.layout, start_s=layout.start_s, saliency=saliency,
                                           saliency_mode=view.figure_mode,
                                           opacity=view.opacity, title=f"{name} · {ex.target}: {what}"),
                                key="predict_ecg")
            scale_note = "relative to this record" if view.relative or view.mode == "trace" else (
                "on one fixed scale in logits/s" + (f" (its peak reaches {float(saliency.max()):.2f} of the "
                                                    "scale; switch on Relative scale to see where it looked)"
                                                    if saliency is not None and saliency.max() < 0.5 else ""))
            st.caption(f"Only evidence FOR {ex.target} is coloured, {scale_note}. "
                       f"Computed in {ex.timings.get('total', 0):.0f} ms.")
            with st.expander("Model card", expanded=False):
                widgets.card_summary(name)
            widgets.export_report(ecg, ex, saliency if view.mode != "none" else None, layout.start_s)
