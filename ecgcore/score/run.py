"""`score_paths(paths, out, ...)`: plan (or resume) a run, score it with an engine, write it, summarise it."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from ecgcore.core.errors import UnknownNameError
from ecgcore.score import engines, store
from ecgcore.score.sources import find_units
from ecgcore.score.triage import summary

ENGINES = ("serial", "local", "ray")
DEFAULT_SHARD_SIZE = 32


def shipped_models(models_dir: str | None = None) -> list[str]:
    """The registered models that have a trained folder (card.json) under the models folder, sorted."""
    from ecgcore.core.settings import resolve
    from ecgcore.models.registry import model_names

    folder = resolve(models_dir=models_dir).models_dir
    return [n for n in model_names() if (folder / n / "card.json").is_file()]


def score_paths(paths: list[str] | None, out: str | Path, *, models: list[str] | None = None,
                models_dir: str | None = None, engine: str = "local", workers: int = 2,
                shard_size: int = DEFAULT_SHARD_SIZE, resume: bool = False, ray_address: str | None = None,
                ray_cpus: int | None = None, progress: bool = True) -> dict[str, Any]:
    """Score every record under `paths` into the run folder `out` (see `ecgcore.score.store` for its layout).

    engine: "local" (a pool of `workers` processes), "ray" (Ray Data at `ray_address` / $RAY_ADDRESS, else a
    local instance with `ray_cpus`), "serial" (this process; the baseline). resume: finish the run in `out`
    (its plan; `paths` may be omitted). Returns the run's `summary` plus "elapsed_s", "scored" (records
    scored by this call), "engine" and "workers" (pid -> peak RSS MB). Raises ECGError for paths that match
    nothing, an unknown model or engine, or an `out` that holds a run when `resume` is False.
    """
    if engine not in ENGINES:
        raise UnknownNameError(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    models = list(models) if models else shipped_models(models_dir)
    unknown = sorted(set(models) - set(shipped_models(models_dir)))
    if unknown:
        raise UnknownNameError(f"no trained model {', '.join(unknown)}; trained: {', '.join(shipped_models(models_dir))}")
    info = {"models": models, "engine": engine, "paths": list(paths or [])}
    if resume and store.is_run(out):
        run = store.RunStore.resume(out, {"models": models})
    else:
        if not paths:
            raise UnknownNameError("give the ECG files or folders to score (or --resume with a run folder).")
        run = store.RunStore.create(out, find_units(list(paths)), shard_size, info)
    todo = run.todo()
    n_todo = sum(len(us) for _, us in todo)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_todo, unit="rec", desc="score", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)

    def on_table(table) -> None:
        run.add(table)
        if bar is not None:
            bar.update(table.num_rows)

    t0 = time.perf_counter()
    try:
        if engine == "serial":
            engines.run_serial(todo, models, models_dir, on_table)
            used: dict[str, Any] = {"workers": 1}
        elif engine == "local":
            engines.run_local(todo, models, models_dir, on_table, workers=workers)
            used = {"workers": workers}
        else:
            used = engines.run_ray(todo, models, models_dir, on_table, address=ray_address, num_cpus=ray_cpus)
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - t0
    run.save(last_call={"engine": engine, **used, "elapsed_s": round(elapsed, 3), "records": n_todo})
    result = summary(store.load_rows(run.folder))
    result.update(elapsed_s=elapsed, scored=n_todo, engine=engine, workers=dict(run.manifest["workers"]),
                  complete=run.manifest["complete"], folder=str(run.folder))
    return result
