"""Classifiers for 12-lead ECGs behind one interface; each shipped model registers itself by name.

    from ecgcore.models import load_model, model_names
    model = load_model("resnet1d")          # assets/models/resnet1d/, sha256-checked
    probs = model.predict_proba(ecg)        # (1, n_classes)
"""
from ecgcore.models import inception1d, kernel, leadwise, lstm, resnet1d  # noqa: F401  (registration)
from ecgcore.models import ensemble  # noqa: F401,E402  (registration; after its members)
from ecgcore.models.base import ECGModel
from ecgcore.models.checkpoint import CheckpointError
from ecgcore.models.registry import create, load_model, model_class, model_names, register

__all__ = ["ECGModel", "CheckpointError", "create", "load_model", "model_class", "model_names", "register"]
