"""The engines that run `score_batch` over a run's shards and hand the tables to a callback.

- `run_local`: a process pool (`concurrent.futures.ProcessPoolExecutor`, spawn context); each worker loads the
  models once (its initializer) and uses one torch thread; one task is one shard; at most 2 shards per worker
  are in flight, so memory is bounded by the workers, not by the archive; `score_batch` reads each record
  right before scoring it (one record's bytes in memory at a time).
- `run_ray`: Ray Data on a cluster (`address`, or `RAY_ADDRESS`) or a local instance (`num_cpus`): the plan's
  records as a dataset, `read_batch` in parallel tasks, `score_batch` in an actor pool (`ActorPoolStrategy`:
  each actor loads the models once), the result streamed back to the driver (`iter_batches`), which writes the
  shards. Ray is imported here only (`pip install .[scale]`).
"""
from __future__ import annotations

import logging
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Callable

import pyarrow as pa

from ecgcore.score.batch import read_batch, score_batch, units_batch
from ecgcore.score.sources import Unit

Shards = list[tuple[int, list[Unit]]]
OnTable = Callable[[pa.Table], None]

_SCORER = None


def _exit_with_parent(parent: int) -> None:
    """A pool worker ends when its driver is gone (killed with SIGKILL, the pool cannot tell it)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(2.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _init_worker(models: list[str], models_dir: str | None, parent: int | None = None) -> None:
    global _SCORER
    if parent is not None:
        _exit_with_parent(parent)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    from ecgcore.score.record import Scorer

    torch.set_num_threads(1)
    _SCORER = Scorer(models, models_dir)


def _score_shard(shard: int, units: list[Unit]) -> pa.Table:
    return score_batch(units_batch(shard, units), _SCORER)


def run_serial(shards: Shards, models: list[str], models_dir: str | None, on_table: OnTable) -> None:
    """The same functions in this process, one shard after another (the baseline; tests)."""
    _init_worker(models, models_dir)
    for shard, units in shards:
        on_table(_score_shard(shard, units))


def run_local(shards: Shards, models: list[str], models_dir: str | None, on_table: OnTable, workers: int = 2) -> None:
    """Score `shards` in a pool of `workers` processes; `on_table` gets each shard's table as it is done.
    Stopping (Ctrl-C) cancels the shards not started; the ones in flight are lost (resume redoes them)."""
    todo = list(shards)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker,
                             initargs=(models, models_dir, os.getpid())) as pool:
        running = set()
        try:
            while todo or running:
                while todo and len(running) < 2 * workers:
                    shard, units = todo.pop(0)
                    running.add(pool.submit(_score_shard, shard, units))
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    on_table(future.result())
        except BaseException:
            for future in running:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


class _ScoreActor:
    """A Ray actor: loads the models once, then scores read batches."""

    def __init__(self, models: list[str], models_dir: str | None) -> None:
        _init_worker(models, models_dir)
        self.scorer = _SCORER

    def __call__(self, batch: dict) -> pa.Table:
        return score_batch(batch, self.scorer)


def _read_task(batch: dict) -> dict:
    import numpy as np

    out = read_batch(batch)
    return {"shard": np.asarray(out["shard"], dtype=np.int64), "source": np.asarray(out["source"], dtype=object),
            "blob": np.asarray(out["blob"], dtype=object)}


def run_ray(shards: Shards, models: list[str], models_dir: str | None, on_table: OnTable, *,
            address: str | None = None, num_cpus: int | None = None, actors: int | None = None,
            batch_size: int = 16) -> dict:
    """Score `shards` on Ray Data; returns {"address", "cpus", "actors"}. `address`: a cluster's head
    ("ray://host:10001" or "host:6379"; default $RAY_ADDRESS, else a local instance with `num_cpus`);
    `actors`: the actor pool's size (default: the cluster's CPUs). Raises ImportError with the install
    command when Ray is missing."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ImportError("score --ray needs Ray Data: pip install 'ecgcore[scale]' (or pip install 'ray[data]')."
                          ) from exc
    address = address or os.environ.get("RAY_ADDRESS") or None
    started = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        started = True
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        size = max(1, actors or cpus)
        items = [{"shard": s, "source": u.source, "files": list(u.files), "archive": u.archive}
                 for s, units in shards for u in units]
        if not items:
            return {"address": address or "local", "cpus": cpus, "actors": 0}
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        blocks = min(len(items), max(2 * size, -(-len(items) // batch_size)), 1000)
        ds = ray.data.from_items(items, override_num_blocks=blocks)
        # reading is I/O: small CPU share, so it runs beside the actors that take one CPU each
        ds = ds.map_batches(_read_task, batch_size=batch_size, batch_format="numpy", num_cpus=0.1)
        ds = ds.map_batches(_ScoreActor, fn_constructor_kwargs={"models": list(models), "models_dir": models_dir},
                            batch_size=batch_size, batch_format="numpy", num_cpus=max(0.5, (cpus - 0.2) / size),
                            compute=ray.data.ActorPoolStrategy(size=size))
        for table in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            on_table(table)
        return {"address": address or "local", "cpus": cpus, "actors": size}
    finally:
        if started:
            ray.shutdown()
