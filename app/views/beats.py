"""Beat review: R-peaks on the rhythm strip, beats ranked by how much evidence for the class they hold,
step through them (previous / next, a click on an R-peak or on a table row), each beat across the 12 leads,
and the median beat. Beats are numbered from 1 on screen and in the URL (`beat=`)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from app.common import explain_view, loaders, state, tables, widgets
from app.common.safe import md
from ecgcore.signal.beats import beat_bounds
from ecgcore.plot import beat_figure, strip_figure

st.title("Beat review")
ecg = widgets.need_record()
if ecg is not None:
    st.subheader(md(ecg.record_id))
    head = st.columns([2, 3])
    with head[0]:
        name = widgets.model_picker(key="_beats_model")
    ex = None
    if name is not None:
        classes = explain_view.classes_of(name)
        with head[1]:
            target = explain_view.class_picker(classes, "beats", default=explain_view.default_target(ecg, name))
        view = explain_view.saliency_controls("beats")
        ex = explain_view.explanation_or_error(ecg, name, target, view)
    if ex is not None:
        beats, scores, measured = ex.beats, ex.beat_scores, ex.analysis
    else:
        measured = loaders.beat_analysis(ecg)
        beats = measured.beats
        scores = None
    if not beats.ok:
        st.warning(f"No beats to review: {beats.reason}")
        st.stop()

    # ---- which beat: kept per record; previous / next step in time or in saliency order
    rpeaks = beats.rpeaks
    bounds = scores.bounds if scores is not None else beat_bounds(rpeaks, ecg.fs, ecg.n_samples)
    key = f"{state.get('record')}@{ecg.fs:g}"
    from_link = state.adopted_from_url("beat")
    if st.session_state.get("_beat_for") != key or not 0 <= int(state.get("beat") or 0) < beats.n:
        st.session_state["_beat_for"] = key
        if not (from_link and 0 <= int(state.get("beat") or 0) < beats.n):  # a shared link's beat is kept
            state.set_choice("beat", int(scores.ranking[0]) if scores is not None and len(scores.ranking) else 0)
    by_rank = scores is not None and st.toggle("Step in order of evidence (strongest first)", value=True,
                                               key="beats_by_rank")
    sequence = [int(b) for b in scores.ranking] if by_rank else list(range(beats.n))

    def step(delta: int) -> None:
        pos = sequence.index(int(state.get("beat")))
        state.set_choice("beat", sequence[(pos + delta) % len(sequence)])

    nav = st.columns([1, 1, 4])
    nav[0].button("◀ Previous", on_click=step, args=(-1,), key="beat_prev", width="stretch", shortcut="P",
                  help="Previous beat (keyboard: P)")
    nav[1].button("Next ▶", on_click=step, args=(1,), key="beat_next", width="stretch", shortcut="N",
                  help="Next beat (keyboard: N)")
    beat = int(state.get("beat"))
    rank_text = f", {sequence.index(beat) + 1} of {beats.n} by evidence" if by_rank else ""
    nav[2].markdown(f"**Beat {beat + 1}** of {beats.n} (R at {rpeaks[beat] / ecg.fs:.2f} s{rank_text}) · "
                    f"{beats.n} beats detected on lead {beats.lead}")

    # ---- rhythm strip with R-peaks: a click on a peak selects its beat
    sal = explain_view.saliency_map(ex, view) if ex is not None else None
    legend = explain_view.legend(ex, view) if sal is not None else None
    start_s = float(np.clip(rpeaks[beat] / ecg.fs - 5.0, 0.0, max(0.0, ecg.duration - 10.0)))
    strip = strip_figure(ecg, "II", start_s=start_s, saliency=sal, opacity=view.opacity if ex else 0.7,
                         saliency_mode=view.figure_mode if ex is not None else "band", legend=legend,
                         rpeaks=rpeaks, highlight=tuple(bounds[beat]),
                         title="Lead II rhythm strip; ▼ marks each beat's R wave (click one, or pick it below)")
    event = widgets.show_figure(strip, key="beats_strip", on_select="rerun", selection_mode="points")
    points = event.selection.points if event is not None and event.selection else []
    if points:
        clicked = int(np.argmin(np.abs(rpeaks / ecg.fs - float(points[0]["x"]))))
        if clicked != beat and st.session_state.get("_beat_click") != points[0]["x"]:
            st.session_state["_beat_click"] = points[0]["x"]
            state.set_choice("beat", clicked)
            st.rerun()
    shown = [i for i, r in enumerate(rpeaks) if start_s <= r / ecg.fs < start_s + 10.0]

    def pick() -> None:
        if st.session_state.get("_beat_pill") is not None:
            state.set_choice("beat", int(st.session_state["_beat_pill"]))

    st.session_state["_beat_pill"] = beat if beat in shown else None
    st.pills("Beats on this strip (click one)", shown, key="_beat_pill", on_change=pick, selection_mode="single",
             format_func=lambda i: f"{i + 1} · {rpeaks[i] / ecg.fs:.1f} s")

    left, right = st.columns([3, 2])
    with left:
        title = f"Beat {beat + 1} in all 12 leads" + (f" · evidence for {ex.target} ({ex.model})"
                                                       if sal is not None else "")
        widgets.show_figure(beat_figure(ecg, *bounds[beat], r_index=int(rpeaks[beat]), saliency=sal,
                                        saliency_mode=view.figure_mode if ex is not None else "band",
                                        opacity=view.opacity if ex else 0.7, title=title, px_per_mm=3.6,
                                        legend=legend),
                            key="beats_beat")
    with right:
        table = tables.beats_table(rpeaks, ecg.fs, scores, ex.target_index if ex else 0, ecg.leads,
                                   premature=measured.premature)
        picked = st.dataframe(table, key="beats_table", on_select="rerun", selection_mode="single-row",
                              hide_index=True, height=320)
        rows = picked.selection.rows if picked is not None else []
        if rows and int(table.iloc[rows[0]]["beat"]) - 1 != beat and st.session_state.get("_beat_row") != rows[0]:
            st.session_state["_beat_row"] = rows[0]
            state.set_choice("beat", int(table.iloc[rows[0]]["beat"]) - 1)
            st.rerun()
        st.caption("Select a row to review that beat." + (
            f" \"Share of evidence\": how much of the model's evidence for {ex.target} over the whole record "
            "lies in this beat (all beats add up to 100 %); \"strongest lead\": the lead with the most evidence "
            "in this beat." if scores is not None else ""))

    # ---- the median beat: the same figure and fiducial points as the viewer's, with the average evidence
    explain_view.median_beat(ecg, key="beats_median", ex=ex, view=view if ex is not None else None)
