"""One record -> one row (and, for a long record, its time course): the rule for what `score` writes.

`Scorer(models)` holds the loaded models (load once per worker or Ray actor); `Scorer.score(files, source)`
reads a record from {file name: bytes} with `ecgcore.io.read_upload` and returns a `Scored` (row, time course).
It never raises for a bad record: a reader's or the models' refusal becomes the row's `status` and `reason`.

Row columns (flat, one Parquet schema for every record; `COLUMN_DOCS` says what each means):
- source, record_id, format, fs (Hz), duration_s, leads (count), status ("ok", "unreadable", "unusable signal",
  "failed"), reason (the reader's or the models' message, or None), seconds (time to score it);
- the measurements of `ecgcore.signal.analysis.analyse_record` (rhythm, HR /min, PR, QRS, QT, QTc_Bazett,
  QTc_Fridericia ms, axis deg: None when not measurable, with the reasons in `not_measurable`), flags,
  critical (a flag of severity "critical"), confidence, quality (its notes);
- per model and class `p.<model>.<class>` (probability) and `d.<model>.<class>` (at the model's threshold
  chosen on its validation fold); the registered `ensemble` (`ecgcore.models.ensemble`: the mean of its members'
  probabilities, its own thresholds) is one of them, computed from its members' probabilities when they are
  scored too; `model_note` says why
  the models did not score a record they cannot take (fewer than 8 independent leads, shuffled limb leads,
  shorter than a window);
- interpretation, urgent: the statements of `ecgcore.interpret.interpret(ecg)` (joined by "; ") and whether
  one of them is urgent, where that module exists; None otherwise (the hook: `interpretation`);
- segments, af_burden, premature_beats, premature_per_hour.

A record longer than `LONG_RECORD_S` (a rhythm strip, a Holter) is scored per `SEGMENT_S` segment: the time
course has one row per segment (start_s, end_s, rhythm, HR, premature beats, `p.ensemble.<class>` or each
model's), the record's probabilities are the mean over segments (the models' own rule for windows,
`ecgcore.models.base.aggregate_windows` "mean"), af_burden is the share of segments whose rhythm was determined
that are atrial fibrillation, premature_beats their sum; HR is the median over segments, the intervals and axis
those of the first segment where a QRS was measured, rhythm lists the rhythms found. Memory: one segment chunk (`CHUNK_SEGMENTS`) at a time beside the record itself.
"""
from __future__ import annotations

import math
import resource
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ecgcore.core.ecg import ECG, twelve_leads
from ecgcore.core.errors import ECGError, ECGReadError, ECGSignalError

#: records longer than this (s) are scored per segment, with a time course
LONG_RECORD_S = 60.0
#: the segment length (s) of a long record's time course; a remainder shorter than half of it joins the last
SEGMENT_S = 10.0
#: segments analysed and predicted together (bounds a long record's extra memory: 360 x 10 s = 1 hour)
CHUNK_SEGMENTS = 360
MEASURES = ("HR", "PR", "QRS", "QT", "QTc_Bazett", "QTc_Fridericia", "axis")
STATUS_OK = "ok"
ENSEMBLE = "ensemble"


def status_of(exc: BaseException) -> str:
    """The status word for an exception: "unreadable" (a reader's refusal), "unusable signal" (the signal
    cannot be used), "failed" (anything else: a bug to report, never a silent value)."""
    if isinstance(exc, ECGReadError):
        return "unreadable"
    if isinstance(exc, (ECGSignalError, ECGError)):
        return "unusable signal"
    return "failed"


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (MB): Linux's VmHWM (of this program, reset when a process
    starts another program, so a spawned worker does not report its parent's peak as ru_maxrss does), else
    ru_maxrss (kB on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass
class Scored:
    """row: one record's columns; timecourse: one dict per segment (empty for a record scored whole)."""

    row: dict[str, Any]
    timecourse: list[dict[str, Any]] = field(default_factory=list)


def interpretation(ecg: ECG, analysis: Any = None) -> tuple[str | None, bool | None]:
    """The hook for interpretation statements: ("statement; statement", urgent) from
    `ecgcore.interpret.interpret(ecg, analysis)` where that module exists, else (None, None). Statements that
    are "not assessable" are left out (the measurements' reasons say why); urgent: a statement of severity
    "urgent"."""
    try:
        from ecgcore.interpret import interpret  # type: ignore[import-not-found]
    except ImportError:
        return None, None
    try:
        result = interpret(ecg, analysis) if analysis is not None else interpret(ecg)
    except TypeError:  # an interpret(ecg) without the analysis argument
        result = interpret(ecg)
    items = getattr(result, "statements", result)
    texts, urgent = [], False
    for item in items or ():
        level = getattr(item, "severity", None) or getattr(item, "urgency", None)
        if level == "not assessable":
            continue
        texts.append(str(getattr(item, "text", item)))
        urgent = urgent or bool(getattr(item, "urgent", False) is True) or level in ("urgent", "critical")
    return "; ".join(texts), urgent


class Scorer:
    """The loaded models and the per-record rule. models: names (`ecgcore.models.model_names`); models_dir: where
    their folders are (default: settings). Loading takes seconds per model: make one per worker."""

    def __init__(self, models: Sequence[str], models_dir: str | None = None) -> None:
        from ecgcore.models import load_model

        # the ensemble (`ecgcore.models.ensemble`) loads its members: the members asked for are those copies
        self.ensemble = load_model(ENSEMBLE, models_dir) if ENSEMBLE in models else None
        members = dict(getattr(self.ensemble, "members_", {}) or {})
        self.models = [members.get(name) or load_model(name, models_dir) for name in models if name != ENSEMBLE]
        self.names = [m.name for m in self.models] + ([ENSEMBLE] if self.ensemble is not None else [])
        everyone = self.models + ([self.ensemble] if self.ensemble is not None else [])
        self.thresholds = {name: np.asarray(m.thresholds, dtype=float) for name, m in zip(self.names, everyone)}
        self.classes = tuple(everyone[0].classes) if everyone else ()
        for name, m in zip(self.names, everyone):
            if tuple(m.classes) != self.classes:
                raise ECGError(f"model {name} predicts {m.classes}, model {self.names[0]} {self.classes}: "
                               "score models of one task together.")

    # ---- columns ----------------------------------------------------------------------------------------
    def prob_columns(self) -> list[str]:
        """The probability and decision columns, in order."""
        return [f"{k}.{o}.{c}" for o in self.names for k in ("p", "d") for c in self.classes]

    def empty_row(self, source: str) -> dict[str, Any]:
        row: dict[str, Any] = {
            "source": source, "record_id": None, "format": None, "fs": None, "duration_s": None, "leads": None,
            "status": STATUS_OK, "reason": None, "seconds": None, "rhythm": None,
            **{k: None for k in MEASURES}, "not_measurable": None, "flags": None, "critical": None,
            "confidence": None, "quality": None, "model_note": None, "interpretation": None, "urgent": None,
            "segments": None, "af_burden": None, "premature_beats": None, "premature_per_hour": None,
        }
        row.update({c: None for c in self.prob_columns()})
        return row

    # ---- scoring ---------------------------------------------------------------------------------------
    def score(self, files: Mapping[str, bytes], source: str) -> Scored:
        """Read and score one record (never raises for a bad record; see the module docstring). A `dict` of
        files is emptied once read, so a long record's bytes are freed before it is scored."""
        from ecgcore.io import read_upload

        t0 = time.perf_counter()
        row = self.empty_row(source)
        try:
            ecg = read_upload(files)
        except Exception as exc:  # noqa: BLE001 - every failure becomes the row's status, never a stopped run
            row.update(status=status_of(exc), reason=_reason(exc))
            row["seconds"] = time.perf_counter() - t0
            return Scored(row)
        finally:
            if isinstance(files, dict):
                files.clear()
        row.update(record_id=ecg.record_id, format=ecg.meta.get("format"), fs=float(ecg.fs),
                   duration_s=round(float(ecg.duration), 3), leads=len(ecg.leads))
        try:
            scored = self.score_ecg(ecg, row)
        except Exception as exc:  # noqa: BLE001
            row.update(status=status_of(exc), reason=_reason(exc))
            scored = Scored(row)
        row["seconds"] = time.perf_counter() - t0
        return scored

    def score_ecg(self, ecg: ECG, row: dict[str, Any]) -> Scored:
        """Fill `row` for a read record (long records per segment)."""
        if ecg.duration > LONG_RECORD_S:
            return self._score_long(ecg, row)
        from ecgcore.signal.analysis import analyse_record

        analysis = analyse_record(ecg)
        _measures(row, analysis)
        premature = int(np.asarray(analysis.premature).sum())
        row.update(segments=1, premature_beats=premature)
        probs, note = self._predict([ecg])
        row["model_note"] = note
        if probs is not None:
            self._fill_probs(row, {n: p[0] for n, p in probs.items()})
        row["interpretation"], row["urgent"] = interpretation(ecg, analysis)
        return Scored(row)

    def _predict(self, ecgs: list[ECG]) -> tuple[dict[str, np.ndarray] | None, str | None]:
        """{model: (records, classes)} or (None, why the models cannot take these records)."""
        if not self.names:
            return None, None
        try:
            ready = [twelve_leads(e) for e in ecgs]
            probs = {m.name: m.predict_proba(ready) for m in self.models}
            if self.ensemble is not None:
                members = list(getattr(self.ensemble, "members_", {}) or {})
                if members and all(n in probs for n in members):
                    # the ensemble's rule (the mean of its members' record probabilities) on the members'
                    # probabilities just made, rather than running every member a second time
                    probs[ENSEMBLE] = np.mean([probs[n] for n in members], axis=0)
                else:
                    probs[ENSEMBLE] = self.ensemble.predict_proba(ready)
            return probs, None
        except ECGSignalError as exc:
            return None, _reason(exc)

    def _fill_probs(self, row: dict[str, Any], probs: dict[str, np.ndarray]) -> None:
        for name in self.names:
            p = np.asarray(probs[name], dtype=float)
            d = p >= self.thresholds[name]
            for c, pv, dv in zip(self.classes, p, d):
                row[f"p.{name}.{c}"] = float(pv)
                row[f"d.{name}.{c}"] = bool(dv)

    def _score_long(self, ecg: ECG, row: dict[str, Any]) -> Scored:
        bounds = segment_bounds(ecg.n_samples, ecg.fs)

        def pieces():
            for c0 in range(0, len(bounds), CHUNK_SEGMENTS):
                chunk = bounds[c0:c0 + CHUNK_SEGMENTS]
                yield chunk, [ecg.with_signal(ecg.signal[:, a:b], record_id=f"{ecg.record_id}@{a / ecg.fs:.0f}s")
                              for a, b in chunk]

        return self._score_segments(pieces(), ecg.fs, ecg.duration, row)

    def score_stream(self, rec: Any, source: str) -> Scored:
        """Score a long WFDB record read span by span (`ecgcore.score.stream`); never raises for a bad record."""
        from ecgcore.score.stream import read_span, spans

        t0 = time.perf_counter()
        row = self.empty_row(source)
        row.update(format="wfdb", fs=rec.fs, duration_s=round(rec.n_samples / rec.fs, 3), record_id=rec.record_name)
        bounds = segment_bounds(rec.n_samples, rec.fs)

        def pieces():
            for group in spans(bounds, len(rec.names)):
                a0 = group[0][0]
                span = read_span(rec, a0, group[-1][1], source)
                row["leads"] = len(span.leads)
                yield group, [span.with_signal(span.signal[:, a - a0:b - a0], record_id=f"{rec.record_name}@"
                                               f"{a / rec.fs:.0f}s") for a, b in group]
                del span

        try:
            scored = self._score_segments(pieces(), rec.fs, rec.n_samples / rec.fs, row)
        except Exception as exc:  # noqa: BLE001
            row.update(status=status_of(exc), reason=_reason(exc))
            scored = Scored(row)
        row["seconds"] = time.perf_counter() - t0
        return scored

    def _score_segments(self, pieces: Any, fs: float, duration: float, row: dict[str, Any]) -> Scored:
        """Fill `row` from segments given as (bounds, segment ECGs) pieces; returns it with the time course."""
        from ecgcore.signal.analysis import analyse_record

        course: list[dict[str, Any]] = []
        seg_probs: dict[str, list[np.ndarray]] = {n: [] for n in self.names}
        notes: set[str] = set()
        first_measured: dict[str, Any] | None = None
        for chunk, segs in pieces:
            probs, note = self._predict(segs)
            if note:
                notes.add(note)
            for (a, b), seg, i in zip(chunk, segs, range(len(segs))):
                analysis = analyse_record(seg)
                entry = {"source": row["source"], "record_id": row["record_id"], "segment": len(course),
                         "start_s": a / fs, "end_s": b / fs, "rhythm": analysis.rhythm.name,
                         "HR": analysis.value("HR"), "premature_beats": int(np.asarray(analysis.premature).sum())}
                if first_measured is None and analysis.value("QRS") is not None:
                    first_measured = {}
                    _measures(first_measured, analysis)
                if probs is not None:
                    for n in self.names:
                        seg_probs[n].append(probs[n][i])
                        entry.update({f"p.{n}.{c}": float(v) for c, v in zip(self.classes, probs[n][i])})
                course.append(entry)
            del segs
        if first_measured is not None:
            row.update({k: v for k, v in first_measured.items() if k in row})
        hrs = [e["HR"] for e in course if e["HR"] is not None]
        row["HR"] = float(np.median(hrs)) if hrs else None
        determined = [e for e in course if e["rhythm"] != "not determined"]
        af = sum(e["end_s"] - e["start_s"] for e in determined if e["rhythm"] == "atrial fibrillation")
        span = sum(e["end_s"] - e["start_s"] for e in determined)
        rhythms = sorted({e["rhythm"] for e in determined})
        premature = sum(e["premature_beats"] for e in course)
        row.update(segments=len(course), af_burden=(af / span) if span else None, premature_beats=premature,
                   premature_per_hour=premature / (duration / 3600.0),
                   rhythm=", ".join(rhythms) if rhythms else "not determined",
                   model_note="; ".join(sorted(notes)) or None)
        if self.names and all(len(seg_probs[n]) == len(course) > 0 for n in self.names):
            from ecgcore.models.base import aggregate_windows

            self._fill_probs(row, {n: aggregate_windows(np.stack(seg_probs[n]), "mean") for n in self.names})
        row["interpretation"], row["urgent"] = None, None  # statements are for a 10 s resting ECG
        return Scored(row, course)


def segment_bounds(n_samples: int, fs: float) -> list[tuple[int, int]]:
    """[(start, end)] sample bounds of `SEGMENT_S` segments; a remainder under half a segment joins the last."""
    step = int(round(SEGMENT_S * fs))
    starts = list(range(0, n_samples, step))
    bounds = [(a, min(a + step, n_samples)) for a in starts]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < step / 2:
        last = bounds.pop()
        bounds[-1] = (bounds[-1][0], last[1])
    return bounds


def _measures(row: dict[str, Any], analysis: Any) -> None:
    missing = []
    for key in MEASURES:
        m = analysis.measurements[key]
        row[key] = None if m.value is None or not math.isfinite(m.value) else round(float(m.value), 1)
        if m.value is None and m.reason:
            missing.append(f"{key}: {m.reason}")
    row["rhythm"] = analysis.rhythm.name
    row["not_measurable"] = "; ".join(missing) or None
    row["flags"] = "; ".join(f.text for f in analysis.flags) or None
    row["critical"] = any(f.severity == "critical" for f in analysis.flags)
    row["confidence"] = analysis.confidence
    row["quality"] = "; ".join(analysis.notes) or None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, ECGError):
        text = f"{type(exc).__name__}: {text}"
    return text[:500]

