"""The one registry of the app's pages: `app/main.py` navigates with it and every `st.switch_page` uses it."""
from __future__ import annotations

import streamlit as st

#: name -> (script relative to app/main.py, title, icon); the first is the default page.
PAGE_TABLE: dict[str, tuple[str, str, str]] = {
    "home": ("views/home.py", "Home", ":material/home:"),
    "records": ("views/records.py", "Records", ":material/table_rows:"),
    "viewer": ("views/viewer.py", "ECG viewer", ":material/monitor_heart:"),
    "predict": ("views/predict.py", "Predict & explain", ":material/psychology:"),
    "beats": ("views/beats.py", "Beat review", ":material/favorite:"),
    "upload": ("views/upload.py", "Upload", ":material/upload_file:"),
    "compare": ("views/compare.py", "Compare models", ":material/compare:"),
    "worklist": ("views/worklist.py", "Worklist", ":material/checklist:"),
}


def all_pages() -> list[st.Page]:
    """Every page as an `st.Page` (url path = its name), in menu order."""
    return [page(name) for name in PAGE_TABLE]


def page(name: str) -> st.Page:
    """The `st.Page` called `name` (a key of PAGE_TABLE), for `st.navigation` and `st.switch_page`."""
    script, title, icon = PAGE_TABLE[name]
    return st.Page(script, title=title, icon=icon, url_path=name, default=name == next(iter(PAGE_TABLE)))


def switch_to(name: str) -> None:
    """Go to page `name` (the current choices go with the session and the URL)."""
    st.switch_page(page(name))
