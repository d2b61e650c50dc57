"""ECG viewer: the 12 leads on ECG paper, the record's metadata and the measurements on its median beat."""
from __future__ import annotations

import streamlit as st

from app.common import details, state, tracing, widgets
from ecgcore.plot import ecg_figure
from ecgcore.signal.display import display_band, display_filter

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
    filtered = st.toggle(f"Display filter {display_band()} (baseline-corrected, like a cart)", value=True,
                         key="viewer_filter", help="Zero-phase 0.5 Hz high-pass and 40 Hz low-pass, for the eye only; "
                                                   "measurements use their own filtering. Off: the signal as recorded.")
    shown = ecg.with_signal(display_filter(ecg.signal, ecg.fs)) if filtered else ecg
    band = display_band() if filtered else display_band(None, None)
    title = f"{ecg.record_id} · 25 mm/s · 10 mm/mV · {band}"
    widgets.show_figure(ecg_figure(shown, view.layout, start_s=view.start_s, title=title), key="viewer_ecg")
    left, right = st.columns([3, 2])
    with left:
        details.record_details(ecg)
    with right:
        details.measurements(ecg)
    if st.toggle("Show the median beat with its fiducial points", value=True, key="viewer_median"):
        widgets.median_beat(ecg, key="viewer_median_fig")
    widgets.export_report(ecg, start_s=view.start_s)
