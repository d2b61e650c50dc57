"""Home: what the tool is and is not, which data and which models are loaded."""
from __future__ import annotations

import streamlit as st

from app.common import loaders, tables, widgets

widgets.page_setup()
st.title("ECG anomaly detection dashboard")
st.markdown(
    "Browse 12-lead ECGs from PTB-XL, the PhysioNet/CinC Challenge, the PTB Diagnostic ECG Database and LUDB on "
    "standard ECG paper, ask trained classifiers for the five PTB-XL diagnostic superclasses (**NORM** normal, "
    "**MI** myocardial infarction, **STTC** ST/T change, **CD** conduction disturbance, **HYP** hypertrophy), see "
    "which leads carry a model's evidence and where it looked (lead evidence, per-lead Integrated Gradients, the "
    "HiResCAM class activation map, beat by beat) and compare the models."
)
st.warning("A research and teaching aid, **not a diagnostic device**: never use it to make clinical decisions.",
           icon=":material/warning:")

st.subheader("Data loaded")
settings = loaders.settings()
if loaders.showing_demo():
    db = loaders.ptbxl_database()
    n_wave = int((db["has_100"] | db["has_500"]).sum())
    c1, c2 = st.columns(2)
    c1.metric("Records", f"{n_wave:,}")
    c2.metric("Data", "SYNTHETIC (generated, not patients)")
    st.info(
        f"No data root was found, so this is a small **SYNTHETIC** demo written by `ecgcore.synth` into "
        f"`{settings.demo_dir}`. To add real data:\n"
        "- with internet, `python -m ecgcore download` fetches PTB-XL and LUDB from PhysioNet into `data/` "
        "(used as the data root once it is there; restart the app);\n"
        "- or set `ECG_DATA_ROOT` to a folder holding `ptbxl/`, `ptbxl_more/`, `cinc/`, `cinc_more/`, "
        "`ptbdb/`, `ludb/` (one folder per source, in each source's own layout), or place it at `../shared` "
        "beside the checkout.", icon=":material/info:")
else:
    counts = loaders.data_summary()
    total = counts.get("total", {})
    c1, c2, c3 = st.columns(3)
    c1.metric("Real records", f"{total.get('records', 0):,}")
    c2.metric("Labelled (real evaluation sets)", f"{total.get('eval_set', 0):,}")
    c3.metric("Duplicates removed", f"{total.get('duplicates_removed', 0):,}")
    sources = {k: v for k, v in counts.items() if k != "total"}
    st.markdown(tables.markdown(tables.sources_overview(sources)))  # static: no data-grid code to fetch
    st.caption(f"Data root: `{settings.data_root}` (`ECG_DATA_ROOT`). PTB-XL (Wagner et al. 2020, CC BY 4.0), "
               "PhysioNet/CinC Challenge 2020/21 (Perez Alday et al. 2020, Reyna et al. 2021, CC BY 4.0), PTB "
               "Diagnostic ECG Database (Bousseljot et al. 1995, ODC-BY 1.0), LUDB (Kalyakulina et al. 2020, "
               "ODC-By 1.0).")

st.subheader("Models")
names = loaders.shipped_model_names()
if not names:
    st.info(widgets.NO_MODEL)
else:
    st.markdown(tables.markdown(tables.models_overview({n: loaders.card(n) or {} for n in names})))
    st.caption("Macro AUC over the five superclasses with its bootstrap 95% interval. The real figure is measured "
               "on real labelled records; that is the one that matters. Details per model: **Compare models**.")

st.subheader("Where to start")
st.markdown(
    "- **Records**: find a record (PTB-XL index with filters, or any record of the data root) and open it.\n"
    "- **ECG viewer**: the 12 leads on ECG paper, metadata, measurements and the median beat.\n"
    "- **Predict & explain**: class probabilities against thresholds, lead evidence, per-lead Integrated Gradients and "
    "the HiResCAM class activation map; "
    "download a PDF report.\n"
    "- **Beat review**: beats ranked by saliency, one at a time across the 12 leads.\n"
    "- **Upload**: your own file (WFDB, zip, CSV, NPY, EDF), kept in your session only.\n"
    "- **Compare models**: metrics with intervals, ROC, confusion matrices, calibration, disagreements.\n\n"
    "Every view has a shareable link: the address bar carries the record, model and class "
    "(e.g. `?record=ptbxl/00008&model=resnet1d`)."
)
