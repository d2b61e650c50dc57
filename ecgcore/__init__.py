"""ecgcore: 12-lead ECG data, signal processing, models, evaluation and explanations (no UI code)."""
from ecgcore.ecg import ECG
from ecgcore.errors import ECGError, ECGReadError, ECGSignalError, UnknownNameError
from ecgcore.leads import LEADS

__all__ = ["ECG", "ECGError", "ECGReadError", "ECGSignalError", "UnknownNameError", "LEADS"]
