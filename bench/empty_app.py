import streamlit as st  # the reference page bench_app.py times the dashboard against
st.write("ready")
