"""Datasets on disk under the data root (`ecgcore.core.settings`): PTB-XL, PhysioNet/CinC Challenge folders, ptbdb,
LUDB; one catalogue of them all (`catalogue`), record ids (`record_ids`)."""
