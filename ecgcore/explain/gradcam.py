"""Class activation maps over a model's sliding windows: Grad-CAM and HiResCAM, both through captum.

Per window, for every class, on a layer the model declares (`model.gradcam_layers`: "last" = last
convolutional block, the default; "early" = a finer earlier layer): "gradcam" is captum `LayerGradCam`
(each channel weighted by its time-averaged gradient), "hirescam" is captum `LayerGradientXActivation`
summed over channels (gradient x activation at each position; HiResCAM, Draelos & Carin 2020). Each is
upsampled with `LayerAttribution.interpolate` (linear) to the window's samples, then the windows are stitched
(overlaps averaged) into one map over the whole record, at the record's own rate.

Default: HiResCAM. On the shipped ResNet's held-out synthetic fold, where the lesions are known, it puts
about half of its positive mass on the lesion windows (Grad-CAM about a third, against ~23% of the time
they cover), changes more when the weights are randomised and picks segments whose removal lowers the
probability more (bench/bench_faithfulness.py). The reason: the heads pool with average *and max*, and
Grad-CAM's time-averaged gradient spreads the max branch's evidence over every position where a channel
is active, leaving a broad floor; HiResCAM keeps each position's own gradient. Grad-CAM stays available.

Units and normalisation (comparable across records, classes and models): the map is in logits per second.
The captum map at layer position j is multiplied by the layer's number of positions and divided by the
window length in seconds, so that for a linear head on average-pooled features the map integrated over a
window equals that window's logit (minus the bias) - exactly for both methods - and approximately so for
other heads. No per-record rescaling: a strong map is strong evidence in the model's own logit units on
every record. `ecgcore.plot.saliency.display_map` (the one display path) brings it to [0, 1] with one fixed
scale per method (`display_scale`) or relative to the record.

Pitfalls: (1) the first convolution mixes the 12 leads, so a class activation map on any later layer is
one map over time shared by all leads; which leads mattered comes from `ecgcore.explain.attribution`.
(2) In-place operations (e.g. `nn.ReLU(inplace=True)`) break captum's layer hooks and gradients;
`check_no_inplace` refuses such a network with a clear error rather than returning wrong maps. (3) For the
LSTM the declared layer is its convolutional front end; the gradient reaching it has passed through the
recurrent layers, so its map is coarser evidence than a CNN's. (4) The layer positions' receptive-field
centres sit within 2 samples (20 ms at 100 Hz) of where the linear interpolation puts them.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from ecgcore.core.errors import ECGError, UnknownNameError
from ecgcore.explain.stitch import WindowStitcher, windows_in_span
from ecgcore.models.base import PreparedInput

CAM_METHODS = ("gradcam", "hirescam")
DEFAULT_CAM_METHOD = "hirescam"
#: Display scale (logits per second) that `display_map(..., "fixed")` maps to 1, per method; fixed, so colours mean the same
#: on every record and model. About the 90th percentile, over the shipped ResNet's positive calls on records
#: truly of the class (held-out synthetic fold 10), of each map's 99th-percentile evidence: only the
#: strongest tenth saturates, weak evidence stays faint (HiResCAM is peaky, hence its larger scale);
#: bench/bench_faithfulness.py prints those percentiles.
DISPLAY_SCALES_LOGIT_PER_S: dict[str, float] = {"gradcam": 6.0, "hirescam": 80.0}
DISPLAY_SCALE_LOGIT_PER_S = DISPLAY_SCALES_LOGIT_PER_S[DEFAULT_CAM_METHOD]


def check_no_inplace(net: nn.Module) -> None:
    """Raise ECGError if any module of `net` works in place (captum's hooks would give wrong gradients)."""
    bad = [name for name, m in net.named_modules() if getattr(m, "inplace", False)]
    if bad:
        raise ECGError(f"cannot explain this network: module(s) {', '.join(bad[:5])} work in place "
                       "(inplace=True), which breaks captum's gradients; rebuild them with inplace=False")


def cam_layer(model: object, layer: str = "last") -> nn.Module:
    """The module the class activation map (Grad-CAM or HiResCAM) runs on; ECGError for a model without
    convolutional layers."""
    layers = getattr(model, "gradcam_layers", None)
    if not layers:
        raise ECGError(f"A class activation map is not available for model {getattr(model, 'name', model)!r}: it has no "
                       "convolutional layers (it works on whole-record features)")
    if layer not in layers:
        raise UnknownNameError(f"unknown class-activation-map layer {layer!r}; this model declares {', '.join(layers)}")
    return layers[layer]


def cam_windows(net: nn.Module, layer: nn.Module, windows: torch.Tensor, classes: Sequence[int],
                    window_s: float, method: str = "gradcam") -> tuple[np.ndarray, np.ndarray]:
    """Class activation maps per window and class, plus the logits of the same forward pass.

    windows: (W, 12, T) standardised input for `net`. method "gradcam": captum `LayerGradCam` (channel
    weights = time-averaged gradients); "hirescam": captum `LayerGradientXActivation` summed over channels
    (gradient x activation at each position, HiResCAM, Draelos & Carin 2020). Returns (maps
    (len(classes), W, T) signed, in logits per second, at the input's sample positions; logits
    (W, n_classes)). All classes go through one captum call: a forward hook repeats the layer's output
    once per class (one target per row), so the network up to the layer runs once; a tensor that a skip
    connection carries past the layer would fail loudly on the row count, never silently. The result equals
    captum's plain per-class call (tests/test_explain_maps.py checks it).
    """
    from captum.attr import LayerAttribution, LayerGradCam, LayerGradientXActivation

    if method not in CAM_METHODS:
        raise UnknownNameError(f"unknown class-activation method {method!r}; choose one of {', '.join(CAM_METHODS)}")
    check_no_inplace(net)
    classes = [int(c) for c in classes]
    n_win, _, n_t = windows.shape
    seen: list[torch.Tensor] = []

    k = len(classes)
    targets = torch.tensor([c for c in classes for _ in range(n_win)])

    def forward(x: torch.Tensor) -> torch.Tensor:
        out = net(x)  # (K*W, classes): the layer's output was repeated K times by the hook below
        seen.append(out.detach())
        return out.gather(1, targets[:, None])[:, 0]  # each row's own target, as captum recommends

    def repeat_per_class(_module: nn.Module, _args: tuple, output: torch.Tensor) -> torch.Tensor:
        return output.repeat(k, *([1] * (output.dim() - 1)))

    # The network up to and including the layer runs once on the W windows; the layer's output is repeated
    # once per class (this hook runs before captum's own, which then sees K*W rows), so only what follows
    # the layer runs on K*W rows (all per-row in eval mode) and each copy gets its own class's gradient.
    hook = layer.register_forward_hook(repeat_per_class)
    try:
        if method == "gradcam":
            cam = LayerGradCam(forward, layer).attribute(windows, relu_attributions=False)
        else:
            cam = LayerGradientXActivation(forward, layer).attribute(windows).sum(dim=1, keepdim=True)
    finally:
        hook.remove()
    positions = cam.shape[-1]
    up = LayerAttribution.interpolate(cam, (n_t,), interpolate_mode="linear")  # (K*W, 1, T)
    up = up.detach().reshape(k, n_win, n_t).numpy().astype(np.float64)
    logits = seen[-1][:n_win].numpy().astype(np.float64)
    return up * (positions / window_s), logits


#: windows per captum call in `record_cam`: the activations and gradients of one chunk are held, never the
#: whole record's
CAM_CHUNK = 64


def record_cam(model: Any, prepared: PreparedInput, layer: str = "last", method: str = DEFAULT_CAM_METHOD,
               span_s: tuple[float, float] | None = None,
               chunk: int = CAM_CHUNK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The class activation map of every class over a prepared record: the one implementation (the app, the
    tests and the benches all call this).

    `cam_windows` on the record's scoring windows (`prepared.starts`), `chunk` windows per captum call,
    stitched (overlaps averaged) as it goes, then brought from the model's rate to the record's own rate.
    Returns (map (classes, samples at `prepared.source_fs`) float32, signed, in logits/s; logits (w, classes) of
    the windows it ran on; their starts (w,) in seconds). With `span_s` = (start, end) seconds only the
    windows overlapping it are run and the map is 0 elsewhere. Memory holds one chunk's activations and
    gradients plus the running sums. ECGError for a model without convolutional layers.
    """
    starts = prepared.starts
    if span_s is not None:
        starts = starts[windows_in_span(starts / prepared.fs, prepared.window / prepared.fs, span_s)]
    target_layer = cam_layer(model, layer)
    stitcher = WindowStitcher((len(model.classes),), prepared.n_samples)
    logits = []
    for i in range(0, len(starts), chunk):
        part = starts[i:i + chunk]
        windows = torch.from_numpy(model.standardise(prepared.cut(part)))
        cam_part, logit_part = cam_windows(model.net, target_layer, windows, range(len(model.classes)),
                                           prepared.window / prepared.fs, method)
        stitcher.add(cam_part, part)
        logits.append(logit_part)
    full = stitcher.at_rate(prepared.fs, prepared.source_samples, prepared.source_fs, fill=0.0)
    return full, np.concatenate(logits), starts / prepared.fs


def display_scale(method: str | None = None) -> float:
    """The fixed display scale (logits/s) of a CAM method (default: DEFAULT_CAM_METHOD)."""
    method = method or DEFAULT_CAM_METHOD
    if method not in DISPLAY_SCALES_LOGIT_PER_S:
        raise UnknownNameError(f"unknown class-activation method {method!r}; choose one of {', '.join(CAM_METHODS)}")
    return DISPLAY_SCALES_LOGIT_PER_S[method]
