"""Foundation types every other package uses: the ECG record, lead names and groups, errors, class labels, settings."""
