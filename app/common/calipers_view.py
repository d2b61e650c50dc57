"""Calipers on the viewer: two legs, each a lead and a time, placed by dragging across the tracing (the drag's
left and right edges: plotly's box select, exact to the pixel) or typed in; the arithmetic is
`ecgcore.plot.calipers`."""
from __future__ import annotations

import streamlit as st

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.plot.calipers import Caliper, caliper, legs_from_box
from ecgcore.plot.paper import PaperLayout

ON = "viewer_calipers"
LEGS = (("_cal_a_lead", "_cal_a_t"), ("_cal_b_lead", "_cal_b_t"))
_PAPER = "_cal_paper"


def on_select(figure_key: str):
    """An `on_select` callback for the tracing: a stretch dragged across it becomes the two legs."""
    def place() -> None:
        event = st.session_state.get(figure_key)
        boxes = event.selection.box if event is not None and event.selection else []
        paper: PaperLayout | None = st.session_state.get(_PAPER)
        if not boxes or paper is None or not st.session_state.get(ON):
            return
        try:
            legs = legs_from_box(paper, boxes[0]["x"], boxes[0]["y"])
        except (ECGError, KeyError, TypeError, ValueError, IndexError):
            return
        for (lead_key, t_key), (lead, t) in zip(LEGS, legs):
            st.session_state[lead_key] = lead
            st.session_state[t_key] = round(t, 3)
    return place


def controls(ecg: ECG, paper: PaperLayout, default_s: tuple[float, float]) -> Caliper | None:
    """The legs' inputs (when calipers are on) and the caliper they make; None when off or when a leg cannot
    be placed (the reason is shown). `default_s`: where the legs start (e.g. two consecutive R peaks)."""
    st.session_state[_PAPER] = paper
    if not st.session_state.get(ON):
        return None
    lead0 = "II" if "II" in ecg.leads else ecg.leads[0]
    last = float((ecg.n_samples - 1) / ecg.fs)
    cols = st.columns([2, 3, 2, 3, 6])
    for i, (lead_key, t_key) in enumerate(LEGS):
        if st.session_state.get(lead_key) not in ecg.leads:
            st.session_state[lead_key] = lead0
        if not 0.0 <= float(st.session_state.get(t_key, -1.0)) <= last:
            st.session_state[t_key] = round(min(max(default_s[i], 0.0), last), 3)
        cols[2 * i].selectbox(f"Leg {i + 1} lead", list(ecg.leads), key=lead_key)
        cols[2 * i + 1].number_input(f"Leg {i + 1} time (s)", 0.0, last, step=1.0 / ecg.fs, format="%.3f",
                                     key=t_key)
    try:
        cal = caliper(ecg, *((st.session_state[a], float(st.session_state[b])) for a, b in LEGS))
    except ECGError as exc:
        cols[4].warning(str(exc))
        return None
    cols[4].markdown(f"**{cal.short()}**")
    cols[4].caption(f"{cal.a.lead} at {cal.a.t_s:.3f} s → {cal.b.lead} at {cal.b.t_s:.3f} s, amplitudes on the "
                    "signal as drawn. Drag across the tracing to place both legs.")
    return cal
