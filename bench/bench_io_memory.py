"""Peak memory and time of reading a 30-minute, 500 Hz, 12-lead upload, per format.

The upload is the real PTB-XL record 00001 (10 s) repeated 180 times, written as WFDB (format 16), NPY
(float32), EDF and CSV in memory. Peak memory is what `tracemalloc` sees allocated during `read_upload`
(numpy registers its buffers with tracemalloc), not counting the uploaded bytes themselves.

    .venv/bin/python -m bench.bench_io_memory [--minutes 30] [--formats wfdb npy edf csv]

With `--explain`, instead: predict + explain the first view (`explain_record`, resnet1d by default, one torch
thread) of a record of `--minutes` at `--fs` Hz (the real record resampled and tiled), in a fresh process;
prints wall seconds and the process's peak RSS (the goal: 30 min at 257 Hz within 10 s and 1 GB). With
`--explain --at-limit`, the record is the longest the readers accept (`validate.MAX_VALUES`, 12 leads at
`--fs`), read from a WFDB upload first:

    .venv/bin/python -m bench.bench_io_memory --explain --minutes 30 --fs 257
    .venv/bin/python -m bench.bench_io_memory --explain --at-limit --fs 500
    .venv/bin/python -m bench.bench_io_memory --explain --at-limit --upload csv --fs 500   # a 200 MB CSV upload

Peak RSS includes the upload's bytes held in memory (as Streamlit holds an uploaded file).
"""
from __future__ import annotations

import argparse
import gc
import io
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from ecgcore.io import read_upload  # noqa: E402
from ecgcore.core.leads import LEADS  # noqa: E402
from tests.bad_inputs.real_records import record_files  # noqa: E402

FS = 500


def uploads(minutes: float, formats: list[str]) -> dict[str, tuple[dict[str, bytes], float | None]]:
    """format -> (files, fs argument) holding `minutes` of the real record, tiled."""
    seed = record_files("ptbxl/records500/00000/00001_hr.hea")
    repeats = int(round(minutes * 60 / 10))
    n = 5000 * repeats
    digital = np.frombuffer(seed["00001_hr.dat"], dtype="<i2").reshape(-1, 12)
    out: dict[str, tuple[dict[str, bytes], float | None]] = {}
    if "wfdb" in formats:
        header = seed["00001_hr.hea"].replace(b"00001_hr 12 500 5000", f"00001_hr 12 500 {n}".encode())
        out["wfdb"] = ({"00001_hr.hea": header, "00001_hr.dat": seed["00001_hr.dat"] * repeats}, None)
    signal = np.tile(digital, (repeats, 1)).T.astype(np.float32) / 1000  # (12, n) mV
    if "npy" in formats:
        buf = io.BytesIO()
        np.save(buf, signal)
        out["npy"] = ({"r.npy": buf.getvalue()}, FS)
    if "edf" in formats:
        import edfio

        span = float(np.abs(signal).max()) + 0.01
        edf = edfio.Edf([edfio.EdfSignal(row.astype(np.float64), sampling_frequency=FS, label=lead,
                                         physical_dimension="mV", physical_range=(-span, span))
                         for row, lead in zip(signal, LEADS)])
        buf = io.BytesIO()
        edf.write(buf)
        out["edf"] = ({"r.edf": buf.getvalue()}, None)
    if "csv" in formats:
        text = io.StringIO()
        text.write("time," + ",".join(LEADS) + "\n")
        t = np.arange(n) / FS
        np.savetxt(text, np.column_stack([t, signal.T]), fmt=["%.3f"] + ["%.3f"] * 12, delimiter=",")
        out["csv"] = ({"r.csv": text.getvalue().encode()}, None)
    return out


def _csv_at_upload_limit(base: np.ndarray, fs: float) -> dict[str, bytes]:
    """A CSV upload (time + 12 leads, mV with 3 decimals) of `validate.MAX_UPLOAD_MB` at most: the real record
    tiled for as many rows as fit."""
    from ecgcore.io import validate

    def rows(signal: np.ndarray, first: int) -> bytes:
        text = io.StringIO()
        t = (first + np.arange(signal.shape[1])) / fs
        np.savetxt(text, np.column_stack([t, signal.T]), fmt=["%.4f"] + ["%.3f"] * 12, delimiter=",")
        return text.getvalue().encode()

    limit = int(validate.MAX_UPLOAD_MB * 2**20) - 2**19  # just under the limit (row lengths vary)
    header = ("time," + ",".join(LEADS) + "\n").encode()
    parts, size, n = [header], len(header), 0
    while True:
        block = rows(base, n)
        if size + len(block) > limit:
            per_row = len(block) / base.shape[1]
            k = int((limit - size) / per_row) - 2
            if k > 0:
                block = rows(base[:, :k], n)
                parts.append(block)
                size += len(block)
            break
        parts.append(block)
        size += len(block)
        n += base.shape[1]
    return {"limit.csv": b"".join(parts)}


def explain_bench(minutes: float, fs: float, model_name: str, at_limit: bool, upload: str = "wfdb") -> int:
    """Time and peak RSS of predict + explain of the first view of a long record (one process, one run)."""
    import torch

    from ecgcore.explain.record import explain_record
    from ecgcore.io import validate
    from ecgcore.models import load_model
    from ecgcore.core.settings import resolve
    from ecgcore.signal.resample import resample_signal

    torch.set_num_threads(1)
    seed = record_files("ptbxl/records500/00000/00001_hr.hea")
    ten_s = np.frombuffer(seed["00001_hr.dat"], dtype="<i2").reshape(-1, 12).T.astype(np.float32) / 1000
    base = resample_signal(ten_s, 500.0, fs)
    n = int(validate.MAX_VALUES // 12) if at_limit else int(minutes * 60 * fs)
    model = load_model(model_name, resolve().models_dir)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if at_limit and upload == "csv":
        files = _csv_at_upload_limit(base, fs)
        upload_mb = sum(len(b) for b in files.values()) / 2**20
        start = time.perf_counter()
        ecg = read_upload(files)
        del files
        read_s = time.perf_counter() - start
    elif at_limit:
        digital = np.tile(np.round(base * 1000).astype("<i2"), (1, -(-n // base.shape[1])))[:, :n]
        header = f"big 12 {fs:g} {n}\n" + "".join(f"big.dat 16 1000/mV 16 0 0 0 0 {lead}\n" for lead in LEADS)
        files = {"big.hea": header.encode(), "big.dat": digital.T.tobytes()}
        del digital
        upload_mb = sum(len(b) for b in files.values()) / 2**20
        ecg = read_upload(files)
        del files
        read_s = time.perf_counter() - start
    else:
        from ecgcore.core.ecg import ECG

        ecg = ECG(signal=np.tile(base, (1, -(-n // base.shape[1])))[:, :n], fs=fs, record_id="long", source="bench")
        upload_mb, read_s = 0.0, 0.0
    t0 = time.perf_counter()
    ex = explain_record(ecg, model)
    explain_s = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"record: {ecg.n_samples / fs / 60:.1f} min, {fs:g} Hz, 12 leads ({ecg.signal.nbytes / 2**20:.0f} MB float32)"
          + (f"; {upload.upper()} upload {upload_mb:.0f} MB read in {read_s:.1f} s" if at_limit else ""))
    print(f"predict + explain of the first view ({model_name}): {explain_s:.1f} s; peak RSS {rss:.0f} MB "
          f"(before: {rss0:.0f} MB with the model loaded)")
    print("stages (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in ex.timings.items()))
    print(f"per-lead map span: {ex.per_lead_span_s}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--formats", nargs="+", default=["wfdb", "npy", "edf", "csv"])
    parser.add_argument("--explain", action="store_true", help="time and memory of predict + explain instead")
    parser.add_argument("--at-limit", action="store_true", help="with --explain: the longest record accepted")
    parser.add_argument("--fs", type=float, default=257.0, help="with --explain: the record's rate (Hz)")
    parser.add_argument("--model", default="resnet1d")
    parser.add_argument("--upload", choices=["wfdb", "csv"], default="wfdb",
                        help="with --at-limit: wfdb = the longest record accepted (MAX_VALUES); csv = a CSV of "
                             "the upload size limit (MAX_UPLOAD_MB)")
    args = parser.parse_args()
    if args.explain:
        return explain_bench(args.minutes, args.fs, args.model, args.at_limit, args.upload)
    cases = uploads(args.minutes, args.formats)
    print(f"reading a {args.minutes:g} min, {FS} Hz, 12-lead upload (real PTB-XL 00001 tiled); the record itself is "
          f"{12 * FS * args.minutes * 60 * 4 / 2**20:.1f} MB as float32")
    print(f"{'format':6s} {'upload MB':>10s} {'peak MB':>8s} {'peak/record':>11s} {'seconds':>8s}")
    for fmt, (files, fs) in cases.items():
        size = sum(len(b) for b in files.values()) / 2**20
        gc.collect()
        tracemalloc.start()
        start = time.perf_counter()
        ecg = read_upload(files, fs=fs)
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        record_mb = ecg.signal.nbytes / 2**20
        assert ecg.signal.shape == (12, int(FS * args.minutes * 60)), ecg.signal.shape
        print(f"{fmt:6s} {size:10.1f} {peak / 2**20:8.1f} {peak / ecg.signal.nbytes:10.1f}x {seconds:8.2f}")
        del ecg
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS (including building the uploads): {rss:.0f} MB; output record {record_mb:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
