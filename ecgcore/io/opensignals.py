"""OpenSignals (PLUX: BITalino, biosignalsplux) text exports: `# OpenSignals Text File Format`, one JSON header
line (per device: `sampling rate`, `column` names, `sensor` and `label` per analog channel, `resolution` in
bits), `# EndOfHeader`, then tab-separated integer rows (sequence number, digital channels, analog channels).

The analog values are ADC counts. An `ECG` sensor's counts become mV by PLUX's published transfer function
ECG(V) = (ADC / 2^n - 1/2) * VCC / G_ECG: BITalino's ECG sensor VCC 3.3 V, G_ECG 1100 (BITalino ECG Sensor
Data Sheet, PLUX 2020); biosignalsplux's VCC 3 V, G_ECG 1019 (biosignalsplux ECG Sensor Data Sheet). For another
device, or a channel whose sensor is not `ECG`, the counts are not turned into mV unless the user states the
units and gain. The lead is not stated (single-channel sensors): the channel is an unnamed `ECG` lead.
"""
from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io.assemble import build_ecg

SIGNATURE = "# OpenSignals Text File Format"
#: device name in the header -> (VCC in V, ECG sensor gain G_ECG), from PLUX's ECG sensor data sheets
ECG_TRANSFER = {"bitalino": (3.3, 1100.0), "bitalino_rev": (3.3, 1100.0), "bitalino_board": (3.3, 1100.0),
                "biosignalsplux": (3.0, 1019.0)}


def is_opensignals(text: str) -> bool:
    """True when `text` (the file's start, decoded) is an OpenSignals text export."""
    return text.lstrip("\ufeff").startswith(SIGNATURE)


def read_opensignals(data: bytes, text: str, *, name: str, units: str | None = None,
                     gain: float | None = None) -> ECG:
    """An `ECG` (mV) from an OpenSignals text export (`text` is its decoded start, holding the header).
    Raises `ECGReadError` saying what the header lacks."""
    lines = text.split("\n")
    end = next((i for i, ln in enumerate(lines[:20]) if ln.strip().startswith("# EndOfHeader")), None)
    header = next((ln.strip()[1:].strip() for ln in lines[1:end or 3] if ln.strip().startswith("# {")), None)
    if end is None or header is None:
        raise ECGReadError(f"{name} starts like an OpenSignals text export but has no JSON header line and "
                           "'# EndOfHeader'. Export it again from OpenSignals (Text format).")
    try:
        devices = json.loads(header)
    except ValueError:
        raise ECGReadError(f"{name}: the OpenSignals JSON header line cannot be parsed; the file may be cut or "
                           "edited. Export it again from OpenSignals.") from None
    if not isinstance(devices, dict) or not devices:
        raise ECGReadError(f"{name}: the OpenSignals header names no device. Export it again from OpenSignals.")
    device_key, device = _ecg_device(devices)
    columns = [str(c) for c in device.get("column", [])]
    labels = [str(c) for c in device.get("label", [])]
    sensors = [str(c) for c in device.get("sensor", [])]
    resolution = [int(r) for r in device.get("resolution", [])] if isinstance(device.get("resolution"), list) else []
    try:
        rate = float(device["sampling rate"])
    except (KeyError, TypeError, ValueError):
        raise ECGReadError(f"{name}: the OpenSignals header gives no sampling rate. Export it again.") from None
    rate = validate.check_fs(rate, name)
    if len(devices) > 1:
        raise ECGReadError(f"{name} holds {len(devices)} devices' channels side by side; export one device per "
                           "file from OpenSignals.")
    try:
        frame = pd.read_csv(io.BytesIO(data), sep=r"\s+", header=None, skiprows=end + 1, engine="c",
                            comment="#", dtype=np.float64)
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        raise ECGReadError(f"{name}: the OpenSignals samples could not be parsed "
                           f"({str(exc).splitlines()[0][:120]}). Every row must hold one number per column.") \
            from None
    if len(frame.columns) != len(columns):
        raise ECGReadError(f"{name}: the OpenSignals header names {len(columns)} columns but the rows hold "
                           f"{len(frame.columns)}. Export it again from OpenSignals.")
    ecg_channels = [i for i, s in enumerate(sensors) if s.upper().startswith(("ECG", "EKG"))]
    if not ecg_channels:
        shown = ", ".join(f"{lab} ({sen})" for lab, sen in zip(labels, sensors)) or "none"
        raise ECGReadError(f"{name} is an OpenSignals export whose analog channels are not ECG sensors "
                           f"({shown}). Record with an ECG sensor, or export the ECG channel.")
    if len(ecg_channels) > 1:
        raise ECGReadError(f"{name} holds {len(ecg_channels)} ECG sensor channels "
                           f"({', '.join(labels[i] for i in ecg_channels)}) and does not say which lead each is. "
                           "Export one ECG channel per file from OpenSignals.")
    analog_start = len(columns) - len(labels)
    i = ecg_channels[0]
    column = analog_start + i
    if len(resolution) == len(columns):  # BITalino: one entry per column
        bits = resolution[column]
    elif len(resolution) == len(labels):  # biosignalsplux/RespiBAN: one entry per analog channel
        bits = resolution[i]
    else:
        bits = None
    counts = frame.iloc[:, column].to_numpy(dtype=np.float64)
    scale, offset, said = _transfer(str(device.get("device", "")), bits, units, gain)
    signal = ((counts - offset) * scale)[None, :].astype(np.float32)
    names, words = ["ECG"], [said]
    assumptions = {"rate": f"{rate:g} Hz, from the OpenSignals header", "units": words[0],
                   "leads": f"channel {labels[i]} (sensor {sensors[i]}); the file does not state the lead"}
    return build_ecg(names, signal, rate, record_id=name.rsplit(".", 1)[0], source="upload:opensignals",
                     meta={"format": "opensignals", "file_names": [name], "device": str(device.get("device", "")),
                           "device_id": str(device_key)[:40]},
                     ignored=[c for j, c in enumerate(columns) if j != column],
                     assumptions=assumptions)


def _ecg_device(devices: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    for key, device in devices.items():
        if isinstance(device, dict):
            return key, device
    raise ECGReadError("The OpenSignals header holds no device description. Export it again from OpenSignals.")


def _transfer(device: str, bits: int | None, units: str | None, gain: float | None) -> tuple[float, float, str]:
    """(mV per count, count offset, sentence) for one ECG channel."""
    if units is not None:
        scale, said = validate.stated_units(units, gain)
        return scale, 0.0, said
    if bits is None or not 1 <= bits <= 24:
        raise ECGReadError("This OpenSignals export does not give its ECG channel's ADC resolution in bits, so "
                           "its counts cannot be turned into mV. State the units (ADC counts) and the gain.")
    if device not in ECG_TRANSFER:
        raise ECGReadError(f"This OpenSignals export comes from the device {device[:40]!r}, whose ECG sensor's "
                           "transfer function is not known here, so its ADC counts cannot be turned into mV. "
                           "State the units (ADC counts) and the gain in counts per mV.")
    vcc, g_ecg = ECG_TRANSFER[device]
    scale = vcc / g_ecg * 1000.0 / 2 ** bits  # mV per count
    return scale, 2 ** bits / 2, (f"ADC counts ({bits}-bit) turned into mV by PLUX's ECG transfer function for "
                                   f"{device} (VCC {vcc:g} V, gain {g_ecg:g}): {scale * 1000:.3g} µV per count, "
                                   "zero at mid-scale")
