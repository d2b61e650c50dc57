"""The user's choices in `st.session_state`, mirrored in the URL so that a link carries the whole view.

The URL (`?record=ptbxl/00001&model=resnet1d&target=MI&sal=trace&scale=fixed&layout=3x4&rate=500&beat=4`, and
on Compare `&set=ptbxl_cv&models=resnet1d,kernel`) makes a view shareable: a fresh session adopts what the
URL says (values that make no sense are ignored); within a session every choice is written back to the URL.
Uploaded records live only in this session (`uploads`) and never go into the URL.

`URL_KEYS` is the one list of what a link carries; each key has a parser (URL text -> session value, None
when the text is not a valid value) and a writer (session value -> URL text).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

UPLOAD_PREFIX = "upload:"


def normalise_record_id(value: str) -> str:
    """A record id in its one spelling (`ecgcore.data.record_ids.parse`: `123` and `ptbxl/123` both mean
    `ptbxl/00123`); text that is no record id is returned stripped, for the page to report."""
    from ecgcore.data.record_ids import parse
    from ecgcore.core.errors import UnknownNameError

    try:
        return str(parse(value))
    except UnknownNameError:
        return str(value).strip()


def _one_of(*allowed: str) -> Callable[[str], str | None]:
    return lambda text: text if text in allowed else None


def _number(text: str, kind: type = float, minimum: float = 0) -> Any:
    try:
        value = kind(text)
    except ValueError:
        return None
    return value if value >= minimum else None


def _name(text: str) -> str | None:
    text = text.strip()
    return text if text and len(text) <= 200 else None


@dataclass(frozen=True)
class UrlKey:
    """One shareable choice: how URL text becomes the session value and back."""

    parse: Callable[[str], Any]
    write: Callable[[Any], str] = str


URL_KEYS: dict[str, UrlKey] = {
    "record": UrlKey(lambda t: _name(normalise_record_id(t))),
    "model": UrlKey(_name),
    "target": UrlKey(_name),
    "sal": UrlKey(_one_of("trace", "band", "none")),  # saliency drawn on the traces, as a band, or not at all
    "scale": UrlKey(_one_of("fixed", "relative")),  # CAM band: one fixed scale, or relative to the record
    "layout": UrlKey(_one_of("3x4", "6x2", "12x1")),
    "speed": UrlKey(lambda t: int(t) if t in ("25", "50") else None),  # paper speed, mm/s
    "gain": UrlKey(lambda t: int(t) if t in ("5", "10", "20") else None),  # gain, mm/mV
    "rate": UrlKey(lambda t: int(t) if t in ("100", "500") else None),  # PTB-XL's two rates
    "start": UrlKey(lambda t: _number(t, float), lambda v: f"{float(v):g}"),  # window start (s), long records
    # the beat as numbered on screen (1 = first beat); the session keeps its 0-based index
    "beat": UrlKey(lambda t: None if _number(t, int, 1) is None else int(t) - 1, lambda v: str(int(v) + 1)),
    "set": UrlKey(_name),  # Compare: the evaluation set
    "models": UrlKey(lambda t: [n for n in t.split(",") if n] or None, lambda v: ",".join(v)),  # Compare
}


def sync_from_url() -> None:
    """Adopt query parameters the session has not written itself (a pasted or shared link)."""
    ss = st.session_state
    written = ss.setdefault("_url_written", {})
    for key, spec in URL_KEYS.items():
        text = st.query_params.get(key)
        if text is None or text == written.get(key):
            continue
        value = spec.parse(text)
        written[key] = text
        if value is not None:
            ss[key] = value
            ss.setdefault("_from_url", set()).add(key)


def adopted_from_url(key: str) -> bool:
    """True once for a choice a shared link set (so a page keeps it rather than resetting it)."""
    found = st.session_state.get("_from_url", set())
    if key in found:
        found.discard(key)
        return True
    return False


def write_to_url() -> None:
    """Put the session's shareable choices in the URL (uploads stay out of it)."""
    ss = st.session_state
    written = ss.setdefault("_url_written", {})
    for key, spec in URL_KEYS.items():
        value = ss.get(key)
        if key == "record" and is_upload(value):
            value = None
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
            written.pop(key, None)
            continue
        text = spec.write(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text
        written[key] = text


def get(key: str, default=None):
    return st.session_state.get(key, default)


def set_choice(key: str, value) -> None:
    """Remember a choice for this session (and, for shareable ones, in the URL)."""
    st.session_state[key] = value
    if key in URL_KEYS:
        write_to_url()


def remember(key: str, widget_key: str, convert: Callable[[Any], Any] | None = None):
    """An on_change callback that copies a widget's value into the session choice `key` (widget state is
    dropped when a page does not draw the widget; the choice lives on across pages). `convert` maps the
    widget's value to the choice's (e.g. a toggle's bool to "relative")."""
    def copy() -> None:
        value = st.session_state[widget_key]
        if value is None:  # a segmented control clicked off: keep the choice
            return
        set_choice(key, convert(value) if convert else value)
    return copy


def uploads() -> dict:
    """This session's uploaded records: name -> ECG (never shared with other sessions)."""
    return st.session_state.setdefault("uploads", {})


#: uploads a session keeps (the oldest is dropped, with its results, when another is added)
MAX_UPLOADS = 4
#: uploaded records whose results (probabilities, explanations, beat analysis) a session keeps, least
#: recently used dropped first; and results kept per record (an explanation per page viewed of a long record)
MAX_RESULT_RECORDS = 3
MAX_RESULTS_PER_RECORD = 12


def add_upload(ecg) -> str:
    """Keep `ecg` as an upload of this session under its record id (a ' added until unique); the name.
    Its content digest (`ecgcore.core.digest`) keys its results, so a later upload with the same name never
    sees them. Beyond `MAX_UPLOADS`, the oldest upload is removed."""
    from ecgcore.core.digest import record_digest

    from app.common import memory

    name = ecg.record_id
    while name in uploads():
        name += "'"
    uploads()[name] = ecg
    memory.track(uploads(), upload_results(), st.session_state.setdefault("_upload_digests", {}))
    st.session_state.setdefault("_upload_digests", {})[name] = record_digest(ecg)
    while len(uploads()) > MAX_UPLOADS:
        remove_upload(next(iter(uploads())))
    return name


def remove_upload(name: str) -> None:
    """Forget an upload and every result computed for it (and stop showing it as the current record)."""
    ecg = uploads().pop(name, None)
    digest = st.session_state.setdefault("_upload_digests", {}).pop(name, None)
    if digest is not None and digest not in st.session_state["_upload_digests"].values():
        upload_results().pop(digest, None)
    if get("record") == UPLOAD_PREFIX + name:
        set_choice("record", None)
    if st.session_state.get("_upload_last") == name:
        st.session_state.pop("_upload_last")
    del ecg


def upload_digest(ecg) -> str:
    """The content digest of an upload of this session (kept since it was added), computed for any other."""
    from ecgcore.core.digest import record_digest

    digests = st.session_state.get("_upload_digests", {})
    for name, kept in uploads().items():
        if kept is ecg and name in digests:
            return digests[name]
    return record_digest(ecg)


def upload_results() -> OrderedDict:
    """digest -> {result key: result} for this session's uploads, most recently used last."""
    return st.session_state.setdefault("_upload_results", OrderedDict())


def is_upload(record_id: str | None) -> bool:
    return bool(record_id) and str(record_id).startswith(UPLOAD_PREFIX)
