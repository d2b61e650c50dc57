"""Per-lead attribution: which leads (and when) pushed a class's logit, as a (12, samples) map.

Networks (CNNs and the LSTM): captum `IntegratedGradients` (default) from a baseline of zeros in the
standardised input space, which is the training mean of every lead (the "average ECG sample", not a
0 mV line that would be far off for leads with an offset); or captum `Saliency` (|gradient|, one backward
pass, the fast option). IG satisfies completeness: per window the map sums to logit(x) - logit(baseline),
so it is given, like Grad-CAM, in logits per second (attribution per sample times the model's rate).
Saliency is a gradient magnitude (logit per standardised unit), not comparable with IG in size.

Kernel model: its features are whole-record summaries (median beat, spectra, RR statistics), so occluding a
time window barely moves them and a time-resolved map would be noise. It gets lead occlusion instead
(captum `FeatureAblation`, one feature group per lead, baseline 0 mV): the change in the class logit when a
lead is flat, spread evenly over the record (logits per second), i.e. "which leads mattered", not "when".
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import UnknownNameError
from ecgcore.explain.gradcam import check_no_inplace
from ecgcore.explain.stitch import WindowStitcher, to_rate

METHODS = ("ig", "saliency")
IG_STEPS = 32


def network_attribution(net: nn.Module, windows: torch.Tensor, target: int, fs: float, method: str = "ig",
                        n_steps: int = IG_STEPS) -> np.ndarray:
    """(W, 12, T) attribution of class `target` for standardised windows (W, 12, T).

    method "ig": Integrated Gradients (Gauss-Legendre, `n_steps`) from zeros = the training mean, in logits
    per second (per-sample attribution x `fs`); "saliency": |d logit / d input|.
    """
    from captum.attr import IntegratedGradients, Saliency

    if method not in METHODS:
        raise UnknownNameError(f"unknown attribution method {method!r}; choose one of {', '.join(METHODS)}")
    check_no_inplace(net)
    x = windows.detach().clone()
    x.requires_grad_(True)
    if method == "saliency":
        attr = Saliency(net).attribute(x, target=int(target), abs=True)
        return attr.detach().numpy().astype(np.float64)
    attr = IntegratedGradients(net).attribute(x, baselines=torch.zeros_like(x), target=int(target),
                                              n_steps=n_steps, internal_batch_size=max(len(x) * 8, 64))
    return attr.detach().numpy().astype(np.float64) * fs


def record_attribution(model: Any, ecg: ECG, target: int, method: str = "ig", n_steps: int = IG_STEPS,
                       span_s: tuple[float, float] | None = None) -> np.ndarray:
    """(12, samples) attribution of class index `target` at `ecg.fs`, over the whole record or only `span_s`.

    Networks: `network_attribution` per window, stitched (overlaps averaged) and interpolated to `ecg.fs`.
    With `span_s` = (start, end) seconds, only the windows that overlap it are attributed (the window in view
    of a long record: cost and memory grow with the span, not the record); samples outside those windows
    are 0. Models without `net` (the kernel model): `lead_occlusion` on the record at the model's rate.
    """
    from ecgcore.signal.resample import ecg_resample

    em = ecg_resample(ecg, model.fs)
    if getattr(model, "net", None) is None:
        def logit_fn(batch: np.ndarray) -> np.ndarray:
            p = np.clip(model.predict_proba(batch), 1e-6, 1 - 1e-6)
            return np.log(p / (1 - p))

        if span_s is None:
            per_lead = lead_occlusion(logit_fn, em.signal, target, model.fs)
        else:  # a long record: the leads that mattered for the part in view (its own features), 0 elsewhere
            a = int(span_s[0] * model.fs)
            b = max(a + model.window, int(np.ceil(span_s[1] * model.fs)))
            a, b = max(0, min(a, em.n_samples - model.window)), min(b, em.n_samples)
            stitcher = WindowStitcher((em.signal.shape[0],), em.n_samples, fill=0.0)
            stitcher.add(lead_occlusion(logit_fn, em.signal[:, a:b], target, model.fs)[:, None, :], np.array([a]))
            return stitcher.at_rate(model.fs, ecg.n_samples, ecg.fs, fill=0.0)
    else:
        starts = model.map_window_starts(em.n_samples)
        chosen = np.arange(len(starts)) if span_s is None else windows_in_span(starts / model.fs, model.window_s,
                                                                                span_s)
        stitcher = WindowStitcher((em.signal.shape[0],), em.n_samples, fill=0.0)
        for i in range(0, len(chosen), ATTRIBUTION_CHUNK):
            part = chosen[i:i + ATTRIBUTION_CHUNK]
            windows = torch.from_numpy(model.standardise(_windows_at(model, em.signal, starts[part])))
            attr = network_attribution(model.net, windows, target, model.fs, method, n_steps)
            stitcher.add(attr.transpose(1, 0, 2), starts[part])
        return stitcher.at_rate(model.fs, ecg.n_samples, ecg.fs, fill=0.0)
    return to_rate(per_lead, model.fs, ecg.n_samples, ecg.fs)


#: windows attributed per captum call (IG multiplies them by its steps): bounds the memory of one call
ATTRIBUTION_CHUNK = 8


def windows_in_span(starts_s: np.ndarray, window_s: float, span_s: tuple[float, float]) -> np.ndarray:
    """Indices of the windows (starting at `starts_s`, `window_s` long) that overlap [start, end) seconds."""
    start, end = span_s
    return np.flatnonzero((starts_s < end) & (starts_s + window_s > start))


def _windows_at(model: Any, signal: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """(w, leads, window) copies of the windows of `signal` starting at `starts` (samples at the model's rate)."""
    idx = np.asarray(starts)[:, None] + np.arange(model.window)
    return np.ascontiguousarray(signal[:, idx].transpose(1, 0, 2))


def lead_occlusion(logit_fn: Callable[[np.ndarray], np.ndarray], signal: np.ndarray, target: int,
                   fs: float) -> np.ndarray:
    """(12, samples) lead occlusion for a record-level model, in logits per second.

    logit_fn maps signals (B, 12, samples) in mV at `fs` to logits (B, classes). Each lead in turn is set to
    0 mV (captum FeatureAblation, one group per lead, all 12 ablations in one batch); the logit drop is
    spread evenly over the record's duration.
    """
    from captum.attr import FeatureAblation

    x = torch.from_numpy(np.ascontiguousarray(signal, dtype=np.float32))[None]
    mask = torch.arange(x.shape[1])[None, :, None].expand_as(x)

    def forward(batch: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(np.asarray(logit_fn(batch.numpy()), dtype=np.float64))

    attr = FeatureAblation(forward).attribute(x, baselines=0.0, target=int(target), feature_mask=mask,
                                              perturbations_per_eval=x.shape[1])
    per_lead = attr[0, :, 0].numpy().astype(np.float64)  # every sample of a lead holds the lead's drop
    duration = signal.shape[-1] / fs
    return np.repeat((per_lead / duration)[:, None], signal.shape[-1], axis=1)
