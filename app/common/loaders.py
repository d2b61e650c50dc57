"""Cached access to ecgcore: the record index, records, models and their results.

Heavy shared objects (the metadata index, trained models) are `st.cache_resource`: one read-only copy
for every session. Records and per-record results are `st.cache_data`, keyed by record id. Uploaded
records are never cached here: they stay in their own session (see `state.uploads`).
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

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


def models_dir() -> Path:
    """Where trained models are read from: $ECG_MODELS_DIR if set (e.g. freshly trained ones), else assets/models."""
    return Path(os.environ.get("ECG_MODELS_DIR") or MODELS_DIR)


def shipped_model_names() -> list[str]:
    """Registered models that have a trained checkpoint folder (with its model card) to load."""
    from ecgcore.models import model_names

    folder = models_dir()
    return [name for name in model_names() if (folder / name / "card.json").is_file()]


@st.cache_resource(show_spinner="Loading the model ...")
def _model(name: str, folder: str):
    """(model, lock): loaded once per server and shared by every session. The lock serialises use of one
    model object, because Grad-CAM/IG attach hooks to its layers while they run."""
    from ecgcore.models import load_model

    return load_model(name, folder), threading.Lock()


def model(name: str):
    """A trained model (shared read-only; use `model_lock(name)` around calls that run it)."""
    return _model(name, str(models_dir()))[0]


def model_lock(name: str) -> threading.Lock:
    return _model(name, str(models_dir()))[1]


@st.cache_data(show_spinner=False)
def _json(path: str, _mtime: float) -> dict | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def card(name: str) -> dict | None:
    """The model card (card.json) of a shipped model."""
    path = models_dir() / name / "card.json"
    return _json(str(path), path.stat().st_mtime) if path.is_file() else None


def result_datasets(names: list[str]) -> list[str]:
    """Data sets (results_<slug>.json) evaluated for every one of `names`, "real" first."""
    slugs = None
    for name in names:
        found = {p.stem[len("results_"):] for p in (models_dir() / name).glob("results_*.json")}
        slugs = found if slugs is None else slugs & found
    return sorted(slugs or (), key=lambda s: (s != "real", s))


def results(name: str, dataset: str) -> dict | None:
    """The stored evaluation of model `name` on `dataset` (never recomputed by the app)."""
    path = models_dir() / name / f"results_{dataset}.json"
    return _json(str(path), path.stat().st_mtime) if path.is_file() else None


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


def _explain(ecg: ECG, model_name: str, target: str | None, layer: str, cam: str | None):
    from ecgcore.explain import explain_record

    with model_lock(model_name):
        extra = {} if cam is None else {"cam": cam}
        return explain_record(ecg, model(model_name), target, layer=layer, use_cache=False, **extra)


@st.cache_data(show_spinner="Running the model and computing its saliency ...", max_entries=256)
def _library_explanation(record_id: str, rate: int, root: str, model_name: str, folder: str, target: str | None,
                         layer: str, cam: str | None):
    return _explain(_library_record(record_id, rate, root), model_name, target, layer, cam)


def explanation(ecg: ECG, model_name: str, target: str | None = None, layer: str = "last", cam: str | None = None):
    """`ecgcore.explain.explain_record` of the current record: probabilities, Grad-CAM, per-lead map, beats
    (cam None: the library's default CAM method).

    Library records are cached for everyone by id; an upload's results stay in its session.
    """
    key = _library_key(ecg)
    if key is None:
        with st.spinner("Running the model and computing its saliency ..."):
            return _session_memo(("explain", state.get("record"), ecg.fs, model_name, str(models_dir()), target,
                                  layer, cam), lambda: _explain(ecg, model_name, target, layer, cam))
    return _library_explanation(*key, model_name, str(models_dir()), target, layer, cam)


def _proba(ecg: ECG, model_name: str):
    m = model(model_name)
    with model_lock(model_name):
        return m.predict_proba(ecg)[0]


@st.cache_data(show_spinner="Running the model ...", max_entries=512)
def _library_probabilities(record_id: str, rate: int, root: str, model_name: str, folder: str):
    return _proba(_library_record(record_id, rate, root), model_name)


def probabilities(ecg: ECG, model_name: str):
    """(classes,) probabilities of `model_name` for the current record (one forward pass, no saliency)."""
    key = _library_key(ecg)
    if key is None:
        return _session_memo(("proba", state.get("record"), ecg.fs, model_name, str(models_dir())),
                             lambda: _proba(ecg, model_name))
    return _library_probabilities(*key, model_name, str(models_dir()))
