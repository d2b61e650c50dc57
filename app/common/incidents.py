"""Unexpected failures: logged on the server with an incident id, shown on the page as that id only.

A page never shows a traceback (server paths, library internals): `.streamlit/config.toml` sets
`client.showErrorDetails = "none"`, and `show` is what a page (or the frame, around every page) calls for an
exception that is not an `ECGError` (those carry their own message for the user).
"""
from __future__ import annotations

import logging
import uuid

import streamlit as st

log = logging.getLogger("ecg.app")


def show(exc: BaseException, what: str) -> str:
    """Log `exc` with its traceback under a new incident id and tell the user `what` failed; the id."""
    incident = uuid.uuid4().hex[:10]
    log.error("incident %s: %s", incident, what, exc_info=(type(exc), exc, exc.__traceback__))
    st.error(f"{what} failed unexpectedly (incident {incident}; the details are in the server's log, not "
             "shown here). Try again; if it fails again, give the incident id to whoever runs this server.",
             icon=":material/error:")
    return incident
