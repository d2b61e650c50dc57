"""Datasets on disk: PTB-XL, PhysioNet/CinC Challenge folders, ptbdb, and the shipped demo catalogue."""
