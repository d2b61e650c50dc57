"""Generates the corpus of broken and foreign ECG inputs (in memory; nothing written outside a temp dir).

Each case is a set of uploaded files {name: bytes} (+ an optional sampling rate) and what must happen: a correct
record (checked) or an `ECGError` whose message contains given words. Any other exception is a crash.
Seeds are real records (PTB-XL, Challenge 2021, ptbdb), so "correct" means the real signal comes back.

    .venv/bin/python tests/bad_inputs/make_corpus.py      # builds and runs it, prints the outcome counts
"""
from __future__ import annotations

import codecs
import io
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd
import wfdb


from ecgcore.io import validate  # noqa: E402
from ecgcore.core.ecg import ECG  # noqa: E402
from ecgcore.core.errors import ECGError  # noqa: E402
from ecgcore.io import read_upload  # noqa: E402
from ecgcore.core.leads import LEADS  # noqa: E402
from tests.bad_inputs.real_records import record_files, record_stem  # noqa: E402

PTBXL = "ptbxl/records500/00000/00001_hr.hea"
GEORGIA = "cinc/georgia/E07500.hea"  # Challenge v1 header quirk (record name written E07500.mat)
NINGBO = "cinc/ningbo/JS20005.hea"  # empty code in #Dx
PTBDB = "ptbdb/patient096/s0379lre.hea"  # 15 leads, .dat + .xyz, 1000 Hz, lower-case names

Check = Callable[[ECG], None]


@dataclass
class Case:
    """One corpus input. `expect` is "ok", "error" or "any" (either a valid record or a clear error is right);
    `words` must all appear (case-insensitive) in the error message."""

    name: str
    files: Mapping[str, bytes] | Callable[[], Mapping[str, bytes]]
    expect: str
    words: tuple[str, ...] = ()
    fs: float | None = None
    check: Check | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    limit_mb: float | None = None  # run with validate.MAX_UPLOAD_MB set to this (cheap zip bombs)

    def materialise(self) -> Mapping[str, bytes]:
        return self.files() if callable(self.files) else self.files


# --------------------------------------------------------------------------------------------------- helpers
def reference(relative_hea: str, channels: list[int] | None = None) -> tuple[np.ndarray, dict]:
    """Signal (samples, leads) in mV and fields, read back through wfdb.rdsamp."""
    signal, fields = wfdb.rdsamp(record_stem(relative_hea), channels=channels)
    return signal, fields


def write_wfdb(name: str, signal: np.ndarray, fs: float, sig_names: list[str], *, units: str = "mV",
               fmt: str = "16", comments: list[str] | None = None) -> dict[str, bytes]:
    """A WFDB record from (samples, leads) physical values, returned as bytes: written by wfdb.wrsamp, except plain
    format-16 records without NaN, which are written directly (wrsamp spends ~0.1 s per header)."""
    if fmt == "16" and np.isfinite(signal).all():
        peak = np.maximum(np.abs(signal).max(axis=0), 1e-3)
        gains = np.floor(32000 / peak)
        digital = np.round(signal * gains).astype("<i2")
        lines = [f"{name} {len(sig_names)} {fs:g} {len(signal)}"] + [
            f"{name}.dat 16 {gain:.0f}(0)/{units} 16 0 {int(digital[0, i])} 0 0 {label}"
            for i, (gain, label) in enumerate(zip(gains, sig_names))] + [f"# {c}" for c in comments or []]
        return {f"{name}.hea": ("\n".join(lines) + "\n").encode(), f"{name}.dat": digital.tobytes()}
    with tempfile.TemporaryDirectory() as tmp:
        wfdb.wrsamp(name, fs=fs, units=[units] * len(sig_names), sig_name=sig_names, p_signal=signal,
                    fmt=[fmt] * len(sig_names), comments=comments or [], write_dir=tmp)
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def long_record(repeats: int) -> dict[str, bytes]:
    """PTB-XL 00001 (500 Hz, 10 s) repeated `repeats` times as one WFDB record (180 -> 30 min)."""
    files = record_files(PTBXL)
    files = edit_header(files, set_field(0, 3, str(5000 * repeats)))
    files["00001_hr.dat"] = files["00001_hr.dat"] * repeats
    return files


def edit_header(files: Mapping[str, bytes], edit: Callable[[list[str]], list[str]]) -> dict[str, bytes]:
    """A copy of a WFDB record with its header lines changed by `edit`."""
    out = dict(files)
    hea = next(n for n in out if n.endswith(".hea"))
    lines = out[hea].decode("latin-1").splitlines()
    out[hea] = ("\n".join(edit(lines)) + "\n").encode("latin-1")
    return out


def set_field(line_no: int, field_no: int, value: str) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        tokens = lines[line_no].split()
        tokens[field_no] = value
        return lines[:line_no] + [" ".join(tokens)] + lines[line_no + 1:]
    return edit


def signal_lines(edit_token: Callable[[list[str]], list[str]]) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        return [lines[0]] + [" ".join(edit_token(line.split())) if line and not line.startswith("#") else line
                             for line in lines[1:]]
    return edit


def data_name(files: Mapping[str, bytes]) -> str:
    return next(n for n in files if not n.endswith(".hea") and not n.endswith(".xyz"))


def zip_bytes(members: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name) if ".." in name or name.startswith("/") else name, data)
    return buf.getvalue()


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def csv_bytes(frame: pd.DataFrame, *, encoding: str = "utf-8", **kwargs) -> bytes:
    return frame.to_csv(index=kwargs.pop("index", False), **kwargs).encode(encoding)


def edf_bytes(signal: np.ndarray, fs: float | list[float], labels: list[str], *, unit: str = "mV",
              annotations: bool = False) -> bytes:
    """An EDF(+) file written with edfio from (samples, leads) values in `unit`."""
    import edfio

    rates = fs if isinstance(fs, list) else [fs] * len(labels)
    span = float(np.abs(signal).max()) * 1.01 + 1e-3
    signals = []
    for i, label in enumerate(labels):
        step = int(round(float(rates[0]) / rates[i]))
        signals.append(edfio.EdfSignal(signal[::step, i], sampling_frequency=rates[i], label=label,
                                       physical_dimension=unit, physical_range=(-span, span)))
    ann = [edfio.EdfAnnotation(1.0, None, "event")] if annotations else None
    edf = edfio.Edf(signals, annotations=ann)
    buf = io.BytesIO()
    edf.write(buf)
    return buf.getvalue()


def close_to(expected: np.ndarray, tol: float, fs: float | None = None, derived: tuple[str, ...] = ()) -> Check:
    """Check: 12 leads in canonical order equal `expected` (leads, samples) within `tol` mV."""
    def check(ecg: ECG) -> None:
        assert ecg.leads == LEADS and ecg.signal.shape == expected.shape, (ecg.signal.shape, expected.shape)
        err = float(np.abs(ecg.signal - expected).max())
        assert err <= tol, f"max error {err} mV > {tol}"
        if fs is not None:
            assert ecg.fs == fs, ecg.fs
        assert ecg.derived == derived, ecg.derived
    return check


def shape_is(fs: float, samples: int, derived: tuple[str, ...] = (), note: str | None = None) -> Check:
    def check(ecg: ECG) -> None:
        assert ecg.signal.shape == (12, samples) and ecg.fs == fs, (ecg.signal.shape, ecg.fs)
        assert ecg.derived == derived, ecg.derived
        assert np.isfinite(ecg.signal).all()
        if note:
            assert any(note.lower() in n.lower() for n in ecg.meta.get("notes", [])), ecg.meta.get("notes")
    return check


def leads_are(leads: tuple[str, ...], derived: tuple[str, ...] = ()) -> Check:
    """Check: a lead-subset record holding exactly `leads` (in that order), `derived` among them, no 12-lead model
    input (`twelve_leads` refuses it)."""
    def check(ecg: ECG) -> None:
        from ecgcore.core.ecg import twelve_leads
        from ecgcore.core.errors import ECGSignalError
        assert ecg.leads == leads and ecg.signal.shape[0] == len(leads), ecg.leads
        assert ecg.derived == derived, ecg.derived
        try:
            twelve_leads(ecg)
        except ECGSignalError as exc:
            assert "cannot score" in str(exc)
        else:
            raise AssertionError("a lead subset was accepted as 12 leads")
    return check


# --------------------------------------------------------------------------------------------------- cases
def wfdb_cases() -> list[Case]:
    cases: list[Case] = []
    ptbxl = record_files(PTBXL)
    ref, _ = reference(PTBXL)
    exact = close_to(ref.T, 1e-6, fs=500.0)
    georgia = record_files(GEORGIA)
    for rel in (PTBXL, "ptbxl/records500/06000/06001_hr.hea", "ptbxl/records100/00000/00001_lr.hea",
                "cinc/ptbxl/HR00001.hea", "cinc/cpsc2018/A0689.hea", "cinc/chapman_shaoxing/JS01048.hea",
                NINGBO, "cinc/georgia/E00271.hea", "cinc/ningbo/JS11438.hea"):
        files = record_files(rel)
        if rel.startswith("cinc/georgia"):
            check = None
        else:
            r, _ = reference(rel)
            check = close_to(r.T, 1e-6)
        cases.append(Case(f"real:{rel}", files, "ok", check=check, tags=("wfdb", "real")))
    cases.append(Case("real:georgia quirk E07500", georgia, "ok", tags=("wfdb", "real", "quirk"),
                      check=shape_is(500.0, 5000)))
    ptbdb = record_files(PTBDB)
    pref, _ = reference(PTBDB, channels=list(range(12)))
    cases.append(Case("ptbdb 15 leads (.dat+.xyz)", ptbdb, "ok", check=close_to(pref.T, 1e-6, fs=1000.0),
                      tags=("wfdb", "real", "15-lead")))
    cases.append(Case("ptbdb without .xyz", {k: v for k, v in ptbdb.items() if not k.endswith(".xyz")}, "ok",
                      check=close_to(pref.T, 1e-6, fs=1000.0), tags=("wfdb", "real")))
    # truncated / empty / padded data files
    for seed_name, seed in (("ptbxl", ptbxl), ("challenge .mat", georgia), ("ptbdb", ptbdb)):
        dat = data_name(seed)
        for frac in (0.0, 0.01, 0.25, 0.5, 0.9, 0.999):
            cut = dict(seed)
            cut[dat] = seed[dat][: int(len(seed[dat]) * frac)]
            words = ("empty",) if frac == 0 else ("truncated",)
            cases.append(Case(f"{seed_name}: data cut to {frac:.1%}", cut, "error", words, tags=("wfdb", "truncated")))
        for cut_bytes in (1, 2, 3):
            cut = dict(seed)
            cut[dat] = seed[dat][:-cut_bytes]
            cases.append(Case(f"{seed_name}: data minus {cut_bytes} byte(s)", cut, "error", ("truncated",),
                              tags=("wfdb", "truncated")))
        for extra in (24, 4096, len(seed[dat])):
            pad = dict(seed)
            pad[dat] = seed[dat] + b"\x00" * extra
            cases.append(Case(f"{seed_name}: data + {extra} bytes", pad, "error", ("do not match",),
                              tags=("wfdb", "mismatch")))
        cases.append(Case(f"{seed_name}: data file missing", {k: v for k, v in seed.items() if k.endswith(".hea")},
                          "error", ("needs the data file",), tags=("wfdb",)))
        cases.append(Case(f"{seed_name}: header missing", {k: v for k, v in seed.items() if not k.endswith(".hea")},
                          "error", ("without its .hea",), tags=("wfdb",)))
    # lying headers: sample count, signal count, gain, units, format, rate
    n = 5000
    for value, words in (("10000", ("truncated",)), ("2500", ("do not match",)), ("4999", ("do not match",)),
                         ("5001", ("truncated",)), ("1000000000000", ("truncated",)), ("-5", ("not a valid",)),
                         ("abc", ("not a valid",))):
        cases.append(Case(f"header sig_len {value}", edit_header(ptbxl, set_field(0, 3, value)), "error", words,
                          tags=("wfdb", "lying-header")))
    cases.append(Case("header without sig_len (inferred from file)",
                      edit_header(ptbxl, lambda ls: [" ".join(ls[0].split()[:3])] + ls[1:]), "ok", check=exact,
                      tags=("wfdb",)))
    for value, words in (("0", ("impossible",)), ("-500", ("not a valid",)), ("10000000", ("outside",)),
                         ("10001", ("outside",)), ("49", ("outside",)), ("0.5", ("outside",)), ("nan", ("not a valid",)),
                         ("1e400", ("not a valid", "impossible")), ("abc", ("not a valid",))):
        expect_words = words if len(words) == 1 else ()
        cases.append(Case(f"header rate {value} Hz", edit_header(ptbxl, set_field(0, 2, value)), "error",
                          expect_words, tags=("wfdb", "rate")))
    cases.append(Case("header rate 1000 Hz (file holds 500 Hz data: plays fast, still a valid record)",
                      edit_header(ptbxl, set_field(0, 2, "1000")), "ok", check=shape_is(1000.0, n), tags=("wfdb",)))
    cases.append(Case("header says 11 signals", edit_header(ptbxl, lambda ls: [ls[0].replace(" 12 ", " 11 ", 1)]
                                                             + ls[1:12]), "error", ("do not match",),
                      tags=("wfdb", "lying-header")))
    cases.append(Case("header says 13 signals, lists 12", edit_header(ptbxl, lambda ls: [ls[0].replace(" 12 ", " 13 ", 1)]
                                                                       + ls[1:]), "error", ("not a valid",),
                      tags=("wfdb", "lying-header")))
    for gain, outcome, words, note in (("1", "ok", (), "microvolts"), ("1000000", "error", ("too small",), None),
                                       ("1000000000", "error", ("too small",), None), ("0.001", "error", ("absurd",), None),
                                       ("abc", "error", ("not a valid",), None)):
        edit = signal_lines(lambda t, g=gain: t[:2] + [f"{g}/mV"] + t[3:])
        cases.append(Case(f"header gain {gain}/mV", edit_header(ptbxl, edit), outcome, words,
                          check=shape_is(500.0, n, note=note) if outcome == "ok" else None,
                          tags=("wfdb", "gain")))
    for units, outcome, words in (("uV", "error", ("too small",)), ("V", "ok", ()), ("nV", "error", ("too small",)),
                                  ("mmHg", "ok", ()), ("", "ok", ())):
        edit = signal_lines(lambda t, u=units: t[:2] + [f"1000.0(0)/{u}" if u else "1000.0(0)"] + t[3:])
        cases.append(Case(f"header units {units or 'missing'}", edit_header(ptbxl, edit), outcome, words,
                          check=exact if outcome == "ok" else None, tags=("wfdb", "units")))
    for fmt, words in (("999", ("not a valid", "format")), ("508", ("not supported",)), ("212", ("do not match",)),
                       ("8", ("do not match",)), ("32", ("truncated",)), ("24", ("truncated",)),
                       ("16+9999999", ("truncated",)), ("80", ("do not match",)), ("0", ("not",))):
        edit = signal_lines(lambda t, f=fmt: t[:1] + [f] + t[2:])
        cases.append(Case(f"header format {fmt}", edit_header(ptbxl, edit), "error", words[:1] if fmt != "999" else (),
                          tags=("wfdb", "format")))
    for bad_file, words in (("../../etc/passwd", ("not a valid",)), ("/etc/passwd", ("not a valid",)),
                            ("-rf.dat", ("not a plain file name",)),
                            ("x.dat;rm -rf", ("not a",))):
        edit = signal_lines(lambda t, b=bad_file: [b] + t[1:])
        cases.append(Case(f"header data file {bad_file!r}", edit_header(ptbxl, edit), "error", words,
                          tags=("wfdb", "traversal")))
    cases.append(Case("header names other.dat, 00001_hr.dat uploaded", edit_header(
        ptbxl, signal_lines(lambda t: ["other.dat"] + t[1:])), "ok", check=shape_is(500.0, 5000, note="was used"),
        tags=("wfdb",)))
    cases.append(Case("header names other.dat, nothing else uploaded", {"00001_hr.hea": edit_header(
        ptbxl, signal_lines(lambda t: ["other.dat"] + t[1:]))["00001_hr.hea"]}, "error", ("needs the data file",),
        tags=("wfdb",)))
    cases.append(Case("upper-case file names (Windows copy)", {k.upper(): v for k, v in ptbxl.items()}, "ok",
                      check=exact, tags=("wfdb",)))
    cases.append(Case("renamed data file", {"00001_hr.hea": ptbxl["00001_hr.hea"], "copy.dat": ptbxl["00001_hr.dat"]},
                      "ok", check=exact, tags=("wfdb",)))
    cases.append(Case("renamed data file of another record", {"00001_hr.hea": ptbxl["00001_hr.hea"],
                                                              "copy.mat": georgia["E07500.mat"]},
                      "error", ("do not match",), tags=("wfdb",)))
    cases.append(Case("zero-length .hea", {**ptbxl, "00001_hr.hea": b""}, "error", ("empty",), tags=("wfdb",)))
    cases.append(Case("binary .hea", {**ptbxl, "00001_hr.hea": bytes(range(256)) * 4}, "error", ("binary",),
                      tags=("wfdb",)))
    cases.append(Case("text .hea that is not a header", {**ptbxl, "00001_hr.hea": b"hello world\nthis is not it\n"},
                      "error", ("not a valid",), tags=("wfdb",)))
    cases.append(Case("comments-only .hea", {**ptbxl, "00001_hr.hea": b"# just a comment\n"}, "error", ("not a valid",),
                      tags=("wfdb",)))
    cases.append(Case("2 MB .hea", {**ptbxl, "00001_hr.hea": b"#" * 2_000_000}, "error", ("not a header",),
                      tags=("wfdb",)))
    cases.append(Case("CRLF header", edit_header(ptbxl, lambda ls: [line + "\r" for line in ls]), "ok", check=exact,
                      tags=("wfdb",)))
    cases.append(Case("two headers", {**ptbxl, "other.hea": ptbxl["00001_hr.hea"]}, "error", ("one record",),
                      tags=("wfdb",)))
    cases.append(Case("multi-segment header", {"m.hea": b"m/2 1 500 10000\nseg1 5000\nseg2 5000\n", "seg1.dat": b"1"},
                      "error", (), tags=("wfdb",)))
    cases.append(Case("header with 100 signals", {"w.hea": ("w 100 500 5000\n" + "".join(
        f"w.dat 16 1000/mV 16 0 0 0 0 s{i}\n" for i in range(100))).encode(), "w.dat": b"\0" * 100}, "error", (),
                      tags=("wfdb",)))
    cases.extend(lead_set_cases(ref))
    cases.extend(signal_cases(ref))
    return cases


def lead_set_cases(ref: np.ndarray) -> list[Case]:
    """1/2/8/15-lead records, odd and lower-case names, other rates and lengths (all from PTB-XL 00001)."""
    cases: list[Case] = []
    names = list(LEADS)
    idx = {lead: i for i, lead in enumerate(LEADS)}
    tol = 2e-3  # wrsamp quantises to 16 bits over each lead's range

    def sub(leads: list[str]) -> np.ndarray:
        return ref[:, [idx[x] for x in leads]]

    cases.append(Case("1 lead (II)", write_wfdb("one", sub(["II"]), 500, ["II"]), "ok", check=leads_are(("II",)),
                      tags=("wfdb", "leads")))
    cases.append(Case("2 leads (MLII, V1)", write_wfdb("two", sub(["II", "V1"]), 500, ["MLII", "V1"]), "ok",
                      check=leads_are(("V1", "MLII")), tags=("wfdb", "leads")))
    cases.append(Case("2 leads (I, II)", write_wfdb("two", sub(["I", "II"]), 500, ["I", "II"]), "ok",
                      check=leads_are(LEADS[:6], ("III", "aVR", "aVL", "aVF")), tags=("wfdb", "leads")))
    eight = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]
    cases.append(Case("8 leads I, II, V1-V6", write_wfdb("eight", sub(eight), 500, eight), "ok",
                      check=close_to(ref.T, tol * 3, 500.0, derived=("III", "aVR", "aVL", "aVF")),
                      tags=("wfdb", "leads", "derived")))
    other8 = ["II", "III", "V1", "V2", "V3", "V4", "V5", "V6"]
    cases.append(Case("8 leads II, III, V1-V6 (I computed)", write_wfdb("eight", sub(other8), 500, other8), "ok",
                      check=close_to(ref.T, tol * 3, 500.0, derived=("I", "aVR", "aVL", "aVF")),
                      tags=("wfdb", "leads", "derived")))
    cases.append(Case("11 leads (no V3)", write_wfdb("eleven", sub([x for x in names if x != "V3"]), 500,
                                                     [x for x in names if x != "V3"]), "ok",
                      check=leads_are(tuple(x for x in names if x != "V3")),
                      tags=("wfdb", "leads")))
    fifteen = np.hstack([ref, ref[:, :3] * 0.5])
    cases.append(Case("15 leads in one file (+ vx vy vz)", write_wfdb("fifteen", fifteen, 500, names + ["vx", "vy", "vz"]),
                      "ok", check=close_to(ref.T, tol, 500.0), tags=("wfdb", "leads", "15-lead")))
    for label, sig_names in (("lower-case", [x.lower() for x in names]),
                             ("upper-case", [x.upper() for x in names]),
                             ("ECG- prefixed", [f"ECG {x}" for x in names]),
                             ("Lead- prefixed", [f"Lead_{x}" for x in names])):
        cases.append(Case(f"lead names {label}", write_wfdb("names", ref, 500, sig_names), "ok",
                          check=close_to(ref.T, tol, 500.0), tags=("wfdb", "leads")))
    shuffled = names[::-1]
    cases.append(Case("leads in reverse order", write_wfdb("rev", ref[:, ::-1], 500, shuffled), "ok",
                      check=close_to(ref.T, tol, 500.0), tags=("wfdb", "leads")))
    cases.append(Case("odd lead names", write_wfdb("odd", ref, 500, [f"ch{i}" for i in range(12)]), "error",
                      ("not recognised", "ch0"), tags=("wfdb", "leads")))
    cases.append(Case("-aVR instead of aVR", write_wfdb("neg", ref, 500, names[:3] + ["-aVR"] + names[4:]), "ok",
                      check=shape_is(500.0, 5000, derived=("aVR",)), tags=("wfdb", "leads")))
    dup = np.hstack([ref, ref[:, :1]])
    cases.append(Case("lead I twice", write_wfdb("dup", dup * np.array([1.0] * 12 + [0.5]), 500, names + ["i"]), "ok",
                      check=close_to(ref.T, tol, 500.0), tags=("wfdb", "leads")))
    # other sampling rates and lengths (resampled / tiled real signal)
    from scipy.signal import resample_poly

    for fs in (257, 360, 1000, 250, 128, 100, 62.5):
        sig = resample_poly(ref, int(fs * 2), 1000, axis=0)
        cases.append(Case(f"{fs} Hz record", write_wfdb(f"r{int(fs)}", sig, fs, names), "ok",
                          check=shape_is(float(fs), sig.shape[0]), tags=("wfdb", "rate")))
    cases.append(Case("2 s record", write_wfdb("short", ref[:1000], 500, names), "error", ("only 2.00 s",),
                      tags=("wfdb", "length")))
    cases.append(Case("2.5 s record", write_wfdb("edge", ref[:1250], 500, names), "ok",
                      check=shape_is(500.0, 1250), tags=("wfdb", "length")))
    cases.append(Case("0.1 s record", write_wfdb("tiny", ref[:50], 500, names), "error", ("at least",),
                      tags=("wfdb", "length")))
    cases.append(Case("30 min at 500 Hz (real 10 s tiled)", lambda: long_record(180), "ok",
                      check=shape_is(500.0, 900_000), tags=("wfdb", "length", "30min")))
    for fmt in ("212", "80", "24", "32"):  # the formats wfdb.wrsamp writes
        cases.append(Case(f"format {fmt} record", write_wfdb(f"f{fmt}", ref, 500, names, fmt=fmt), "ok",
                          check=shape_is(500.0, 5000), tags=("wfdb", "format")))
    return cases


def signal_cases(ref: np.ndarray) -> list[Case]:
    """NaN/Inf/constant/µV/V/saturated signals in WFDB form."""
    names = list(LEADS)
    cases: list[Case] = []
    nan = ref.copy()
    nan[100:110, 4] = np.nan
    cases.append(Case("10 NaN samples in aVL", write_wfdb("nan", nan, 500, names), "error", ("missing", "aVL"),
                      tags=("wfdb", "nan")))
    ptbxl = record_files(PTBXL)
    samples = np.frombuffer(ptbxl["00001_hr.dat"], dtype="<i2").reshape(-1, 12).copy()
    samples[:, 7] = -32768  # WFDB's "invalid sample" marker for the whole of V2
    cases.append(Case("lead V2 all invalid samples", {**ptbxl, "00001_hr.dat": samples.tobytes()}, "error", ("V2",),
                      tags=("wfdb", "nan")))
    cases.append(Case("all leads constant 0", write_wfdb("flat", np.zeros_like(ref), 500, names), "error", ("flat",),
                      tags=("wfdb", "flat")))
    cases.append(Case("all leads constant 1.5 mV", write_wfdb("flat", np.full_like(ref, 1.5), 500, names), "error",
                      ("flat",), tags=("wfdb", "flat")))
    one_flat = ref.copy()
    one_flat[:, 9] = 0.0
    cases.append(Case("lead V4 flat, others fine", write_wfdb("flat1", one_flat, 500, names), "ok",
                      check=shape_is(500.0, 5000, note="V4"), tags=("wfdb", "flat")))
    cases.append(Case("values in µV, header says mV", write_wfdb("uv", ref * 1000, 500, names), "ok",
                      check=shape_is(500.0, 5000, note="microvolts"), tags=("wfdb", "uV")))
    cases.append(Case("values in µV, header says uV", write_wfdb("uv2", ref * 1000, 500, names, units="uV"), "ok",
                      check=close_to(ref.T, 5e-3, 500.0), tags=("wfdb", "uV")))
    cases.append(Case("values in V, header says mV", write_wfdb("v", ref / 1000, 500, names), "error", ("too small",),
                      tags=("wfdb", "units")))
    cases.append(Case("values x1e7 (absurd)", write_wfdb("abs", ref * 1e7, 500, names, fmt="32"), "error", ("absurd",),
                      tags=("wfdb", "amplitude")))
    wild = ref.copy()
    wild[:, 8] *= 100
    cases.append(Case("lead V3 x100 (saturated/wrong gain)", write_wfdb("wild", wild, 500, names), "error",
                      ("V3", "swing"), tags=("wfdb", "amplitude")))
    inf_sig = ref.copy()
    inf_sig[5, 0] = np.inf
    cases.append(Case("Inf sample (written as invalid)", write_wfdb("inf", np.nan_to_num(inf_sig, posinf=np.nan),
                                                                    500, names), "error", ("missing",),
                      tags=("wfdb", "nan")))
    return cases


def csv_cases() -> list[Case]:
    ref, fields = reference(PTBXL)
    ref = ref[:1500]  # 3 s keeps the many CSV writes cheap
    n = len(ref)
    frame = pd.DataFrame(ref, columns=list(LEADS))
    timed = frame.copy()
    timed.insert(0, "time", np.arange(len(ref)) / 500.0)
    exact = close_to(ref.T, 1e-6, 500.0)
    base = csv_bytes(timed)
    cases = [
        Case("csv with time column", {"r.csv": base}, "ok", check=exact),
        Case("csv without time, fs given", {"r.csv": csv_bytes(frame)}, "ok", fs=500, check=exact),
        Case("csv without time, no fs", {"r.csv": csv_bytes(frame)}, "error", ("sampling rate",)),
        Case("csv with UTF-8 BOM", {"r.csv": codecs.BOM_UTF8 + base}, "ok", check=exact),
        Case("csv UTF-16 tab-separated", {"r.csv": timed.to_csv(index=False, sep="\t").encode("utf-16")}, "ok",
             check=exact),
        Case("csv semicolons + decimal commas", {"r.csv": csv_bytes(timed, sep=";", decimal=",")}, "ok", check=exact),
        Case("csv semicolons, decimal points", {"r.csv": csv_bytes(timed, sep=";")}, "ok", check=exact),
        Case("tsv", {"r.tsv": csv_bytes(timed, sep="\t")}, "ok", check=exact),
        Case("txt whitespace-separated", {"r.txt": csv_bytes(timed, sep=" ")}, "ok", check=exact),
        Case("csv pipes", {"r.csv": csv_bytes(timed, sep="|")}, "ok", check=exact),
        Case("csv CRLF", {"r.csv": csv_bytes(timed, lineterminator="\r\n")}, "ok", check=exact),
        Case("csv pandas index column", {"r.csv": csv_bytes(timed, index=True)}, "ok", check=exact),
        Case("csv time in ms", {"r.csv": csv_bytes(timed.rename(columns={"time": "time_ms"}).assign(
            time_ms=np.arange(len(ref)) * 2.0))}, "ok", check=exact),
        Case("csv time column 'Time (s)'", {"r.csv": csv_bytes(timed.rename(columns={"time": "Time (s)"}))}, "ok",
             check=exact),
        Case("csv time at 257 Hz", {"r.csv": csv_bytes(timed.assign(time=np.arange(len(ref)) / 257.0))}, "ok",
             check=shape_is(257.0, n)),
        Case("csv uneven time column", {"r.csv": csv_bytes(timed.assign(time=np.sort(np.random.default_rng(0).random(
            len(ref)) * 10)))}, "error", ("not evenly spaced",)),
        Case("csv time column decreasing", {"r.csv": csv_bytes(timed.assign(time=-np.arange(len(ref)) / 500.0))},
             "error", ("not evenly spaced",)),
        Case("csv time disagrees with fs given", {"r.csv": base}, "ok", fs=250,
             check=shape_is(500.0, n, note="not used")),
        Case("csv lower-case names", {"r.csv": csv_bytes(timed.rename(columns=str.lower))}, "ok", check=exact),
        Case("csv 'Lead I' names", {"r.csv": csv_bytes(frame.rename(columns=lambda c: f"Lead {c}"))}, "ok", fs=500,
             check=exact),
        Case("csv units in header (mV)", {"r.csv": csv_bytes(frame.rename(columns=lambda c: f"{c} (mV)"))}, "ok",
             fs=500, check=exact),
        Case("csv units in header [uV]", {"r.csv": csv_bytes((frame * 1000).rename(columns=lambda c: f"{c} [uV]"))},
             "ok", fs=500, check=close_to(ref.T, 1e-5, 500.0)),
        Case("csv µV values, no units", {"r.csv": csv_bytes(frame * 1000)}, "ok", fs=500,
             check=shape_is(500.0, n, note="microvolts")),
        Case("csv 8 leads", {"r.csv": csv_bytes(timed[["time", "I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]])}, "ok",
             check=close_to(ref.T, 2e-3, 500.0, derived=("III", "aVR", "aVL", "aVF"))),
        Case("csv 1 lead", {"r.csv": csv_bytes(timed[["time", "II"]])}, "ok", check=leads_are(("II",))),
        Case("csv MLII + V1", {"r.csv": csv_bytes(timed[["time", "II", "V1"]].rename(columns={"II": "MLII"}))}, "ok",
             check=leads_are(("V1", "MLII"))),
        Case("csv extra columns", {"r.csv": csv_bytes(timed.assign(SpO2=97.0, marker="x"))}, "ok", check=exact),
        Case("csv no header", {"r.csv": csv_bytes(frame, header=False)}, "error", ("no header",)),
        Case("csv unknown column names", {"r.csv": csv_bytes(frame.rename(columns=lambda c: f"ch_{c}x"))}, "error",
             ("names no standard lead",)),
        Case("csv duplicate column", {"r.csv": b"I,I,II\n" + b"1,2,3\n" * 10}, "error", ("twice",)),
        Case("csv ragged rows", {"r.csv": _ragged(base)}, "error", ("could not be parsed",)),
        Case("csv text in numbers", {"r.csv": csv_bytes(timed.astype(object).assign(V2=lambda d: d.V2.where(
            d.index != 17, "abc")))}, "error", ("text where numbers", "V2", "abc")),
        Case("csv empty", {"r.csv": b"\n\n"}, "error", ("empty",)),
        Case("csv header only", {"r.csv": csv_bytes(timed.iloc[:0])}, "error", ("no samples",)),
        Case("csv 2 s", {"r.csv": csv_bytes(timed.iloc[:1000])}, "error", ("only 2.00 s",)),
        Case("csv constant", {"r.csv": csv_bytes(frame * 0 + 1)}, "error", ("flat",), fs=500),
        Case("csv Inf cell", {"r.csv": csv_bytes(timed.astype(object).assign(I=lambda d: d.I.where(d.index != 3, "inf")))},
             "error", ("infinite", "I (")),
        Case("csv -Inf cell", {"r.csv": csv_bytes(timed.astype(object).assign(V6=lambda d: d.V6.where(d.index != 9, "-inf")))},
             "error", ("V6",)),
        Case("csv NaN text", {"r.csv": csv_bytes(timed.astype(object).assign(V1=lambda d: d.V1.where(d.index != 9, "NaN")))},
             "error", ("missing", "V1")),
        Case("csv binary garbage", {"r.csv": bytes(range(256)) * 50}, "error", ("binary",)),
        Case("csv latin-1 header", {"r.csv": "I (µV);II;III;aVR;aVL;aVF;V1;V2;V3;V4;V5;V6\n".encode("latin-1")
                                   + csv_bytes(frame, sep=";", header=False)}, "ok", fs=500,
             check=shape_is(500.0, n)),
        Case("csv quoted numbers", {"r.csv": csv_bytes(timed, quoting=1)}, "ok", check=exact),
        Case("csv huge numbers", {"r.csv": csv_bytes(frame * 1e300)}, "error", ("infinite",), fs=500),
        Case("csv numbers 1e12", {"r.csv": csv_bytes(frame * 1e12)}, "error", ("absurd",), fs=500),
        Case("csv numbers overflow to inf", {"r.csv": csv_bytes(frame * 1e300).replace(b"e+29", b"e+49")}, "error", (),
             fs=500),
        Case("csv fs 0", {"r.csv": csv_bytes(frame)}, "error", ("impossible",), fs=0),
        Case("csv fs -250", {"r.csv": csv_bytes(frame)}, "error", ("impossible",), fs=-250),
        Case("csv fs 10 MHz", {"r.csv": csv_bytes(frame)}, "error", ("outside",), fs=1e7),
        Case("csv fs NaN", {"r.csv": csv_bytes(frame)}, "error", ("impossible",), fs=float("nan")),
    ]
    missing = timed.copy().astype(object)
    missing.loc[10, "V5"] = ""
    cases.append(Case("csv missing cell", {"r.csv": csv_bytes(missing)}, "error", ("missing", "V5")))
    for c in cases:
        c.tags = ("csv",)
    return cases


def npy_cases() -> list[Case]:
    ref, _ = reference(PTBXL)
    sig = ref.T.astype(np.float32)
    exact = close_to(sig, 1e-6, 500.0)
    cases = [
        Case("npy (12, n) float32", {"r.npy": npy_bytes(sig)}, "ok", fs=500, check=exact),
        Case("npy (n, 12) float64", {"r.npy": npy_bytes(ref)}, "ok", fs=500, check=exact),
        Case("npy (1, 12, n)", {"r.npy": npy_bytes(sig[None])}, "ok", fs=500, check=exact),
        Case("npy Fortran order", {"r.npy": npy_bytes(np.asfortranarray(sig))}, "ok", fs=500, check=exact),
        Case("npy big-endian", {"r.npy": npy_bytes(sig.astype(">f4"))}, "ok", fs=500, check=exact),
        Case("npy float16", {"r.npy": npy_bytes(sig.astype(np.float16))}, "ok", fs=500, check=close_to(sig, 5e-3, 500.0)),
        Case("npy int16 µV", {"r.npy": npy_bytes(np.round(sig * 1000).astype(np.int16))}, "ok", fs=500,
             check=shape_is(500.0, 5000, note="microvolts")),
        Case("npy int32 µV", {"r.npy": npy_bytes(np.round(sig * 1000).astype(np.int32))}, "ok", fs=500,
             check=close_to(sig, 1e-3, 500.0)),
        Case("npy no fs", {"r.npy": npy_bytes(sig)}, "error", ("sampling rate",)),
        Case("npy fs 0", {"r.npy": npy_bytes(sig)}, "error", ("impossible",), fs=0),
        Case("npy fs 10 MHz", {"r.npy": npy_bytes(sig)}, "error", ("outside",), fs=1e7),
        Case("npy fs 257", {"r.npy": npy_bytes(sig)}, "ok", fs=257, check=shape_is(257.0, 5000)),
        Case("npy object array", {"r.npy": npy_bytes(np.array([sig, "x"], dtype=object), allow_pickle=True)}, "error",
             ("python objects",), fs=500),
        Case("npy object array of lists", {"r.npy": npy_bytes(np.array([[1, 2], [3]], dtype=object), allow_pickle=True)},
             "error", ("python objects",), fs=500),
        Case("npy complex", {"r.npy": npy_bytes(sig.astype(np.complex64))}, "error", ("not real numbers",), fs=500),
        Case("npy bool", {"r.npy": npy_bytes(sig > 0)}, "error", ("not real numbers",), fs=500),
        Case("npy strings", {"r.npy": npy_bytes(sig.astype(str))}, "error", ("not real numbers",), fs=500),
        Case("npy datetime", {"r.npy": npy_bytes(np.zeros((12, 5000), dtype="datetime64[s]"))}, "error",
             ("not real numbers",), fs=500),
        Case("npy structured", {"r.npy": npy_bytes(np.zeros(5000, dtype=[("I", "f4"), ("II", "f4")]))}, "error",
             ("not real numbers",), fs=500),
        Case("npy 1-D", {"r.npy": npy_bytes(sig[0])}, "error", ("shape",), fs=500),
        Case("npy (8, n)", {"r.npy": npy_bytes(sig[:8])}, "error", ("shape",), fs=500),
        Case("npy (3, 12, n)", {"r.npy": npy_bytes(np.stack([sig] * 3))}, "error", ("shape",), fs=500),
        Case("npy (12, 0)", {"r.npy": npy_bytes(sig[:, :0])}, "error", ("no samples",), fs=500),
        Case("npy (12, 12)", {"r.npy": npy_bytes(sig[:, :12])}, "error", ("only",), fs=500),
        Case("npy scalar", {"r.npy": npy_bytes(np.float32(1.0))}, "error", ("shape",), fs=500),
        Case("npy NaN", {"r.npy": npy_bytes(np.where(np.arange(5000) == 7, np.nan, sig))}, "error", ("missing",), fs=500),
        Case("npy Inf", {"r.npy": npy_bytes(np.where(np.arange(5000) == 7, np.inf, sig))}, "error", ("infinite",), fs=500),
        Case("npy constant", {"r.npy": npy_bytes(np.ones_like(sig))}, "error", ("flat",), fs=500),
        Case("npy truncated", {"r.npy": npy_bytes(sig)[:-100]}, "error", ("truncated",), fs=500),
        Case("npy header only", {"r.npy": npy_bytes(sig)[:128]}, "error", ("truncated",), fs=500),
        Case("npy magic only", {"r.npy": b"\x93NUMPY"}, "error", (), fs=500),
        # fuzzing finding: a header cut inside its dict made numpy raise tokenize.TokenError
        Case("npy header dict cut short (fuzz finding)", {"r.npy": npy_bytes(sig)[:60] + npy_bytes(sig)[128:2000]},
             "error", ("damaged .npy header",), fs=500),
        Case("npy header announcing 10^12 values", {"r.npy": npy_bytes(sig).replace(b"(12, 5000), }",
                                                                                     b"(12, 10**12),}")},
             "error", ("damaged",), fs=500),
        Case("npy header announcing (12, 100000000)", {"r.npy": npy_bytes(sig).replace(b"(12, 5000), }",
                                                                                        b"(12, 99999999),}")},
             "error", ("truncated",), fs=500),
        Case("npy lying header shape", {"r.npy": npy_bytes(sig).replace(b"(12, 5000)", b"(12, 9000)")}, "error",
             ("truncated",), fs=500),
        Case("pickle renamed .npy", {"r.npy": __import__("pickle").dumps({"a": 1})}, "error", ("not a numpy",), fs=500),
        # content first: an .npz is a zip of .npy members, so its one array is read (the name does not decide)
        Case("npz renamed .npy", {"r.npy": _npz(sig)}, "ok", fs=500, check=shape_is(500.0, sig.shape[1])),
        Case("npy 2 s", {"r.npy": npy_bytes(sig[:, :1000])}, "error", ("only 2.00 s",), fs=500),
    ]
    for c in cases:
        c.tags = ("npy",)
    return cases


def _ragged(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[100] += b",7,8"
    return b"\n".join(lines)


def _npz(sig: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, sig=sig)
    return buf.getvalue()


def edf_cases() -> list[Case]:
    ref, _ = reference(PTBXL)
    names = list(LEADS)
    good = edf_bytes(ref, 500, names)
    tol = 2e-3
    cases = [
        Case("edf 12 leads", {"r.edf": good}, "ok", check=close_to(ref.T, tol, 500.0)),
        Case("edf+ with annotations", {"r.edf": edf_bytes(ref, 500, names, annotations=True)}, "ok",
             check=close_to(ref.T, tol, 500.0)),
        Case("edf labels 'ECG I'", {"r.edf": edf_bytes(ref, 500, [f"ECG {x}" for x in names])}, "ok",
             check=close_to(ref.T, tol, 500.0)),
        Case("edf in uV", {"r.edf": edf_bytes(ref * 1000, 500, names, unit="uV")}, "ok", check=close_to(ref.T, tol, 500.0)),
        Case("edf uV values labelled mV", {"r.edf": edf_bytes(ref * 1000, 500, names)}, "ok",
             check=shape_is(500.0, 5000, note="microvolts")),
        Case("edf 8 leads", {"r.edf": edf_bytes(ref[:, [0, 1, 6, 7, 8, 9, 10, 11]], 500,
                                                ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"])}, "ok",
             check=close_to(ref.T, 3 * tol, 500.0, derived=("III", "aVR", "aVL", "aVF"))),
        Case("edf 1 lead", {"r.edf": edf_bytes(ref[:, :1], 500, ["I"])}, "ok", check=leads_are(("I",))),
        Case("edf leads at different rates", {"r.edf": edf_bytes(ref, [500] * 11 + [250], names)}, "error",
             ("different rates",)),
        Case("edf 2 s", {"r.edf": edf_bytes(ref[:1000], 500, names)}, "error", ("only 2.00 s",)),
        Case("edf 360 Hz", {"r.edf": edf_bytes(ref[:3600], 360, names)}, "ok", check=shape_is(360.0, 3600)),
        Case("edf constant", {"r.edf": edf_bytes(np.zeros_like(ref) + 0.5, 500, names)}, "error", ("flat",)),
        Case("not an edf", {"r.edf": b"hello, this is not EDF" * 20}, "error", ("not an edf",)),
        Case("edf 100 bytes", {"r.edf": good[:100]}, "error", ("not an edf",)),
        Case("edf header only", {"r.edf": good[:256 * 13]}, "error", ()),
    ]
    for frac in (0.3, 0.5, 0.95):
        cases.append(Case(f"edf truncated to {frac:.0%}", {"r.edf": good[: int(len(good) * frac)]}, "error",
                          ("truncated",)))
    cases.append(Case("edf minus 1 byte", {"r.edf": good[:-1]}, "error", ("truncated",)))

    def patch(offset: int, text: str, data: bytes = good) -> bytes:
        return data[:offset] + text.encode("ascii") + data[offset + len(text):]

    for label, offset, text in (("signals field 'abc '", 252, "abc "), ("signals field 0", 252, "0   "),
                                ("signals field 99", 252, "99  "), ("records -1", 236, "-1      "),
                                ("records 99999999", 236, "99999999"), ("record duration 0", 244, "0       "),
                                ("record duration x", 244, "x       "), ("header bytes 0", 184, "0       "),
                                ("start date garbage", 168, "99.99.99"), ("version not 0", 0, "1       "),
                                ("samples per record 0", 256 + 12 * 216, "0       "),
                                ("physical min = max", 256 + 12 * 104, "1       "),
                                ("digital min = max", 256 + 12 * 120, "0       ")):
        data = patch(offset + 8 * 12, text) if "min = max" in label else good
        cases.append(Case(f"edf odd header: {label}", {"r.edf": patch(offset, text, data)}, "error" if label not in (
            "start date garbage",) else "any", ()))
    for c in cases:
        c.tags = ("edf",)
    return cases


def zip_cases() -> list[Case]:
    ptbxl = record_files(PTBXL)
    ref, _ = reference(PTBXL)
    exact = close_to(ref.T, 1e-6, 500.0)
    cases = [
        Case("zip of a WFDB record", {"r.zip": zip_bytes(ptbxl)}, "ok", check=exact),
        Case("zip stored (no compression)", {"r.zip": zip_bytes(ptbxl, zipfile.ZIP_STORED)}, "ok", check=exact),
        Case("zip bzip2", {"r.zip": zip_bytes(ptbxl, zipfile.ZIP_BZIP2)}, "ok", check=exact),
        Case("zip in a folder", {"r.zip": zip_bytes({f"rec/{k}": v for k, v in ptbxl.items()})}, "ok", check=exact),
        Case("zip with __MACOSX junk", {"r.zip": zip_bytes({**ptbxl, "__MACOSX/._00001_hr.hea": b"junk",
                                                           ".DS_Store": b"x"})}, "ok", check=exact),
        Case("zip with a README", {"r.zip": zip_bytes({**ptbxl, "README.txt": b"hello"})}, "ok", check=exact),
        Case("zip of the Challenge quirk record", {"r.zip": zip_bytes(record_files(GEORGIA))}, "ok",
             check=shape_is(500.0, 5000)),
        Case("zip of ptbdb 15-lead record", {"r.zip": zip_bytes(record_files(PTBDB))}, "ok",
             check=shape_is(1000.0, 115200)),
        Case("zip of a CSV", {"r.zip": zip_bytes({"r.csv": csv_bytes(pd.DataFrame(ref, columns=list(LEADS)).assign(
            time=np.arange(5000) / 500))})}, "ok", check=exact),
        Case("zip with 2 records", {"r.zip": zip_bytes({**ptbxl, **record_files(NINGBO)})}, "error", ("one record",)),
        Case("zip with 200 members", {"r.zip": zip_bytes({**ptbxl, **{f"f{i}.txt": b"x" for i in range(200)}})},
             "error", ("entries",)),
        Case("zip traversal ../../x.hea", {"r.zip": zip_bytes({"../../x.hea": ptbxl["00001_hr.hea"],
                                                              "00001_hr.dat": ptbxl["00001_hr.dat"]})}, "error",
             ("unsafe path",)),
        Case("zip absolute path", {"r.zip": zip_bytes({"/tmp/x.hea": ptbxl["00001_hr.hea"]})}, "error", ("unsafe",)),
        Case("zip windows traversal", {"r.zip": zip_bytes({"..\\..\\x.hea": ptbxl["00001_hr.hea"]})}, "error",
             ("unsafe",)),
        Case("zip drive letter", {"r.zip": zip_bytes({"C:/x.hea": ptbxl["00001_hr.hea"]})}, "error", ("unsafe",)),
        Case("zip with same name twice", {"r.zip": zip_bytes({"a/00001_hr.hea": ptbxl["00001_hr.hea"],
                                                             "b/00001_hr.hea": ptbxl["00001_hr.hea"]})}, "error",
             ("two files",)),
        Case("zip inside zip", {"r.zip": zip_bytes({"inner.zip": zip_bytes(ptbxl)})}, "error", ("another zip",)),
        Case("empty zip", {"r.zip": zip_bytes({})}, "error", ("empty",)),
        Case("zip of only folders", {"r.zip": zip_bytes({"a/": b""})}, "error", ("empty",)),
        Case("zip truncated", {"r.zip": zip_bytes(ptbxl)[:5000]}, "error", ("not a readable zip",)),
        Case("zip with corrupt data", {"r.zip": _corrupt_zip(ptbxl)}, "error", ("damaged",)),
        Case("not a zip", {"r.zip": b"PK\x03\x04 but not really" * 10}, "error", ("not a readable zip",)),
        Case("zip with the .dat only", {"r.zip": zip_bytes({"00001_hr.dat": ptbxl["00001_hr.dat"]})}, "error",
             ("without its .hea",)),
        Case("zip with encrypted flag", {"r.zip": _encrypted_flag(ptbxl)}, "error", ("password",)),
        Case("zip bomb, 4 MB limit (member unpacks to 5 MB)", lambda: {"bomb.zip": _zip_bomb(5 << 20)}, "error",
             ("zip bomb",), limit_mb=4),
        Case("zip bomb with lying size header, 4 MB limit", lambda: {"bomb.zip": _zip_bomb(5 << 20, lie=True)},
             "error", (), limit_mb=4),
        Case("zip bomb, 4 MB limit, many 1 MB members", {"bomb.zip": zip_bytes({f"{i}.csv": b"0" * (1 << 20)
                                                                               for i in range(6)})},
             "error", ("zip bomb",), limit_mb=4),
    ]
    for c in cases:
        c.tags = ("zip",)
    return cases


def _corrupt_zip(files: Mapping[str, bytes]) -> bytes:
    data = bytearray(zip_bytes(files))
    for i in range(200, 600):
        data[i] ^= 0x5A
    return bytes(data)


def _encrypted_flag(files: Mapping[str, bytes]) -> bytes:
    data = bytearray(zip_bytes(files, zipfile.ZIP_STORED))
    # set bit 0 of the general-purpose flags in every local and central header
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + off] |= 1
            start = i + 4
    return bytes(data)


def _zip_bomb(size: int, lie: bool = False) -> bytes:
    """A zip whose one member inflates to `size` bytes of zeros (about 1000:1); `lie` rewrites the sizes to 1 kB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bomb.csv", "w", force_zip64=True) as member:
            chunk = b"0" * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    data = buf.getvalue()
    if lie:
        info = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
        data = data.replace(info.file_size.to_bytes(8, "little"), (1024).to_bytes(8, "little"))
    return data


def other_cases() -> list[Case]:
    ptbxl = record_files(PTBXL)
    limit = int(validate.MAX_UPLOAD_MB * 1024 * 1024)
    cases = [
        Case("no files", {}, "error", ("no file",)),
        Case("unknown extension .pdf", {"r.pdf": b"%PDF-1.4"}, "error", ("unknown file type",)),
        Case("unknown kind of .xml", {"r.xml": b"<ecg/>"}, "error", ("not an ECG format", "MUSE")),
        Case("no extension", {"record": b"abc"}, "error", ("no extension",)),
        Case(".dat alone", {"00001_hr.dat": ptbxl["00001_hr.dat"]}, "error", ("without its .hea",)),
        Case(".mat alone", {"E07500.mat": record_files(GEORGIA)["E07500.mat"]}, "error", ("without its .hea",)),
        Case("two CSVs", {"a.csv": b"I\n1\n", "b.csv": b"I\n1\n"}, "error", ("one record",)),
        Case("zero-length csv", {"r.csv": b""}, "error", ("empty",)),
        Case("zero-length npy", {"r.npy": b""}, "error", ("empty",)),
        Case("zero-length edf", {"r.edf": b""}, "error", ("empty",)),
        Case("zero-length zip", {"r.zip": b""}, "error", ("empty",)),
        Case("upload name with folders", {"../../evil/00001_hr.hea": ptbxl["00001_hr.hea"],
                                          "C:\\x\\00001_hr.dat": ptbxl["00001_hr.dat"]}, "ok",
             check=shape_is(500.0, 5000)),
        Case("over the upload limit (csv)", lambda: {"big.csv": b"0" * (limit + 1)}, "error", ("limit",)),
        Case("over the upload limit (WFDB pair)", lambda: {"00001_hr.hea": ptbxl["00001_hr.hea"],
                                                           "00001_hr.dat": b"\0" * (limit + 1)}, "error", ("limit",)),
    ]
    for c in cases:
        c.tags = ("other",)
    return cases


def build_corpus() -> list[Case]:
    """Every case, in a stable order."""
    return wfdb_cases() + csv_cases() + npy_cases() + edf_cases() + zip_cases() + other_cases()


# --------------------------------------------------------------------------------------------------- running
def run_case(case: Case) -> tuple[str, str]:
    """('correct' | 'clear error' | 'wrong' | 'crash', detail).

    correct: a record that passed its checks; clear error: an ECGError with the expected words; wrong: a clean
    outcome other than the expected one; crash: any exception that is not an ECGError.
    """
    files = case.materialise()
    saved = validate.MAX_UPLOAD_MB
    try:
        if case.limit_mb is not None:
            validate.MAX_UPLOAD_MB = case.limit_mb
        ecg = read_upload(files, fs=case.fs)
    except ECGError as exc:
        message = str(exc)
        if case.expect == "ok":
            return "wrong", f"expected a record, got error: {message}"
        missing = [w for w in case.words if w.lower() not in message.lower()]
        if missing:
            return "wrong", f"error lacks {missing}: {message}"
        return "clear error", message
    except Exception as exc:  # noqa: BLE001 - anything else is a crash by definition
        return "crash", f"{type(exc).__name__}: {exc}"
    finally:
        validate.MAX_UPLOAD_MB = saved
    if case.expect == "error":
        return "wrong", "expected an error, got a record"
    try:
        if case.check:
            case.check(ecg)
        assert ecg.signal.shape[0] == len(ecg.leads) and ecg.signal.dtype == np.float32 and np.isfinite(ecg.signal).all()
    except AssertionError as exc:
        return "wrong", f"record read but wrong: {exc}"
    return "correct", ecg.record_id


def main() -> int:
    start = time.perf_counter()
    corpus = build_corpus()
    built = time.perf_counter() - start
    counts: Counter[str] = Counter()
    timings = []
    for case in corpus:
        t0 = time.perf_counter()
        outcome, detail = run_case(case)
        timings.append((time.perf_counter() - t0, case.name))
        counts[outcome] += 1
        if outcome in ("crash", "wrong"):
            print(f"{outcome.upper()}: {case.name}: {detail}")
    total = time.perf_counter() - start
    if "-v" in sys.argv:
        for seconds, name in sorted(timings, reverse=True)[:10]:
            print(f"  {seconds:6.2f} s  {name}")
    expected = Counter(c.expect for c in corpus)
    print(f"corpus: {len(corpus)} inputs ({expected['ok']} should read, {expected['error']} should be refused, "
          f"{expected['any']} either), built in {built:.1f} s, run in {total - built:.1f} s")
    print("outcomes: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("correct", "clear error", "wrong", "crash")))
    return 1 if counts.get("crash") or counts.get("wrong") else 0


if __name__ == "__main__":
    raise SystemExit(main())
