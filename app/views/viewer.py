"""ECG viewer: the interpretation first (statements with their leads and values, the file's own statements
beside them), then the 12 leads on ECG paper at the chosen speed, gain and layout, with calipers, pacing-spike
marks and the selected statement's leads and measured points; the models' probabilities; the record's metadata
and measurements."""
from __future__ import annotations

import streamlit as st

from app.common import calipers_view, details, explain_view, interpretation_view, loaders, safe, state, tracing, widgets
from ecgcore.plot import ecg_figure
from ecgcore.plot.calipers import default_legs
from ecgcore.plot.marks import hidden_marks
from ecgcore.plot.paper import paper_layout
from ecgcore.plot.statements import overlay
from ecgcore.signal.display import display_band, display_filter

widgets.page_setup()
st.title("ECG viewer")
ecg = widgets.need_record()
if ecg is not None:
    st.subheader(safe.md(ecg.record_id))
    interp, selected = interpretation_view.panel(ecg, "viewer")
    view = tracing.view_controls(ecg, "viewer", paper=True)
    window = view.window_s
    if ecg.duration > window:  # a long record: page through it a window at a time (3x4 and 6x2 keep the strip)
        last = float(ecg.duration - window)

        def _page(delta: float) -> None:
            state.set_choice("start", min(max(0.0, float(state.get("start") or 0.0) + delta), last))

        p1, p2, p3 = st.columns([1, 3, 1])
        p1.button(f"◀ Previous {window:g} s", on_click=_page, args=(-window,), disabled=view.start_s <= 0.0,
                  key="viewer_page_prev", width="stretch")
        p2.caption(f"Showing {view.start_s:g}-{min(view.start_s + window, ecg.duration):g} s of "
                   f"{ecg.duration:.0f} s (page {int(view.start_s // window) + 1} of {int(-(-ecg.duration // window))})")
        p3.button(f"Next {window:g} s ▶", on_click=_page, args=(window,), disabled=view.start_s >= last,
                  key="viewer_page_next", width="stretch")
    spikes = interpretation_view.pacing_spikes(interp)
    c1, c2 = st.columns([3, 1])
    filtered = c1.toggle(f"Display filter {display_band()} (baseline-corrected, like a cart)", value=True,
                         key="viewer_filter",
                         help="Zero-phase 0.5 Hz high-pass and 40 Hz low-pass, for the eye only; measurements use "
                              "their own filtering. Pacing spikes keep their height (the low-pass is undone around "
                              "them). Off: the signal as recorded.")
    c2.toggle("Calipers", key=calipers_view.ON, help="Time and amplitude between two points: drag across the "
                                                     "tracing (its left and right edges are the legs) or type them.")
    shown = ecg.with_signal(display_filter(ecg.signal, ecg.fs, spikes_s=spikes)) if filtered else ecg
    band = display_band() if filtered else display_band(None, None)
    paper = paper_layout(shown, view.layout, start_s=view.start_s, window_s=window, scale=view.scale)
    beats = loaders.beat_analysis(ecg).beats
    legs = default_legs(beats.rpeaks, beats.fs, view.start_s, window)
    cal = calipers_view.controls(shown, paper, legs)
    leads, marks = overlay(selected)
    title = f"{safe.plotly(ecg.record_id)} · {view.scale.label()} · {band}"
    if selected is not None:
        title += f" · marked: {safe.plotly(selected.text)}"
    fig = ecg_figure(shown, view.layout, start_s=view.start_s, window_s=window, scale=view.scale, title=title,
                     statement_leads=leads, marks=marks, spikes_s=spikes, caliper=cal,
                     caliper_drag=cal is not None)
    widgets.show_figure(fig, key="viewer_ecg", on_select=calipers_view.on_select("viewer_ecg"), selection_mode="box")
    hidden = hidden_marks(paper, marks)
    if hidden:
        st.caption(f"{len(hidden)} of {len(marks)} measured points of the selected statement are not on this page: "
                   f"{', '.join(f'{m.lead} at {m.t_s:.2f} s' for m in hidden[:4])}. In 3x4 and 6x2 each lead shows "
                   "only its column's part of the window; the 12 stacked leads show all of it.")
    if len(spikes):
        st.caption(f"▮ above the traces: {len(spikes)} pacing spikes found on the unfiltered signal.")
    interpretation_view.model_probabilities(ecg)
    left, right = st.columns([3, 2])
    with left:
        details.record_details(ecg)
    with right:
        details.measurements(ecg)
    if st.toggle("Show the median beat with its fiducial points", value=True, key="viewer_median"):
        explain_view.median_beat(ecg, key="viewer_median_fig")
    widgets.export_report(ecg, start_s=view.start_s, interpretation=interp)
