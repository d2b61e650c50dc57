"""Our measurements (ecgcore.signal.analyse_record) against the cart's own, stored in the real sample files under
the data root's `formats/` folder (GE MUSE, Philips, DICOM, HL7 aECG, SCP-ECG): per file HR, PR, QRS, QT (ours /
cart's), then the mean ± SD of ours minus the cart's over the files where both have a value.

The carts are not ground truth (each uses its own delineation; the LUDB figures in bench_delineation.py are the
reference), but a large mean difference is what a clinician comparing the two columns in the viewer will see.
Some files hold the same ECG (repbeats_example = 129DYPRG; the aECG conversion = ad4d3d80 Philips;
Example.scp = hl7_example_aECG), so they count twice.

    .venv/bin/python -m bench.bench_cart_agreement [--data-root PATH]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from ecgcore.core import settings  # noqa: E402
from ecgcore.io import read_path  # noqa: E402
from ecgcore.signal import analyse_record  # noqa: E402

KEYS = {"HR": "/min", "PR": "ms", "QRS": "ms", "QT": "ms"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root")
    args = parser.parse_args()
    formats = settings.resolve(data_root=args.data_root).require_data_root() / "formats"
    differences: dict[str, list[float]] = {key: [] for key in KEYS}
    print("file | " + " | ".join(f"{key} ours/cart" for key in KEYS))
    for path in sorted(formats.glob("*/*")):
        if path.suffix.lower() not in (".xml", ".dcm", ".scp"):
            continue
        ecg = read_path(path)
        cart = ecg.meta.get("cart_measurements", {})
        measured = analyse_record(ecg).measurements
        cells = []
        for key in KEYS:
            ours = measured[key].value if key in measured else None
            if ours is not None and key in cart:
                differences[key].append(ours - cart[key])
            cells.append(f"{'—' if ours is None else f'{ours:.0f}'}/{cart[key]:.0f}" if key in cart
                         else f"{'—' if ours is None else f'{ours:.0f}'}/—")
        print(f"{path.parent.name}/{path.name} | " + " | ".join(cells))
    print()
    for key, unit in KEYS.items():
        d = np.asarray(differences[key])
        print(f"{key}: ours - cart over {len(d)} files: mean {d.mean():+.0f} {unit}, SD {d.std(ddof=1):.0f}, "
              f"range {d.min():+.0f} to {d.max():+.0f}")


if __name__ == "__main__":
    main()
