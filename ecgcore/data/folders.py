"""`read_dataset(path)`: the labelled records of an evaluation data set, whatever its layout.

Accepted: a PTB-XL folder (holding ptbxl_database.csv; its test fold 10 is used), any folder of
PhysioNet/CinC Challenge-format records (`.hea` + `.mat`, searched recursively; all records, SNOMED labels
mapped to superclasses), the word "real" for every real evaluation set of the data root together
(`ecgcore.data.catalogue.real_labelled_records`), or "real:<set>" for one of them (e.g. "real:cinc/georgia",
"real:ludb"; `catalogue.eval_sets`). Unlabelled or unreadable records are left out and listed in
`Dataset.skipped` with the reason.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data import catalogue, challenge, ptbxl, record_ids
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError, ECGReadError
from ecgcore.core.settings import Settings, resolve

REAL = "real"
#: "real:<set>" names one real evaluation set (`catalogue.eval_sets`).
REAL_SET_PREFIX = "real:"


@dataclass(frozen=True)
class Dataset:
    """Labelled records for evaluation. kind: "ptbxl", "challenge" or "real"."""

    name: str
    kind: str
    path: str
    records: list[ECG]
    skipped: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    def targets(self) -> np.ndarray:
        """(n, 5) uint8 ground truth in NORM, MI, STTC, CD, HYP order."""
        return np.array([[int(c in (r.labels or ())) for c in SUPERCLASSES] for r in self.records],
                        dtype=np.uint8).reshape(len(self.records), len(SUPERCLASSES))

    @property
    def record_ids(self) -> list[str]:
        return [r.record_id for r in self.records]


def is_ptbxl_folder(path: str | os.PathLike) -> bool:
    return (Path(path) / ptbxl.DATABASE_CSV).is_file()


def read_ptbxl_test_fold(root: str | os.PathLike, rate: int = 100, fold: int = 10,
                         cache_dir: str | os.PathLike | None = None) -> Dataset:
    """A PTB-XL folder's records of `fold` (default the test fold 10) that have a waveform and a superclass,
    at `rate` Hz (bulk-loaded by `ptbxl.load_signals`, cached in `cache_dir`, default the settings' cache)."""
    root = Path(root)
    db = ptbxl.load_database(root)
    rows = db[db["strat_fold"] == fold]
    has_wave = rows["has_100"] | rows["has_500"] if rate == 100 else rows[f"has_{rate}"]
    skipped = {record_ids.ptbxl(i): "no waveform file" for i in rows.index[~has_wave]}
    rows = rows[has_wave]
    unlabelled = rows["superclasses"].map(len) == 0
    skipped.update({record_ids.ptbxl(i): "no diagnostic superclass" for i in rows.index[unlabelled]})
    rows = rows[~unlabelled]
    X = ptbxl.load_signals(root, rows.index, rate=rate, db=db, cache_dir=cache_dir)
    records = [
        ptbxl.ecg_from_row(int(i), row, X[k], rate, None if row[f"has_{rate}"] else 500)
        for k, (i, row) in enumerate(rows.iterrows())
    ]
    return Dataset(name=f"PTB-XL fold {fold} ({root})", kind="ptbxl", path=str(root), records=records,
                   skipped=skipped)


def read_challenge_folder(folder: str | os.PathLike) -> Dataset:
    """Every Challenge-format record under `folder` with a mappable SNOMED label, at its own rate."""
    folder = Path(folder)
    records, skipped = [], {}
    for stem in challenge.list_records(folder):
        rid = stem.relative_to(folder).as_posix()
        try:
            ecg = challenge.read_record(stem, record_id=rid, source="challenge")
        except ECGError as exc:
            skipped[rid] = f"unreadable: {exc}"
            continue
        if ecg.labels is None:
            skipped[rid] = "no #Dx code maps to a superclass"
        else:
            records.append(ecg)
    return Dataset(name=f"Challenge records ({folder})", kind="challenge", path=str(folder), records=records,
                   skipped=skipped)


def read_real(name: str = REAL, settings: Settings | None = None) -> Dataset:
    """"real": every real evaluation set of the data root; "real:<set>": one of them (`catalogue.eval_sets`).
    Each record at its file's rate; unlabelled records and duplicates are listed in `skipped`."""
    settings = settings or resolve()
    settings.require_data_root()
    frame = catalogue.catalogue(settings)
    wanted = name[len(REAL_SET_PREFIX):] if name.startswith(REAL_SET_PREFIX) else None
    if wanted is not None:
        records = catalogue.eval_records(wanted, settings)
        frame = frame[frame["source"] == wanted]
    else:
        records = catalogue.real_labelled_records(settings)
    skipped = {rid: "unlabelled" for rid in frame.loc[frame["superclasses"].isna(), "record_id"]}
    skipped.update({rid: f"same recording as {dup}" for rid, dup in
                    frame.loc[frame["duplicate_of"].notna(), ["record_id", "duplicate_of"]].itertuples(index=False)})
    title = f"real records: {wanted}" if wanted else "real records (every source)"
    return Dataset(name=title, kind="real", path=name, records=records, skipped=skipped)


def read_dataset(path: str | os.PathLike, rate: int = 100, cache_dir: str | os.PathLike | None = None) -> Dataset:
    """The labelled records at `path`: a PTB-XL folder (fold 10 at `rate` Hz), a folder of Challenge records,
    "real" (every real evaluation set) or "real:<set>". Raises ECGReadError when the path is none of these."""
    if str(path) == REAL or str(path).startswith(REAL_SET_PREFIX):
        return read_real(str(path))
    folder = Path(path)
    if not folder.is_dir():
        raise ECGReadError(f"{folder} is not a folder. Give a PTB-XL folder (with ptbxl_database.csv), a folder "
                           f"of Challenge records (.hea + .mat), 'real' for the data root's real records or 'real:<set>' for one "
                           f"source's (e.g. real:cinc/georgia).")
    if is_ptbxl_folder(folder):
        return read_ptbxl_test_fold(folder, rate=rate, cache_dir=cache_dir)
    if not challenge.list_records(folder):
        raise ECGReadError(f"{folder} holds neither ptbxl_database.csv nor any Challenge record (.hea with "
                           f".mat). Give a PTB-XL folder, a folder of Challenge records, or 'real'.")
    return read_challenge_folder(folder)
