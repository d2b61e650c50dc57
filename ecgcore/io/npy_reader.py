"""NumPy `.npy` arrays: shape (12, samples) or (samples, 12), leads in the order I, II, III, aVR, aVL, aVF,
V1-V6, values in mV (µV detected, see `ecgcore.io.validate`). An `.npy` carries no sampling rate, so `fs` (Hz)
is required. Loaded with `allow_pickle=False`: an array of Python objects is refused, never unpickled.
"""
from __future__ import annotations

import io
import math

import numpy as np

from ecgcore.ecg import ECG
from ecgcore.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io.assemble import build_ecg
from ecgcore.leads import LEADS


def read_npy(data: bytes, fs: float | None, *, name: str = "upload.npy") -> ECG:
    """A 12-lead ECG (mV) from the bytes of an `.npy` file sampled at `fs` Hz."""
    if not data.startswith(b"\x93NUMPY"):
        raise ECGReadError(f"{name} is not a NumPy .npy file (it lacks the .npy signature). Save the array with "
                           "numpy.save, shaped (12, samples).")
    if fs is None:
        raise ECGReadError(f"{name}: a NumPy array carries no sampling rate; give it in Hz (e.g. 500).")
    rate = validate.check_fs(fs, name)
    shape, dtype = _header(data, name)
    if dtype.hasobject:
        raise ECGReadError(f"{name} holds Python objects, not numbers; such files can run code and are never "
                           "opened. Save a plain numeric array (float32 or int16) with numpy.save.")
    if dtype.kind not in "iuf" or dtype.fields is not None:
        raise ECGReadError(f"{name} holds values of type {dtype}, not real numbers. Save a float32/float64/"
                           "int16 array in mV.")
    needed = math.prod(shape) * dtype.itemsize
    if needed > len(data):
        raise ECGReadError(f"{name} is truncated: its header announces an array of shape {shape} "
                           f"({needed} bytes) but the file has {len(data)} bytes. Upload the complete file.")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:  # header passed, yet numpy refused the data: a damaged file
        raise ECGReadError(f"{name} is not a readable .npy array ({str(exc)[:160]}); it may be truncated. "
                           "Save it again with numpy.save.") from None
    if not isinstance(array, np.ndarray):
        raise ECGReadError(f"{name} holds no array. Save a (12, samples) array with numpy.save.")
    while array.ndim > 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 2 or len(LEADS) not in array.shape:
        raise ECGReadError(f"{name} has shape {array.shape}; a 12-lead ECG array must be (12, samples) or "
                           "(samples, 12), leads in the order I, II, III, aVR, aVL, aVF, V1-V6.")
    signal = array if array.shape[0] == len(LEADS) else array.T
    return build_ecg(list(LEADS), signal, rate, record_id=name.rsplit(".", 1)[0],
                     source="upload:npy", meta={"format": "npy", "file_names": [name]},
                     notes=["Lead order taken as I, II, III, aVR, aVL, aVF, V1-V6 (an .npy file names no leads)."])


def _header(data: bytes, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from the .npy header, read with numpy's own header parser (a literal, never code)."""
    fp = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    except Exception as exc:  # numpy raises ValueError, SyntaxError, tokenize errors ... for a damaged header
        raise ECGReadError(f"{name} has a damaged .npy header ({str(exc)[:120] or type(exc).__name__}); the file "
                           "may be truncated. Save the array again with numpy.save.") from None
    return tuple(int(d) for d in shape), np.dtype(dtype)
