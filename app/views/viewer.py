"""ECG viewer: the 12 leads on ECG paper, the record's metadata and the measurements on its median beat."""
from __future__ import annotations

import streamlit as st

from app.common import details, tracing, widgets
from ecgcore.plot import ecg_figure

widgets.page_setup()
st.title("ECG viewer")
ecg = widgets.need_record()
if ecg is not None:
    st.subheader(ecg.record_id)
    view = tracing.view_controls(ecg, "viewer")
    widgets.show_figure(ecg_figure(ecg, view.layout, start_s=view.start_s), key="viewer_ecg")
    left, right = st.columns([3, 2])
    with left:
        details.record_details(ecg)
    with right:
        widgets.measurements(ecg)
    if st.toggle("Show the median beat with its fiducial points", value=True, key="viewer_median"):
        widgets.median_beat(ecg, key="viewer_median_fig")
    widgets.export_report(ecg, start_s=view.start_s)
