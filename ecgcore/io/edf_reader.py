"""EDF / EDF+C files, read from bytes with `edfio` (a maintained EDF reader/writer).

wfdb's `read_edf` was tried first and is not used: it fails on EDF+ files that carry an annotation signal
(sampling rates per data record differ, so it computes a wrong rate and cannot broadcast the data), which is how
most ECG devices export EDF+. Channels are matched to leads by label (`ECG I`, `EKG V1`, `aVR`, ...); the
physical dimension gives the units (mV, uV, V). A file whose data stops before the header says is refused.
"""
from __future__ import annotations

import warnings

import edfio
import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io.assemble import build_ecg, plan_leads

_TO_MV = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "v": 1e3, "nv": 1e-6, "": 1.0}


def read_edf(data: bytes, *, name: str = "upload.edf") -> ECG:
    """A 12-lead ECG (mV) from the bytes of an EDF or EDF+C file."""
    if len(data) < 256 or not data.startswith(b"0       "):
        raise ECGReadError(f"{name} is not an EDF file (EDF files start with a 256-byte header beginning '0'). "
                           "Export the recording as EDF, or upload WFDB/CSV instead.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            edf = edfio.read_edf(data, lazy_load_data=False)
            signals = list(edf.signals)
        except Exception as exc:  # edfio raises ValueError/IndexError/... for a malformed header
            raise ECGReadError(f"{name} has a malformed EDF header ({str(exc)[:160] or type(exc).__name__}). "
                               "Export the recording again as EDF/EDF+.") from None
        _raise_on(caught, name, ("Incomplete data record", "file contains"), "is truncated",
                  "The file was probably cut short in transfer; upload the complete file.")
        if not signals:
            raise ECGReadError(f"{name} holds no signals (only annotations). Upload an EDF with the ECG leads.")
        index, unmatched = plan_leads([s.label for s in signals])
        chosen = [signals[i] for i in sorted(index.values())]
        rates = {float(s.sampling_frequency) for s in chosen}
        if len(rates) != 1:
            raise ECGReadError(f"{name} records its leads at different rates "
                               f"({', '.join(f'{r:g}' for r in sorted(rates))} Hz); export all leads at one rate.")
        fs = validate.check_fs(rates.pop(), name)
        lengths = [s.sampling_frequency * edf.num_data_records * edf.data_record_duration for s in chosen]
        n = int(round(min(lengths)))
        validate.check_length(n, len(chosen), fs)
        signal = np.empty((len(chosen), n), dtype=np.float32)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                for row, s in enumerate(chosen):  # one lead at a time: edfio's float64 copy is short-lived
                    values = s.data
                    if len(values) < n:
                        raise ValueError(f"lead {s.label} holds {len(values)} samples, fewer than {n}")
                    signal[row] = values[:n] * _TO_MV.get((s.physical_dimension or "").strip().lower(), 1.0)
                    del values
        except ECGReadError:
            raise
        except Exception as exc:  # digital/physical ranges that edfio cannot turn into values
            raise ECGReadError(f"{name} has unusable signal ranges in its header ({str(exc)[:160]}). "
                               "Export the recording again as EDF/EDF+.") from None
        _raise_on(caught, name, ("uncalibrated",), "has uncalibrated leads",
                  "Its physical or digital minimum equals the maximum, so millivolts are unknown.")
    meta = {"format": "edf", "file_names": [name], "units": [s.physical_dimension for s in chosen]}
    sex = age = None
    try:
        sex = {"M": "M", "F": "F"}.get(str(edf.patient.sex).upper())
        birth, start = edf.patient.birthdate, edf.startdate
        if birth and start:
            age = float((start - birth).days // 365.25)
    except Exception:  # an EDF (not EDF+) patient field, or an anonymised 'X' date: nothing known
        pass
    notes = []
    eeg = [label for label in unmatched if label.upper().startswith("EEG ")]
    if len(eeg) >= 4:  # a clinical EEG with an ECG electrode among its channels (e.g. TUH EEG's `EEG EKG1-REF`)
        notes.append(f"The file is an EEG recording ({len(eeg)} EEG channels); only its ECG channel(s) "
                     f"{', '.join(repr(s.label) for s in chosen)} are shown.")
    units = sorted({(s.physical_dimension or "").strip() or "none stated" for s in chosen})
    said = {"rate": f"{fs:g} Hz, from the EDF header", "units": f"{', '.join(units)}, from the EDF header's physical "
            "dimension" + (" (mV assumed where none is stated)" if "none stated" in units else ""),
            "leads": "named in the EDF header"}
    return build_ecg([s.label for s in chosen], signal, fs, record_id=name.rsplit(".", 1)[0], source="upload:edf",
                     age=age, sex=sex, meta=meta, ignored=unmatched, notes=notes, assumptions=said)


def _raise_on(caught: list, name: str, needles: tuple[str, ...], what: str, advice: str) -> None:
    """Turn an edfio warning containing one of `needles` into an ECGReadError."""
    for warning in caught:
        text = str(warning.message)
        if any(needle in text for needle in needles):
            raise ECGReadError(f"{name} {what}: {text.rstrip('. ')}. {advice}")
