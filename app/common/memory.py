"""Memory held for a browser session is released when the session ends, not when Streamlit gets round to it.

Streamlit keeps a disconnected session (its `st.session_state`, and the bytes of every file it uploaded) in a
cache whose entries expire only when the cache is next touched; a server that had five users upload 150 MB
CSVs kept their records after they left. Here:

- `track()` registers this session's upload containers (`state.uploads()`, `state.upload_results()`);
- a janitor thread (one per server) checks every `CHECK_S` seconds which registered sessions are no longer
  connected; once one has been gone longer than Streamlit's own reconnect window
  (`server.disconnectedSessionTTL`, after which the session can never come back), its records, results and
  uploaded files are dropped, Python's garbage is collected and glibc is asked to return freed memory to the
  system (`malloc_trim`), so the server's RSS comes back down;
- `forget_uploaded(files)` drops an upload's raw bytes from Streamlit's file store once the record is read.

Measured by `bench/bench_session_memory.py` (five sessions each uploading a 150 MB CSV).
"""
from __future__ import annotations

import ctypes
import gc
import logging
import threading
import time
from typing import Any

import streamlit as st

log = logging.getLogger("ecg.app.memory")

#: seconds between the janitor's checks
CHECK_S = 10.0
_lock = threading.Lock()
#: session id -> (the containers to empty, when the session was first seen disconnected or None)
_sessions: dict[str, tuple[list[Any], float | None]] = {}


def _ctx():
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx()


def track(*containers: Any) -> None:
    """Register containers (dicts) of this session to empty when the session ends for good."""
    ctx = _ctx()
    if ctx is None:  # not in a served session (e.g. a bare import)
        return
    _janitor()
    with _lock:
        known, _ = _sessions.get(ctx.session_id, ([], None))
        known.extend(c for c in containers if all(c is not k for k in known))
        _sessions[ctx.session_id] = (known, None)


def forget_uploaded(files) -> None:
    """Drop uploaded files' bytes from Streamlit's in-memory file store (this session's), once read."""
    ctx = _ctx()
    if ctx is None or ctx.uploaded_file_mgr is None:
        return
    for f in files:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, f.file_id)


def release() -> None:
    """Return memory freed by a large read to the system now (a CSV parse leaves its buffers in glibc's
    arenas otherwise, and the server's RSS stays as high as the largest parse of any session)."""
    _trim()


def _trim() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the allocator keeps its own policy
        pass


def _sweep(now: float) -> int:
    """Empty the containers of sessions disconnected for longer than Streamlit's reconnect window; how many."""
    from streamlit import config
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return 0
    runtime = Runtime.instance()
    ttl = float(config.get_option("server.disconnectedSessionTTL") or 120)
    ended = []
    with _lock:
        for session_id, (containers, gone_since) in list(_sessions.items()):
            if runtime.is_active_session(session_id):
                _sessions[session_id] = (containers, None)
            elif gone_since is None:
                _sessions[session_id] = (containers, now)
            elif now - gone_since >= ttl:
                ended.append((session_id, containers))
                del _sessions[session_id]
    for session_id, containers in ended:
        for container in containers:
            container.clear()
        runtime.uploaded_file_mgr.remove_session_files(session_id)
    if ended:
        _trim()
        log.info("released the uploads of %d ended session(s)", len(ended))
    return len(ended)


def _loop() -> None:
    while True:
        time.sleep(CHECK_S)
        try:
            _sweep(time.monotonic())
        except Exception:  # noqa: BLE001 - the janitor must keep running; the log says why it failed
            log.exception("memory janitor sweep failed")


@st.cache_resource(show_spinner=False)
def _janitor() -> threading.Thread:
    thread = threading.Thread(target=_loop, name="ecg-session-janitor", daemon=True)
    thread.start()
    return thread
