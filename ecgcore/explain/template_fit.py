"""Fit the NORM template beat the lead evidence replaces a lead with (`ecgcore.explain.evidence`).

    python -m ecgcore.explain.template_fit [--folds 1 2 3 4 5 6 7 8]

Reads the real PTB-XL set (`ecgcore.data.evalsets.ptbxl_set`, 100 Hz), keeps the records of the training folds
(1-8: the folds the shipped networks were fine-tuned on; folds 9-10 stay unseen for the benches) whose only
superclass is NORM, finds their R-peaks (`ecgcore.signal.peaks.find_beats`) and writes
`assets/evidence/norm_template.npz` (template_mV (12, L), r_index, fs) with its provenance in
`norm_template.json` (records used, folds, source, method).
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from ecgcore.explain.evidence import (TEMPLATE_AFTER_S, TEMPLATE_BEFORE_S, TEMPLATE_FS, TEMPLATE_PATH,
                                      fit_norm_template)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", nargs="+", type=int, default=list(range(1, 9)))
    args = parser.parse_args(argv)
    from ecgcore.core.ecg import ECG
    from ecgcore.core.labels import SUPERCLASSES
    from ecgcore.data.evalsets import ptbxl_set
    from ecgcore.signal.peaks import find_beats

    real = ptbxl_set()
    norm = SUPERCLASSES.index("NORM")
    chosen = [i for i in range(len(real.record_ids))
              if real.folds[i] in args.folds and real.Y[i, norm] == 1 and real.Y[i].sum() == 1]
    signals, rpeaks, ids = [], [], []
    for i in chosen:
        beats = find_beats(ECG(signal=real.signals[i], fs=TEMPLATE_FS, record_id=real.record_ids[i], source="ptbxl"))
        if beats.ok:
            signals.append(real.signals[i]); rpeaks.append(beats.rpeaks); ids.append(real.record_ids[i])
    tpl = fit_norm_template(np.stack(signals), rpeaks, TEMPLATE_FS)
    TEMPLATE_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(TEMPLATE_PATH, template_mV=tpl.astype(np.float32), r_index=np.array(int(round(TEMPLATE_BEFORE_S * TEMPLATE_FS))),
                        fs=np.array(TEMPLATE_FS))
    meta = {"what": "NORM template beat per lead (mV), median over records of each record's median beat, "
                    "baseline-corrected and tapered (ecgcore.explain.evidence.fit_norm_template)",
            "source": "PTB-XL (Wagner et al., Sci Data 2020, CC BY 4.0), real records of the data root at 100 Hz",
            "selection": f"strat_fold in {args.folds}, NORM as the only diagnostic superclass, beats found",
            "records": len(ids), "record_ids": ids, "window_s": [-TEMPLATE_BEFORE_S, TEMPLATE_AFTER_S],
            "fs": TEMPLATE_FS, "command": "python -m ecgcore.explain.template_fit"}
    TEMPLATE_PATH.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {TEMPLATE_PATH} from {len(ids)} NORM records of folds {args.folds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
