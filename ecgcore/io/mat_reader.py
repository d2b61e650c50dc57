"""A MATLAB `.mat` file holding a bare numeric array (no WFDB `.hea` beside it): read like an `.npy` file.

A `.mat` with a `.hea` is a WFDB record (PhysioNet Challenge) and goes to `wfdb_reader`. Alone, it is an array
that names no rate and no leads, so it gets the same form as NPY (`npy_reader.array_ecg`): the rate, the units
and the lead order the user states. Read with `scipy.io.loadmat` (MATLAB v4/v5/v7 files; nothing in them is
executed). A v7.3 file is HDF5, which scipy does not read: refused with what works.
"""
from __future__ import annotations

import io
from typing import Sequence

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io.npy_reader import array_ecg

_HDF5 = b"\x89HDF\r\n\x1a\n"


def read_mat(data: bytes, fs: float | None, *, name: str = "upload.mat", units: str | None = None,
             gain: float | None = None, lead_order: Sequence[str] | None = None) -> ECG:
    """An `ECG` (mV) from a `.mat` file's one numeric 2-D array, shaped (leads, samples) or (samples, leads),
    sampled at `fs` Hz (required). `val` is PhysioNet's variable name: a file holding it is said to be a WFDB
    record's data, whose `.hea` gives rate, gains and lead names. Raises `ECGReadError`."""
    header_hint = ("; it holds the variable 'val', as a PhysioNet/Challenge record's .mat does: without its .hea header "
                   "its rate, gains and lead names are unknown, so upload the .hea together with it")
    if data[512:520] == _HDF5 or data.startswith(_HDF5):
        raise ECGReadError(f"{name} is a MATLAB v7.3 (HDF5) file, which this app does not read. Save the array "
                           "with save(..., '-v7'), or as .npy or CSV.")
    try:
        from scipy.io import loadmat

        variables = loadmat(io.BytesIO(data), squeeze_me=False, mat_dtype=False, struct_as_record=True)
    except Exception as exc:  # scipy raises ValueError, TypeError, MatReadError ... for a damaged file
        raise ECGReadError(f"{name} is not a readable MATLAB .mat file ({type(exc).__name__}). Save the array "
                           "again with MATLAB's save (-v7), or as .npy or CSV.") from None
    arrays = {k: v for k, v in variables.items() if not k.startswith("__") and isinstance(v, np.ndarray)
              and v.dtype.kind in "iuf" and v.ndim >= 1 and v.size > 1}
    if len(arrays) != 1:
        found = ", ".join(sorted(arrays)) or "none"
        raise ECGReadError(f"{name} holds {len(arrays)} numeric arrays ({found[:200]}); one (leads, samples) "
                           "array is needed. Save only the ECG array in the .mat file.")
    key, array = next(iter(arrays.items()))
    if fs is None:
        raise ECGReadError(f"{name}: a MATLAB array carries no sampling rate; give it in Hz (e.g. 500)"
                           + (header_hint if key == "val" else "") + ".")
    rate = validate.check_fs(fs, name)
    ecg = array_ecg(np.asarray(array), rate, name=name, units=units, gain=gain, lead_order=lead_order,
                    fmt="mat", what="a .mat array")
    if key == "val":
        note = (f"{name} holds PhysioNet's variable 'val' (a WFDB record's samples, usually ADC counts)"
                + header_hint + ".")
        ecg = ecg.with_signal(ecg.signal, meta={**ecg.meta, "notes": list(ecg.meta.get("notes", [])) + [note]})
    return ecg
