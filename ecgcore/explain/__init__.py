"""Explanations: Grad-CAM over the whole record, per-lead attribution, beats with saliency, measurements.

    from ecgcore.explain import explain_record
    ex = explain_record(ecg, "resnet1d", target="MI")
    ex.cam              # (classes, samples) class activation map (HiResCAM by default, ex.cam_method) in
                        # logits/s at ecg.fs, signed; ex.cam_relu for the ReLU'd one
    ex.per_lead         # (12, samples) attribution of the target class
    ex.beats.rpeaks     # R-peak sample indices; ex.beat_scores.ranking: beats by saliency
    ex.analysis         # ecgcore.signal.RecordAnalysis: rhythm, HR, PR, QRS, QT, QTc, axis, flags, fiducials
"""
from ecgcore.explain.beats import BeatScores
from ecgcore.explain.gradcam import DISPLAY_SCALE_LOGIT_PER_S, display_scale
from ecgcore.explain.record import Explanation, explain_record

__all__ = ["BeatScores", "DISPLAY_SCALE_LOGIT_PER_S", "Explanation", "display_scale", "explain_record"]
