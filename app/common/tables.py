"""Display tables of records (formatting only; filtering is `ecgcore.data.ptbxl.filter_records`)."""
from __future__ import annotations

import pandas as pd
import streamlit as st


@st.cache_resource(show_spinner=False)
def ptbxl_display(_db: pd.DataFrame, root: str) -> pd.DataFrame:
    """The PTB-XL index as a table to read: one row per ecg_id, text columns instead of tuples/dicts.

    `root` keys the cache (one table per PTB-XL folder); `_db` is that folder's `load_database` frame.
    """
    db = _db
    waveform = pd.Series("", index=db.index)
    waveform[db["has_100"]] = "100 Hz"
    waveform[db["has_500"]] = "500 Hz"
    waveform[db["has_100"] & db["has_500"]] = "100 + 500 Hz"
    age = db["age"].where(db["age"] < 300, 90.0)  # PTB-XL writes ages over 89 as 300
    codes = db["scp_codes"].map(lambda c: " ".join(c))
    return pd.DataFrame({
        "ecg_id": db.index.to_numpy(),
        "superclasses": db["superclasses"].map(lambda s: " ".join(s) or "—"),
        "SCP codes": codes,
        "age": age,
        "sex": db["sex"],
        "fold": db["strat_fold"],
        "validated": db["validated_by_human"] if "validated_by_human" in db else False,
        "waveform": waveform.replace("", "none here"),
        "report": db["report"].fillna("") if "report" in db else "",
    }, index=db.index)


def text_search(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """Rows whose ecg_id equals `query` (digits) or whose report / codes contain it (case-insensitive)."""
    query = query.strip()
    if not query:
        return table
    if query.isdigit():
        return table[table["ecg_id"] == int(query)]
    hit = table["report"].str.contains(query, case=False, regex=False) | \
        table["SCP codes"].str.contains(query, case=False, regex=False)
    return table[hit]
