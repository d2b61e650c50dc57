"""Signal processing on `ECG` records: resampling, R-peaks, beats, delineation, rhythm, measurements, flags,
the display filter. Start with `analyse_record(ecg) -> RecordAnalysis`."""
from ecgcore.signal.analysis import RecordAnalysis, analyse_array, analyse_record

__all__ = ["RecordAnalysis", "analyse_array", "analyse_record"]
