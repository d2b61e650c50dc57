"""Records: the PTB-XL index (filterable, fast at 21,799 rows) and every record of the data root; a row opens it."""
from __future__ import annotations

import streamlit as st

from app.common import loaders, pages, state, tables, widgets
from app.common import safe
from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data.ptbxl import filter_records
from ecgcore.core.errors import ECGError

widgets.page_setup()
st.title("Records")


def open_buttons(record_id: str, has_waveform: bool, key: str) -> None:
    """The chosen row: make it the current record, with links to the pages that show it."""
    if not has_waveform:
        st.warning(f"{record_id}: this folder has its metadata but no waveform file, so it cannot be opened.")
        return
    state.set_choice("record", record_id)
    state.write_to_url()
    st.success(f"**{record_id}** is now the current record (shareable link: `?record={record_id}`).")
    cols = st.columns(3)
    for col, (page, label) in zip(cols, (("viewer", "Open in the viewer"),
                                          ("predict", "Predict & explain"),
                                          ("beats", "Review beats"))):
        if col.button(label, key=f"{key}_{page}", width="stretch"):
            pages.switch_to(page)


synthetic = loaders.showing_demo()
ptbxl_tab, shipped_tab = st.tabs(["SYNTHETIC demo index" if synthetic else "PTB-XL index", "All real records"])

with ptbxl_tab:
    db = loaders.ptbxl_database()
    table = tables.ptbxl_display(db, "|".join(loaders.ptbxl_folders()))
    codes = sorted({c for cs in db["scp_codes"] for c in cs})
    c1, c2, c3 = st.columns([2, 2, 2])
    query = c1.text_input("Search", key="rec_query", placeholder="ecg_id, or text in report / codes",
                          help="Digits find one ecg_id; other text searches the report and SCP codes.")
    supers = c2.multiselect("Diagnostic superclass", SUPERCLASSES, key="rec_super",
                            help="Records with any of these (an SCP code of any likelihood counts).")
    scp = c3.multiselect("SCP code", codes, key="rec_scp", help="Records carrying any of these codes.")
    c4, c5, c6, c7 = st.columns([3, 1.5, 2, 1.5])
    ages = c4.slider("Age (years; 90 = 90 and over)", 0, 90, (0, 90), key="rec_age")
    sex = c5.selectbox("Sex", ["any", "F", "M"], key="rec_sex")
    folds = c6.multiselect("Fold (strat_fold)", list(range(1, 11)), key="rec_fold",
                           help="Benchmark split: folds 1-8 train, 9 validation, 10 test.")
    validated = c7.selectbox("Validated by human", ["any", "yes", "no"], key="rec_valid")
    with_wave = st.checkbox("Only records with a waveform in this folder", key="rec_wave")
    try:
        rows = filter_records(
            db, superclass=supers or None, scp=scp or None,
            age_min=ages[0] if ages[0] > 0 else None, age_max=ages[1] if ages[1] < 90 else None,
            sex=None if sex == "any" else sex, fold=folds or None,
            validated=None if validated == "any" else validated == "yes", with_signal=True if with_wave else None,
        )
        shown = tables.text_search(table.loc[rows.index], query)
    except ECGError as exc:
        st.error(safe.md(exc))
        shown = table.iloc[:0]
    st.caption(f"{len(shown):,} of {len(table):,} records{' (SYNTHETIC, not patients)' if synthetic else ''} · "
               f"{' + '.join(f'`{f}`' for f in loaders.ptbxl_folders())} · select a row to open it")
    event = st.dataframe(
        shown, key="rec_table", on_select="rerun", selection_mode="single-row", hide_index=True, height=420,
        column_config={"ecg_id": st.column_config.NumberColumn(format="%d", width="small"),
                       "age": st.column_config.NumberColumn("age (y)", format="%d", width="small"),
                       "fold": st.column_config.NumberColumn(width="small"),
                       "report": st.column_config.TextColumn(width="large")},
    )
    picked = event.selection.rows if event is not None else []
    if picked:
        row = shown.iloc[picked[0]]
        open_buttons(loaders.ptbxl_record_id(int(row["ecg_id"]), db), row["waveform"] != "none here", "ptbxl")

with shipped_tab:
    cat = loaders.catalogue()
    if synthetic:
        st.info("No data root, so no real records: the Home page says how to add them.")
    s1, s2 = st.columns(2)
    sources = s1.multiselect("Source", sorted(cat["source"].unique()), key="cat_source")
    labelled = s2.selectbox("Labels", ["any", "labelled", "unlabelled"], key="cat_labelled")
    view = cat
    if sources:
        view = view[view["source"].isin(sources)]
    if labelled != "any":
        view = view[view["superclasses"].notna() == (labelled == "labelled")]
    shown_cat = view.assign(superclasses=view["superclasses"].map(lambda s: " ".join(s) if s else "unlabelled"))
    st.caption(f"{len(shown_cat)} of {len(cat)} real records · select a row to open it")
    event = st.dataframe(
        shown_cat[["record_id", "source", "superclasses", "codes", "age", "sex", "fs", "duration", "strat_fold",
                   "patient_id", "duplicate_of", "report"]],
        key="cat_table", on_select="rerun", selection_mode="single-row", hide_index=True, height=420,
        column_config={"fs": st.column_config.NumberColumn("fs (Hz)", format="%d"),
                       "duration": st.column_config.NumberColumn("length (s)", format="%.1f"),
                       "age": st.column_config.NumberColumn("age (y)", format="%d")},
    )
    picked = event.selection.rows if event is not None else []
    if picked:
        open_buttons(str(shown_cat.iloc[picked[0]]["record_id"]), True, "cat")
