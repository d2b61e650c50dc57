"""Worklist: open a score run (`python -m ecgcore score`), triage its records, open any of them, see the run as
pictures, follow a long record's time course. Everything computed here comes from `ecgcore.score` and
`ecgcore.plot.worklist`; this page only lays it out."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app.common import loaders, pages, state, widgets
from ecgcore.core.errors import ECGError
from ecgcore.plot import worklist as figures
from ecgcore.score import store
from ecgcore.score.triage import URGENCY, classes, filter_rows, library_id, summary, triage

st.title("Worklist")


@st.cache_data(show_spinner="Reading the run ...", max_entries=8)
def _rows(folder: str, stamp: float) -> pd.DataFrame:
    return triage(store.load_rows(folder))


@st.cache_data(show_spinner=False, max_entries=16)
def _course(folder: str, source: str, stamp: float) -> pd.DataFrame:
    return store.load_timecourse(folder, source)


def _stamp(folder: Path) -> float:
    return (folder / store.MANIFEST).stat().st_mtime


def _open(folder: Path, source: str, page: str, start_s: float | None = None) -> None:
    """Make the row's record the current one (a data-root record by its id, any other file as an upload of
    this session) and go to `page`."""
    record_id = library_id(source, loaders.settings().data_root)
    start = float(start_s or 0.0)
    if record_id is None:
        try:
            ecg, start = store.open_record(folder, source, at_s=start)
        except ECGError as exc:
            st.error(str(exc))
            return
        name = ecg.record_id if ecg.meta.get("streamed") else Path(source.split("!")[-1]).name
        state.uploads()[name] = ecg
        record_id = state.UPLOAD_PREFIX + name
    state.set_choice("record", record_id)
    state.set_choice("start", start)
    pages.switch_to(page)


# ------------------------------------------------------------------------------------------------ the run
runs = store.find_runs()
c1, c2 = st.columns([2, 3])
choices = [str(p) for p in runs]
picked = c1.selectbox("Score run", choices, index=0 if choices else None, key="wl_run",
                      placeholder="no run in data/score yet", help=f"Runs found under {store.runs_folder()}")
typed = c2.text_input("or a run folder", key="wl_folder", placeholder="/path/to/run (the --out of `score`)")
folder_text = typed.strip() or picked
if not folder_text:
    st.info("No score run yet. Score an archive with\n\n"
            "`python -m ecgcore score ../shared --out data/score/shared`\n\n"
            "(files, folders, globs or zips; `--ray` on a Ray cluster), then open it here.")
    st.stop()
folder = Path(folder_text).expanduser()
try:
    manifest = store.read_manifest(folder)
except ECGError as exc:
    st.error(str(exc))
    st.stop()
rows = _rows(str(folder), _stamp(folder))
info = summary(rows)
done = sum(s["records"] for s in manifest["shards"].values())
st.caption(f"{done:,} of {manifest['records']:,} records scored{'' if manifest['complete'] else ' (incomplete: resume it with --resume)'}"
           f" · models {', '.join(manifest['models'])} · started {manifest['created']} · "
           + " · ".join(f"{k} {v:,}" for k, v in sorted(info["status"].items())))
if rows.empty:
    st.warning("This run has no rows yet.")
    st.stop()

triage_tab, pictures_tab, long_tab = st.tabs(["Triage list", "Pictures", "Long records"])

with triage_tab:
    f1, f2, f3, f4 = st.columns(4)
    urgency = f1.multiselect("Urgency", URGENCY, key="wl_urgency")
    picked_classes = f2.multiselect("Class decided positive", classes(rows), key="wl_class")
    statuses = f3.multiselect("Status", sorted(rows["status"].unique()), key="wl_status")
    origins = f4.multiselect("Source folder", sorted(rows["origin"].unique()), key="wl_origin")
    statement = None
    if rows["interpretation"].notna().any():
        statement = st.text_input("Statement contains", key="wl_statement")
    shown = filter_rows(rows, classes_any=picked_classes, statuses=statuses, origins_any=origins, urgency=urgency,
                        statement=statement)
    columns = ["urgency", "file", "record_id", "status", "positive", "abnormal_p", "rhythm", "HR", "QRS",
               "QTc_Bazett", "flags", "interpretation", "segments", "af_burden", "model_note", "reason"]
    st.caption(f"{len(shown):,} of {len(rows):,} records, most urgent first (urgent statement or critical flag, "
               "then abnormal decisions by their highest probability) · select a row to open it")
    event = st.dataframe(
        shown[[c for c in columns if c in shown.columns]], key="wl_table", on_select="rerun",
        selection_mode="single-row", hide_index=True, height=440,
        column_config={"abnormal_p": st.column_config.ProgressColumn("highest abnormal p", min_value=0.0,
                                                                     max_value=1.0, format="%.2f"),
                       "HR": st.column_config.NumberColumn("HR (/min)", format="%.0f"),
                       "QRS": st.column_config.NumberColumn("QRS (ms)", format="%.0f"),
                       "QTc_Bazett": st.column_config.NumberColumn("QTc (ms)", format="%.0f"),
                       "af_burden": st.column_config.NumberColumn("AF burden", format="%.2f"),
                       "file": st.column_config.TextColumn("file", width="medium")},
    )
    chosen = event.selection.rows if event is not None else []
    if chosen:
        row = shown.iloc[chosen[0]]
        st.markdown(f"**{row['source']}** · {row['status']}" + (f" · {row['reason']}" if row["reason"] else ""))
        if row["status"] == "ok":
            b1, b2, _ = st.columns([1, 1, 2])
            if b1.button("Open in the viewer", key="wl_open_viewer", width="stretch"):
                _open(folder, row["source"], "viewer")
            if b2.button("Predict & explain", key="wl_open_predict", width="stretch"):
                _open(folder, row["source"], "predict")

with pictures_tab:
    p1, p2 = st.columns(2)
    with p1:
        widgets.show_figure(figures.class_counts(rows), key="wl_counts")
    with p2:
        widgets.show_figure(figures.failures_by_reason(rows), key="wl_failures")
    widgets.show_figure(figures.probability_distributions(rows), key="wl_probs")
    if rows["interpretation"].notna().any():
        widgets.show_figure(figures.statement_counts(rows), key="wl_statements")
    slow = ", ".join(f"`{Path(s).name}` {t:.2f} s" for s, t in info["slowest"])
    st.caption(f"Scoring took {info['seconds']:.0f} s of worker time in all; slowest: {slow}")

with long_tab:
    longs = rows[rows["segments"].fillna(1) > 1].sort_values("duration_s", ascending=False)
    if longs.empty:
        st.info("No long record in this run: records over 60 s are scored per 10 s segment and get a time course.")
    else:
        source = st.selectbox("Long record", longs["source"].tolist(), key="wl_long",
                              format_func=lambda s: f"{s} ({float(longs.set_index('source').loc[s, 'duration_s']) / 3600:.2f} h)")
        rec = longs.set_index("source").loc[source]
        course = _course(str(folder), source, _stamp(folder))
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("AF burden", "—" if pd.isna(rec["af_burden"]) else f"{100 * rec['af_burden']:.1f} %")
        m2.metric("Premature beats", f"{int(rec['premature_beats']):,}")
        m3.metric("per hour", f"{rec['premature_per_hour']:.0f}")
        m4.metric("Median HR", "—" if pd.isna(rec["HR"]) else f"{rec['HR']:.0f} /min")
        if isinstance(rec["model_note"], str):
            st.caption(rec["model_note"])
        event = st.plotly_chart(figures.timeline(course, title=Path(source).name), key="wl_timeline",
                                on_select="rerun", selection_mode="points", width="stretch")
        points = event.selection.points if event is not None and event.selection else []
        if points and points[0].get("customdata"):
            st.session_state["wl_start"] = float(points[0]["customdata"][0])
        j1, j2 = st.columns([1, 3])
        start = j1.number_input("Open at (s from the start)", min_value=0.0, max_value=float(rec["duration_s"]),
                                step=10.0, key="wl_start")
        if j2.button("Open this moment in the viewer", key="wl_jump"):
            _open(folder, source, "viewer", start_s=start)
        st.caption("Click a point of the timeline to pick its segment, then open it in the viewer.")
