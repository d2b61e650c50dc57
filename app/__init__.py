"""The Streamlit dashboard: `app/main.py` declares the pages; `app/views/` holds one module per page and
`app/common/` the state, cached loaders and widgets the pages share. All numerics live in `ecgcore`."""
