"""Reading a run's rows for people: urgency order, filters, the end-of-run summary, library record ids.

Urgency (`URGENCY`, most urgent first): 0 "urgent" (an urgent interpretation statement, or a critical
measurement flag such as QTc >= 500 ms), 1 "abnormal" (a class other than NORM decided positive), 2
"not abnormal", 3 "not scored" (the record was read but the models could not take it), 4 "failed" (not read).
Within a tier, rows go by `abnormal_p`: the highest probability of a class other than NORM (the ensemble's
where there is one, else the first model's), highest first.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pandas as pd

URGENCY = ("urgent", "abnormal", "not abnormal", "not scored", "failed")
NORMAL_CLASS = "NORM"


def owner(frame: pd.DataFrame) -> str | None:
    """Whose probabilities triage reads: "ensemble" where the run has one, else its first model."""
    owners = [c.split(".")[1] for c in frame.columns if c.startswith("p.")]
    if not owners:
        return None
    return "ensemble" if "ensemble" in owners else owners[0]


def classes(frame: pd.DataFrame) -> list[str]:
    """The classes of the run, in column order."""
    who = owner(frame)
    return [c.split(".", 2)[2] for c in frame.columns if who and c.startswith(f"p.{who}.")]


def add_triage(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with `urgency` (a word of URGENCY), `abnormal_p`, `positive` (the classes decided positive,
    joined by ", "), `origin` (the first folder of the source under the sources' common folder) and `file`
    (the source's path under that common folder)."""
    out = frame.copy()
    if out.empty:
        return out.assign(urgency=pd.Series(dtype=str), abnormal_p=pd.Series(dtype=float),
                          positive=pd.Series(dtype=str), origin=pd.Series(dtype=str), file=pd.Series(dtype=str))
    who = owner(out)
    names = classes(out)
    abnormal = [c for c in names if c != NORMAL_CLASS]
    if who and abnormal:
        out["abnormal_p"] = out[[f"p.{who}.{c}" for c in abnormal]].astype(float).max(axis=1, skipna=True)
        decided = out[[f"d.{who}.{c}" for c in names]].fillna(False).astype(bool)
        out["positive"] = [", ".join(c for c, d in zip(names, row) if d) for row in decided.itertuples(index=False)]
        any_abnormal = decided[[f"d.{who}.{c}" for c in abnormal]].any(axis=1)
    else:
        out["abnormal_p"] = float("nan")
        out["positive"] = ""
        any_abnormal = pd.Series(False, index=out.index)
    urgent = out.get("urgent", pd.Series(False, index=out.index)).fillna(False).astype(bool)
    critical = out.get("critical", pd.Series(False, index=out.index)).fillna(False).astype(bool)
    scored = out["abnormal_p"].notna()
    tier = pd.Series(2, index=out.index)
    tier[any_abnormal] = 1
    tier[~scored] = 3
    tier[urgent | critical] = 0
    tier[out["status"] != "ok"] = 4
    out["urgency"] = [URGENCY[t] for t in tier]
    out["_tier"] = tier
    out["file"] = relative_paths(out["source"].tolist())
    out["origin"] = [f.split("/")[0] if "/" in f else "." for f in out["file"]]
    return out


def triage(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in urgency order (see the module docstring), with `add_triage`'s columns."""
    out = add_triage(frame)
    if out.empty:
        return out
    out = out.sort_values(["_tier", "abnormal_p", "source"], ascending=[True, False, True], na_position="last",
                          kind="stable")
    return out.drop(columns="_tier").reset_index(drop=True)


def relative_paths(sources: list[str]) -> list[str]:
    """Each source's path under the sources' common folder ("ptbxl/records500/00000/00001_hr.hea"; a zip member
    keeps its "archive.zip!member" form under it)."""
    if not sources:
        return []
    try:
        common = os.path.commonpath([os.path.dirname(s.split("!")[0]) or "." for s in sources])
    except ValueError:
        common = ""
    return [Path(os.path.relpath(s, common)).as_posix() if common and "!" not in s else
            (Path(os.path.relpath(s.split("!")[0], common)).as_posix() + "!" + s.split("!", 1)[1] if common else s)
            for s in sources]


def filter_rows(frame: pd.DataFrame, *, classes_any: list[str] | None = None, statuses: list[str] | None = None,
                origins_any: list[str] | None = None, urgency: list[str] | None = None,
                statement: str | None = None) -> pd.DataFrame:
    """Rows of a triaged frame that match every filter given: a positive decision in one of `classes_any`,
    a status in `statuses`, an origin in `origins_any`, an urgency tier in `urgency`, `statement` (text,
    case-insensitive) inside the interpretation."""
    keep = pd.Series(True, index=frame.index)
    if classes_any:
        keep &= frame["positive"].fillna("").map(lambda p: any(c in p.split(", ") for c in classes_any))
    if statuses:
        keep &= frame["status"].isin(statuses)
    if origins_any:
        keep &= frame["origin"].isin(origins_any)
    if urgency:
        keep &= frame["urgency"].isin(urgency)
    if statement:
        keep &= frame["interpretation"].fillna("").str.contains(statement, case=False, regex=False)
    return frame[keep]


def short_reason(reason: str | None, width: int = 90) -> str:
    """A failure's reason cut to its first sentence (for grouping failures by reason)."""
    text = re.split(r"(?<!e\.g)(?<!i\.e)\. (?=[A-Z])", reason or "no reason given")[0].strip()
    for sep in (": ",):  # "path: message" -> "message" (paths make every reason unique)
        head, _, tail = text.partition(sep)
        if tail and ("/" in head or "." in head):
            text = tail
    return text[:width]


def summary(frame: pd.DataFrame, slowest: int = 5) -> dict:
    """{"records", "status": {status: n}, "positive": {class: n}, "statements": {statement: n},
    "failures": {reason: n}, "slowest": [(source, seconds)], "seconds": total} of a run's rows."""
    if frame.empty:
        return {"records": 0, "status": {}, "positive": {}, "statements": {}, "failures": {}, "slowest": [],
                "seconds": 0.0}
    t = add_triage(frame)
    positive = Counter(c for p in t["positive"].fillna("") for c in p.split(", ") if c)
    statements = Counter(s.strip() for text in t.get("interpretation", pd.Series(dtype=str)).dropna()
                         for s in str(text).split(";") if s.strip())
    failed = t[t["status"] != "ok"]
    failures = Counter(f"{st}: {short_reason(r)}" for st, r in zip(failed["status"], failed["reason"]))
    slow = t.nlargest(slowest, "seconds")[["source", "seconds"]]
    return {"records": int(len(t)), "status": dict(Counter(t["status"])), "positive": dict(positive.most_common()),
            "statements": dict(statements.most_common(20)), "failures": dict(failures.most_common()),
            "slowest": [(s, round(float(x), 3)) for s, x in slow.itertuples(index=False)],
            "seconds": round(float(t["seconds"].fillna(0).sum()), 3)}


def library_id(source: str, data_root: str | Path | None) -> str | None:
    """The data root's record id of a scored file ("ptbxl/00001", "cinc/georgia/E00271", "ptbdb/patient096/...",
    "ludb/1"), so the app can open it as a library record; None for any other file."""
    if data_root is None or "!" in source:
        return None
    try:
        rel = Path(source).resolve().relative_to(Path(data_root).resolve())
    except ValueError:
        return None
    parts = rel.parts
    stem = Path(parts[-1]).stem if parts else ""
    if not parts or not parts[-1].lower().endswith(".hea"):
        return None
    if parts[0] in ("ptbxl", "ptbxl_more") and len(parts) == 4 and parts[1] in ("records100", "records500"):
        number = stem.split("_")[0]
        return f"ptbxl/{int(number):05d}" if number.isdigit() else None
    if parts[0] in ("cinc", "cinc_more") and len(parts) == 3:
        return f"cinc/{parts[1]}/{stem}"
    if parts[0] == "ptbdb" and len(parts) == 3:
        return f"ptbdb/{parts[1]}/{stem}"
    if parts[0] == "ludb" and len(parts) == 3 and stem.isdigit():
        return f"ludb/{int(stem)}"
    return None
