"""Model, class and saliency controls shared by Predict & explain, Beat review and Compare.

Scaling a map for display is `ecgcore.plot.saliency.display_map` alone; this module only picks which map
(per-lead attribution or the class activation map of the target class) and which scale the user chose.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from app.common import loaders, state, widgets
from app.common.safe import md
from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.errors import ECGError
from ecgcore.metrics.clinical import leading_class
from ecgcore.plot.saliency import display_map, is_blank, legend_title

SHOW = {"trace": "Per-lead, on the traces", "band": "One band over time (all leads)", "none": "None"}
CAM_NAMES = {"gradcam": "Grad-CAM", "hirescam": "HiResCAM"}
#: the per-lead map's method, named for a reader (`Explanation.per_lead_method`)
PER_LEAD_NAMES = {"ig": "Integrated Gradients", "saliency": "gradient magnitude", "occlusion": "lead occlusion",
                  "evidence": "lead evidence, constant in time"}
LAYER_NAMES = {"last": "last convolutional block", "early": "an earlier, finer layer"}


@dataclass(frozen=True)
class SaliencyView:
    mode: str  # "trace" (per-lead attribution on the traces), "band" (class activation map) or "none"
    opacity: float
    relative: bool  # the band's scale: relative to the record (True) or the fixed one
    layer: str
    cam: str | None = None  # None: the library's default CAM method

    @property
    def figure_mode(self) -> str:
        """The `saliency_mode` the paper figures take ("trace" or "band")."""
        return "trace" if self.mode == "trace" else "band"

    @property
    def scale(self) -> str:
        """"relative" or "fixed": per-lead attribution is always relative (its units vary by method)."""
        return "relative" if self.relative or self.mode == "trace" else "fixed"


def class_picker(classes: list[str], key: str, default: str | None = None) -> str:
    """The class to explain (remembered across pages; in the URL as `target`)."""
    if state.get("target") not in classes:
        state.set_choice("target", default if default in classes else classes[0])
    widget = f"_{key}_target"
    st.session_state[widget] = state.get("target")
    st.segmented_control("Class to explain", classes, key=widget, on_change=state.remember("target", widget),
                         selection_mode="single", help="Saliency and the beat ranking are computed for this "
                         "class. NORM normal, MI infarction, STTC ST/T change, CD conduction disturbance, "
                         "HYP hypertrophy.")
    return state.get("target")


def saliency_controls(key: str, modes: tuple[str, ...] = ("trace", "band", "none")) -> SaliencyView:
    """How saliency is drawn: per-lead on the traces (default), one band, or none; the ML settings (layer,
    CAM method, fixed or relative scale) and the opacity sit under "Advanced"."""
    from ecgcore.explain.gradcam import CAM_METHODS, DEFAULT_CAM_METHOD

    mode_key = f"_{key}_mode"
    st.session_state[mode_key] = state.get("sal") if state.get("sal") in modes else modes[0]
    st.segmented_control("Saliency", modes, key=mode_key, format_func=SHOW.get, selection_mode="single",
                         on_change=state.remember("sal", mode_key),
                         help="Per-lead: each lead's own evidence, coloured on its trace (which leads and when). "
                              "Band: the model's class activation map, one map over time shared by all leads.")
    with st.expander("Advanced (saliency method and scale)", expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        scale_key = f"_{key}_relative"
        st.session_state[scale_key] = state.get("scale") != "fixed"  # relative unless fixed was chosen
        c1.toggle("Relative scale (band)", key=scale_key,
                  on_change=state.remember("scale", scale_key, lambda on: "relative" if on else "fixed"),
                  help="On (default): full colour = this record's strongest evidence (shows where the model "
                       "looked). Off: one fixed scale in logits per second, so a band's colour means the same on "
                       "every record and model (weak evidence stays faint). The per-lead map is always relative "
                       "to the record.")
        layer = c2.selectbox("CAM layer", ["last", "early"], key=f"_{key}_layer", format_func=LAYER_NAMES.get,
                             help="Where the class activation map is taken: the last convolutional block "
                                  "(default) or a finer, earlier layer.")
        cam = c3.selectbox("CAM method", list(CAM_METHODS), index=list(CAM_METHODS).index(DEFAULT_CAM_METHOD),
                           key=f"_{key}_cam", format_func=CAM_NAMES.get,
                           help="Grad-CAM weights each channel by its mean gradient; HiResCAM multiplies gradient "
                                "and activation position by position (sharper in time).")
        opacity = c4.slider("Opacity", 0.1, 1.0, 0.8, 0.05, key=f"_{key}_opacity")
    mode = state.get("sal") if state.get("sal") in modes else modes[0]
    return SaliencyView(mode, opacity, state.get("scale") != "fixed", layer, cam)


def view_span(ecg, start_s: float | None) -> tuple[float, float] | None:
    """The seconds in view for a long record (whose maps are made for the part in view only), None for a
    record short enough to be explained whole (so its cached explanation does not depend on the window)."""
    from ecgcore.explain.record import view_span as span

    if start_s is None:
        return None
    return span(ecg.duration, (float(start_s), float(start_s) + 10.0))


def explanation_or_error(ecg, model_name: str, target: str | None, view: SaliencyView | None = None,
                         start_s: float | None = None):
    """The explanation, or the library's clear message (e.g. a record too short for a model) and None.
    start_s: where the drawn 10 s begin (a long record is explained for that part)."""
    try:
        if view is None:
            return loaders.explanation(ecg, model_name, target, view_s=view_span(ecg, start_s))
        return loaders.explanation(ecg, model_name, target, view.layer, view.cam, view_s=view_span(ecg, start_s))
    except ECGError as exc:
        st.error(md(exc))
        return None


def saliency_map(ex, view: SaliencyView) -> np.ndarray | None:
    """The display map (on [0, 1]) the tracing shows for `view`: per-lead attribution (12, samples) on the
    traces, the target's class activation map (samples,) for the band; None when not drawn or not available."""
    if view.mode == "band":
        if ex.cam is None:
            return None
        return display_map(ex.cam[ex.target_index], view.scale, ex.cam_method)
    if view.mode == "trace":
        return display_map(ex.per_lead, view.scale)
    return None


def mean_beat_map(ex, view: SaliencyView) -> np.ndarray | None:
    """The display map of the saliency averaged over the beats of the explanation's median beat
    (`ex.mean_beat_cam` / `ex.mean_beat_per_lead`, on the window of `ex.median_beat`). None when nothing is
    drawn."""
    if view.mode == "band" and ex.mean_beat_cam is not None:
        return display_map(ex.mean_beat_cam[ex.target_index], view.scale, ex.cam_method)
    if view.mode == "trace":
        return display_map(ex.mean_beat_per_lead, view.scale)
    return None


def legend(ex, view: SaliencyView) -> str:
    """What full colour means, for the figure legend."""
    return legend_title(ex.target, view.scale)


def method_text(ex, view: SaliencyView) -> str:
    """The saliency drawn, named for a reader (method in brackets)."""
    if view.mode == "band":
        cam = CAM_NAMES.get(ex.cam_method or "", "class activation map")
        return f"where in time the model found evidence for {ex.target} ({cam}, one band for all leads)"
    if view.mode == "trace":
        name = PER_LEAD_NAMES.get(ex.per_lead_method, ex.per_lead_method)
        return f"which leads, and when, carried evidence for {ex.target} ({name})"
    return "no saliency drawn"


def evidence_panel(ex, statements=(), height: int = 420) -> None:
    """The per-lead evidence strip beside the tracing: the leads whose replacement by a normal beat lowers
    p(target) most, each lead's change, the lead groups, and the leads the criteria statements name
    (`statements`: the record's `ecgcore.interpret` statements, each with `.text`, `.leads`, `.category`)."""
    from ecgcore.explain.evidence import compare_with_statements
    from ecgcore.plot.saliency import evidence_figure

    if getattr(ex, "contributions", None) is not None:
        contributions_panel(ex, statements, height)
        return
    ev = ex.evidence
    if ev is None:
        return
    cls = ex.target
    st.markdown(f"**{ev.summary(cls)}**")
    matches = compare_with_statements(ev, cls, statements)
    named = tuple(lead for m in matches for lead in m.leads)
    widgets.show_figure(evidence_figure(ev.lead_changes(cls), cls, highlight=named, height=height),
                        key=f"evidence_{ex.model}")
    groups = ", ".join(f"{g} {100 * v:+.0f}" for g, v in ev.group_changes(cls).items())
    st.caption(f"Points p({cls}) falls when the lead is replaced by a normal beat (the NORM population's, "
               f"at this record's beats); blue: evidence for {cls}. Lead groups replaced together: {groups}.")
    _criteria_captions(matches, cls, "evidence leads")


def _criteria_captions(matches, cls: str, what: str) -> None:
    """Under a lead strip: each criteria statement's leads and those it shares with the model's (`what`)."""
    from ecgcore.explain.evidence import CLASS_CATEGORIES

    for m in matches:
        shared = ", ".join(m.shared) if m.shared else "none"
        st.caption(f"**Criteria**: {m.text} (leads {', '.join(m.leads)}, bold in the strip); shared with the "
                   f"model's {what}: {shared}.")
    if not matches and CLASS_CATEGORIES.get(cls):
        st.caption(f"**Criteria**: no criteria statement for {cls} names leads on this record.")


def contributions_panel(ex, statements=(), height: int = 420) -> None:
    """The lead-wise model's strip: each lead's own contribution to the target's logit (its lead weight x its
    score, the parts that add up to the logit), with the leads the criteria statements name in bold."""
    from ecgcore.explain.evidence import compare_with_statements
    from ecgcore.plot.saliency import contribution_figure

    con, cls = ex.contributions, ex.target
    st.markdown(f"**{con.summary(cls)}**")
    matches = compare_with_statements(con, cls, statements)
    named = tuple(lead for m in matches for lead in m.leads)
    widgets.show_figure(contribution_figure(con.lead_changes(cls), cls, highlight=named, height=height),
                        key=f"contributions_{ex.model}")
    k = con.classes.index(cls)
    st.caption(f"The {ex.model} model reads each lead on its own and adds the leads up: each bar is what that "
               f"lead adds to the {cls} logit (its weight x its score, mean over the scoring windows) beyond what a "
               f"normal lead adds (the training records' NORM average); the bars plus the baseline "
               f"{con.baseline_logit[k]:+.2f} give the mean window logit {con.mean_logit[k]:+.2f}. Blue: towards {cls}.")
    _criteria_captions(matches, cls, "leading contributions")


def empty_message(ex, view: SaliencyView, shown: np.ndarray | None) -> str | None:
    """A sentence for a map that colours nothing (or does not exist), None when something is coloured."""
    if view.mode == "none":
        return None
    if view.mode == "band" and ex.cam is None:
        return (f"{ex.model} has no class activation map (it has no convolutional layers), so no band is drawn. "
                "Choose **Per-lead, on the traces** to see which leads mattered.")
    if is_blank(shown):
        what = "per-lead map" if view.mode == "trace" else "class activation map"
        extra = (" (lead evidence: replacing any single lead by a normal beat does not lower its score)"
                 if ex.per_lead_method == "evidence" and view.mode == "trace" else "")
        scale = " on the fixed scale; switch on **Relative scale** under Advanced" if view.scale == "fixed" else ""
        return (f"{ex.model}'s {what} shows no evidence for {ex.target} on this record{extra}{scale}: "
                "nothing is coloured.")
    return None


def default_target(ecg, model_name: str) -> str | None:
    """The class to explain when none is chosen: the class the user filtered records by, else the most
    probable class the model calls positive, else its most probable class (None on error)."""
    classes = classes_of(model_name)
    for cls in state.get("filter_classes") or ():
        if cls in classes:
            return cls
    try:
        probs = loaders.probabilities(ecg, model_name)
    except ECGError as exc:
        st.error(md(exc))
        return None
    return leading_class(classes, probs, loaders.model(model_name).thresholds)


def classes_of(model_name: str | None) -> list[str]:
    if model_name is None:
        return list(SUPERCLASSES)
    return list(loaders.model(model_name).classes)


def median_beat(ecg, key: str, ex=None, view=None) -> None:
    """The median beat of every lead with the fiducial points the measurements come from (the same figure
    on every page: `ecgcore.signal.analyse_record`); with an explanation, the saliency averaged over the
    beats drawn on it."""
    from ecgcore.plot import beat_figure
    from ecgcore.signal.resample import resample_signal

    if ex is not None:  # the explanation's own analysis, median beat and beat averages: nothing recomputed
        analysis, med, before = ex.analysis, ex.median_beat, ex.median_r
    else:
        analysis = loaders.beat_analysis(ecg)
        med = resample_signal(analysis.median, analysis.analysis_fs, ecg.fs)  # drawn at the record's rate
        before = int(round(analysis.median_r * ecg.fs / analysis.analysis_fs))
    if med.shape[1] < 2 or not np.isfinite(med).all():
        st.caption("No median beat: too few clean beats were found.")
        return
    saliency = key_text = None
    if ex is not None and view is not None:
        saliency = mean_beat_map(ex, view)
        key_text = legend(ex, view) if saliency is not None else None
    title = "Median beat of each lead, with the points the intervals are measured between"
    if saliency is not None:
        title += f" · average evidence for {ex.target} over all beats"
    fig = beat_figure(ecg.with_signal(med), 0, med.shape[1], r_index=before, saliency=saliency,
                      saliency_mode=view.figure_mode if view is not None else "band",
                      opacity=view.opacity if view is not None else 0.7,
                      fiducials_ms=analysis.fiducials_ms, title=title, legend=key_text)
    widgets.show_figure(fig, key=key)
    st.caption("The median beat is the typical beat of the record: for each lead, the middle value at each "
               "moment over all detected beats. Dotted lines: P on = start of the P wave, QRS on = start of the "
               "QRS complex, J = end of the QRS complex, T end = end of the T wave.")
