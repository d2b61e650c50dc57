"""Cached access to ecgcore: the record index, records, models and their results.

Heavy shared objects (the metadata index, trained models) are `st.cache_resource`: one read-only copy
for every session. Records and per-record results are `st.cache_data`, keyed by record id. Uploaded
records are never cached here: they stay in their own session (see `state.uploads`).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from app.common import state
from app.common.safe import md
from ecgcore.data import ptbxl
from ecgcore.data.evalsets import set_order
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.core.settings import Settings, resolve


def settings() -> Settings:
    """The resolved settings (data root, models, cache): flags are not available here, so the environment
    (ECG_DATA_ROOT, ECG_MODELS_DIR, ECG_CACHE_DIR) and the defaults decide (`ecgcore.core.settings`)."""
    return resolve()


def showing_demo() -> bool:
    """True when there is no data root: the app then shows its synthetic demo (SYNTHETIC on every page)."""
    return settings().data_root is None


def ptbxl_folders() -> tuple[str, ...]:
    """The PTB-XL folders the app shows: the data root's ptbxl/ + ptbxl_more/, or the synthetic demo
    (generated on first start when there is no data root)."""
    current = settings()
    if current.data_root is None:
        return (str(_demo(str(current.demo_dir))),)
    return tuple(str(p) for p in ptbxl.data_root_folders(current))


@st.cache_resource(show_spinner="First start without a data root: writing a small SYNTHETIC demo (a few seconds) ...")
def _demo(folder: str) -> Path:
    from ecgcore.synth.demo import ensure_demo

    return ensure_demo(settings())


def ptbxl_database() -> pd.DataFrame:
    """`ptbxl.load_database` of the PTB-XL folders shown (shared, read-only: filter, never edit in place)."""
    return _database(ptbxl_folders())


@st.cache_resource(show_spinner="Reading the PTB-XL metadata index ...")
def _database(folders: tuple[str, ...]) -> pd.DataFrame:
    return ptbxl.load_database(list(folders))


def ptbxl_statements() -> pd.DataFrame:
    return _statements(ptbxl_folders())


@st.cache_resource(show_spinner=False)
def _statements(folders: tuple[str, ...]) -> pd.DataFrame:
    return ptbxl.load_statements(list(folders))


def data_key() -> str:
    """What the library records are read from (the data root, or the demo), for cache keys."""
    current = settings()
    return str(current.data_root) if current.data_root is not None else f"demo:{current.demo_dir}"


def library_record(record_id: str, rate: int | None = None) -> ECG:
    """A record of the data root (or of the synthetic demo) by id; PTB-XL-layout records at `rate` Hz."""
    return _library_record(record_id, rate, data_key())


@st.cache_data(show_spinner="Loading the record ...", max_entries=64)
def _library_record(record_id: str, rate: int | None, key: str) -> ECG:
    from ecgcore.data.catalogue import load_record
    from ecgcore.data.record_ids import parse

    rid = parse(record_id)
    ptbxl_layout = rid.kind in ("ptbxl", "synthetic")
    db = _database(ptbxl_folders()) if ptbxl_layout else None
    return load_record(str(rid), settings(), rate=(rate or 500) if ptbxl_layout else None, db=db)


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
        st.error(md(exc))  # the message may quote a link's text or a file's name
        return None


def models_dir() -> Path:
    """Where trained models are read from (`ecgcore.core.settings`: $ECG_MODELS_DIR, else assets/models)."""
    return settings().models_dir


def shipped_model_names() -> list[str]:
    """The trained model folders (each with its model card) under the models folder, sorted by name, an
    ensemble last. Read from the
    folder alone, without importing the models (torch, ~3 s on a cold server), so a page that only lists
    them stays light; a folder that is not a registered model fails with the registry's message on load."""
    folder = models_dir()
    names = [p.parent.name for p in folder.glob("*/card.json")]
    # a model built from other models (the ensemble: members.json) after the models it combines
    return sorted(names, key=lambda n: ((folder / n / "members.json").is_file(), n))


@st.cache_resource(show_spinner="Loading the model ...")
def _model(name: str, folder: str):
    """(model, lock): loaded once per server and shared by every session. The lock serialises use of one
    model object, because the class activation map and IG attach hooks to its layers while they run."""
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
    """Data sets (results_<slug>.json) evaluated for every one of `names`, in the registry's order
    (`ecgcore.data.evalsets.set_order`)."""
    slugs = None
    for name in names:
        found = {p.stem[len("results_"):] for p in (models_dir() / name).glob("results_*.json")}
        slugs = found if slugs is None else slugs & found
    found = slugs or set()
    return set_order(found, {s: results(names[0], s) for s in found} if names else None)


def results(name: str, dataset: str) -> dict | None:
    """The stored evaluation of model `name` on `dataset` (never recomputed by the app)."""
    path = models_dir() / name / f"results_{dataset}.json"
    return _json(str(path), path.stat().st_mtime) if path.is_file() else None


def data_stamp() -> tuple:
    """(name, mtime) of every folder of the data root and of its sources' folders: part of the key of the
    tables kept on disk across server restarts, so a source added or changed is read again."""
    root = settings().data_root
    if root is None:
        return ()
    stamps = []
    for top in sorted(p for p in root.iterdir() if p.is_dir()):
        stamps.append((top.name, top.stat().st_mtime_ns))
        stamps += [(f"{top.name}/{p.name}", p.stat().st_mtime_ns) for p in sorted(top.iterdir()) if p.is_dir()]
    return tuple(stamps)


def catalogue() -> pd.DataFrame:
    """Every real record of the data root (PTB-XL, Challenge, ptbdb, LUDB): one row each, no signals loaded.
    Empty when there is no data root. Kept on disk (Streamlit's cache) across server restarts: reading every
    header takes seconds, and every page's record picker needs it on a cold server's first page."""
    return _catalogue(data_key(), data_stamp())


@st.cache_data(show_spinner="Reading the records' headers ...", persist="disk")
def _catalogue(key: str, stamp: tuple = ()) -> pd.DataFrame:
    from ecgcore.data.catalogue import catalogue as build

    return build(settings())


def data_summary() -> dict[str, dict]:
    """`ecgcore.data.catalogue.summary` of the data root (per source counts), {} when there is none."""
    return _summary(data_key(), data_stamp())


@st.cache_data(show_spinner=False, persist="disk")
def _summary(key: str, stamp: tuple = ()) -> dict[str, dict]:
    from ecgcore.data.catalogue import summary

    return summary(settings())


def record_choices() -> dict[str, str]:
    """Record id -> a short label, for every record shown (the sidebar's list): the data root's catalogue,
    or the synthetic demo's records."""
    return _record_choices(data_key(), data_stamp())


@st.cache_data(show_spinner=False, persist="disk")
def _record_choices(key: str, stamp: tuple = ()) -> dict[str, str]:
    labels = {}
    if showing_demo():
        db = ptbxl_database()
        for ecg_id, row in db[db["has_100"] | db["has_500"]].iterrows():
            classes = "+".join(row["superclasses"]) or "unlabelled"
            record_id = ptbxl_record_id(int(ecg_id), db)
            labels[record_id] = f"{record_id} · {classes} · SYNTHETIC"
        return labels
    for row in catalogue().itertuples(index=False):
        classes = "+".join(row.superclasses) if row.superclasses else "unlabelled"
        labels[row.record_id] = f"{row.record_id} · {classes}"
    return labels


# ------------------------------------------------------------------------------------ per-record results
def _session_memo(ecg: ECG, key: tuple, compute):
    """Results for this session's uploads, kept in the session (never in a cache shared across users).

    Keyed by the record's content digest (`state.upload_digest`), never by its name: a removed upload's
    results cannot be shown for a new file of the same name. Bounded: `state.MAX_RESULT_RECORDS` records,
    `state.MAX_RESULTS_PER_RECORD` results each, least recently used dropped first.
    """
    from collections import OrderedDict

    memo = state.upload_results()
    digest = state.upload_digest(ecg)
    per_record = memo.setdefault(digest, OrderedDict())
    memo.move_to_end(digest)
    while len(memo) > state.MAX_RESULT_RECORDS:
        memo.popitem(last=False)
    if key in per_record:
        per_record.move_to_end(key)
        return per_record[key]
    value = compute()
    per_record[key] = value
    while len(per_record) > state.MAX_RESULTS_PER_RECORD:
        per_record.popitem(last=False)
    return value


def ptbxl_record_id(ecg_id: int, db: pd.DataFrame) -> str:
    """The record id of a row of `ptbxl_database()` ("ptbxl/00001", or "synthetic/00001" for the demo)."""
    from ecgcore.data.record_ids import ptbxl as ptbxl_id

    return ptbxl_id(ecg_id, synthetic=ptbxl.is_synthetic(db.loc[ecg_id]))


def _library_key(ecg: ECG) -> tuple[str, int, str] | None:
    """(record id, rate, data key) for a library record, None for an upload (whose results stay in its session)."""
    record_id = state.get("record")
    if state.is_upload(record_id) or record_id is None:
        return None
    return record_id, int(round(ecg.fs)), data_key()


def _analyse(ecg: ECG):
    from ecgcore.signal import analyse_record

    return analyse_record(ecg)


@st.cache_data(show_spinner="Finding beats and measuring intervals ...", max_entries=128)
def _library_analysis(record_id: str, rate: int, root: str):
    return _analyse(_library_record(record_id, rate, root))


def beat_analysis(ecg: ECG):
    """`ecgcore.signal.analyse_record(ecg)`: beats, rhythm, median beat, measurements, flags, notes."""
    key = _library_key(ecg)
    if key is None:
        with st.spinner("Finding beats and measuring intervals ..."):
            return _session_memo(ecg, ("analysis",), lambda: _analyse(ecg))
    return _library_analysis(*key)


def _explain(ecg: ECG, model_name: str, target: str | None, layer: str, cam: str | None,
             view_s: tuple[float, float] | None = None, predictions=None, analysis=None):
    from ecgcore.explain import explain_record

    with model_lock(model_name):
        extra = {} if cam is None else {"cam": cam}
        return explain_record(ecg, model(model_name), target, layer=layer, view_s=view_s,
                              predictions=predictions, analysis=analysis, **extra)


def _predictions(ecg: ECG, model_name: str):
    """A long record's window predictions, kept while the user pages it (None for a model without a network)."""
    from ecgcore.explain.record import predict_record

    m = model(model_name)
    if getattr(m, "net", None) is None:
        return None
    with model_lock(model_name):
        return predict_record(ecg, m)


@st.cache_data(show_spinner="Running the model ...", max_entries=32)
def _library_predictions(record_id: str, rate: int, root: str, model_name: str, folder: str):
    return _predictions(_library_record(record_id, rate, root), model_name)


@st.cache_data(show_spinner="Running the model and computing its saliency ...", max_entries=256)
def _library_explanation(record_id: str, rate: int, root: str, model_name: str, folder: str, target: str | None,
                         layer: str, cam: str | None, view_s: tuple[float, float] | None = None):
    kept = _library_predictions(record_id, rate, root, model_name, folder) if view_s is not None else None
    analysis = _library_analysis(record_id, rate, root) if view_s is None else None  # the viewer's, analysed once
    return _explain(_library_record(record_id, rate, root), model_name, target, layer, cam, view_s, kept, analysis)


def explanation(ecg: ECG, model_name: str, target: str | None = None, layer: str = "last", cam: str | None = None,
                view_s: tuple[float, float] | None = None):
    """`ecgcore.explain.explain_record` of the current record: probabilities, class activation map, per-lead map, lead evidence, beats
    (cam None: the library's default CAM method; view_s: the seconds in view, which is all a long record's
    maps are made for, see `ecgcore.explain.record.view_span`; pass None for a record that is not long).

    Library records are cached for everyone by id; an upload's results stay in its session.
    """
    key = _library_key(ecg)
    if key is None:
        with st.spinner("Running the model and computing its saliency ..."):
            kept = None if view_s is None else _session_memo(
                ecg, ("predictions", model_name, str(models_dir())),
                lambda: _predictions(ecg, model_name))  # a long upload: predicted once, whatever page is shown
            return _session_memo(ecg, ("explain", model_name, str(models_dir()), target, layer, cam, view_s),
                                 lambda: _explain(ecg, model_name, target, layer, cam, view_s, kept,
                                                  None if view_s is not None else beat_analysis(ecg)))
    return _library_explanation(*key, model_name, str(models_dir()), target, layer, cam, view_s)


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
        return _session_memo(ecg, ("proba", model_name, str(models_dir())),
                             lambda: _proba(ecg, model_name))
    return _library_probabilities(*key, model_name, str(models_dir()))


# ------------------------------------------------------------------------------------ interpretation
def _interpret(ecg: ECG, analysis=None):
    from ecgcore.interpret import interpret

    return interpret(ecg, analysis)


@st.cache_data(show_spinner="Reading the ECG: measurements and statements ...", max_entries=128)
def _library_interpretation(record_id: str, rate: int, root: str):
    return _interpret(_library_record(record_id, rate, root), _library_analysis(record_id, rate, root))


def interpretation(ecg: ECG):
    """`ecgcore.interpret.interpret(ecg, analysis)`: statements with their leads, values and marks, and the
    measurement matrix; cached for library records, kept in the session for uploads."""
    key = _library_key(ecg)
    if key is None:
        with st.spinner("Reading the ECG: measurements and statements ..."):
            return _session_memo(ecg, ("interpretation",), lambda: _interpret(ecg, beat_analysis(ecg)))
    return _library_interpretation(*key)


def interpretation_validation() -> list[dict]:
    """The rows `python -m bench.bench_interpret --json assets/interpretation_validation.json` wrote (per
    statement and source: tp, fp, fn, tn); [] when the file is missing."""
    from ecgcore.core.settings import ROOT

    path = ROOT / "assets" / "interpretation_validation.json"
    found = _json(str(path), path.stat().st_mtime) if path.exists() else None
    return list((found or {}).get("rows") or [])
