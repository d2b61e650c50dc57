"""NumPy `.npy` arrays: shape (leads, samples) or (samples, leads), values in mV (µV detected, see
`ecgcore.io.validate`) unless the user states other units. An `.npy` carries no sampling rate and names no
leads, so `fs` (Hz) is required and the lead order is the user's (`lead_order`) or, for 12 rows, assumed to be
I, II, III, aVR, aVL, aVF, V1-V6. The assumed order is checked against Einthoven's and Goldberger's equations
(`ecgcore.io.limb_leads`): a shuffled array (e.g. PTB-XL's I, II, V1-V6, III, aVR, aVL, aVF) is refused with
the order that fits, never read silently. Loaded with `allow_pickle=False`: an array of Python objects is
refused, never unpickled.
"""
from __future__ import annotations

import io
import math
from typing import Sequence

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io.assemble import build_ecg
from ecgcore.io.limb_leads import describe_order
from ecgcore.core.leads import LEADS


def read_npy(data: bytes, fs: float | None, *, name: str = "upload.npy", units: str | None = None,
             gain: float | None = None, lead_order: Sequence[str] | None = None) -> ECG:
    """An `ECG` (mV) from the bytes of an `.npy` file sampled at `fs` Hz, rows in `lead_order` (default the
    canonical 12), values in `units` ("mV", "µV", "counts" with `gain` counts per mV; default mV)."""
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
    return array_ecg(array, rate, name=name, units=units, gain=gain, lead_order=lead_order)


def array_ecg(array: np.ndarray, rate: float, *, name: str, units: str | None = None, gain: float | None = None,
              lead_order: Sequence[str] | None = None, fmt: str = "npy", what: str = "an .npy file") -> ECG:
    """An `ECG` from a bare numeric array (NPY, or a MATLAB `.mat` variable): (leads, samples) or (samples,
    leads), rows in `lead_order` (default the canonical 12, checked against the limb-lead equations), values in
    `units` (default mV), at `rate` Hz as the user entered it. `what` names the file kind in the sentences of
    meta["assumptions"]."""
    while array.ndim > 2 and array.shape[0] == 1:
        array = array[0]
    order = list(lead_order) if lead_order else list(LEADS)
    if array.ndim == 1 and len(order) == 1:
        array = array[None, :]
    if array.ndim != 2 or len(order) not in array.shape:
        raise ECGReadError(f"{name} has shape {array.shape}; with {len(order)} lead(s) the array must be "
                           f"({len(order)}, samples) or (samples, {len(order)}), rows in the order "
                           f"{describe_order(order)}. State the lead order the array was saved in.")
    signal = array if array.shape[0] == len(order) else array.T
    scale, said_units = validate.stated_units(units, gain)
    if units is None and array.dtype.kind in "iu":
        said_units += " (the values are whole numbers: if they are ADC counts, state the units and the gain)"
    if scale != 1.0:
        signal = signal.astype(np.float32) * np.float32(scale)
    said = {"rate": f"{rate:g} Hz, as you entered it ({what} carries no rate)",
            "units": said_units,
            "leads": (f"{describe_order(order)}, as you stated" if lead_order else
                      f"{describe_order(order)}, assumed: {what} names no leads")}
    return build_ecg(order, signal, rate, record_id=name.rsplit(".", 1)[0],
                     source=f"upload:{fmt}", meta={"format": fmt, "file_names": [name]},
                     assumptions=said, order_from_position=True)


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
