"""Bounded-time fuzzing of every ECG reader with hypothesis: prints inputs executed and outcome counts.

Each target starts from a valid real input (PTB-XL 00001 as WFDB, a Challenge .hea/.mat with its header quirk,
the same signal as CSV, NPY, EDF and zip, and one real sample file per clinical format from the data root's
formats/ folder: GE MUSE XML, Philips XML, HL7 aECG, DICOM, SCP-ECG Huffman and raw; and the real-world cases of
issue 18 from cases/: multi-segment WFDB with a format-0 null segment, a CSV whose preamble states its gain, an
EEG EDF with one ECG channel, a non-standard Healforce SCP-ECG, plus a bare MATLAB array and a BITalino
OpenSignals export) and applies random byte/token mutations; one target writes CSVs under random preamble lines
in the forms real exports use (rates, units, gains, resolutions, broken ones); one feeds random bodies behind
each clinical format's signature (DICM preamble, an SCP-ECG header with a valid length and CRC, each XML root
element), and a last one raw random bytes under every extension. A `ReaderFailure` (a reader's unforeseen
exception, which the user sees as a message) counts as a crash.
An outcome is `ok` (a record), `clear error` (an ECGError) or `crash` (any
other exception: printed and saved under --findings, to become a regular test case).

    .venv/bin/python -m bench.fuzz_readers --seconds 60      # or: make fuzz FUZZ_SECONDS=60
"""
from __future__ import annotations

import argparse
import binascii
import io
import struct
import time
import traceback
import warnings
import zipfile
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]

from ecgcore.core import settings as ecg_settings  # noqa: E402
from ecgcore.core.errors import ECGError, ReaderFailure  # noqa: E402
from ecgcore.io import read_upload  # noqa: E402
from ecgcore.core.leads import LEADS  # noqa: E402
from tests.bad_inputs.real_records import record_files  # noqa: E402

TOKENS = ["0", "-1", "-500", "nan", "inf", "1e400", "", "abc", "99999999999", "16+24", "212", "508", "8", "16x2",
          "16:3", "1000/uV", "0/mV", "1e-9/mV", "../x.dat", "/etc/passwd", "µV", "\x00", "12", "15", "1", "#", "\t"]


def seeds() -> dict[str, tuple[dict[str, bytes], str, float | None]]:
    """target -> (valid files, the file name that gets mutated, fs argument)."""
    ptbxl = record_files("ptbxl/records500/00000/00001_hr.hea")
    signal = np.frombuffer(ptbxl["00001_hr.dat"], dtype="<i2").reshape(-1, 12)[:1500] / 1000.0  # 3 s
    frame = pd.DataFrame(signal, columns=list(LEADS))
    frame.insert(0, "time", np.arange(len(signal)) / 500)
    npy = io.BytesIO()
    np.save(npy, signal.T.astype(np.float32))
    short = {"00001_hr.hea": ptbxl["00001_hr.hea"].replace(b" 500 5000", b" 500 1500"),
             "00001_hr.dat": ptbxl["00001_hr.dat"][: 1500 * 24]}
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in short.items():
            zf.writestr(name, data)
    return {
        "wfdb header": (short, "00001_hr.hea", None),
        "wfdb data": (short, "00001_hr.dat", None),
        "challenge header (quirk)": (record_files("cinc/georgia/E07500.hea"), "E07500.hea", None),
        "challenge .mat": (record_files("cinc/georgia/E07500.hea"), "E07500.mat", None),
        "csv": ({"r.csv": frame.to_csv(index=False, float_format="%.4f").encode()}, "r.csv", None),
        "csv semicolon/decimal comma": ({"r.csv": frame.to_csv(index=False, sep=";", decimal=",",
                                                               float_format="%.4f").encode()}, "r.csv", None),
        "npy": ({"r.npy": npy.getvalue()}, "r.npy", 500.0),
        "edf": ({"r.edf": _edf(signal)}, "r.edf", None),
        "zip": ({"r.zip": zipped.getvalue()}, "r.zip", None),
        **clinical_seeds(),
        **case_seeds(signal),
    }


def case_seeds(signal: np.ndarray) -> dict[str, tuple[dict[str, bytes], str, float | None]]:
    """What the real-world cases of issue 18 taught: multi-segment WFDB records (with a format-0 null segment),
    a CSV whose preamble states the gain, an EEG EDF with one ECG channel, a non-standard SCP-ECG, a bare
    MATLAB array and an OpenSignals (BITalino) text export; each mutated like the others."""
    from scipy.io import savemat

    cases = ecg_settings.resolve().source("cases")  # raises, naming ECG_DATA_ROOT, without a data root

    def folder(name: str, suffixes=(".hea", ".dat")) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted((cases / name).iterdir()) if p.suffix in suffixes}

    null_multi = folder("wfdb-multisegment-null-segment-fmt0")
    two_segments = folder("wfdb-multi-segment")
    master = next(n for n, b in two_segments.items() if n.endswith(".hea") and b"/" in b.split(b"\n")[0])
    mat = io.BytesIO()
    savemat(mat, {"ecg": signal.T.astype(np.float32)})
    counts = np.round((signal[:, 0] / 3.0 + 0.5) * 1024).astype(int)
    header = ('{"00:07:80:3B:46:61": {"sensor": ["ECG"], "column": ["nSeq", "I1", "I2", "O1", "O2", "A1"], '
              '"device": "bitalino_rev", "sampling rate": 500, "label": ["A1"], "resolution": [4, 1, 1, 1, 1, 10]}}')
    opensignals = ("# OpenSignals Text File Format\n# " + header + "\n# EndOfHeader\n"
                   + "\n".join(f"{i % 16}\t0\t0\t1\t1\t{c}" for i, c in enumerate(counts)) + "\n").encode()
    return {
        "wfdb multi-segment master (null)": (null_multi, "multi.hea", None),
        "wfdb null segment header": (null_multi, "null.hea", None),
        "wfdb multi-segment segment data": (null_multi, "100s.dat", None),
        "wfdb multi-segment master (2x5 s)": (two_segments, master, None),
        "csv gain preamble (real)": (folder("csv-12lead-header-fs-gain", (".csv",)), "ECG_12L.csv", None),
        "edf eeg with ekg channel (real)": (folder("edf-tuh-eeg-with-ekg-channel", (".edf",)),
                                            "00009578_s002_t001.edf", None),
        "scp non-standard (healforce)": (folder("scp-healforce-prince180d-noncompliant", (".SCP",)), "62.SCP", None),
        "mat bare array": ({"r.mat": mat.getvalue()}, "r.mat", 500.0),
        "opensignals text": ({"r.txt": opensignals}, "r.txt", None),
    }


#: preamble lines in the forms real exports use (rates, units, gains, resolutions), and broken ones
PREAMBLE_LINES = ["Sampling Rate (Hz): 500", "Sampling Rate,500 Hz", "fs=500", "Sample rate;0.5 kHz", "Units,uV",
                  "Units,mV", "Unit: µV", "Gain (digit/millivolt): 2048", "ADC gain,200", "ADC Gain: 2.048 counts/uV",
                  "Gain,1000 adu/mV", "Resolution (uV/LSB): 0.5", "Resolution;0.48828125 uV", "Resolution,12 bit",
                  "LSB,0.0005 mV", "Gain,0", "Gain,-5 /mV", "Resolution,abc", "Gain (digit/furlong): 3",
                  "Resolution,1e400 uV", "Lead,II", "Patient ID,ANON-0001", "Date,2024-01-01", ""]


def seeds_csv_signal() -> np.ndarray:
    """PTB-XL 00001's first 3 s (samples, 12 leads) in mV: the rows of the preamble-variant target."""
    ptbxl = record_files("ptbxl/records500/00000/00001_hr.hea")
    return np.frombuffer(ptbxl["00001_hr.dat"], dtype="<i2").reshape(-1, 12)[:1500] / 1000.0


#: one real sample file per clinical format (and per SCP-ECG encoding), under the data root's formats/ folder
CLINICAL = {"muse xml": "muse_xml/egm_muse-sinus.xml", "philips xml (XLI)": "philips_xml/129DYPRG.XML",
            "philips xml (UTF-16)": "philips_xml/2020-5-18_15-48-11.xml",
            "hl7 aecg": "hl7_aecg/liryc_hl7aecg_example.xml", "dicom": "dicom/dcm-waveform_test_ecg.dcm",
            "scp-ecg huffman": "scp_ecg/Example.scp", "scp-ecg raw": "scp_ecg/demo.scp"}


def clinical_seeds() -> dict[str, tuple[dict[str, bytes], str, float | None]]:
    root = ecg_settings.resolve().source("formats")  # raises, naming ECG_DATA_ROOT, without a data root
    out = {}
    for target, rel in CLINICAL.items():
        path = root / rel
        out[target] = ({path.name: path.read_bytes()}, path.name, None)
        if target.startswith("scp-ecg"):
            out[f"{target} (CRC fixed)"] = out[target]
    return out


def with_signature(kind: str, body: bytes) -> bytes:
    """Random `body` behind a clinical format's signature, so the sniffer sends it to that format's reader."""
    if kind == "dicom":
        return b"\0" * 128 + b"DICM" + body
    if kind == "scp":
        record = struct.pack("<I", len(body) + 6) + body
        return struct.pack("<H", binascii.crc_hqx(record, 0xFFFF)) + record
    root = {"muse": "RestingECG", "philips": "restingecgdata", "aecg": "AnnotatedECG"}[kind]
    return f"<?xml version='1.0'?><{root}>".encode() + body + f"</{root}>".encode()


def _edf(signal: np.ndarray) -> bytes:
    import edfio

    span = float(np.abs(signal).max()) + 0.01
    edf = edfio.Edf([edfio.EdfSignal(signal[:, i], sampling_frequency=500, label=lead, physical_dimension="mV",
                                     physical_range=(-span, span)) for i, lead in enumerate(LEADS)])
    buf = io.BytesIO()
    edf.write(buf)
    return buf.getvalue()


mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 512)),
    st.tuples(st.just("duplicate"), st.floats(0, 1), st.integers(1, 4096)),
    st.tuples(st.just("token"), st.floats(0, 1), st.sampled_from(TOKENS)),
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    """Apply byte- and token-level mutations at relative positions."""
    buf = bytearray(data)
    for kind, where, arg in steps:
        pos = int(where * len(buf)) if buf else 0
        if kind == "flip" and buf:
            buf[min(pos, len(buf) - 1)] = arg
        elif kind == "truncate":
            del buf[pos:]
        elif kind == "insert":
            buf[pos:pos] = arg
        elif kind == "delete":
            del buf[pos:pos + arg]
        elif kind == "duplicate":
            buf[pos:pos] = buf[pos:pos + arg]
        elif kind == "token":
            tokens = bytes(buf).split(b" ")
            if tokens:
                tokens[min(int(where * len(tokens)), len(tokens) - 1)] = arg.encode("utf-8")
                buf = bytearray(b" ".join(tokens))
    return bytes(buf)


class Tally:
    """Counts outcomes per target; keeps crashing inputs."""

    def __init__(self, findings: Path | None) -> None:
        self.counts: dict[str, Counter] = {}
        self.findings = findings
        self.crashes: list[str] = []

    def run(self, target: str, files: dict[str, bytes], fs: float | None) -> None:
        counts = self.counts.setdefault(target, Counter())
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                read_upload(files, fs=fs)
            counts["ok"] += 1
        except ReaderFailure as exc:  # a reader failed unforeseen: the user got a message, but it is a bug
            counts["crash"] += 1
            cause = exc.__cause__ or exc
            self._keep(target, files, fs, counts, "".join(traceback.format_exception(cause, limit=3)))
        except ECGError:
            counts["clear error"] += 1
        except Exception:  # noqa: BLE001 - that is what a fuzzer looks for
            counts["crash"] += 1
            self._keep(target, files, fs, counts, traceback.format_exc(limit=3))

    def _keep(self, target: str, files: dict[str, bytes], fs: float | None, counts: Counter, detail: str) -> None:
        """Note a crash and save its input (with the traceback) under --findings."""
        self.crashes.append(f"{target}: {detail.strip().splitlines()[-1]}")
        if self.findings:
            self.findings.mkdir(parents=True, exist_ok=True)
            case = self.findings / f"crash-{target.replace(' ', '_')}-{counts['crash']}"
            case.mkdir(exist_ok=True)
            for name, data in files.items():
                (case / Path(name).name).write_bytes(data)
            (case / "traceback.txt").write_text(detail + f"\nfs={fs}\n")


def fuzz(seconds: float, findings: Path | None) -> Tally:
    tally = Tally(findings)
    targets = seeds()
    budget = seconds / (len(targets) + 3)
    config = settings(max_examples=200, deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))

    def until(stop: float, body: Callable[[], None]) -> None:
        while time.perf_counter() < stop:
            body()

    def mutating(target: str, files: dict[str, bytes], victim: str, fs: float | None, stop: float):
        @config
        @given(steps=st.lists(mutation, min_size=1, max_size=6),
               fs_arg=st.sampled_from([fs, fs, fs, 0.0, -1.0, 1e7, 257.0]))
        def one(steps, fs_arg):
            if time.perf_counter() < stop:
                mutated = mutate(files[victim], steps)
                if target.endswith("(CRC fixed)"):  # past the CRC check, into the section decoders
                    mutated = with_signature("scp", mutated[6:])
                tally.run(target, {**files, victim: mutated}, fs_arg)
        return one

    for target, (files, victim, fs) in targets.items():
        stop = time.perf_counter() + budget
        until(stop, mutating(target, files, victim, fs, stop))

    stop = time.perf_counter() + budget
    rows = "\n".join(",".join(str(int(v)) for v in row) for row in np.round(seeds_csv_signal() * 2048).astype(int))
    rows += "\n"

    @config
    @given(lines=st.lists(st.sampled_from(PREAMBLE_LINES), max_size=6), sep=st.sampled_from([",", ";", ":", "\t", "="]),
           header=st.sampled_from(["I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6", "II", ""]))
    def preamble(lines, sep, header):
        if time.perf_counter() < stop:
            text = "\n".join(ln.replace(",", sep, 1) for ln in lines) + "\n" + header + "\n"
            body = rows if header.count(",") == 11 else "\n".join(r.split(",")[1] for r in rows.splitlines()) + "\n"
            tally.run("csv preamble variants", {"p.csv": (text + body).encode()}, None)

    until(stop, preamble)
    stop = time.perf_counter() + budget

    @config
    @given(body=st.binary(max_size=4_000), kind=st.sampled_from(["dicom", "scp", "muse", "philips", "aecg"]),
           ext=st.sampled_from([".xml", ".dcm", ".scp", ".txt", ""]))
    def signed(body, kind, ext):
        if time.perf_counter() < stop:
            tally.run("clinical signatures", {f"x{ext}": with_signature(kind, body)}, None)

    until(stop, signed)
    stop = time.perf_counter() + budget

    @config
    @given(data=st.binary(max_size=20_000), ext=st.sampled_from([".hea", ".dat", ".mat", ".csv", ".tsv", ".txt",
                                                                  ".npy", ".edf", ".zip", ".xyz", ".xml", ".dcm",
                                                                  ".scp", ""]),
           fs=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
    def raw(data, ext, fs):
        if time.perf_counter() >= stop:
            return
        files = {f"x{ext}": data}
        if ext == ".hea":
            files["x.dat"] = data[::-1]
        tally.run("raw bytes", files, fs)

    until(stop, raw)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="total fuzzing time (default 60)")
    parser.add_argument("--findings", type=Path, default=None, help="folder to save crashing inputs in")
    args = parser.parse_args()
    start = time.perf_counter()
    tally = fuzz(args.seconds, args.findings)
    elapsed = time.perf_counter() - start
    total = Counter()
    print(f"{'target':32s} {'inputs':>7s} {'ok':>6s} {'clear error':>12s} {'crash':>6s}")
    for target, counts in tally.counts.items():
        total.update(counts)
        print(f"{target:32s} {sum(counts.values()):7d} {counts['ok']:6d} {counts['clear error']:12d} {counts['crash']:6d}")
    print(f"{'all readers':32s} {sum(total.values()):7d} {total['ok']:6d} {total['clear error']:12d} {total['crash']:6d}")
    print(f"fuzzed for {elapsed:.1f} s: {sum(total.values())} inputs executed, {total['crash']} crashes")
    for line in tally.crashes[:20]:
        print("CRASH", line)
    return 1 if total["crash"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
