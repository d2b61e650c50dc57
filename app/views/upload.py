"""upload page."""
import streamlit as st

from app.common import widgets

widgets.page_setup()
st.title("upload")
