"""ECG viewer: the 12 leads on ECG paper, the record's metadata and the measurements on its median beat."""
from __future__ import annotations

import streamlit as st

from app.common import details, state, tracing, widgets
from ecgcore.plot import ecg_figure

widgets.page_setup()
st.title("ECG viewer")
ecg = widgets.need_record()
if ecg is not None:
    st.subheader(ecg.record_id)
    view = tracing.view_controls(ecg, "viewer")
    if ecg.duration > 10.0:  # a long record: page through it 10 s at a time (the 3x4 layout keeps the rhythm strip)
        last = float(ecg.duration - 10.0)

        def _page(delta: float) -> None:
            state.set_choice("start", min(max(0.0, float(state.get("start") or 0.0) + delta), last))

        p1, p2, p3 = st.columns([1, 3, 1])
        p1.button("◀ Previous 10 s", on_click=_page, args=(-10.0,), disabled=view.start_s <= 0.0,
                  key="viewer_page_prev", width="stretch")
        p2.caption(f"Showing {view.start_s:g}-{min(view.start_s + 10.0, ecg.duration):g} s of {ecg.duration:.0f} s "
                   f"(page {int(view.start_s // 10) + 1} of {int(-(-ecg.duration // 10))})")
        p3.button("Next 10 s ▶", on_click=_page, args=(10.0,), disabled=view.start_s >= last,
                  key="viewer_page_next", width="stretch")
    widgets.show_figure(ecg_figure(ecg, view.layout, start_s=view.start_s), key="viewer_ecg")
    left, right = st.columns([3, 2])
    with left:
        details.record_details(ecg)
    with right:
        widgets.measurements(ecg)
    if st.toggle("Show the median beat with its fiducial points", value=True, key="viewer_median"):
        widgets.median_beat(ecg, key="viewer_median_fig")
    widgets.export_report(ecg, start_s=view.start_s)
