"""ecgcore: 12-lead ECG data, signal processing, models, evaluation and explanations (no UI code)."""
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError, ECGReadError, ECGSignalError, UnknownNameError
from ecgcore.core.leads import LEADS

__all__ = ["ECG", "ECGError", "ECGReadError", "ECGSignalError", "UnknownNameError", "LEADS"]
