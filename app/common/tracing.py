"""The tracing controls every record page shares: layout, rate and time window; on the viewer also the paper
speed and gain every ECG reader offers."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app.common import state
from ecgcore.core.ecg import ECG
from ecgcore.plot.paper import GAINS_MM_PER_MV, SPEEDS_MM_PER_S, STANDARD, Scale

LAYOUT_LABELS = {"3x4": "3x4 + rhythm strip", "6x2": "6x2 + rhythm strip", "12x1": "12 stacked leads"}


@dataclass(frozen=True)
class View:
    layout: str
    start_s: float
    window_s: float = 10.0
    scale: Scale = STANDARD


def view_controls(ecg: ECG, key: str, paper: bool = False) -> View:
    """Layout, sampling rate (PTB-XL records: 100 or 500 Hz) and, for records longer than the window, the
    window start; with `paper`, speed (25/50 mm/s) and gain (5/10/20 mm/mV): at 50 mm/s the window is 5 s."""
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
    scale = STANDARD
    if paper:
        scale = _paper_controls(key)
    window = scale.window_s
    start = 0.0
    if ecg.duration > window:
        start_key = f"_{key}_start"
        st.session_state[start_key] = min(float(state.get("start") or 0.0), ecg.duration - window)
        start = cols[2].slider("Window start (s)", 0.0, float(ecg.duration - window), step=0.5, key=start_key,
                               on_change=state.remember("start", start_key),
                               help=f"The record lasts {ecg.duration:.1f} s; {window:g} s are drawn at a time.")
    return View(state.get("layout", "3x4") or "3x4", float(start), window, scale)


def _paper_controls(key: str) -> Scale:
    """Speed and gain (remembered across pages and in the URL)."""
    cols = st.columns([2, 3, 4])
    speed_key, gain_key = f"_{key}_speed", f"_{key}_gain"
    st.session_state[speed_key] = int(state.get("speed") or 25)
    st.session_state[gain_key] = int(state.get("gain") or 10)
    cols[0].segmented_control("Speed (mm/s)", [int(v) for v in SPEEDS_MM_PER_S], key=speed_key,
                              selection_mode="single", on_change=state.remember("speed", speed_key),
                              help="25 mm/s is the standard; 50 mm/s spreads each beat (5 s per page).")
    cols[1].segmented_control("Gain (mm/mV)", [int(v) for v in GAINS_MM_PER_MV], key=gain_key,
                              selection_mode="single", on_change=state.remember("gain", gain_key),
                              help="10 mm/mV is the standard; 5 mm/mV keeps tall complexes in their row, "
                                   "20 mm/mV enlarges small ones. The calibration pulse is always 1 mV.")
    return Scale(float(state.get("speed") or 25), float(state.get("gain") or 10))
