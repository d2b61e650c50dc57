"""The diagnostic classes the models predict: PTB-XL's five superdiagnostic classes (Wagner et al., Sci Data 2020)."""
from __future__ import annotations

SUPERCLASSES: tuple[str, ...] = ("NORM", "MI", "STTC", "CD", "HYP")
