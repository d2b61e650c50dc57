"""Cached access to ecgcore: the record index, records, models and their results.

Heavy shared objects (the metadata index, trained models) are `st.cache_resource`: one read-only copy
for every session. Records and per-record results are `st.cache_data`, keyed by record id. Uploaded
records are never cached here: they stay in their own session (see `state.uploads`).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app.common import state
from ecgcore.config import MODELS_DIR, ptbxl_dir
from ecgcore.data import ptbxl
from ecgcore.ecg import ECG
from ecgcore.errors import ECGError


def ptbxl_database() -> pd.DataFrame:
    """`ptbxl.load_database` of the active PTB-XL folder (shared, read-only: filter, never edit in place)."""
    return _database(str(ptbxl_dir()))


@st.cache_resource(show_spinner="Reading the PTB-XL metadata index ...")
def _database(root: str) -> pd.DataFrame:
    return ptbxl.load_database(root)


def ptbxl_statements() -> pd.DataFrame:
    return _statements(str(ptbxl_dir()))


@st.cache_resource(show_spinner=False)
def _statements(root: str) -> pd.DataFrame:
    return ptbxl.load_statements(root)


def library_record(record_id: str, rate: int | None = None) -> ECG:
    """A shipped (or $ECG_PTBXL_DIR) record by id; PTB-XL records at `rate` Hz (100 or 500)."""
    return _library_record(record_id, rate, str(ptbxl_dir()))


@st.cache_data(show_spinner="Loading the record ...", max_entries=64)
def _library_record(record_id: str, rate: int | None, root: str) -> ECG:
    head, _, tail = record_id.partition("/")
    if head in ("ptbxl", "synthetic") and tail.isdigit():
        return ptbxl.load_ecg(root, int(tail), rate=rate or 500, db=_database(root))
    from ecgcore.data.catalogue import load_record

    return load_record(record_id)


def current_record() -> ECG | None:
    """The record the user is looking at (an upload of this session or a library record), or None.

    A record that cannot be loaded shows its error and gives None, so the page keeps working.
    """
    record_id = state.get("record")
    if not record_id:
        return None
    if state.is_upload(record_id):
        return state.uploads().get(record_id[len(state.UPLOAD_PREFIX):])
    try:
        return library_record(record_id, int(state.get("rate") or 500))
    except ECGError as exc:
        st.error(str(exc))
        return None


def shipped_model_names() -> list[str]:
    """Registered models that have a trained checkpoint folder (with its model card) to load."""
    from ecgcore.models import model_names

    return [name for name in model_names() if (MODELS_DIR / name / "card.json").is_file()]


@st.cache_resource(show_spinner="Loading the model ...")
def model(name: str):
    """A trained model, loaded once per server and shared read-only by every session."""
    from ecgcore.models import load_model

    return load_model(name)


@st.cache_data(show_spinner="Reading the shipped records' headers ...")
def catalogue() -> pd.DataFrame:
    """Every shipped real record (PTB-XL, Challenge, ptbdb): one row each, no signals loaded."""
    from ecgcore.data.catalogue import demo_catalogue

    return demo_catalogue()


@st.cache_data(show_spinner=False)
def record_choices() -> dict[str, str]:
    """Record id -> a short label, for every shipped record (the sidebar's list)."""
    labels = {}
    for row in catalogue().itertuples(index=False):
        classes = "+".join(row.superclasses) if row.superclasses else "unlabelled"
        labels[row.record_id] = f"{row.record_id} · {classes}"
    return labels


# ------------------------------------------------------------------------------------ per-record results
def _session_memo(key: tuple, compute):
    """Results for this session's uploads, kept in the session (never in a cache shared across users)."""
    memo = st.session_state.setdefault("_upload_results_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _library_key(ecg: ECG) -> tuple[str, int, str] | None:
    """(record id, rate, folder) for a library record, None for an upload (whose results stay in its session)."""
    record_id = state.get("record")
    if state.is_upload(record_id) or record_id is None:
        return None
    return record_id, int(round(ecg.fs)), str(ptbxl_dir())


def _analyse(ecg: ECG):
    from ecgcore.explain.beats import find_beats
    from ecgcore.explain.measure import measure, median_beats_rr

    beats = find_beats(ecg)
    measured = measure(ecg, beats)
    median = median_beats_rr(ecg, beats.rpeaks) if beats.n >= 2 else None
    return beats, measured, median


@st.cache_data(show_spinner="Finding beats and measuring intervals ...", max_entries=128)
def _library_analysis(record_id: str, rate: int, root: str):
    return _analyse(_library_record(record_id, rate, root))


def beat_analysis(ecg: ECG):
    """(Beats, Measurements, (median beat (12, RR samples), samples before R) or None) of `ecg`."""
    key = _library_key(ecg)
    if key is None:
        with st.spinner("Finding beats and measuring intervals ..."):
            return _session_memo(("analysis", state.get("record"), ecg.fs), lambda: _analyse(ecg))
    return _library_analysis(*key)
