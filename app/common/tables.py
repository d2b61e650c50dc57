"""Display tables of records (formatting only; filtering is `ecgcore.data.ptbxl.filter_records`)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data import ptbxl


@st.cache_resource(show_spinner=False)
def ptbxl_display(_db: pd.DataFrame, root: str) -> pd.DataFrame:
    """The PTB-XL index as a table to read: one row per ecg_id, text columns instead of tuples/dicts.

    `root` keys the cache (one table per set of PTB-XL folders); `_db` is their `load_database` frame.
    """
    db = _db
    waveform = pd.Series("", index=db.index)
    waveform[db["has_100"]] = "100 Hz"
    waveform[db["has_500"]] = "500 Hz"
    waveform[db["has_100"] & db["has_500"]] = "100 + 500 Hz"
    age = ptbxl.age_column(db)
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


def beats_table(rpeaks, fs: float, scores=None, target_index: int = 0, leads=(), premature=None) -> pd.DataFrame:
    """One row per beat: its number (from 1, as on screen), R time, "premature" where the rhythm analysis
    found it early (`premature`: (beats,) bool), and (with saliency) its rank, its share of the class's
    evidence over the record and the lead with the most evidence; strongest first when ranked."""
    table = pd.DataFrame({"beat": range(1, len(rpeaks) + 1), "R at (s)": [round(float(r) / fs, 3) for r in rpeaks]})
    if premature is not None and len(premature) == len(rpeaks):
        table["premature"] = ["premature" if p else "" for p in premature]
    if scores is None:
        return table
    rank = pd.Series(range(1, len(scores.ranking) + 1), index=scores.ranking)
    table["rank"] = rank.reindex(range(len(rpeaks))).to_numpy()
    table["share of evidence %"] = (scores.share[:, target_index] * 100).round(1)
    table["strongest lead"] = [leads[i] if i >= 0 else "—" for i in scores.top_lead]
    return table.sort_values("rank").reset_index(drop=True)


def models_overview(cards: dict[str, dict]) -> pd.DataFrame:
    """One row per shipped model from its card: size, what it was trained on, its macro AUC on real PTB-XL
    out of fold (`ptbxl_cv`) and on the external Challenge sources (`cinc_pooled`)."""
    rows = []
    for name, card in cards.items():
        data = (card.get("training") or {}).get("data") or {}
        metrics = card.get("metrics") or {}
        real = metrics.get("ptbxl_cv") or {}  # real PTB-XL, out of fold
        external = metrics.get("cinc_pooled") or next(
            (m for slug, m in metrics.items() if slug.startswith("cinc")), {})  # sources never trained on

        def auc(m: dict) -> str:
            if m.get("macro_auc") is None:
                return "not evaluated"
            ci = m.get("macro_auc_ci95")
            return f"{m['macro_auc']:.3f}" + (f" ({ci[0]:.3f}–{ci[1]:.3f})" if ci else "") + f", N={m.get('n_records')}"

        rows.append({"model": name, "parameters": card.get("parameters"),
                     "macro AUC, PTB-XL out of fold": auc(real),
                     "macro AUC, Challenge sources (external)": auc(external),
                     "trained on": data.get("name", "?") + (" (synthetic)" if data.get("synthetic") else ""),
                     "architecture": card.get("architecture", ""),
                     })
    return pd.DataFrame(rows)


def sources_overview(counts: dict[str, dict]) -> pd.DataFrame:
    """One row per source of the data root (`ecgcore.data.catalogue.summary`)."""
    rows = []
    for source, c in counts.items():
        rows.append({"source": source, "records": c["records"],
                     "rates (Hz)": ", ".join(f"{k}: {v}" for k, v in c.get("rates_hz", {}).items()),
                     "labelled": c["labelled"], **{s: c["superclasses"][s] for s in SUPERCLASSES},
                     "duplicates removed": c["duplicates_removed"], "no waveform": c["no_waveform"]})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """A small table as Markdown (drawn as static HTML: no data-grid or Arrow code for the browser to fetch,
    which keeps a page that only shows a few rows as quick to load as a page of text). `|` in cells escaped."""
    def cell(value) -> str:
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).replace("|", "\\|")

    head = "| " + " | ".join(cell(c) for c in table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *rows])
