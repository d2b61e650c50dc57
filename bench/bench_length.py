"""Does a record's probability depend on its length? The same real beats at 10 s and at 5 minutes.

For N real PTB-XL records (a seeded choice), the whole beats (first to last R-peak,
`ecgcore.signal.peaks.find_beats`) are repeated to 5 minutes, as in `tests/test_models_protocol.py`; per record
the figure is max over classes of |p(5 min) - p(first 10 s)|. Printed per network, p95 and maximum over the
records, for three rules on the same model:
- shipped: the mean over `window_starts` (5 s windows at most 2.5 s apart: `aggregate_windows`);
- max: the maximum over the same windows (the PTB-XL benchmark's rule, Strodthoff et al., IEEE JBHI 2021);
- former: the mean of 2.5 s windows, at least 32 and at most 1.25 s apart (the rule shipped before issue 20).
Then the real long recordings of the data root (ptbdb 2 min at 1 kHz, CPSC extra 21-58 s): max over classes of
|p(whole) - p(first 10 s)| with the shipped rule. Their rhythm and noise change along the record, so this is
not expected to be 0; it shows the scale a reader meets.

    .venv/bin/python -m bench.bench_length [--records 40] [--models resnet1d inception1d lstm] [--json]
"""
from __future__ import annotations

import argparse
import json


import numpy as np  # noqa: E402

from ecgcore.data.catalogue import catalogue, load_record  # noqa: E402
from ecgcore.core.ecg import ECG  # noqa: E402
from ecgcore.models import load_model  # noqa: E402
from ecgcore.models.base import aggregate_windows  # noqa: E402
from ecgcore.data.evalsets import ptbxl_set  # noqa: E402
from ecgcore.signal.peaks import find_beats  # noqa: E402

LONG_S, SHORT_S = 300, 10


def tiled(signal: np.ndarray, fs: float, samples: int) -> np.ndarray:
    """(12, samples): the whole beats of a record repeated to `samples`."""
    beats = find_beats(ECG(signal=signal, fs=fs, record_id="r", source="ptbxl")).rpeaks
    seg = signal[:, beats[0]:beats[-1]]
    return np.tile(seg, (1, samples // seg.shape[1] + 1))[:, :samples]


def former_rule(model, signal: np.ndarray) -> np.ndarray:
    """(classes,) the mean over 2.5 s windows, at least 32 and at most 1.25 s apart (the rule before issue 20)."""
    n, w = signal.shape[-1], model.window
    span = n - w
    starts = np.round(np.linspace(0, span, max(int(np.ceil(span / 125)) + 1, min(32, span + 1)))).astype(int)
    windows = np.ascontiguousarray(signal[:, starts[:, None] + np.arange(w)].transpose(1, 0, 2))
    return model._window_proba(windows).mean(axis=0)


def rules(model, signal: np.ndarray) -> dict[str, np.ndarray]:
    windows = model._window_proba(model.windows(signal))
    return {"shipped": aggregate_windows(windows, model.aggregate), "max": aggregate_windows(windows, "max"),
            "former": former_rule(model, signal)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=40)
    parser.add_argument("--models", nargs="+", default=["resnet1d", "inception1d", "lstm"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    real = ptbxl_set()
    chosen = np.random.default_rng(0).choice(len(real.record_ids), args.records, replace=False)
    cat = catalogue()
    long_ids = cat.record_id[(cat.duration >= 20) & cat.in_real_set.fillna(False).astype(bool)].tolist()
    out: dict = {"records": args.records, "long_records": long_ids, "models": {}}
    for name in args.models:
        model = load_model(name)
        deltas: dict[str, list[float]] = {"shipped": [], "max": [], "former": []}
        for i in chosen:
            long = tiled(real.signals[i], model.fs, int(LONG_S * model.fs))
            short, whole = rules(model, long[:, :int(SHORT_S * model.fs)]), rules(model, long)
            for rule in deltas:
                deltas[rule].append(float(np.abs(whole[rule] - short[rule]).max()))
        real_long = []
        for rid in long_ids:
            sig = model.signal_at_rate(load_record(rid))
            real_long.append(float(np.abs(model.predict_proba(sig[None])[0]
                                          - model.predict_proba(sig[None, :, :int(SHORT_S * model.fs)])[0]).max()))
        row = {rule: {"p95": round(float(np.percentile(v, 95)), 3), "max": round(max(v), 3)}
               for rule, v in deltas.items()}
        row["real_long_records"] = dict(zip(long_ids, [round(v, 3) for v in real_long]))
        out["models"][name] = row
        if not args.json:
            print(f"{name:12s} tiled 10 s vs 5 min, N={args.records}: "
                  + "  ".join(f"{rule} p95 {r['p95']:.3f} max {r['max']:.3f}" for rule, r in row.items()
                              if rule != "real_long_records"))
            print(f"{'':12s} real long records (shipped rule), whole vs first 10 s: "
                  f"median {np.median(real_long):.3f} max {max(real_long):.3f} (N={len(real_long)})", flush=True)
    if args.json:
        print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
