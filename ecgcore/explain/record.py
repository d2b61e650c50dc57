"""`explain_record`: one call for the app: predictions, class activation map, per-lead map, lead evidence,
beats, the median beat with the saliency averaged over it, measurements, timings. One prepared input per
(record, model): the record is resampled to the model's rate once and every part takes it.

Every map is at the record's own rate (`ecg.fs`) over its whole length, so it lines up with the tracing the
viewer draws; maps are in logits per second (see `ecgcore.explain.gradcam` for why that is comparable
across records). Nothing is cached here (no state at module level in `ecgcore`): the app caches
explanations and loaded models with Streamlit (`app/common/loaders.py`).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ecgcore.core.settings import resolve
from ecgcore.core.ecg import ECG, twelve_leads
from ecgcore.core.errors import UnknownNameError
from ecgcore.explain.attribution import IG_STEPS, record_attribution
from ecgcore.explain.beats import BeatScores, score_beats
from ecgcore.explain.evidence import LeadEvidence, lead_evidence
from ecgcore.explain.gradcam import DEFAULT_CAM_METHOD, record_cam
from ecgcore.models.base import PreparedInput
from ecgcore.signal.analysis import RecordAnalysis, analyse_record
from ecgcore.signal.beats import beat_bounds, mean_beat
from ecgcore.signal.peaks import DEFAULT_RPEAK_METHOD, Beats
from ecgcore.signal.resample import resample_signal


@dataclass(frozen=True)
class Explanation:
    """Everything the app shows for one record, one model and one target class.

    probabilities, thresholds: (classes,). window_probabilities: (windows, classes), windows starting at
    window_starts_s (s). cam: (classes, samples) signed class activation map (method `cam_method`,
    HiResCAM by default; the name is the contract's) in logits/s at `fs`, None where the model has no
    convolutional layers (`notes` say why); per_lead: (12, samples) attribution of the target class in
    logits/s ("ig"; "evidence" for models without a network: the lead evidence's logit change, constant in
    time) or |gradient| ("saliency"); maps are float32. median_beat: (12, L) mV at
    `fs`, R at sample `median_r`: the median beat of `analysis` (its clean beats, its window, brought to `fs`),
    the one the app and the report draw; mean_beat_per_lead: (12, L) and mean_beat_cam: (classes, L) the
    saliency averaged over the same beats on the same window (what the app draws on it). analysis:
    `ecgcore.signal.analyse_record` (rhythm, measurements, flags, notes, fiducials): the app shows it rather
    than analysing the record again. evidence: `ecgcore.explain.evidence.LeadEvidence` (probability change
    when each lead / lead group is replaced), None when not asked for. contributions: the lead-wise model's own
    lead contributions (`ecgcore.models.leadwise.LeadContributions`, logit units, over the same part as the
    maps), None for the other models. timings: milliseconds per stage. per_lead_span_s: (start, end) seconds
    the per-lead map covers when it was computed for the window in view only (a long record; 0 elsewhere),
    None when it covers the whole record.
    """

    record_id: str
    model: str
    fs: float
    n_samples: int
    classes: list[str]
    target: str
    probabilities: np.ndarray
    thresholds: np.ndarray
    window_starts_s: np.ndarray
    window_probabilities: np.ndarray
    cam: np.ndarray | None
    cam_layer: str | None
    cam_method: str | None
    per_lead: np.ndarray
    per_lead_method: str
    beats: Beats
    beat_scores: BeatScores | None
    median_beat: np.ndarray
    median_r: int
    mean_beat_per_lead: np.ndarray
    mean_beat_cam: np.ndarray | None
    analysis: RecordAnalysis
    evidence: LeadEvidence | None
    timings: dict[str, float]
    notes: tuple[str, ...] = ()
    leads: tuple[str, ...] = field(default=())
    per_lead_span_s: tuple[float, float] | None = None
    contributions: Any = None

    @property
    def target_index(self) -> int:
        return self.classes.index(self.target)

    @property
    def cam_relu(self) -> np.ndarray | None:
        """The map with negative evidence set to 0 (as the original Grad-CAM), (classes, samples)."""
        return None if self.cam is None else np.maximum(self.cam, 0.0)

    def top_beats(self, k: int = 5) -> list[int]:
        """Indices of the k beats with the most target-class saliency, most salient first."""
        return [] if self.beat_scores is None else [int(i) for i in self.beat_scores.ranking[:k]]

    def to_json(self) -> dict[str, Any]:
        """The summary as plain JSON values (maps left out: see `save_npz`)."""
        def num(v: float) -> float | None:
            return None if not math.isfinite(float(v)) else round(float(v), 4)

        beats = []
        if self.beat_scores is not None:
            rank_of = {int(b): r for r, b in enumerate(self.beat_scores.ranking)}
            for i, r in enumerate(self.beats.rpeaks):
                top = int(self.beat_scores.top_lead[i])
                beats.append({
                    "beat": i, "r_sample": int(r), "r_s": round(float(r) / self.fs, 3), "rank": rank_of[i] + 1,
                    "mass": {c: num(m) for c, m in zip(self.classes, self.beat_scores.mass[i])},
                    "share": {c: num(s) for c, s in zip(self.classes, self.beat_scores.share[i])},
                    "top_lead": self.leads[top] if top >= 0 else None,
                })
        return {
            "record_id": self.record_id, "model": self.model, "fs": self.fs, "samples": self.n_samples,
            "target": self.target,
            "predictions": {c: {"probability": num(p), "threshold": num(t), "positive": bool(p >= t)}
                            for c, p, t in zip(self.classes, self.probabilities, self.thresholds)},
            "cam_layer": self.cam_layer, "cam_method": self.cam_method, "per_lead_method": self.per_lead_method,
            "rpeaks": [int(r) for r in self.beats.rpeaks], "rpeak_detector": self.beats.method,
            "rpeak_lead": self.beats.lead, "beats_reason": self.beats.reason,
            "beats": beats, "top_beats": self.top_beats(),
            "analysis": self.analysis.to_dict(),
            "lead_evidence": None if self.evidence is None else {**self.evidence.to_dict(),
                                                                 "summary": self.evidence.summary(self.target)},
            "lead_contributions": None if self.contributions is None else {
                **self.contributions.to_dict(), "summary": self.contributions.summary(self.target)},
            "timings_ms": {k: round(v, 2) for k, v in self.timings.items()},
            "notes": list(self.notes),
        }

    def save_npz(self, path: str | Path) -> None:
        """Write the full maps and beat arrays to a compressed .npz (plain arrays, no pickles)."""
        arrays: dict[str, np.ndarray] = {
            "classes": np.array(self.classes), "leads": np.array(self.leads), "fs": np.array(self.fs),
            "target": np.array(self.target), "probabilities": self.probabilities, "thresholds": self.thresholds,
            "window_starts_s": self.window_starts_s, "window_probabilities": self.window_probabilities,
            "per_lead": self.per_lead.astype(np.float32), "rpeaks": self.beats.rpeaks,
            "median_beat": self.median_beat, "median_r": np.array(self.median_r),
            "mean_beat_per_lead": self.mean_beat_per_lead,
        }
        if self.cam is not None:
            arrays["cam"] = self.cam.astype(np.float32)
            arrays["mean_beat_cam"] = np.asarray(self.mean_beat_cam)
        if self.evidence is not None:
            arrays.update(evidence_per_lead=self.evidence.per_lead, evidence_per_group=self.evidence.per_group,
                          evidence_groups=np.array(self.evidence.groups))
        if self.contributions is not None:
            arrays.update(contributions_per_lead=self.contributions.contributions,
                          contributions_weights=self.contributions.weights)
        if self.beat_scores is not None:
            arrays.update(beat_bounds=self.beat_scores.bounds, beat_mass=self.beat_scores.mass,
                          beat_share=self.beat_scores.share, beat_top_lead=self.beat_scores.top_lead,
                          beat_ranking=self.beat_scores.ranking)
        np.savez_compressed(path, **arrays)


def _model(model: Any, models_dir: str | Path) -> Any:
    """`model` itself, or the registered model of that name loaded from `models_dir`."""
    if not isinstance(model, str):
        return model
    from ecgcore.models import load_model

    return load_model(model, models_dir)


@dataclass(frozen=True)
class _RecordParts:
    analysis: RecordAnalysis
    median_beat: np.ndarray
    median_r: int
    analysis_ms: float


def _record_parts_of(ecg: ECG, rpeak_method: str, span: tuple[float, float] | None = None,
                     known: RecordAnalysis | None = None) -> _RecordParts:
    """Beats, measurements and the median beat the app draws (the analysis's, brought to the record's rate),
    of the record or of the part `span` (s) of a long one (R-peaks then given in samples of the whole record).
    known: the caller's `analyse_record(ecg)` of the whole record, used when it is that record's (`_is_analysis_of`)."""
    first = 0
    if span is not None:
        first, last = int(span[0] * ecg.fs), int(np.ceil(span[1] * ecg.fs))
        ecg = ecg.with_signal(ecg.signal[:, first:last])
    t0 = time.perf_counter()
    reuse = span is None and _is_analysis_of(known, ecg, rpeak_method)
    analysis = known if reuse else analyse_record(ecg, rpeak_method)
    med = resample_signal(analysis.median, analysis.analysis_fs, ecg.fs) if analysis.median.shape[1] > 1 \
        else np.full((len(ecg.leads), 1), np.nan, dtype=np.float32)
    median_r = int(round(analysis.median_r * ecg.fs / analysis.analysis_fs))
    if first:
        analysis = replace(analysis, beats=replace(analysis.beats, rpeaks=analysis.beats.rpeaks + first))
    return _RecordParts(analysis, med, median_r, (time.perf_counter() - t0) * 1000)


def _is_analysis_of(analysis: RecordAnalysis | None, ecg: ECG, rpeak_method: str) -> bool:
    """Whether `analysis` can stand for `analyse_record(ecg, rpeak_method)`: the same record id, leads, rate and
    R-peak method, its R-peaks inside the record."""
    return (analysis is not None and analysis.record_id == ecg.record_id and tuple(analysis.leads) == tuple(ecg.leads)
            and analysis.fs == ecg.fs and analysis.beats.method == rpeak_method
            and (len(analysis.rpeaks) == 0 or int(analysis.rpeaks.max()) < ecg.n_samples))


#: records longer than this (s) get the per-lead map for the part in view only
LONG_RECORD_S = 60.0
#: the part in view of a long record by default (s): the viewer's page
VIEW_S = 10.0


def view_span(duration_s: float, view_s: tuple[float, float] | None) -> tuple[float, float] | None:
    """The span (s) the per-lead map is computed for: None (whole record) for records up to `LONG_RECORD_S`,
    else `view_s` clipped to the record, or the first `VIEW_S` seconds."""
    if duration_s <= LONG_RECORD_S:
        return None
    start, end = view_s if view_s is not None else (0.0, VIEW_S)
    start = float(min(max(start, 0.0), duration_s))
    end = float(min(max(end, start), duration_s))
    return (start, end) if end > start else (0.0, min(VIEW_S, duration_s))


@dataclass(frozen=True)
class RecordPredictions:
    """What a model says about a whole record, independent of the part in view: probabilities (classes,),
    window_probabilities (windows, classes), window_starts_s (windows,) seconds."""

    probabilities: np.ndarray
    window_probabilities: np.ndarray
    window_starts_s: np.ndarray


def predict_record(ecg: ECG, model: Any, prepared: PreparedInput | None = None) -> RecordPredictions:
    """Every window of `ecg` predicted (forward passes only, no saliency): the part of a long record's
    explanation that does not change from one view to the next, so a caller can keep it while the user pages
    (`explain_record(..., predictions=...)`). prepared: `model.prepare(ecg)` when the caller has it. Raises
    ECGSignalError as the models do."""
    prepared = model.prepare(ecg) if prepared is None else prepared
    probs, window_probs = model.predict_prepared(prepared)
    return RecordPredictions(np.asarray(probs, dtype=np.float64), np.asarray(window_probs, dtype=np.float64),
                             prepared.starts / prepared.fs)


def _evidence_map(evidence: LeadEvidence, k: int, ecg: ECG, span: tuple[float, float] | None) -> np.ndarray:
    """(12, samples) at `ecg.fs`: each lead's logit change for class k when the lead is replaced (the lead
    evidence, `ecgcore.explain.evidence`), spread evenly over the seconds it covers (logits per second), 0
    outside `span` for a long record."""
    p = np.clip(evidence.probabilities[k], 1e-6, 1 - 1e-6)
    q = np.clip(p - evidence.per_lead[:, k], 1e-6, 1 - 1e-6)
    drop = np.log(p / (1 - p)) - np.log(q / (1 - q))
    a, b = (0, ecg.n_samples) if span is None else (int(span[0] * ecg.fs), min(ecg.n_samples, int(np.ceil(span[1] * ecg.fs))))
    out = np.zeros((len(drop), ecg.n_samples), dtype=np.float32)
    out[:, a:b] = (drop / ((b - a) / ecg.fs))[:, None]
    return out


def explain_record(ecg: ECG, model: Any, target: str | None = None, *, layer: str = "last",
                   cam: str = DEFAULT_CAM_METHOD, attribution: str = "ig", ig_steps: int = IG_STEPS,
                   rpeak_method: str = DEFAULT_RPEAK_METHOD, models_dir: str | Path | None = None,
                   view_s: tuple[float, float] | None = None,
                   predictions: RecordPredictions | None = None,
                   evidence: bool = True, analysis: RecordAnalysis | None = None) -> Explanation:
    """Explain one record: predictions, the class activation map of every class (HiResCAM by default, or
    Grad-CAM), the per-lead map and beat ranking for `target` (default: the most probable class), the lead
    evidence of every lead and lead group (`ecgcore.explain.evidence`), the median beat and the saliency
    averaged over its beats, measurements and timings. The record is resampled to the model's rate once
    (`model.prepare`); every part takes that prepared input.

    model: a model object, or a registered model name, then loaded from `models_dir` for this call (a
    caller explaining many records loads it once with `ecgcore.models.load_model` and passes it; nothing is
    cached here). layer: the model's CAM layer ("last" or "early"); cam: "hirescam" (captum
    LayerGradientXActivation summed over channels) or "gradcam" (captum LayerGradCam), see
    `ecgcore.explain.gradcam`. attribution: "ig" (Integrated Gradients, `ig_steps`) or "saliency" for
    networks; the kernel model always gets lead occlusion. view_s: the (start, end) seconds in view; a record
    longer than `LONG_RECORD_S` gets its maps and lead evidence for that span only (default the first `VIEW_S`
    seconds), see `view_span`; predictions: `predict_record(ecg, model)` kept by the caller, so paging a long
    record does not predict it again (used only for a long record); evidence: False leaves the lead evidence
    out (None); analysis: the caller's `analyse_record(ecg)` of the whole record (the app has it for the
    interpretation), reused instead of analysing the record again when it is this record's (same id, leads, rate
    and R-peak method); a long record's span is always analysed on its own. Raises UnknownNameError for an unknown model/class/layer, CheckpointError for a missing or
    changed checkpoint, and ECGSignalError for a record the models refuse (e.g. shorter than one 2.5 s window).
    """
    models_dir = resolve(models_dir=models_dir).models_dir
    ecg = twelve_leads(ecg)  # the 12-lead models: refuses lead subsets plainly, derives 4 leads from 8
    m = _model(model, models_dir)
    name = getattr(m, "name", str(model))
    if target is not None and target not in m.classes:
        raise UnknownNameError(f"unknown class {target!r} for model {name}; choose one of {', '.join(m.classes)}")
    return _explain(ecg, m, name, target, layer, cam, attribution, ig_steps, rpeak_method, view_s, predictions,
                    evidence, analysis)


def _explain(ecg: ECG, m: Any, name: str, target: str | None, layer: str, cam: str, attribution: str,
             ig_steps: int, rpeak_method: str, view_s: tuple[float, float] | None = None,
             predictions: RecordPredictions | None = None, want_evidence: bool = True,
             known_analysis: RecordAnalysis | None = None) -> Explanation:
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    prepared = m.prepare(ecg)  # resampled once; windows cut from it alone
    span = view_span(ecg.duration, view_s)
    long_kept = span is not None and predictions is not None
    pred = predictions if long_kept else predict_record(ecg, m, prepared)
    probs, window_probs, starts_s = pred.probabilities, pred.window_probabilities, pred.window_starts_s
    timings["predict"] = (time.perf_counter() - t0) * 1000
    k = int(np.argmax(probs)) if target is None else m.classes.index(target)

    t0 = time.perf_counter()
    class_map = used_layer = used_cam = None
    if getattr(m, "net", None) is not None and getattr(m, "gradcam_layers", None):
        used_layer, used_cam = layer, cam
        class_map, _, _ = record_cam(m, prepared, layer, cam, span_s=span)
    else:
        notes.append(f"A class activation map is not available for the {name} model: it has no convolutional layers "
                     "of its own (the kernel model classifies whole-record features, the ensemble averages other "
                     "models); its per-lead map is the lead evidence")
    timings["cam"] = (time.perf_counter() - t0) * 1000

    parts = _record_parts_of(ecg, rpeak_method, span, known_analysis)
    timings["analysis"] = parts.analysis_ms
    beats = parts.analysis.beats

    t0 = time.perf_counter()
    lead_ev = None
    network = getattr(m, "net", None) is not None
    if want_evidence or not network:
        ev_input, first = prepared, 0
        if span is not None:  # the part in view, as the maps
            a, b = int(span[0] * ecg.fs), int(np.ceil(span[1] * ecg.fs))
            ev_input, first = m.prepare(ecg.with_signal(ecg.signal[:, a:b])), a
        rpeaks = None
        if beats.ok:
            r_fs = np.round((beats.rpeaks - first) * m.fs / ecg.fs).astype(np.int64)
            rpeaks = r_fs[(r_fs >= 0) & (r_fs < ev_input.n_samples)]
        lead_ev = lead_evidence(m, ev_input, rpeaks, probabilities=probs if span is None else None)
        if lead_ev.replacement != "template":
            notes.append("Lead evidence: no beats were found, so each lead was replaced by its training mean "
                         "(a flat line) instead of a normal beat")
    contributions = None
    if hasattr(m, "lead_contributions"):  # the lead-wise model: its own additive lead read-out, same part as the maps
        contributions = m.lead_contributions(prepared if span is None else m.prepare(
            ecg.with_signal(ecg.signal[:, int(span[0] * ecg.fs):int(np.ceil(span[1] * ecg.fs))])))
    timings["evidence"] = (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    if network:
        per_lead = record_attribution(m, prepared, k, attribution, ig_steps, span_s=span)
        method = attribution
    else:  # whole-record features: which leads, not when; the same replacement as the lead evidence
        per_lead = _evidence_map(lead_ev, k, ecg, span)
        method = "evidence"
    if span is not None:
        notes.append(f"A long record: the predictions cover the whole record; the class activation map, the "
                     f"per-lead map, the lead evidence, the beats and the measurements here cover "
                     f"{span[0]:g}-{span[1]:g} s, the part in view (computed on demand for each part shown).")
    timings["per_lead"] = (time.perf_counter() - t0) * 1000
    lead_ev = lead_ev if want_evidence else None

    t0 = time.perf_counter()
    clean_rpeaks = beats.rpeaks[parts.analysis.clean]  # the beats of the median beat, for every mean map
    scores = None
    mean_beat_cam = None
    window = (parts.median_r / ecg.fs, (parts.median_beat.shape[1] - parts.median_r) / ecg.fs)
    if not beats.ok:
        notes.append(beats.reason or "no beats found")
    elif class_map is None:
        notes.append("beat ranking needs a map over time; the per-lead map of this model is constant in time")
    else:
        bounds = beat_bounds(beats.rpeaks, ecg.fs, ecg.n_samples)
        scores = score_beats(bounds, class_map, ecg.fs, k, per_lead)
        mean_beat_cam = mean_beat(class_map, clean_rpeaks, ecg.fs, *window)
    mean_beat_per_lead = mean_beat(per_lead, clean_rpeaks, ecg.fs, *window)
    timings["beat_scores"] = (time.perf_counter() - t0) * 1000
    timings["total"] = (time.perf_counter() - t_start) * 1000
    return Explanation(
        record_id=ecg.record_id, model=name, fs=float(ecg.fs), n_samples=ecg.n_samples, classes=list(m.classes),
        target=m.classes[k], probabilities=np.asarray(probs, dtype=np.float64),
        thresholds=np.asarray(m.thresholds, dtype=np.float64), window_starts_s=starts_s,
        window_probabilities=np.asarray(window_probs, dtype=np.float64),
        cam=None if class_map is None else class_map.astype(np.float32, copy=False), cam_layer=used_layer,
        cam_method=used_cam, per_lead=per_lead.astype(np.float32, copy=False), per_lead_method=method, beats=beats,
        beat_scores=scores, median_beat=parts.median_beat, median_r=parts.median_r,
        mean_beat_per_lead=mean_beat_per_lead, mean_beat_cam=mean_beat_cam, analysis=parts.analysis,
        evidence=lead_ev, timings=timings, notes=tuple(notes), leads=tuple(ecg.leads), per_lead_span_s=span,
        contributions=contributions,
    )
