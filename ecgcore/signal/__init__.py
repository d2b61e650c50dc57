"""Signal processing on `ECG` records."""
