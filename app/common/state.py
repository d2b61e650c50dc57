"""The user's choices (record, model, rate, class) in `st.session_state`, mirrored in the URL.

The URL (`?record=ptbxl/00001&model=resnet1d&rate=500`) makes a view shareable: a fresh session adopts
what the URL says; within a session the pages write the current choice back to the URL. Uploaded records
live only in this session (`uploads`) and never go into the URL.
"""
from __future__ import annotations

import streamlit as st

UPLOAD_PREFIX = "upload:"
_URL_KEYS = ("record", "model", "rate", "target")


def sync_from_url() -> None:
    """Adopt query parameters the session has not written itself (a pasted or shared link)."""
    ss = st.session_state
    written = ss.setdefault("_url_written", {})
    for key in _URL_KEYS:
        value = st.query_params.get(key)
        if value is not None and value != written.get(key):
            if key == "rate" and value not in ("100", "500"):  # PTB-XL's two rates; anything else is ignored
                continue
            ss[key] = normalise_record_id(value) if key == "record" else value
            written[key] = value


def write_to_url() -> None:
    """Put the session's shareable choices in the URL (uploads stay out of it)."""
    ss = st.session_state
    written = ss.setdefault("_url_written", {})
    for key in _URL_KEYS:
        value = ss.get(key)
        if key == "record" and value is not None and str(value).startswith(UPLOAD_PREFIX):
            value = None
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
            written.pop(key, None)
        elif st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)
            written[key] = str(value)
        else:
            written[key] = str(value)


def normalise_record_id(value: str) -> str:
    """`123` and `ptbxl/123` both mean PTB-XL ecg_id 123, written `ptbxl/00123`."""
    text = str(value).strip()
    if text.isdigit():
        return f"ptbxl/{int(text):05d}"
    head, _, tail = text.partition("/")
    if head in ("ptbxl", "synthetic") and tail.isdigit():
        return f"{head}/{int(tail):05d}"
    return text


def get(key: str, default=None):
    return st.session_state.get(key, default)


def set_choice(key: str, value) -> None:
    """Remember a choice for this session (and, for shareable ones, in the URL)."""
    st.session_state[key] = value
    if key in _URL_KEYS:
        write_to_url()


def remember(key: str, widget_key: str):
    """An on_change callback that copies a widget's value into the session choice `key` (widget state is
    dropped when a page does not draw the widget; the choice lives on across pages)."""
    def copy() -> None:
        set_choice(key, st.session_state[widget_key])
    return copy


def uploads() -> dict:
    """This session's uploaded records: name -> ECG (never shared with other sessions)."""
    return st.session_state.setdefault("uploads", {})


def is_upload(record_id: str | None) -> bool:
    return bool(record_id) and str(record_id).startswith(UPLOAD_PREFIX)
