"""Datasets on disk under the data root (`ecgcore.settings`): PTB-XL, PhysioNet/CinC Challenge folders, ptbdb,
LUDB; one catalogue of them all (`catalogue`), record ids (`record_ids`)."""
