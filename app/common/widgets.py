"""Widgets every page uses: the page preamble, the record and model pickers, figure display."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app.common import loaders, state

#: plotly options: no logo, PNG snapshots at print resolution, no box/lasso select tools.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "scrollZoom": False,
}
DEFAULT_MODEL = "resnet1d"
NO_MODEL = ("No trained model is shipped yet: `assets/models/` holds no checkpoint. "
            "Train one with `make train` (or `python -m ecgcore train --model NAME --data DIR`); "
            "the viewer, measurements and uploads work without a model.")


def frame() -> None:
    """What every page shares, run by `app/main.py` before the page: adopt a shared link's choices, draw the
    sidebar record picker, write the choices back to the URL."""
    state.sync_from_url()
    _remember_class_filter()
    with st.sidebar:
        record_picker()
    state.write_to_url()


def _remember_class_filter() -> None:
    """Records' superclass filter (widget `rec_super`, still in the session on the run that leaves Records)
    becomes the class to explain: who filtered for MI wants MI explained."""
    picked = st.session_state.get("rec_super")
    if picked and list(picked) != state.get("filter_classes"):
        st.session_state["filter_classes"] = list(picked)
        state.set_choice("target", picked[0])


def page_setup() -> None:
    """Nothing left to do: the frame (`app/main.py` -> `frame`) has run before the page. Kept so that pages
    written before the frame still run."""


def _record_label(record_id: str, index: dict[str, str]) -> str:
    if state.is_upload(record_id):
        return f"{record_id[len(state.UPLOAD_PREFIX):]} (your upload)"
    return index.get(record_id, record_id)


def record_picker() -> None:
    """Sidebar: the current record, chosen among this session's uploads and the shipped records."""
    index = loaders.record_choices()
    options = [state.UPLOAD_PREFIX + name for name in state.uploads()] + list(index)
    current = state.get("record")
    if current and current not in options:
        options.insert(0, current)

    st.session_state["_record_pick"] = current if current in options else None
    st.selectbox("Record", options, key="_record_pick", on_change=state.remember("record", "_record_pick"),
                 placeholder="choose a record",
                 format_func=lambda rid: _record_label(rid, index),
                 help="Shipped real records and your uploads (uploads stay in your session only).")


def model_picker(key: str = "_model_pick", label: str = "Model") -> str | None:
    """Choose one shipped model (remembered across pages); None with a clear note when none is shipped."""
    names = loaders.shipped_model_names()
    if not names:
        st.info(NO_MODEL)
        return None
    if state.get("model") not in names:
        state.set_choice("model", DEFAULT_MODEL if DEFAULT_MODEL in names else names[0])

    st.session_state[key] = state.get("model")
    st.selectbox(label, names, key=key, on_change=state.remember("model", key))
    return state.get("model")


def need_record():
    """The current record, or a note pointing to where one is chosen (and None)."""
    ecg = loaders.current_record()
    if ecg is None and not state.get("record"):
        st.info("No record chosen yet: pick one in the sidebar, on **Records**, or upload your own on **Upload**.")
    return ecg


def show_figure(fig: go.Figure, key: str, **kwargs):
    """A plotly figure with its own colours (ECG paper stays paper-coloured in dark mode)."""
    return st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=key, **kwargs)


def measurements(ecg) -> None:
    """Heart rate, intervals and axis from the median beat (ecgcore.explain.measure)."""
    import math

    beats, measured, _ = loaders.beat_analysis(ecg)
    st.markdown("**Measurements** (median beat, neurokit2 delineation)")
    if not beats.ok:
        st.warning(f"No beats found: {beats.reason}")
        return
    fmt = lambda v, unit: "not measurable" if v is None or not math.isfinite(v) else f"{v:.0f} {unit}"  # noqa: E731
    rows = [("Heart rate", fmt(measured.heart_rate_bpm, "/min")), ("PR", fmt(measured.pr_ms, "ms")),
            ("QRS", fmt(measured.qrs_ms, "ms")), ("QT", fmt(measured.qt_ms, "ms")),
            ("QTc Bazett", fmt(measured.qtc_bazett_ms, "ms")), ("QTc Fridericia", fmt(measured.qtc_fridericia_ms, "ms")),
            ("Frontal QRS axis", fmt(measured.axis_deg, "°"))]
    st.markdown("| measure | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows))
    for note in measured.notes:
        st.caption(note)
    st.caption(f"{beats.n} beats detected on lead {beats.lead} ({beats.method}).")


def median_beat(ecg, key: str, ex=None, view=None) -> None:
    """The median beat of every lead with the fiducial points the measurements come from (the same figure
    on every page); with an explanation, the saliency averaged over the beats drawn on it."""
    from app.common import explain_view
    from ecgcore.plot import beat_figure

    _, measured, median = loaders.beat_analysis(ecg)
    if median is None:
        st.caption("No median beat: fewer than two beats were found.")
        return
    med, before = median
    saliency = legend = None
    if ex is not None and view is not None:
        saliency = explain_view.mean_beat_map(ex, view, before, med.shape[1])
        legend = explain_view.legend(ex, view) if saliency is not None else None
    title = "Median beat of each lead, with the points the intervals are measured between"
    if saliency is not None:
        title += f" · average evidence for {ex.target} over all beats"
    fig = beat_figure(ecg.with_signal(med), 0, med.shape[1], r_index=before, saliency=saliency,
                      saliency_mode=view.figure_mode if view is not None else "band",
                      opacity=view.opacity if view is not None else 0.7,
                      fiducials_ms=measured.fiducials_ms, title=title, legend=legend)
    show_figure(fig, key=key)
    st.caption("The median beat is the typical beat of the record: for each lead, the middle value at each "
               "moment over all detected beats. Dotted lines: P on = start of the P wave, QRS on = start of the "
               "QRS complex, J = end of the QRS complex, T end = end of the T wave.")


def card_summary(name: str) -> None:
    """What a model is, what it was trained on, and how well it did (from its card; nothing recomputed)."""
    card = loaders.card(name) or {}
    data = (card.get("training") or {}).get("data") or {}
    synthetic = data.get("synthetic")
    trained = f"{data.get('name', 'unknown data')}" + (" (SYNTHETIC corpus)" if synthetic else "")
    st.markdown(f"**{name}** · {card.get('parameters', 0):,} parameters · {card.get('architecture', '')}")
    st.caption(f"Trained on {trained}: {data.get('n_train', '?')} records (folds 1-8), thresholds from fold 9.")
    rows = []
    for slug, m in (card.get("metrics") or {}).items():
        ci = m.get("macro_auc_ci95")
        rows.append({"evaluated on": m.get("dataset", slug), "records": m.get("n_records"),
                     "macro AUC": None if m.get("macro_auc") is None else round(m["macro_auc"], 3),
                     "95% CI": "" if not ci else f"{ci[0]:.3f}–{ci[1]:.3f}",
                     "macro F1": None if m.get("macro_f1") is None else round(m["macro_f1"], 3),
                     "synthetic": bool(m.get("synthetic"))})
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


def export_report(ecg, ex=None, saliency=None, start_s: float = 0.0) -> None:
    """Download a report of the current record, made offline on the server (ecgcore.report, matplotlib):
    the tracing at true scale, the predictions and saliency of `ex` if given, measurements, model card."""
    from ecgcore.report import build_report

    st.markdown("**Export**")
    cols = st.columns([1, 2, 3])
    fmt = cols[0].radio("Format", ["pdf", "png"], horizontal=True, key="export_fmt", format_func=str.upper)
    _, measured, median = loaders.beat_analysis(ecg)
    card = loaders.card(ex.model) if ex is not None else None

    def make() -> bytes:  # runs only when the button is clicked
        return build_report(ecg, explanation=ex, saliency=saliency, card=card, measurements=measured,
                            median=median, start_s=start_s, fmt=fmt)

    safe = ecg.record_id.replace("/", "_").replace(":", "_")
    cols[1].download_button(f"Download the report ({fmt.upper()})", data=make, on_click="ignore",
                            file_name=f"ecg_report_{safe}{'_' + ex.model if ex is not None else ''}.{fmt}",
                            mime="application/pdf" if fmt == "pdf" else "image/png", key="export_button")
    cols[2].caption("Tracing at true scale (25 mm/s, 10 mm/mV, A4), predictions against thresholds, saliency, "
                    "measurements and the model card. Made on the server, offline.")
