"""Compare models: stored test figures side by side (metrics with intervals, ROC, confusion matrices,
calibration), the records where they disagree most, and the chosen models on the current record."""
from __future__ import annotations

import streamlit as st

from app.common import explain_view, loaders, state, widgets
from ecgcore.errors import ECGError
from ecgcore.plot.compare import disagreements, saliency_strips_figure
from ecgcore.plot.metrics import (calibration_figure, confusion_figure, metrics_table, per_class_table,
                                  probability_figure, roc_figure)

widgets.page_setup()
st.title("Compare models")
names = loaders.shipped_model_names()
if not names:
    st.info(widgets.NO_MODEL)
    st.stop()

chosen = st.multiselect("Models", names, default=names, key="cmp_models",
                        help="Pick two or more; figures come from each model's stored evaluation (never recomputed).")
datasets = loaders.result_datasets(chosen)
if not chosen or not datasets:
    st.info("Choose at least one model that has stored evaluation results (`python -m ecgcore evaluate`).")
    st.stop()


def _dataset_label(slug: str) -> str:
    res = loaders.results(chosen[0], slug) or {}
    info = res.get("dataset", {})
    synthetic = " — SYNTHETIC" if info.get("synthetic") else ""
    return f"{info.get('name', slug)} ({res.get('n_records', '?')} records){synthetic}"


dataset = st.selectbox("Evaluated on", datasets, format_func=_dataset_label, key="cmp_dataset",
                       help="'real' is every real labelled record the project ships; others are test folds.")
key = (tuple(chosen), dataset, str(loaders.models_dir()))


@st.cache_data(show_spinner="Drawing the comparison figures ...", max_entries=32)
def figures(names: tuple[str, ...], dataset: str, folder: str):
    res = {n: loaders.results(n, dataset) for n in names}
    return metrics_table(res), roc_figure(res), confusion_figure(res), calibration_figure(res)


table, roc, confusion, calibration = figures(*key)
st.subheader("Metrics")
st.dataframe(table, hide_index=True, width="stretch", column_config={
    c: st.column_config.NumberColumn(format="%.3f") for c in table.columns
    if c.startswith("AUC") and not c.endswith("CI") or c in ("macro AUC", "accuracy", "precision", "recall", "f1")})
st.caption("AUC with bootstrap 95% intervals (records resampled); accuracy, precision, recall and F1 are macro "
           "averages at each model's fold-9 thresholds. A class without positives has no AUC.")
with st.expander("Per-class figures of each model"):
    for name in chosen:
        st.markdown(f"**{name}**")
        st.dataframe(per_class_table(loaders.results(name, dataset)), hide_index=True, width="stretch")
tab_roc, tab_conf, tab_cal = st.tabs(["ROC curves", "Confusion matrices", "Calibration"])
with tab_roc:
    widgets.show_figure(roc, key="cmp_roc")
with tab_conf:
    widgets.show_figure(confusion, key="cmp_confusion")
    st.caption("Per class: 2x2 at the model's threshold. Single-label: records with exactly one true class, "
               "predicted = the most probable class. Colour: share of the true class's records (row).")
with tab_cal:
    widgets.show_figure(calibration, key="cmp_calibration")

st.subheader("Where the models disagree")
if len(chosen) < 2:
    st.info("Choose two or more models to find the records they disagree on.")
elif "real" not in loaders.result_datasets(chosen):
    st.info("The disagreement finder works on the real shipped records; evaluate the models with `--data real`.")
else:
    found = disagreements({n: loaders.results(n, "real") for n in chosen})
    st.caption("Real shipped records, most disputed first (classes where the models' decisions differ, then the "
               "largest probability gap). Select a row to make it the current record.")
    event = st.dataframe(found, key="cmp_disagree", on_select="rerun", selection_mode="single-row",
                         hide_index=True, height=300)
    rows = event.selection.rows if event is not None else []
    if rows:
        picked = str(found.iloc[rows[0]]["record_id"])
        if state.get("record") != picked:
            state.set_choice("record", picked)
            st.rerun()

st.subheader("Side by side on the current record")
ecg = widgets.need_record()
if ecg is not None:
    st.markdown(f"**{ecg.record_id}** · ground truth: {', '.join(ecg.labels) if ecg.labels else 'unlabelled'}")
    try:
        probs = {n: (loaders.probabilities(ecg, n), loaders.model(n).thresholds) for n in chosen}
    except ECGError as exc:
        st.error(str(exc))
        probs = {}
    if probs:
        classes = explain_view.classes_of(chosen[0])
        widgets.show_figure(probability_figure(classes, probs, truth=ecg.labels, title="Probabilities per model"),
                            key="cmp_probs")
        if state.get("target") not in classes:
            state.set_choice("target", explain_view.most_probable(ecg, chosen[0]) or classes[0])
        target = explain_view.class_picker(classes, "cmp")
        opacity = st.slider("Saliency opacity", 0.1, 1.0, 0.7, 0.05, key="cmp_opacity")
        view = explain_view.SaliencyView("band", opacity, False, "last")
        maps = {}
        for n in chosen:
            ex = explain_view.explanation_or_error(ecg, n, target)
            maps[n] = explain_view.saliency_map(ex, view) if ex is not None else None
        widgets.show_figure(saliency_strips_figure(ecg, "II", maps, opacity=opacity,
                                                   title=f"Grad-CAM for {target} on lead II, one row per model"),
                            key="cmp_strips")
        missing = [n for n, m in maps.items() if m is None]
        if missing:
            st.caption(f"No Grad-CAM for {', '.join(missing)} (no convolutional layers): its row is plain.")
