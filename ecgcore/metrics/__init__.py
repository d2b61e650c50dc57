"""Evaluation figures for multi-label classifiers (numbers only; plotting lives in `ecgcore.plot`).

All computed with scikit-learn; `report.evaluation_report` assembles everything `evaluate` writes.
"""
