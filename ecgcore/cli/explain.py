"""`python -m ecgcore explain FILE --model NAME [--target CLASS] [--json] [--out FILE.npz]`.

Prints predictions, R-peak sample indices, per-beat saliency scores, the top beats and the measurements
(as one JSON object with --json, else a short text summary); --out saves the full maps (Grad-CAM per class,
per-lead map, median beats) to a .npz. A file that cannot be read or explained prints `error: <message>`
on stderr and exits 2.
"""
from __future__ import annotations

import argparse
import json

from ecgcore.cli import print_file_error
from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ecgcore.explain.attribution import IG_STEPS, METHODS
    from ecgcore.explain.gradcam import CAM_METHODS

    parser.add_argument("file", metavar="FILE",
                        help="an ECG file: WFDB .hea (its .dat/.mat beside it), .zip, .csv, .npy, .edf")
    parser.add_argument("--model", default="resnet1d", help="a shipped model name (see `python -m ecgcore models`)")
    parser.add_argument("--target", default=None,
                        help="class for the per-lead map and the beat ranking (default: the most probable)")
    parser.add_argument("--layer", default="last", help="class-activation-map layer the model declares: last (default) or early")
    parser.add_argument("--cam", default=None, choices=CAM_METHODS,
                        help="class-activation map: gradcam (captum LayerGradCam) or hirescam (gradient x activation)")
    parser.add_argument("--attribution", default="ig", choices=METHODS,
                        help="per-lead method for networks: ig (Integrated Gradients) or saliency")
    parser.add_argument("--ig-steps", type=int, default=IG_STEPS, help="Integrated Gradients steps")
    parser.add_argument("--fs", type=float, default=None, help="sampling rate in Hz for files that carry none")
    parser.add_argument("--models-dir", default=None, help="checkpoint folder (default: assets/models)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", default=None, metavar="FILE.npz", help="save the full maps to this .npz")


def _text(summary: dict) -> str:
    lines = [f"{summary['record_id']}  model {summary['model']}  target {summary['target']}"]
    for cls, p in summary["predictions"].items():
        lines.append(f"  {cls:5s} {p['probability']:.3f} (threshold {p['threshold']:.3f}){'  +' if p['positive'] else ''}")
    if summary["beats_reason"]:
        lines.append(f"  beats: {summary['beats_reason']}")
    else:
        lines.append(f"  {len(summary['rpeaks'])} beats (R-peaks by {summary['rpeak_detector']} on "
                     f"{summary['rpeak_lead']}); top beats: "
                     + ", ".join(f"#{b} at {summary['beats'][b]['r_s']:.2f} s" for b in summary["top_beats"]))
    ev = summary.get("lead_evidence")
    if ev:
        target = summary["target"]
        lines.append(f"  {ev['summary']} (points p({target}) falls when a lead is replaced by a normal beat: "
                     + ", ".join(f"{k} {100 * v:+.0f}" for k, v in ev["per_lead"][target].items()) + "; groups: "
                     + ", ".join(f"{k} {100 * v:+.0f}" for k, v in ev["per_group"][target].items()) + ")")
    a = summary["analysis"]
    m = a["measurements"]
    fmt = lambda k: "—" if m[k]["value"] is None else f"{m[k]['value']:.0f} {m[k]['unit']}"  # noqa: E731
    lines.append(f"  {a['rhythm']}: HR {fmt('HR')}, PR {fmt('PR')}, QRS {fmt('QRS')}, QT {fmt('QT')}, "
                 f"QTc {fmt('QTc_Bazett')} (Bazett), {fmt('QTc_Fridericia')} (Fridericia), axis {fmt('axis')}")
    lines += [f"  {k}: not measurable, {v['reason']}" for k, v in m.items() if v["reason"]]
    lines += [f"  flag: {f['text']}" for f in a["flags"]]
    lines += [f"  note: {n}" for n in summary["notes"] + a["notes"]]
    lines.append(f"  time: {summary['timings_ms']['total']:.0f} ms")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ecgcore.explain import explain_record
    from ecgcore.io import read_path

    try:
        ecg = read_path(args.file, fs=args.fs)
        cam = {} if args.cam is None else {"cam": args.cam}
        ex = explain_record(ecg, args.model, args.target, layer=args.layer, attribution=args.attribution, **cam,
                            ig_steps=args.ig_steps, models_dir=args.models_dir)
        if args.out:
            ex.save_npz(args.out)
    except (ECGError, OSError) as exc:
        print_file_error(args.file, exc)
        return 2
    summary = ex.to_json()
    if args.out:
        summary["out"] = args.out
    print(json.dumps(summary) if args.json else _text(summary), flush=True)
    return 0
