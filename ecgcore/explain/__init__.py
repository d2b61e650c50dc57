"""Explanations: Grad-CAM over the whole record, per-lead attribution, beats with saliency, measurements.

    from ecgcore.explain import explain_record
    ex = explain_record(ecg, "resnet1d", target="MI")
    ex.gradcam          # (classes, samples) class activation map (HiResCAM by default, ex.cam_method) in
                        # logits/s at ecg.fs, signed; ex.gradcam_relu for the ReLU'd one
    ex.per_lead         # (12, samples) attribution of the target class
    ex.beats.rpeaks     # R-peak sample indices; ex.beat_scores.ranking: beats by saliency
    ex.measurements     # HR, PR, QRS, QT, QTc, axis, fiducial points (ms from R)
"""
from ecgcore.explain.beats import Beats, BeatScores, detect_rpeaks, find_beats
from ecgcore.explain.gradcam import DISPLAY_SCALE_LOGIT_PER_S, display_scale, unit_scale
from ecgcore.explain.measure import Measurements
from ecgcore.explain.record import Explanation, clear_cache, explain_record

__all__ = ["Beats", "BeatScores", "DISPLAY_SCALE_LOGIT_PER_S", "Explanation", "Measurements", "clear_cache",
           "detect_rpeaks", "display_scale", "explain_record", "find_beats", "unit_scale"]
