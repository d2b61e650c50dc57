"""Reading ECG files (uploads and paths) into `ECG` records: WFDB, PhysioNet Challenge, CSV, NPY, EDF, zip."""
