"""Entry point and frame: `streamlit run app/main.py`.

Runs on every rerun before the page: page config, the shared link's choices (URL -> session), the sidebar
record picker, then the page itself (`st.navigation(...).run()`); pages are declared once in
`app/common/pages.py`, and each lives in app/views/.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from ecgcore.core.settings import passive_thread_waits  # noqa: E402

passive_thread_waits()

import streamlit as st  # noqa: E402

from app.common import incidents, pages, widgets  # noqa: E402

st.set_page_config(page_title="ECG anomaly dashboard", page_icon=":material/monitor_heart:", layout="wide")
navigation = st.navigation(pages.all_pages())
widgets.frame()
try:
    navigation.run()
except Exception as exc:  # noqa: BLE001 - an ECGError is handled on its page; anything else: an id, no traceback
    incidents.show(exc, f"The page {navigation.title!r}")
