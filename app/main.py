"""Entry point: `streamlit run app/main.py`. Declares the pages; each lives in app/views/."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run app/main.py` puts app/ first on the path, not the repo
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(page_title="ECG anomaly dashboard", page_icon=":material/monitor_heart:", layout="wide")

PAGES = [
    st.Page("views/home.py", title="Home", icon=":material/home:", url_path="home", default=True),
    st.Page("views/records.py", title="Records", icon=":material/table_rows:", url_path="records"),
    st.Page("views/viewer.py", title="ECG viewer", icon=":material/monitor_heart:", url_path="viewer"),
    st.Page("views/predict.py", title="Predict & explain", icon=":material/psychology:", url_path="predict"),
    st.Page("views/beats.py", title="Beat review", icon=":material/favorite:", url_path="beats"),
    st.Page("views/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page("views/compare.py", title="Compare models", icon=":material/compare:", url_path="compare"),
]

st.navigation(PAGES).run()
