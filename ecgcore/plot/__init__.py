"""Plotly figures for the dashboard (ECG paper, saliency, beats, model metrics); pages only call these."""
from ecgcore.plot.beats import beat_figure
from ecgcore.plot.ecg_figure import ecg_figure, strip_figure

__all__ = ["beat_figure", "ecg_figure", "strip_figure"]
