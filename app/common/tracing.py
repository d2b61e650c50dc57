"""The tracing controls every record page shares: layout, rate and time window."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app.common import state
from ecgcore.core.ecg import ECG

LAYOUT_LABELS = {"3x4": "3x4 + rhythm strip", "12x1": "12 stacked leads"}


@dataclass(frozen=True)
class View:
    layout: str
    start_s: float
    window_s: float = 10.0


def view_controls(ecg: ECG, key: str) -> View:
    """Layout, sampling rate (PTB-XL records: 100 or 500 Hz) and, for records over 10 s, the window."""
    cols = st.columns([3, 2, 4])
    layout_key = f"_{key}_layout"
    st.session_state[layout_key] = state.get("layout", "3x4")
    cols[0].segmented_control("Layout", list(LAYOUT_LABELS), key=layout_key, format_func=LAYOUT_LABELS.get,
                              on_change=state.remember("layout", layout_key), selection_mode="single")
    if ecg.source in ("ptbxl", "synthetic"):
        rate_key = f"_{key}_rate"
        st.session_state[rate_key] = int(state.get("rate") or 500)
        cols[1].segmented_control("Sampling rate (Hz)", [100, 500], key=rate_key, selection_mode="single",
                                  on_change=state.remember("rate", rate_key),
                                  help="PTB-XL ships every record at 500 Hz; 100 Hz is its own file where it "
                                       "exists, else derived from 500 Hz (then marked as resampled).")
    start = 0.0
    if ecg.duration > 10.0:
        start_key = f"_{key}_start"
        st.session_state[start_key] = min(float(state.get("start") or 0.0), ecg.duration - 10.0)
        start = cols[2].slider("Window start (s)", 0.0, float(ecg.duration - 10.0), step=0.5, key=start_key,
                               on_change=state.remember("start", start_key),
                               help=f"The record lasts {ecg.duration:.1f} s; 10 s are drawn at a time.")
    return View(state.get("layout", "3x4") or "3x4", float(start))
