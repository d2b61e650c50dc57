"""Model, class and saliency controls shared by Predict & explain, Beat review and Compare."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from app.common import loaders, state
from ecgcore.config import SUPERCLASSES
from ecgcore.errors import ECGError

SHOW = {"band": "CAM heat band (all leads)", "trace": "Per-lead attribution on the traces",
        "none": "No saliency"}


@dataclass(frozen=True)
class SaliencyView:
    mode: str  # "band", "trace" or "none"
    opacity: float
    relative: bool
    layer: str
    cam: str | None = None  # None: the library's default CAM method

    @property
    def figure_mode(self) -> str:
        """The `saliency_mode` the paper figures take ("trace" or "band")."""
        return "trace" if self.mode == "trace" else "band"


def class_picker(classes: list[str], key: str, default: str | None = None) -> str:
    """The class to explain (remembered across pages; in the URL as `target`)."""
    if state.get("target") not in classes:
        state.set_choice("target", default if default in classes else classes[0])
    widget = f"_{key}_target"
    st.session_state[widget] = state.get("target")
    st.segmented_control("Class to explain", classes, key=widget, on_change=state.remember("target", widget),
                         selection_mode="single", help="Grad-CAM, per-lead attribution and beat ranking are "
                         "computed for this class. NORM normal, MI infarction, STTC ST/T change, "
                         "CD conduction disturbance, HYP hypertrophy.")
    return state.get("target")


def saliency_controls(key: str, modes: tuple[str, ...] = ("band", "trace", "none")) -> SaliencyView:
    """How saliency is drawn: mode (heat band / colour on traces / none), opacity, scale, Grad-CAM layer."""
    from ecgcore.explain.gradcam import CAM_METHODS, DEFAULT_CAM_METHOD

    c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 2])
    mode_key = f"_{key}_mode"
    st.session_state[mode_key] = state.get("sal_mode", modes[0]) if state.get("sal_mode") in modes else modes[0]
    c1.radio("Saliency", modes, key=mode_key, format_func=SHOW.get, on_change=state.remember("sal_mode", mode_key))
    opacity = c2.slider("Opacity", 0.1, 1.0, 0.7, 0.05, key=f"_{key}_opacity")
    relative = c3.toggle("Relative scale", value=False, key=f"_{key}_relative",
                         help="CAM heat band. Off: one fixed scale in logits per second, so colours mean the same "
                              "on every record and model (weak evidence stays faint). On: scaled to this "
                              "record's own strongest values (shows where the model looked, not how strongly). "
                              "The per-lead attribution is always relative to the record.")
    layer = c4.selectbox("Grad-CAM layer", ["last", "early"], key=f"_{key}_layer",
                         help="last: the last convolutional block (default); early: a finer, earlier layer.")
    cam = c5.selectbox("CAM method", list(CAM_METHODS), index=list(CAM_METHODS).index(DEFAULT_CAM_METHOD),
                       key=f"_{key}_cam", format_func={"gradcam": "Grad-CAM", "hirescam": "HiResCAM"}.get,
                       help="Grad-CAM weights each channel by its mean gradient; HiResCAM multiplies gradient and "
                            "activation position by position (sharper in time).")
    return SaliencyView(state.get("sal_mode") or modes[0], opacity, relative, layer, cam)


def explanation_or_error(ecg, model_name: str, target: str | None, view: SaliencyView | None = None):
    """The explanation, or the library's clear message (e.g. a record too short for a model) and None."""
    try:
        if view is None:
            return loaders.explanation(ecg, model_name, target)
        return loaders.explanation(ecg, model_name, target, view.layer, view.cam)
    except ECGError as exc:
        st.error(str(exc))
        return None


def saliency_map_of(values: np.ndarray, view: SaliencyView, per_lead: bool) -> np.ndarray:
    """A map on [0, 1] for display, only its positive part (evidence for the class).

    Grad-CAM: one fixed scale in logits/s per CAM method (`display_scale`, comparable across records and
    models), or with "Relative scale" the record's own 99th percentile. Per-lead attribution (Integrated
    Gradients, spiky and on another scale than Grad-CAM): always relative to the record's 99th percentile,
    so it shows which leads and when, not how strongly.
    """
    from ecgcore.explain import display_scale, unit_scale

    if per_lead or view.relative:
        positive = np.asarray(values, dtype=float)[np.asarray(values) > 0]
        scale = float(np.percentile(positive, 99)) if positive.size else 0.0
        return unit_scale(values, scale) if scale > 0 else np.zeros_like(values, dtype=float)
    return unit_scale(values, display_scale(view.cam))  # each CAM method has its own fixed scale


def saliency_map(ex, view: SaliencyView) -> np.ndarray | None:
    """The map the tracing shows for `view`: Grad-CAM of the target class (samples,) for the band, the
    per-lead attribution (12, samples) for the traces; None when not drawn or not available."""
    if view.mode == "band":
        return None if ex.gradcam is None else saliency_map_of(ex.gradcam[ex.target_index], view, per_lead=False)
    if view.mode == "trace":
        return saliency_map_of(ex.per_lead, view, per_lead=True)
    return None


def most_probable(ecg, model_name: str) -> str | None:
    """The class the model finds most probable for `ecg` (the default class to explain), None on error."""
    try:
        probs = loaders.probabilities(ecg, model_name)
    except ECGError as exc:
        st.error(str(exc))
        return None
    return classes_of(model_name)[int(np.argmax(probs))]


def notes_text(ex) -> str:
    """The explanation's notes as sentences."""
    return " ".join(n.rstrip(".") + "." for n in ex.notes if n)


def classes_of(model_name: str | None) -> list[str]:
    if model_name is None:
        return list(SUPERCLASSES)
    return list(loaders.model(model_name).classes)
