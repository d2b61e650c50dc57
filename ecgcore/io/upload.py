"""One entry point per use: `read_upload` (files a user dropped in the browser, as bytes) and `read_path` (a file
on disk, for the CLI), both dispatching to the format readers.

Accepted: WFDB `.hea` with its `.dat`/`.mat` (and ptbdb `.xyz`), a `.zip` of one record, `.csv`/`.tsv`/`.txt`,
`.npy`, `.edf`, and the clinical formats GE MUSE XML, Philips XML, HL7 aECG, DICOM waveform and SCP-ECG. The total
size is checked against `validate.MAX_UPLOAD_MB` before anything is parsed.

A single file's format is recognised by its content first (`sniff`), its extension second: a MUSE XML saved as
`.txt` gets the MUSE reader, a DICOM file without an extension (as PACS exports it) gets the DICOM reader.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError, ECGReadError, ReaderFailure
from ecgcore.io import dicom, hl7_aecg, muse, philips, scp_ecg, validate
from ecgcore.io.csv_reader import read_csv
from ecgcore.io.edf_reader import read_edf
from ecgcore.io.mat_reader import read_mat
from ecgcore.io.npy_reader import read_npy
from ecgcore.io.sniff import XML_NAMES, sniff
from ecgcore.io.wfdb_reader import basename, read_wfdb
from ecgcore.io.zip_reader import unzip_members

WFDB_EXTENSIONS = (".hea", ".dat", ".mat", ".xyz")
CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
ACCEPTED = ("WFDB (.hea with its .dat or .mat, or a .zip of them), CSV, NumPy .npy or a MATLAB .mat array, EDF, "
            "GE MUSE XML, Philips XML, HL7 aECG, DICOM waveform or SCP-ECG")
#: meta["format"] -> the format's name as users know it
FORMAT_NAMES = {"wfdb": "WFDB", "csv": "CSV", "opensignals": "OpenSignals text (BITalino, biosignalsplux)",
                "npy": "NumPy .npy", "mat": "MATLAB .mat array", "edf": "EDF", **XML_NAMES,
                "dicom": "DICOM waveform", "scp_ecg": "SCP-ECG"}


def _extension(name: str) -> str:
    return Path(name).suffix.lower()


def read_upload(files: Mapping[str, bytes], fs: float | None = None, *, units: str | None = None,
                gain: float | None = None, lead_order: Sequence[str] | None = None) -> ECG:
    """One `ECG` (mV, the file's own rate; 12 leads or the subset the file holds) from uploaded files
    {file name: bytes}: see `_read_upload`. Every failure is an `ECGError`: a reader's own message, or a
    `ReaderFailure` naming the file(s) and what would work when a reader fails in a way it did not foresee
    (the original exception is its `__cause__`, never its text: it may hold server paths)."""
    try:
        return _read_upload(files, fs, units=units, gain=gain, lead_order=lead_order)
    except ECGError:
        raise
    except MemoryError:
        raise ReaderFailure("The server ran out of memory reading this file. Upload a shorter record (e.g. the "
                            "first minutes), or try again when the server is less busy.") from None
    except Exception as exc:  # noqa: BLE001 - a reader bug must reach the user as a message, never a traceback
        names = ", ".join(sorted(basename(str(k)) for k in files))[:200]
        raise ReaderFailure(f"{names}: the reader failed on this file in an unforeseen way ({type(exc).__name__}). "
                            "Export the record again, or upload it in another format this app reads "
                            f"({ACCEPTED}).") from exc


def _read_upload(files: Mapping[str, bytes], fs: float | None = None, *, units: str | None = None,
                 gain: float | None = None, lead_order: Sequence[str] | None = None) -> ECG:
    """One `ECG` (mV, the file's own rate; 12 leads or the subset the file holds) from uploaded files
    {file name: bytes}.

    What the user states is used where the file cannot say: `fs` (Hz) for NPY and CSV without a time column or
    rate line; `units` ("mV", "µV", "counts" with `gain` counts per mV) for NPY and CSV without units;
    `lead_order` (canonical names, one per row) for NPY. A file's own rate and units win otherwise (noted).
    What was stated and what was assumed is in meta["assumptions"]. Raises `ECGReadError` / `ECGSignalError`
    (`LeadOrderError`, with the order that fits, for a shuffled array) with a message for the user.
    """
    if not files:
        raise ECGReadError(f"No file was given. Upload an ECG as {ACCEPTED}.")
    validate.check_upload_size(sum(len(b) for b in files.values()))
    named = {basename(str(k)) or "upload": bytes(v) for k, v in files.items()}
    empty = [n for n, b in named.items() if len(b) == 0]
    if empty:
        raise ECGReadError(f"{', '.join(sorted(empty))}: the file is empty (0 bytes); it was not saved or copied "
                           "completely. Upload the complete file.")
    if len(named) == 1:
        name, data = next(iter(named.items()))
        kind = sniff(data)
        if kind is not None and kind not in ("zip", "npy", "edf"):
            return _note_fs(read_clinical(kind, data, name), fs)
    extensions = {_extension(n) for n in named}
    if extensions == {".mat"} and len(named) == 1:  # a bare MATLAB array: the NPY form (rate, units, lead order)
        name, data = next(iter(named.items()))
        return read_mat(data, fs, name=name, units=units, gain=gain, lead_order=lead_order)
    if any(e in WFDB_EXTENSIONS for e in extensions):
        if ".hea" not in extensions:
            data = ", ".join(sorted(named))
            raise ECGReadError(f"{data}: a WFDB data file cannot be read without its .hea header. Upload the .hea "
                               "together with the .dat/.mat (select both, or zip them).")
        ecg = read_wfdb(named)
        return _note_fs(ecg, fs)
    if len(named) > 1:
        raise ECGReadError(f"{len(named)} files were given ({', '.join(sorted(named))}); upload one record at a "
                           "time (a WFDB record's files together, or one CSV/NPY/EDF/zip).")
    name, data = next(iter(named.items()))
    ext = _extension(name)
    kind = sniff(data)
    if ext == ".zip" or kind == "zip":
        members = unzip_members(data, name=name)
        ecg = _read_upload(members, fs, units=units, gain=gain, lead_order=lead_order)
        return ecg.with_signal(ecg.signal, meta={**ecg.meta, "container": name})
    if kind == "npy" or (ext == ".npy" and kind is None):
        return read_npy(data, fs, name=name, units=units, gain=gain, lead_order=lead_order)
    if kind == "edf" or (ext == ".edf" and kind is None):
        return _note_fs(read_edf(data, name=name), fs)
    if ext in CSV_EXTENSIONS:
        return read_csv(data, fs, name=name, units=units, gain=gain)
    if ext == ".xml":
        return read_clinical("xml", data, name)
    if ext in (".dcm", ".dicom"):
        return read_clinical("dicom", data, name)
    if ext == ".scp":
        return read_clinical("scp_ecg", data, name)
    raise ECGReadError(f"{name}: unknown file type {ext or '(no extension)'}. Upload an ECG as {ACCEPTED}.")


def read_clinical(kind: str, data: bytes, name: str) -> ECG:
    """One clinical-format file read by the reader for `kind` (a `sniff` result, or "xml" for XML of unknown
    kind, "dicom"/"scp_ecg" when only the extension says so). Raises `ECGReadError` / `ECGSignalError`."""
    readers = {"muse_xml": muse.read_muse, "philips_xml": philips.read_philips, "hl7_aecg": hl7_aecg.read_aecg,
               "dicom": dicom.read_dicom, "scp_ecg": scp_ecg.read_scp}
    if kind in readers:
        return readers[kind](data, name=name)
    raise ECGReadError(f"The file is not an ECG format this app reads (XML of another kind, or a damaged file). "
                       f"Accepted XML: {', '.join(XML_NAMES.values())}. Upload an ECG as {ACCEPTED}.")


def _note_fs(ecg: ECG, fs: float | None) -> ECG:
    """Record that an entered rate was not used because the file gives its own."""
    if fs is None or abs(float(fs) - ecg.fs) <= 1e-6 * ecg.fs:
        return ecg
    note = f"The file gives {ecg.fs:g} Hz; the {float(fs):g} Hz entered was not used."
    return ecg.with_signal(ecg.signal, meta={**ecg.meta, "notes": list(ecg.meta.get("notes", [])) + [note]})


def read_path(path: str | os.PathLike, fs: float | None = None) -> ECG:
    """Read an ECG file on disk with the same rules as an upload; a WFDB file brings its siblings
    (`rec.hea` reads `rec.dat`/`rec.mat`/`rec.xyz`, and a data file finds its `rec.hea`)."""
    p = Path(path)
    if p.is_dir():
        raise ECGReadError(f"{p} is a folder; give an ECG file (e.g. a .hea, .csv, .npy, .edf or .zip).")
    if not p.exists():
        raise ECGReadError(f"{p}: no such file.")
    paths = [p]
    if p.suffix.lower() in WFDB_EXTENSIONS:
        stems = [p.stem] + _segment_names(p.with_suffix(".hea"))
        paths = sorted({q for stem in stems for q in p.parent.glob(f"{_glob_escape(stem)}.*")
                        if q.suffix.lower() in WFDB_EXTENSIONS and q.is_file()})
    try:
        validate.check_upload_size(sum(q.stat().st_size for q in paths), what=str(p))
        files = {q.name: q.read_bytes() for q in paths}
    except OSError as exc:
        raise ECGReadError(f"{p} cannot be read ({exc.strerror or exc}).") from None
    ecg = read_upload(files, fs)
    return ecg


def _segment_names(hea: Path) -> list[str]:
    """The segment record names of a multi-segment master header (`name/n ...`), else []."""
    try:
        lines = [ln for ln in hea.read_text(errors="replace")[:100_000].splitlines()
                 if ln.strip() and not ln.lstrip().startswith("#")]
    except OSError:
        return []
    if not lines or "/" not in lines[0].split()[0]:
        return []
    return [ln.split()[0] for ln in lines[1:] if ln.split() and ln.split()[0] != "~"]


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)
