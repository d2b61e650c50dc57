"""Goal "real sample files under formats/ read correctly, all formats": for every sample file under the data
root's `formats/` folder, whether it reads (through `read_upload`, as an upload) with the leads, rate, length and
units that `formats/SOURCE.md` gives, plus the cart measurements found, and the read time.

Units are checked on the first stored samples of a lead, in µV, against SOURCE.md's raw values x the file's scale.

    .venv/bin/python -m bench.bench_formats [--data-root PATH]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from ecgcore.core import settings  # noqa: E402
from ecgcore.core.errors import ECGError  # noqa: E402
from ecgcore.io import read_upload  # noqa: E402
from ecgcore.core.leads import LEADS  # noqa: E402

D8 = ("III", "aVR", "aVL", "aVF")
# file -> (Hz, samples read (None: as SOURCE.md's length less a trailing calibration pulse), derived leads,
#          lead, SOURCE.md's first raw values, µV per raw unit)
EXPECTED = {
    "muse_xml/braveheart_example1.xml": (500, 5000, D8, "I", [-20, -20, -20, -20, -18, -16, -14, -12, -14, -16], 4.88),
    "muse_xml/braveheart_example2.xml": (500, 5000, D8, "I", [2, 2, 2, 2, 1, 0, -1, -2, -4, -4], 4.88),
    "muse_xml/braveheart_example3.xml": (500, 5000, D8, "I", [-12, -12, -12, -12, -13, -14, -15, -16, -16, -16], 4.88),
    "muse_xml/easyrecg_muse_ecg1.xml": (500, 5000, D8, "I", [32, 32, 32, 32, 34, 34, 34, 34, 35, 36], 4.88),
    "muse_xml/easyrecg_muse_ecg2.xml": (500, 5000, D8, "I", [-10, -10, -10, -10, -8, -8, -8, -8, -8, -8], 4.88),
    "muse_xml/egm_muse-sinus.xml": (500, 5000, D8, "I", [-2, -1, -1, -1, 1, 1, 1, 1, 0, 0], 4.88),
    "philips_xml/129DYPRG.XML": (500, None, (), None, None, 5.0),
    "philips_xml/repbeats_example.xml": (500, None, (), None, None, 5.0),
    "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml": (500, None, (), None, None, 5.0),
    "philips_xml/ad4d3d80-d165_1-04_orig.xml": (500, None, (), "I", [10, 9, 9, 9, 10, 9, 9, 9, 10, 9], 5.0),
    "philips_xml/2020-5-18_15-48-11.xml": (500, None, (), None, None, 5.0),
    "dicom/pydicom_waveform_ecg.dcm": (1000, 10000, (), "I", [80, 65, 50, 35, 37], 1.25),
    "dicom/dcm-waveform_test_ecg.dcm": (240, 2400, (), "I", [186, 186, 174, 168, 156], 1.22),
    "hl7_aecg/hl7_example_aECG.xml": (500, 5000, (), "I", [-2, -2, -2, -2, -3, -4, -3, -5, -5, -4], 2.5),
    "hl7_aecg/ad4d3d80-d165_1-04_converted.xml": (500, 5500, (), "I", [10, 9, 9, 9, 10, 9, 9, 9, 10, 9], 5.0),
    "hl7_aecg/liryc_hl7aecg_example.xml": (100, 1000, (), "I", [-42, -40, -38, -41, -39], 5.0),
    "scp_ecg/Example.scp": (500, 5000, (), "I", [-2, -2, -2, -2, -3, -4, -3, -5, -5, -4], 2.5),
    "scp_ecg/demo.scp": (1000, 10000, D8, None, None, 0.183),
}
#: SOURCE.md: Philips rhythm data are 11 000 ms (5500 samples) ending in a calibration pulse the reader leaves out
PHILIPS_STORED = 5500
#: tolerance (µV) on the first samples: the aECG export of the Philips ECG differs from the XLI data by <= 20 µV
TOLERANCE_UV = {"philips_xml/ad4d3d80-d165_1-04_orig.xml": 20.0}


def check(root: Path, rel: str) -> tuple[bool, str, str, float]:
    fs, samples, derived, lead, first, uv = EXPECTED[rel]
    path = root / rel
    start = time.perf_counter()
    try:
        ecg = read_upload({path.name: path.read_bytes()})
    except ECGError as exc:
        return False, f"refused: {exc}", "", time.perf_counter() - start
    seconds = time.perf_counter() - start
    problems = []
    if ecg.leads != LEADS or ecg.derived != derived:
        problems.append(f"leads {ecg.leads} derived {ecg.derived}")
    if ecg.fs != fs:
        problems.append(f"rate {ecg.fs:g} Hz, not {fs}")
    if samples is not None and ecg.n_samples != samples:
        problems.append(f"{ecg.n_samples} samples, not {samples}")
    if samples is None and not PHILIPS_STORED - 300 <= ecg.n_samples <= PHILIPS_STORED:
        problems.append(f"{ecg.n_samples} samples of {PHILIPS_STORED} stored")
    if lead is not None:
        got = ecg.lead(lead)[:len(first)] * 1000.0
        want = np.array(first, dtype=float) * uv
        if np.abs(got - want).max() > TOLERANCE_UV.get(rel, 1e-3 + 0.01 * uv):
            problems.append(f"lead {lead} µV {np.round(got, 2).tolist()} != {np.round(want, 2).tolist()}")
    else:
        spans = np.ptp(ecg.signal, axis=1)
        if not 0.2 < float(np.median(spans)) < 10:
            problems.append(f"median lead span {float(np.median(spans)):.3g} mV is not an ECG's")
    cart = ecg.meta.get("cart_measurements", {})
    cart_text = " ".join(f"{k}={v:g}" for k, v in cart.items()) or "-"
    summary = (f"{ecg.fs:g} Hz, {ecg.n_samples} samples ({ecg.duration:.1f} s), "
               f"{12 - len(ecg.derived)} recorded + {len(ecg.derived)} derived leads, mV")
    return not problems, "; ".join(problems) or summary, cart_text, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", default=None, help="data root (default: ECG_DATA_ROOT or ../shared)")
    args = parser.parse_args()
    root = settings.resolve(data_root=args.data_root).source("formats")
    ok = 0
    bad: set[str] = set()
    print(f"{'file':46s} {'ok':3s} {'time':>6s}  what was read / what is wrong; cart measurements")
    for rel in EXPECTED:
        good, text, cart, seconds = check(root, rel)
        ok += good
        if not good:
            bad.add(rel.split("/")[0])
        print(f"{rel:46s} {'yes' if good else 'NO':3s} {seconds:5.2f}s  {text}; cart: {cart}")
    formats = {rel.split("/")[0] for rel in EXPECTED}
    print(f"real sample files read correctly: {ok} of {len(EXPECTED)}; formats all correct: "
          f"{len(formats - bad)} of {len(formats)}")
    return 0 if ok == len(EXPECTED) else 1


if __name__ == "__main__":
    raise SystemExit(main())
