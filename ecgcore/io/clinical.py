"""What the clinical-format readers (GE MUSE XML, Philips XML, HL7 aECG, DICOM, SCP-ECG) share: safe XML parsing,
the cart's measurements in one schema, demographics without identity, and the hand-over to `build_ecg`.

Patient identity: a reader collects the patient's name and id only to remove them (`redact`) from the file name
it keeps as the record id; they never go into `ECG.meta` or an error message. Errors raised before the identities
are known (a file too damaged to parse) say "The file" rather than its name, which carts often build from the
patient's name.

Cart measurements (`meta["cart_measurements"]`): {"HR": bpm, "PR": ms, "QRS": ms, "QT": ms, "QTc": ms,
"P_axis": deg, "QRS_axis": deg, "T_axis": deg}, keys present only where the file has a number for them.
"""
from __future__ import annotations

import base64
import math
import re
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Iterable, Iterator, Mapping
from xml.etree.ElementTree import Element

import numpy as np
from defusedxml import ElementTree as SafeET

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io.assemble import build_ecg

CART_KEYS: tuple[str, ...] = ("HR", "PR", "QRS", "QT", "QTc", "P_axis", "QRS_axis", "T_axis")
#: plausible ranges for a cart's value (anything outside is a placeholder such as -1 or 9999, and is dropped)
_CART_RANGE = {"HR": (10, 400), "PR": (20, 600), "QRS": (20, 400), "QT": (100, 900), "QTc": (100, 900),
               "P_axis": (-180, 360), "QRS_axis": (-180, 360), "T_axis": (-180, 360)}


def parse_xml(data: bytes, name: str, what: str) -> Element:
    """The root element of an XML document given as bytes (any declared encoding, UTF-16 with BOM included).

    Parsed with defusedxml (no entity expansion, no external resources). Raises `ECGReadError`.
    """
    try:
        return SafeET.fromstring(data)
    except Exception as exc:  # ParseError, defusedxml's refusals, encoding errors: all mean a damaged file
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ECGReadError(f"The file looks like {what} but is not well-formed XML ({reason}); the file may be "
                           "truncated or edited. Export it again from the cart or archive.") from None


def parse_root(data: bytes, name: str, what: str, root_tag: str) -> Element:
    """`parse_xml`, then the root element must be <root_tag> (namespace aside): `what` names the format in the
    messages (e.g. "a Philips XML ECG"). Raises `ECGReadError`."""
    root = parse_xml(data, name, what)
    if local(root.tag) != root_tag:
        raise ECGReadError(f"The file is XML but not {what} (its root element is <{local(root.tag)}>, not "
                           f"<{root_tag}>).")
    return root


def base64_bytes(text_value: str | None) -> bytes:
    """Bytes of base64 text with line breaks and spaces inside, padding optional (some exports drop the "=").

    Raises binascii.Error / ValueError for characters outside the base64 alphabet."""
    compact = "".join((text_value or "").split())
    return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)


def local(tag: Any) -> str:
    """An element's tag without its namespace ("{urn:hl7-org:v3}sequence" -> "sequence")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(elem: Element, tag: str) -> list[Element]:
    """Direct children named `tag` (namespace ignored)."""
    return [c for c in elem if local(c.tag) == tag]


def child(elem: Element | None, *path: str) -> Element | None:
    """The first element along `path` of direct children (namespace ignored), or None."""
    for tag in path:
        if elem is None:
            return None
        elem = next((c for c in elem if local(c.tag) == tag), None)
    return elem


def text(elem: Element | None, *path: str) -> str:
    """Stripped text of the element along `path`, or ""."""
    found = child(elem, *path) if path else elem
    return (found.text or "").strip() if found is not None else ""


def descendants(elem: Element, tag: str) -> Iterator[Element]:
    """All descendants named `tag` (namespace ignored), in document order."""
    return (e for e in elem.iter() if local(e.tag) == tag)


def number(value: Any) -> float | None:
    """A finite float from text or a number, else None ("Failed", "", "Indeterminate" ...)."""
    try:
        out = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def cart_measurements(values: Mapping[str, Any]) -> dict[str, float]:
    """The cart's global measurements in our schema: keys of `CART_KEYS` with a plausible number, as floats."""
    out: dict[str, float] = {}
    for key in CART_KEYS:
        value = number(values.get(key))
        low, high = _CART_RANGE[key]
        if value is not None and low <= value <= high:
            out[key] = value
    return out


def clean_statements(lines: Iterable[str]) -> list[str]:
    """Interpretation statements: whitespace collapsed, empty ones dropped."""
    out = [" ".join(str(line).split()) for line in lines]
    return [line for line in out if line]


def sex_of(value: str | None) -> str | None:
    """"M" / "F" from the spellings carts use (MALE, Male, M, 1 ...), else None."""
    key = (value or "").strip().upper()
    if key in ("M", "MALE", "MAN"):
        return "M"
    if key in ("F", "FEMALE", "WOMAN", "W"):
        return "F"
    return None


def parse_date(value: str | None) -> date | None:
    """A date from the forms carts write (YYYYMMDD[hhmmss...], YYYY-MM-DD, MM-DD-YYYY, DD.MM.YYYY), else None."""
    value = (value or "").strip()
    for pattern, fmt in ((r"\d{8}", "%Y%m%d"), (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"), (r"\d{2}-\d{2}-\d{4}", "%m-%d-%Y"),
                         (r"\d{2}/\d{2}/\d{4}", "%m/%d/%Y"), (r"\d{2}\.\d{2}\.\d{4}", "%d.%m.%Y")):
        match = re.match(pattern, value)
        if match:
            try:
                return datetime.strptime(match.group(0), fmt).date()
            except ValueError:
                return None
    return None


def parse_timestamp(value: str | None) -> datetime | None:
    """A date-time from a DICOM DT / HL7 TS stamp (YYYYMMDD[hh[mm[ss]]], more digits or a zone ignored), else None."""
    match = re.match(r"(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?", value or "")
    if not match:
        return None
    try:
        return datetime(*[int(p) if p else 0 for p in match.groups()])
    except ValueError:
        return None


#: how many of each unit make a year (carts give ages in years, months, weeks, days or hours)
PER_YEAR: dict[str, float] = {"years": 1.0, "months": 12.0, "weeks": 52.18, "days": 365.25, "hours": 8766.0}


def age_in_years(value: float, unit: str) -> float:
    """An age given in `unit` (a key of `PER_YEAR`) in years, to 2 decimals."""
    return round(value / PER_YEAR[unit], 2)


def age_at(birth: date | None, when: date | None) -> float | None:
    """Whole years between a birth date and the recording date, where both are known and plausible."""
    if birth is None or when is None:
        return None
    years = when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))
    return float(years) if 0 <= years <= 120 else None


def plausible_age(value: float | None) -> float | None:
    """An age in years kept only when it is 0-120."""
    return value if value is not None and 0 <= value <= 120 else None


def redact(label: str, identities: Iterable[str], *, whole_words: bool = False) -> str:
    """`label` with any of the patient's name parts or ids (3+ characters) replaced by "…": anywhere in a file
    name, or only as whole words (`whole_words`, for free text such as statements: "DOE" but not "DOES")."""
    for ident in sorted({i.strip() for i in identities if i and len(i.strip()) >= 3}, key=len, reverse=True):
        pattern = re.escape(ident)
        if whole_words:
            pattern = rf"(?<![^\W_]){pattern}(?![^\W_])"
        label = re.sub(pattern, "…", label, flags=re.IGNORECASE)
    return label


#: a trailing stretch this long (s) with every lead identical is a calibration pulse or padding, not ECG
CALIBRATION_MIN_S = 0.1


def trim_calibration(signal: np.ndarray, fs: float) -> tuple[np.ndarray, str | None]:
    """`signal` (leads, samples) without a trailing stretch in which every lead has the same value (the 1 mV
    calibration pulse and zero padding Philips carts append after the ECG), and a note saying so, or None."""
    if signal.shape[0] < 3 or signal.shape[1] == 0:
        return signal, None
    same = np.all(signal == signal[:1], axis=0)
    if not same[-1]:
        return signal, None
    differs = np.flatnonzero(~same)
    start = int(differs[-1]) + 1 if len(differs) else 0
    if start == 0 or signal.shape[1] - start < CALIBRATION_MIN_S * fs:
        return signal, None
    pulse = float(np.abs(signal[0, start:]).max())
    what = f"a {pulse:.2g} mV calibration pulse" if pulse > 0 else "zero padding"
    return signal[:, :start], (f"The last {(signal.shape[1] - start) / fs:.2f} s of the file ({what}, the same in "
                               "every lead: not ECG) were left out.")


def finish(leads: Mapping[str, np.ndarray], fs: float, *, name: str, fmt: str, identities: Iterable[str] = (),
           age: float | None = None, sex: str | None = None, meta: dict[str, Any] | None = None,
           notes: list[str] | None = None) -> ECG:
    """The validated `ECG` from per-lead samples in µV (lead label -> 1-D array) at `fs` Hz.

    All leads must have the same length. The file name is kept with the patient's identities removed, and the
    cart's statements and device text with them removed as whole words.
    Raises `ECGReadError` / `ECGSignalError`.
    """
    identities = list(identities)
    shown = redact(PurePath(name).name, identities)
    if not leads:
        raise ECGReadError(f"{shown} holds no ECG leads. Export the full 12-lead ECG with its waveforms.")
    lengths = {label: len(values) for label, values in leads.items()}
    if len(set(lengths.values())) != 1:
        detail = ", ".join(f"{label} {n}" for label, n in list(lengths.items())[:12])
        raise ECGReadError(f"{shown}: the leads have different numbers of samples ({detail}); the file is damaged "
                           "or incomplete. Export it again.")
    signal = np.stack([np.asarray(v, dtype=np.float64) for v in leads.values()]) / 1000.0  # µV -> mV
    signal, note = trim_calibration(signal, fs)
    notes = list(notes or []) + ([note] if note else [])
    stem = shown.rsplit(".", 1)[0] if "." in shown else shown
    if not any(c.isalnum() for c in stem):
        stem = f"{fmt} upload"
    full_meta = {"format": fmt, "file_names": [shown], **(meta or {})}
    if "cart_statements" in full_meta:
        full_meta["cart_statements"] = [redact(line, identities, whole_words=True)
                                        for line in full_meta["cart_statements"]]
    if "device" in full_meta:
        full_meta["device"] = redact(full_meta["device"], identities, whole_words=True)
    return build_ecg(list(leads), signal.astype(np.float32), fs, record_id=stem,
                     source=f"upload:{fmt}", age=plausible_age(age), sex=sex, meta=full_meta, notes=notes)
