"""What `score` reads: PATH arguments (files, folders walked, globs, zip archives) -> `Unit`s, one per record.

A unit names the files of one record: a WFDB record's `.hea` with the data files it names (a multi-segment
record's master header with its segments' headers and data), or one file of another format (CSV, NPY, EDF,
GE MUSE / Philips / HL7 aECG XML, DICOM, SCP-ECG). A zip archive is walked like a folder (its members are the
record's files). Units are plain strings, so a list of them pickles to a worker or a Ray task unchanged.

In a walked folder, files that are not ECG records are left out: the data root's metadata tables
(`ptbxl_database.csv`, `scp_statements.csv`, Challenge `dx_mapping_*.csv`, ...), text documents (`.md`), and
files whose extension no reader takes (WFDB annotation files `.atr`, LUDB's `.i`, `.ii`, ...). A file named on
the command line is always scored (and gets an error row if it is no ECG). Files without an extension are kept
when they start like a DICOM file (PACS exports often have no extension).
"""
from __future__ import annotations

import glob
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ecgcore.core.errors import ECGReadError

#: files that are tables or documents of a data set, never ECG records
METADATA_NAMES = frozenset({"ptbxl_database.csv", "scp_statements.csv", "dx_mapping_scored.csv",
                            "dx_mapping_unscored.csv", "ludb.csv", "sha256sums.txt", "records", "license.txt",
                            "readme.txt", "ann.csv"})
#: extensions of files that are part of a WFDB record (its header names them)
WFDB_DATA = (".dat", ".mat", ".xyz")
#: extensions a reader takes as one record on its own
SINGLE_FILE = (".csv", ".tsv", ".txt", ".npy", ".edf", ".xml", ".dcm", ".dicom", ".scp")
ARCHIVE_SEP = "!"  # "archive.zip!folder/record.hea": a member of a zip archive


@dataclass(frozen=True, order=True)
class Unit:
    """One record to score. source: the path shown for it (the `.hea`, the file, or `archive.zip!member`);
    files: the paths (or zip member names) to read; archive: the zip file the members are in, or ""."""

    source: str
    files: tuple[str, ...]
    archive: str = ""


def _is_metadata(name: str) -> bool:
    lower = PurePosixPath(name).name.lower()
    return lower in METADATA_NAMES or lower.endswith(".md") or lower.startswith(".")


def _looks_dicom(head: bytes) -> bool:
    return len(head) >= 132 and head[128:132] == b"DICM"


def _header_files(text: str) -> tuple[list[str], list[str]]:
    """(data files, segment record names) a WFDB header refers to (empty when it cannot be parsed)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return [], []
    first = lines[0].split()
    if "/" in first[0]:  # multi-segment: "name/segments nsig fs len", then one "segment length" line each
        try:
            n_seg = int(first[0].split("/")[1])
        except ValueError:
            return [], []
        segments = [ln.split()[0] for ln in lines[1:1 + n_seg] if ln.split()[0] != "~"]
        return [], segments
    try:
        n_sig = int(first[1]) if len(first) > 1 else 0
    except ValueError:
        return [], []
    files = []
    for ln in lines[1:1 + n_sig]:
        name = ln.split()[0]
        if name not in files and name != "~":
            files.append(name)
    return files, []


def group_files(names: list[str], read_text, keep: frozenset[str] = frozenset()) -> list[tuple[str, tuple[str, ...]]]:
    """Group the file names of one folder (or zip) into records: [(source, files)], sorted.

    names: paths with "/" separators; read_text(name) -> a header's text. A data file whose header is missing is
    left as its own record (the reader then says a header is needed); a header's data file that is missing is
    left for the reader to report. Names in `keep` are records whatever their extension.
    """
    present = set(names)
    by_lower = {n.lower(): n for n in names}
    used: set[str] = set()
    records: list[tuple[str, tuple[str, ...]]] = []
    headers = sorted(n for n in names if n.lower().endswith(".hea"))
    masters, plain = [], []
    for hea in headers:
        try:
            text = read_text(hea)
        except (OSError, UnicodeDecodeError):
            text = ""
        files, segments = _header_files(text)
        (masters if segments else plain).append((hea, files, segments))
    for hea, _, segments in masters:  # first, so their segments' headers are not taken as records of their own
        folder = str(PurePosixPath(hea).parent)
        group = [hea]
        for seg in segments:
            seg_hea = f"{folder}/{seg}.hea" if folder != "." else f"{seg}.hea"
            if seg_hea in present and seg_hea not in group:  # a segment may repeat (WFDB allows it)
                group.append(seg_hea)
                used.add(seg_hea)
                seg_text = read_text(seg_hea)
                group += [f for f in _sibling(seg_hea, _header_files(seg_text)[0], present, by_lower) if f not in group]
        used.update(group)
        records.append((hea, tuple(group)))
    for hea, files, _ in plain:
        if hea in used:
            continue
        group = [hea] + _sibling(hea, files, present, by_lower)
        used.update(group)
        records.append((hea, tuple(group)))
    for name in sorted(present - used):
        lower = name.lower()
        if name not in keep and _is_metadata(name):
            continue
        if name in keep or lower.endswith(WFDB_DATA) or lower.endswith(SINGLE_FILE) or lower.endswith(".zip"):
            records.append((name, (name,)))
    return sorted(records)


def _sibling(hea: str, files: list[str], present: set[str], by_lower: dict[str, str]) -> list[str]:
    folder = PurePosixPath(hea).parent
    out = []
    for f in files:
        path = str(folder / f) if str(folder) != "." else f
        found = path if path in present else by_lower.get(path.lower())
        if found and found not in out:
            out.append(found)
    return out


def _walk_folder(folder: Path) -> list[Unit]:
    names: list[str] = []
    dicoms: set[str] = set()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in files:
            path = Path(root) / f
            if "." not in f:
                try:
                    with open(path, "rb") as fh:
                        if not _looks_dicom(fh.read(132)):
                            continue
                except OSError:
                    continue
                dicoms.add(path.as_posix())
            names.append(path.as_posix())

    def read_text(name: str) -> str:
        return Path(name).read_text(encoding="latin-1")

    return [Unit(src, files) for src, files in group_files(names, read_text, frozenset(dicoms))]


def _walk_zip(path: Path) -> list[Unit]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]

            def read_text(name: str) -> str:
                return zf.read(name).decode("latin-1")

            groups = group_files(names, read_text)
    except (OSError, zipfile.BadZipFile):
        return [Unit(str(path), (str(path),))]  # the reader says what is wrong with it
    return [Unit(f"{path}{ARCHIVE_SEP}{src}", files, str(path)) for src, files in groups]


def find_units(paths: list[str]) -> list[Unit]:
    """Every record under `paths` (files, folders walked, glob patterns, zip archives), sorted by source, each
    once. Raises ECGReadError naming the paths that match nothing."""
    units: dict[str, Unit] = {}
    missing = []
    for arg in paths:
        matches = sorted(glob.glob(arg, recursive=True)) if glob.has_magic(arg) else [arg]
        matches = [m for m in matches if os.path.exists(m)]
        if not matches:
            missing.append(arg)
            continue
        loose: list[str] = []
        for m in matches:
            p = Path(m)
            if p.is_dir():
                found = _walk_folder(p)
            elif p.suffix.lower() == ".zip":
                found = _walk_zip(p)
            else:
                loose.append(p.as_posix())
                continue
            units.update((u.source, u) for u in found)
        if loose:  # named files: a header pulls in its data files; every other named file is a record
            folder_names = set(loose)
            for parent in {Path(f).parent for f in loose if f.lower().endswith(".hea")}:
                folder_names |= {q.as_posix() for q in parent.iterdir() if q.is_file()}
            groups = group_files(sorted(folder_names), lambda n: Path(n).read_text(encoding="latin-1"),
                                 frozenset(loose))
            for src, files in groups:
                if src in loose or any(f in loose for f in files):
                    units[src] = Unit(src, files)
            taken = {f for u in units.values() for f in u.files}
            for f in loose:  # a named file no group took (metadata names included: the user asked for it)
                if f not in taken:
                    units[f] = Unit(f, (f,))
    if missing:
        raise ECGReadError(f"nothing found at {', '.join(repr(m) for m in missing)}: give ECG files, folders, glob "
                           "patterns (quoted, e.g. 'data/**/*.hea') or zip archives that exist.")
    return sorted(units.values())


def read_unit(unit: Unit) -> dict[str, bytes]:
    """{file name: bytes} of a unit, for `ecgcore.io.read_upload`. Raises ECGReadError when a file cannot be read."""
    try:
        if unit.archive:
            with zipfile.ZipFile(unit.archive) as zf:
                return {PurePosixPath(f).name: zf.read(f) for f in unit.files}
        return {Path(f).name: Path(f).read_bytes() for f in unit.files}
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ECGReadError(f"{unit.source}: the file could not be read ({type(exc).__name__}: {exc}).") from exc
