"""LUDB (Lobachevsky University Electrocardiography Database) records -> `ECG`, and its cardiologists' marks.

A LUDB record is `data/<n>.hea` + `data/<n>.dat` (12 leads, 500 Hz, 10 s, lower-case lead names, a gain and a
non-zero baseline per lead: read through wfdb, so the signal is in physical mV) plus one annotation file per
lead whose extension is the lead's name (`data/<n>.ii`, `data/<n>.avr`, ...). In each annotation file a wave
is three marks: `(` onset, the peak symbol (`p` P wave, `N` QRS complex, `t` T wave) and `)` offset.
Annotations cover only the middle part of each record (see the folder's SOURCE.md).

Labels: the header lists diagnosis statements after `#<diagnoses>:`; `superclasses` maps them to PTB-XL
superclasses with the rules of `RULES` (the full table for every statement in `ludb.csv` is
`mapping_markdown()`, written to docs/LUDB_DIAGNOSIS_MAPPING.md). There is no official mapping; unmapped
statements stay unmapped and are never guessed.

Source: Kalyakulina AI et al., LUDB: a new open-access validation tool for electrocardiogram delineation
algorithms, IEEE Access 8:186181-186190 (2020); PhysioNet (ODC-By 1.0).
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io.wfdb_reader import read_wfdb

#: LUDB lead names (annotation-file extensions), in the canonical order of ecgcore.core.leads.LEADS
LUDB_LEADS: tuple[str, ...] = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")
CANONICAL: dict[str, str] = dict(zip(LUDB_LEADS, ("I", "II", "III", "aVR", "aVL", "aVF",
                                                  "V1", "V2", "V3", "V4", "V5", "V6")))
#: annotation peak symbol -> wave name
WAVE_SYMBOLS: dict[str, str] = {"p": "P", "N": "QRS", "t": "T"}
WAVES: tuple[str, ...] = ("P", "QRS", "T")
FS = 500.0

#: NORM_RULE: a statement that maps to no superclass by itself but leaves a record NORM when every one of its
#: statements is of this kind (sinus rhythms, a normal/vertical/horizontal axis).
NORM_RULE = "NORM rule"
#: Ordered (regular expression on the normalised statement, result, why); the first match wins. result: a
#: superclass, NORM_RULE, or None (unmapped). Statements matching no rule are unmapped.
RULES: tuple[tuple[str, str | None, str], ...] = (
    (r"^(sinus rhythm|sinus bradycardia|sinus tachycardia|sinus arrhythmia|irregular sinus rhythm)$", NORM_RULE,
     "sinus rhythm variants: rhythm statements in PTB-XL, compatible with NORM"),
    (r"^electric axis of the heart: (normal|vertical|horizontal)$", NORM_RULE,
     "a normal frontal axis (-30 to +90 deg)"),
    (r"^electric axis of the heart: (left|right) axis deviation$", None,
     "axis deviation alone is no PTB-XL diagnostic statement (LAFB/LPFB are CD)"),
    (r"^(atrial fibrillation|atrial flutter.*|wandering atrial pacemaker|aberrant conduction)$", None,
     "rhythm statements in PTB-XL (AFIB, AFLT, ...), outside the diagnostic superclasses"),
    (r"^(complete|incomplete) (left|right) bundle branch block$", "CD", "CLBBB/ILBBB/CRBBB/IRBBB"),
    (r"^left anterior hemiblock$", "CD", "LAFB"),
    (r"^non-specific intrav[ie]ntricular conduction delay$", "CD", "IVCD"),
    (r"^(i|ii|iii) degree av[ -]block$", "CD", "1AVB/2AVB/3AVB"),
    (r"^sinoatrial blockade.*$", None, "SA block has no PTB-XL diagnostic statement"),
    (r"^(left|right) (atrial|ventricular) (hypertrophy|overload)$", "HYP", "LVH, RVH, LAO/LAE, RAO/RAE"),
    (r"^stemi: .*$", "MI", "ST-elevation myocardial infarction (AMI/IMI/LMI/PMI by wall)"),
    (r"^scar formation: .*$", "MI", "an old infarct (scar)"),
    (r"^ischemia: .*$", "STTC", "ISC_ / ISCA* / ISCI*"),
    (r"^undefined ischemia/scar/supp\.? ?nstemi: .*$", None,
     "ischaemia, scar or suspected NSTEMI undecided: MI or STTC, so neither is guessed"),
    (r"^non-specific repolarization abnormalities: .*$", "STTC", "NST_ / NDT"),
    (r"^early repolarization syndrome$", None, "no PTB-XL diagnostic statement"),
    (r"^(atrial|ventricular) extrasystole.*$", None, "PAC/PVC are rhythm/form statements in PTB-XL"),
    (r"^(unipolar|bipolar|biventricular) .*pacing$|^p-synchrony$|^pacemaker presence.*$", None,
     "PACE is a rhythm statement in PTB-XL"),
)


def normalise_statement(text: str) -> str:
    """A diagnosis statement in one spelling: lower case, no `Rhythm:` prefix, no final full stop."""
    s = re.sub(r"\s+", " ", text.strip().lower()).rstrip(". ")
    return re.sub(r"^rhythm: ", "", s)


def statement_rule(statement: str) -> tuple[str | None, str]:
    """(superclass, NORM_RULE or None; the reason) for one diagnosis statement."""
    s = normalise_statement(statement)
    for pattern, result, why in RULES:
        if re.match(pattern, s):
            return result, why
    return None, "no rule"


def diagnosis_lines(comments: list[str]) -> list[str]:
    """The diagnosis statements of a LUDB header's comment lines (those after `<diagnoses>:`); a line holding
    two statements (`... wall. #Rhythm: Sinus rhythm.`) is split."""
    out: list[str] = []
    started = False
    for line in comments:
        if re.match(r"^\s*<diagnoses>\s*:", line):
            started = True
            continue
        if started:
            out += [p.strip() for p in line.split("#") if p.strip()]
    return out


def superclasses(statements: list[str]) -> tuple[str, ...] | None:
    """PTB-XL superclasses of a record's diagnosis statements (SUPERCLASSES order), or None (unlabelled).

    Mapped statements give their superclasses; a record whose statements are all NORM_RULE is ("NORM",);
    a record with no mapped statement and some unmapped one is None: unmapped stays unmapped.
    """
    results = [statement_rule(s)[0] for s in statements]
    mapped = {r for r in results if r in SUPERCLASSES}
    if mapped:
        return tuple(c for c in SUPERCLASSES if c in mapped)
    if results and all(r == NORM_RULE for r in results):
        return ("NORM",)
    return None


def _header_value(comments: list[str], key: str) -> str | None:
    for line in comments:
        match = re.match(rf"^\s*<{key}>\s*:\s*(.*?)\s*$", line)
        if match:
            return match.group(1) or None
    return None


def record_path(root: str | os.PathLike, n: int) -> Path:
    """`<root>/data/<n>` (no extension); root is the LUDB folder (e.g. <data root>/ludb)."""
    return Path(root) / "data" / str(int(n))


def list_records(root: str | os.PathLike) -> list[int]:
    """Numbers of the records under `root`/data whose .hea and .dat both exist, ascending."""
    data = Path(root) / "data"
    if not data.is_dir():
        return []
    return sorted(int(h.stem) for h in data.glob("*.hea") if h.stem.isdigit() and h.with_suffix(".dat").is_file())


def load_ecg(root: str | os.PathLike, n: int) -> ECG:
    """LUDB record `n` as an `ECG`: (12, 5000) float32 mV at 500 Hz, record_id "ludb/<n>", source "ludb".

    age/sex from the header; labels = `superclasses` of its diagnosis statements (None when unlabelled);
    meta["diagnoses"]: the statements; meta["rhythm"]: the rhythm statement (e.g. "Atrial fibrillation").
    Raises ECGReadError when the record's files are missing.
    """
    stem = record_path(root, n)
    header, data = stem.with_suffix(".hea"), stem.with_suffix(".dat")
    if not (header.is_file() and data.is_file()):
        raise ECGReadError(f"LUDB record {n} is not under {Path(root)}/data: it needs {header.name} and "
                           f"{data.name}. Records 1-100 are in the data root's ludb folder.")
    ecg = read_wfdb({header.name: header.read_bytes(), data.name: data.read_bytes()},
                    record_id=f"ludb/{int(n)}", source="ludb")
    comments = list(ecg.meta.get("comments", []))
    statements = diagnosis_lines(comments)
    rhythm = next((normalise_statement(s) for s in statements if s.strip().lower().startswith("rhythm:")), None)
    age = _header_value(comments, "age")
    sex = (_header_value(comments, "sex") or "").upper()
    meta = {**ecg.meta, "diagnoses": statements, "rhythm": rhythm,
            "label_source": "LUDB diagnosis statements mapped by ecgcore.data.ludb"}
    return ecg.with_signal(ecg.signal, labels=superclasses(statements), meta=meta,
                           age=float(age) if age and age.replace(".", "", 1).isdigit() else ecg.age,
                           sex=sex if sex in ("M", "F") else ecg.sex)


@dataclass(frozen=True)
class Waves:
    """Cardiologists' marks of one wave type in one lead: each an int64 array of sample indices (500 Hz),
    one entry per wave, -1 where the onset or offset mark is missing. Ascending by peak."""

    onset: np.ndarray
    peak: np.ndarray
    offset: np.ndarray

    @property
    def n(self) -> int:
        return int(len(self.peak))


def _waves(samples: np.ndarray, symbols: list[str], symbol: str) -> Waves:
    on, pk, off = [], [], []
    for i, s in enumerate(symbols):
        if s != symbol:
            continue
        pk.append(int(samples[i]))
        on.append(int(samples[i - 1]) if i > 0 and symbols[i - 1] == "(" else -1)
        off.append(int(samples[i + 1]) if i + 1 < len(symbols) and symbols[i + 1] == ")" else -1)
    as_arr = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
    return Waves(as_arr(on), as_arr(pk), as_arr(off))


def annotations(root: str | os.PathLike, n: int) -> dict[str, dict[str, Waves]]:
    """Reference marks of LUDB record `n`: {canonical lead ("I", "aVR", ...): {"P" | "QRS" | "T": Waves}}.

    Read with `wfdb.rdann` from one file per lead. A peak's onset is the `(` right before it and its offset
    the `)` right after it. Raises ECGReadError when an annotation file is missing.
    """
    import wfdb

    stem = record_path(root, n)
    out: dict[str, dict[str, Waves]] = {}
    for ext in LUDB_LEADS:
        if not stem.with_suffix(f".{ext}").is_file():
            raise ECGReadError(f"LUDB record {n} has no annotation file {stem.name}.{ext} under {stem.parent}.")
        ann = wfdb.rdann(str(stem), ext)
        symbols = list(ann.symbol)
        out[CANONICAL[ext]] = {wave: _waves(ann.sample, symbols, sym) for sym, wave in WAVE_SYMBOLS.items()}
    return out


def csv_statements(root: str | os.PathLike) -> list[str]:
    """Every distinct diagnosis statement in `ludb.csv` (all 200 records), normalised, sorted."""
    path = Path(root) / "ludb.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    found: set[str] = set()
    for row in rows:
        for key, cell in row.items():
            if key in ("ID", "Sex", "Age") or not cell:
                continue
            found.update(normalise_statement(line) for line in cell.split("\n") if line.strip())
    return sorted(found)


def mapping_markdown(root: str | os.PathLike) -> str:
    """The mapping table (markdown) for every statement in `ludb.csv`."""
    lines = [
        "# LUDB diagnosis statements mapped to PTB-XL superclasses",
        "",
        "Generated by `python -c \"from ecgcore.data import ludb; print(ludb.mapping_markdown('../shared/ludb'))\"`",
        "from the rules in `ecgcore/data/ludb.py` (`RULES`). There is no official mapping. \"NORM rule\": maps to",
        "nothing by itself, but a record whose statements are all of this kind is NORM. \"-\": unmapped, never",
        "guessed; a record with only unmapped (or NORM-rule and unmapped) statements is unlabelled.",
        "",
        "| statement (normalised) | superclass | why |",
        "| --- | --- | --- |",
    ]
    for s in csv_statements(root):
        result, why = statement_rule(s)
        lines.append(f"| {s} | {result or '-'} | {why} |")
    return "\n".join(lines) + "\n"


def restore_limb_scale(ecg: ECG) -> ECG:
    """LUDB 1-100 as stored here has every lead scaled to span exactly 1 mV peak-to-peak (each header's gain is
    its lead's digital range), which breaks the frontal axis and every amplitude criterion. The six limb leads
    are tied by Einthoven's and Goldberger's laws (II = I + III, aVF = II - I/2, aVL = I - II/2, aVR =
    -(I + II)/2), so their relative scales come back by least squares, with lead II kept as it is; the
    precordial leads cannot be restored. Returns a copy (meta["limb_scale"]: the factor of each limb lead);
    ValueError when a limb lead is missing."""
    sig = ecg.signal.astype(np.float64)
    idx = {lead: ecg.leads.index(lead) for lead in ("I", "II", "III", "aVR", "aVL", "aVF")}
    lead = {k: sig[i] for k, i in idx.items()}
    (a, c), *_ = np.linalg.lstsq(np.stack([lead["I"], lead["III"]], 1), lead["II"], rcond=None)
    i_true, ii_true = a * lead["I"], lead["II"]
    factors = {"I": float(a), "II": 1.0, "III": float(c)}
    for name, target in (("aVF", ii_true - i_true / 2), ("aVL", i_true - ii_true / 2), ("aVR", -(i_true + ii_true) / 2)):
        x = lead[name]
        factors[name] = float(np.dot(x, target) / max(np.dot(x, x), 1e-12))
    out = sig.copy()
    for name, f in factors.items():
        out[idx[name]] = sig[idx[name]] * f
    return ecg.with_signal(out.astype(np.float32), meta={**ecg.meta, "limb_scale": factors})
