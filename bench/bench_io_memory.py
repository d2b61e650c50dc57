"""Peak memory and time of reading a 30-minute, 500 Hz, 12-lead upload, per format.

The upload is the real PTB-XL record 00001 (10 s) repeated 180 times, written as WFDB (format 16), NPY
(float32), EDF and CSV in memory. Peak memory is what `tracemalloc` sees allocated during `read_upload`
(numpy registers its buffers with tracemalloc), not counting the uploaded bytes themselves.

    .venv/bin/python bench/bench_io_memory.py [--minutes 30] [--formats wfdb npy edf csv]
"""
from __future__ import annotations

import argparse
import gc
import io
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))

from ecgcore.io import read_upload  # noqa: E402
from ecgcore.leads import LEADS  # noqa: E402
from real_records import record_files  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--formats", nargs="+", default=["wfdb", "npy", "edf", "csv"])
    args = parser.parse_args()
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
