"""Compare models: stored evaluation figures side by side in clinical terms (sensitivity, specificity, PPV,
NPV with counts at each model's threshold; ROC with operating points and AUC intervals), which model leads,
the records where they disagree most, and the chosen models on the current record."""
from __future__ import annotations

import streamlit as st

from app.common import explain_view, labels, loaders, state, widgets
from app.common import safe
from ecgcore.core.errors import ECGError
from ecgcore.metrics.clinical import MIN_POSITIVES, few_positives, leader_sentence
from ecgcore.metrics.disagreements import disagreements
from ecgcore.plot.compare import saliency_strips_figure
from ecgcore.data.evalsets import eval_set
from ecgcore.models.card import nested_sentence
from ecgcore.plot.metrics import (SYNTHETIC_SET_LABEL, calibration_figure, clinical_table, confusion_figure,
                                  mark_synthetic, metrics_table, per_class_table, probability_figure, roc_figure,
                                  set_label)

st.title("Compare models")
names = loaders.shipped_model_names()
if not names:
    st.info(widgets.NO_MODEL)
    st.stop()

wanted = [n for n in (state.get("models") or names) if n in names] or names
st.session_state["_cmp_models"] = wanted
chosen = st.multiselect("Models", names, key="_cmp_models", on_change=state.remember("models", "_cmp_models"),
                        help="Figures come from each model's stored evaluation (never recomputed).")
datasets = loaders.result_datasets(chosen)
if not chosen or not datasets:
    st.info("Choose at least one model that has stored evaluation results (`python -m ecgcore evaluate`).")
    st.stop()

if state.get("set") not in datasets:  # opens on the out-of-fold PTB-XL set when it exists, else the first real set
    state.set_choice("set", datasets[0])
st.session_state["_cmp_set"] = state.get("set")
dataset = st.selectbox("Evaluation set", datasets, key="_cmp_set", on_change=state.remember("set", "_cmp_set"),
                       format_func=lambda slug: set_label(slug, loaders.results(chosen[0], slug)),
                       help="Real sets are patients' recordings the models never trained on; the synthetic set "
                            "is generated and says nothing about patients.")
first = loaders.results(chosen[0], dataset) or {}
synthetic = eval_set(dataset, first).synthetic
label = set_label(dataset, first)


def banner() -> None:
    """The synthetic set's banner, above every table and figure computed from it."""
    if synthetic:
        st.error(f"**{SYNTHETIC_SET_LABEL}**: generated records, not patients. These figures say how well a "
                 "model finds the patterns the generator planted, nothing about real ECGs.",
                 icon=":material/science:")


@st.cache_data(show_spinner="Drawing the comparison figures ...", max_entries=32)
def figures(names: tuple[str, ...], dataset: str, folder: str, synthetic: bool):
    res = {n: loaders.results(n, dataset) for n in names}
    figs = [roc_figure(res), confusion_figure(res), calibration_figure(res)]
    if synthetic:
        figs = [mark_synthetic(f) for f in figs]
    return (metrics_table(res), clinical_table(res), *figs)


@st.cache_data(show_spinner="Testing the differences between the models (paired bootstrap) ...", max_entries=32)
def leader(names: tuple[str, ...], dataset: str, folder: str, label: str) -> str:
    return leader_sentence({n: loaders.results(n, dataset) for n in names}, label)


all_results = {n: loaders.results(n, dataset) for n in chosen}
table, clinical, roc, confusion, calibration = figures(tuple(chosen), dataset, str(loaders.models_dir()), synthetic)
pinned = {"model": st.column_config.TextColumn("model", pinned=True)}

st.subheader("Which model leads")
banner()
sentence = leader(tuple(chosen), dataset, str(loaders.models_dir()),
                  f"the {set_label(dataset, first, with_n=False)} ({first.get('n_records', '?')} records)")
st.markdown(sentence if not synthetic else f"{sentence} *(synthetic records: not evidence about patients)*")
st.caption("A model is named as leading only when a paired bootstrap of its macro-AUC difference from EVERY other "
           "model, on the same records, has a 95% interval above zero; overlapping or separate intervals of the "
           "models' own AUCs are not a test.")
few = few_positives(first)
if few:
    st.warning("Too few positives to judge: " + ", ".join(f"**{c}** has {n}" for c, n in few.items())
               + f" (fewer than {MIN_POSITIVES}). Its sensitivity and AUC can swing widely with one record; "
               "read their intervals, not the point values.", icon=":material/warning:")

st.subheader("At each model's threshold")
banner()
st.dataframe(clinical, hide_index=True, width="stretch", column_config=pinned, key="cmp_clinical")
st.caption("Sensitivity = TP/(TP+FN), specificity = TN/(TN+FP), PPV = TP/(TP+FP), NPV = TN/(TN+FN), at the "
           "threshold each model chose on PTB-XL fold 9, the one Predict & explain decides with (the "
           "cross-validated set too, whose fold models had their own); counts are records. \"—\" where the denominator "
           "is 0. PPV and NPV depend on how common the class is in this set. ⚠ marks a class with fewer than "
           f"{MIN_POSITIVES} positives.")

st.subheader("AUC with 95% intervals")
banner()
st.dataframe(table, hide_index=True, width="stretch", column_config=pinned, key="cmp_auc")
st.caption("Bootstrap 95% intervals, patients resampled (a patient's ECGs together; each Challenge record counts "
           f"as its own patient). \"too few\": fewer than {MIN_POSITIVES} positives, no interval. A class without "
           "positives has no AUC (—). "
           + nested_sentence({n: loaders.results(n, "ptbxl_cv") for n in chosen}))
with st.expander("Per-class figures of each model (accuracy, precision, recall, F1)"):
    banner()
    for name in chosen:
        st.markdown(f"**{name}**")
        st.dataframe(per_class_table(all_results[name]), hide_index=True, width="stretch")
tab_roc, tab_conf, tab_cal = st.tabs(["ROC curves", "Confusion matrices", "Calibration"])
with tab_roc:
    banner()
    widgets.show_figure(roc, key="cmp_roc")
    st.caption("● each model's operating point (its threshold); N+ = positives of the class in this set; "
               "AUC with its 95% interval per model in each panel.")
with tab_conf:
    banner()
    widgets.show_figure(confusion, key="cmp_confusion")
    st.caption("Per class: 2x2 at the model's threshold. Single-label: records with exactly one true class, "
               "predicted = the most probable class. Colour: share of the true class's records (row).")
with tab_cal:
    banner()
    widgets.show_figure(calibration, key="cmp_calibration")

st.subheader("Where the models disagree")
real_sets = [s for s in loaders.result_datasets(chosen) if not eval_set(s, loaders.results(chosen[0], s)).synthetic]
disagree_set = dataset if not synthetic else (real_sets[0] if real_sets else None)
if len(chosen) < 2:
    st.info("Choose two or more models to find the records they disagree on.")
elif disagree_set is None:
    st.info("The disagreement finder works on real records; evaluate the models on a real set.")
else:
    found = disagreements({n: loaders.results(n, disagree_set) for n in chosen})
    st.caption(f"{set_label(disagree_set, loaders.results(chosen[0], disagree_set))}, most disputed first "
               "(classes where the models' decisions differ, then the largest probability gap). Select a row to "
               "make it the current record.")
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
    try:
        probs = {n: (loaders.probabilities(ecg, n), loaders.model(n).thresholds) for n in chosen}
    except ECGError as exc:
        st.error(safe.md(exc))
        probs = {}
    if probs:
        classes = explain_view.classes_of(chosen[0])
        widgets.show_figure(probability_figure(classes, probs, truth=labels.truth(ecg),
                                               title=f"{safe.plotly(ecg.record_id)}: probability per class and model"),
                            key="cmp_probs")
        target = explain_view.class_picker(classes, "cmp", default=explain_view.default_target(ecg, chosen[0]))
        view = explain_view.SaliencyView("band", 0.7, False, "last")
        maps = {}
        for n in chosen:
            ex = explain_view.explanation_or_error(ecg, n, target)
            maps[n] = explain_view.saliency_map(ex, view) if ex is not None else None
        widgets.show_figure(saliency_strips_figure(ecg, "II", maps, opacity=0.7,
                                                   title=f"Class activation map for {target} on lead II, one row "
                                                         "per model"),
                            key="cmp_strips")
        missing = [n for n, m in maps.items() if m is None]
        if missing:
            st.caption(f"No class activation map for {', '.join(missing)} (no convolutional layers): its row is "
                       "plain.")
