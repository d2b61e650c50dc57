"""ecgcore: 12-lead ECG data, signal processing, models, evaluation and explanations (no UI code)."""
import os

# Before torch loads (models, captum): OpenMP threads that spin while they wait make torch 10-100x slower on
# a shared, busy CPU (measured on this 2-core machine); passive waiting costs little when the CPU is free.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from ecgcore.ecg import ECG
from ecgcore.errors import ECGError, ECGReadError, ECGSignalError, UnknownNameError
from ecgcore.leads import LEADS

__all__ = ["ECG", "ECGError", "ECGReadError", "ECGSignalError", "UnknownNameError", "LEADS"]
