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

from ecgcore.core.errors import UnknownNameError
from ecgcore.explain.gradcam import check_no_inplace
from ecgcore.explain.stitch import WindowStitcher, to_rate, windows_in_span
from ecgcore.models.base import PreparedInput

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


def record_attribution(model: Any, prepared: PreparedInput, target: int, method: str = "ig",
                       n_steps: int = IG_STEPS, span_s: tuple[float, float] | None = None) -> np.ndarray:
    """(12, samples) attribution of class index `target` at the record's own rate (`prepared.source_fs`),
    over the whole record or only `span_s`.

    Networks: `network_attribution` per scoring window (`prepared.starts`), stitched (overlaps averaged) and
    interpolated to the record's rate. With `span_s` = (start, end) seconds, only the windows that overlap it
    are attributed (the window in view of a long record: cost and memory grow with the span, not the record);
    samples outside those windows are 0. Models without `net` (the kernel model): `lead_occlusion` on the
    record at the model's rate.
    """
    sig, fs = prepared.signal, prepared.fs
    out = (prepared.source_samples, prepared.source_fs)
    if getattr(model, "net", None) is None:
        def logit_fn(batch: np.ndarray) -> np.ndarray:
            p = np.clip(model.predict_proba(batch), 1e-6, 1 - 1e-6)
            return np.log(p / (1 - p))

        if span_s is None:
            return to_rate(lead_occlusion(logit_fn, sig, target, fs), fs, *out)
        # a long record: the leads that mattered for the part in view (its own features), 0 elsewhere
        a = int(span_s[0] * fs)
        b = max(a + prepared.window, int(np.ceil(span_s[1] * fs)))
        a, b = max(0, min(a, prepared.n_samples - prepared.window)), min(b, prepared.n_samples)
        stitcher = WindowStitcher((sig.shape[0],), prepared.n_samples, fill=0.0)
        stitcher.add(lead_occlusion(logit_fn, sig[:, a:b], target, fs)[:, None, :], np.array([a]))
        return stitcher.at_rate(fs, *out, fill=0.0)
    starts = prepared.starts
    chosen = np.arange(len(starts)) if span_s is None else windows_in_span(starts / fs, prepared.window / fs,
                                                                            span_s)
    stitcher = WindowStitcher((sig.shape[0],), prepared.n_samples, fill=0.0)
    for i in range(0, len(chosen), ATTRIBUTION_CHUNK):
        part = starts[chosen[i:i + ATTRIBUTION_CHUNK]]
        windows = torch.from_numpy(model.standardise(prepared.cut(part)))
        attr = network_attribution(model.net, windows, target, fs, method, n_steps)
        stitcher.add(attr.transpose(1, 0, 2), part)
    return stitcher.at_rate(fs, *out, fill=0.0)


#: windows attributed per captum call (IG multiplies them by its steps): bounds the memory of one call
ATTRIBUTION_CHUNK = 8


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
