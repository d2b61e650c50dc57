"""Home: what the tool is and is not, which data and which models are loaded."""
from __future__ import annotations

import streamlit as st

from app.common import loaders, widgets
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
st.caption(f"PTB-XL folder: `{ptbxl_dir()}` (set `$ECG_PTBXL_DIR` to use a full PTB-XL download).")

st.subheader("Models")
names = loaders.shipped_model_names()
if not names:
    st.info(widgets.NO_MODEL)
