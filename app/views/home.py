"""Home: what the tool is and is not, which data and which models are loaded."""
from __future__ import annotations

import streamlit as st

from app.common import loaders, tables, widgets
from ecgcore.config import ptbxl_dir

widgets.page_setup()
st.title("ECG anomaly detection dashboard")
st.markdown(
    "Browse 12-lead ECGs from PTB-XL and the PhysioNet/CinC Challenge on standard ECG paper, ask trained "
    "classifiers for the five PTB-XL diagnostic superclasses (**NORM** normal, **MI** myocardial infarction, "
    "**STTC** ST/T change, **CD** conduction disturbance, **HYP** hypertrophy), see where a model looked "
    "(Grad-CAM and per-lead attribution, beat by beat) and compare the models."
)
st.warning("A research and teaching aid, **not a diagnostic device**: never use it to make clinical decisions.",
           icon=":material/warning:")

st.subheader("Data loaded")
db = loaders.ptbxl_database()
n_wave = int((db["has_100"] | db["has_500"]).sum())
kind = "synthetic (generated, not real patients)" if "synthetic" in db.columns and db["synthetic"].any() else "real"
c1, c2, c3 = st.columns(3)
c1.metric("PTB-XL metadata rows", f"{len(db):,}")
c2.metric("PTB-XL records with a waveform", f"{n_wave:,}")
c3.metric("Data", kind)
cat = loaders.catalogue()
by_source = cat["source"].str.split("/").str[0].value_counts()
c4, c5, c6 = st.columns(3)
c4.metric("Shipped real records", f"{len(cat):,}")
c5.metric("Real labelled evaluation set", f"{int(cat['in_real_set'].sum()):,}")
c6.metric("Challenge 2020/21 records", f"{int(by_source.get('cinc', 0)):,}")
st.caption(f"PTB-XL folder: `{ptbxl_dir()}` (set `$ECG_PTBXL_DIR` to use a full PTB-XL download). Shipped "
           f"records by source: {', '.join(f'{k} {v}' for k, v in by_source.items())}: PTB-XL (Wagner et al. 2020), "
           "PhysioNet/CinC Challenge 2020/21 (Perez Alday et al. 2020, Reyna et al. 2021) and the PTB Diagnostic "
           "ECG Database, all CC BY 4.0.")

st.subheader("Models")
names = loaders.shipped_model_names()
if not names:
    st.info(widgets.NO_MODEL)
else:
    st.dataframe(tables.models_overview({n: loaders.card(n) or {} for n in names}), hide_index=True,
                 width="stretch")
    st.caption("Macro AUC over the five superclasses with its bootstrap 95% interval. The real figure is measured "
               "on every real labelled record shipped here; that is the one that matters. Details per model: "
               "**Compare models**.")

st.subheader("Where to start")
st.markdown(
    "- **Records**: find a record (PTB-XL index with filters, or any shipped record) and open it.\n"
    "- **ECG viewer**: the 12 leads on ECG paper, metadata, measurements and the median beat.\n"
    "- **Predict & explain**: class probabilities against thresholds, Grad-CAM and per-lead attribution; "
    "download a PDF report.\n"
    "- **Beat review**: beats ranked by saliency, one at a time across the 12 leads.\n"
    "- **Upload**: your own file (WFDB, zip, CSV, NPY, EDF), kept in your session only.\n"
    "- **Compare models**: metrics with intervals, ROC, confusion matrices, calibration, disagreements.\n\n"
    "Every view has a shareable link: the address bar carries the record, model and class "
    "(e.g. `?record=ptbxl/00008&model=resnet1d`)."
)
