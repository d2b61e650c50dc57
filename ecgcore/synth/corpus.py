"""Generate a whole synthetic corpus: cohort in the main process, records rendered and written by a pool."""
from __future__ import annotations

import multiprocessing as mp
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecgcore.core.errors import ECGError

MAX_RECORDS = 21799
RATES = (100, 500)
CHUNK = 32


@dataclass
class CorpusSummary:
    out: Path
    records: int
    seed: int
    rates: tuple[int, ...]
    seconds: float


def _init_worker() -> None:
    try:   # the matrices are small: BLAS threads would only fight over the cores
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:
        pass


def _render_chunk(args: tuple[str, list[dict[str, Any]], tuple[int, ...]]) -> list[tuple[int, list, dict, dict]]:
    from ecgcore.synth import writer as W
    from ecgcore.synth.record import simulate_record

    root, specs, rates = args
    out = []
    for spec in specs:
        rec = simulate_record(spec, rates)
        for rate in rates:
            W.write_record(Path(root), rec.ecg_id, rate, rec.signals[rate])
        out.append((rec.ecg_id, rec.lesions, rec.truth, rec.meta))
    return out


def _written_by_synth(out: Path) -> bool:
    """Whether `out` is a folder this generator wrote (perhaps interrupted before its database): its README, the
    first file written, says so. This decides only what `_prepare` may clear; whether records are synthetic is
    decided by the one rule, `ecgcore.data.ptbxl.is_synthetic` (device SYNTHETIC in the database)."""
    readme = out / "README.md"
    return readme.is_file() and readme.read_text(errors="replace").startswith("# SYNTHETIC")


def _prepare(out: Path) -> None:
    """Create `out`, or clear the records of an earlier (possibly interrupted) synthetic corpus there; never
    touch anything else. The README that marks a folder synthetic is the first file written."""
    if not _written_by_synth(out):
        if (out / "ptbxl_database.csv").exists():
            raise ECGError(f"{out} already holds a PTB-XL database that is not a synthetic corpus; "
                           "choose an empty or new folder for --out.")
        if out.exists() and any(out.iterdir()):
            raise ECGError(f"{out} is not empty; choose an empty or new folder for --out (or an earlier synthetic corpus).")
    for sub in ("records100", "records500"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    for name in ("ptbxl_database.csv", "lesions.jsonl", "truth.csv"):
        (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def generate_corpus(out: str | Path, records: int = MAX_RECORDS, seed: int = 0, rates: tuple[int, ...] = (100,),
                    workers: int = 2, progress: bool = True) -> CorpusSummary:
    """Write a synthetic PTB-XL-shaped corpus of `records` 10 s records to `out` (see ecgcore.synth).

    Same arguments, same bytes: every record draws from seeds fixed by (seed, ecg_id, patient), whatever the
    number of workers. With 500 in `rates` the signals are simulated at 500 Hz and the 100 Hz files are
    decimated from them (`ecgcore.signal.resample`, polyphase), as PTB-XL's were; otherwise they are simulated at 100 Hz.
    """
    if not 1 <= int(records) <= MAX_RECORDS:
        raise ECGError(f"--records must be between 1 and {MAX_RECORDS} (PTB-XL's size), got {records}.")
    rates = tuple(sorted(set(int(r) for r in rates)))
    if not rates or any(r not in RATES for r in rates):
        raise ECGError(f"--rates must be 100 and/or 500 (PTB-XL's rates), got {list(rates)}.")
    if int(workers) < 1:
        raise ECGError(f"--workers must be at least 1, got {workers}.")
    t0 = time.perf_counter()
    root = Path(out)
    _prepare(root)
    from ecgcore.synth import writer as W          # heavy imports only once the arguments are known good
    from ecgcore.synth.cohort import LABEL_NOISE, sample_cohort
    from ecgcore.synth.record import simulate_record  # noqa: F401  (imported before the workers fork)

    W.write_readme(root, int(records), int(seed), rates, 100 * LABEL_NOISE["train"])
    W.copy_statements(root)
    specs = sample_cohort(int(records), int(seed))
    chunks = [(str(root), specs[i:i + CHUNK], rates) for i in range(0, len(specs), CHUNK)]
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(specs), unit="rec", desc="synth", smoothing=0.1)
    results: list[tuple[int, list, dict, dict]] = []
    if workers == 1 or len(chunks) == 1:
        _init_worker()
        for c in chunks:
            results += _render_chunk(c)
            if bar is not None:
                bar.update(len(c[1]))
    else:
        with mp.get_context("fork").Pool(int(workers), initializer=_init_worker) as pool:
            for part in pool.imap(_render_chunk, chunks):
                results += part
                if bar is not None:
                    bar.update(len(part))
    if bar is not None:
        bar.close()
    metas = {ecg_id: meta for ecg_id, _, _, meta in results}
    W.write_database(root, specs, metas, int(seed))
    W.write_lesions(root, ((ecg_id, les) for ecg_id, les, _, _ in results))
    W.write_truth(root, [truth for _, _, truth, _ in results])
    return CorpusSummary(out=root, records=int(records), seed=int(seed), rates=rates, seconds=time.perf_counter() - t0)
