"""Running items in worker processes, in order, so results do not depend on the worker count.

Each item has its own seed (seeding.rng(seed, subset, index)), so it does not matter which
process makes it; `imap` hands results back in item order, so the files written are the same
bytes whatever `workers` is. Workers are forked from the run's process and share its pools,
templates and OCR engine as they were when the pool started.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Iterator, Optional

from datagen.errors import ItemError
from datagen.generator import ItemResult, SubsetGenerator

_GEN: Optional[SubsetGenerator] = None  # the generator a forked worker uses (set in the parent just before forking)


def run_item(gen: SubsetGenerator, seed: int, index: int) -> ItemResult:
    """One item with everything it produced (a skipped item carries its ItemError), timed; picklable."""
    t0 = time.perf_counter()
    try:
        res = gen.item(seed, index)
    except ItemError as e:
        res = ItemResult(index, error=e)
    res.seconds = time.perf_counter() - t0
    return res


def _work(args: tuple) -> ItemResult:
    seed, index = args
    return run_item(_GEN, seed, index)


def _init_worker() -> None:
    # Tesseract's own threads would fight the other workers for the cores
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def effective_workers(workers: int) -> int:
    """workers=0 means one per core."""
    return workers if workers > 0 else (os.cpu_count() or 1)


def items(gen: SubsetGenerator, seed: int, indices: range, workers: int) -> Iterator[ItemResult]:
    """Results of the given items in order, made by `workers` processes (1 = in this process)."""
    global _GEN
    n = len(indices)
    if workers <= 1 or n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for i in indices:
            yield run_item(gen, seed, i)
        return
    _GEN = gen
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(workers, n), initializer=_init_worker) as pool:
            yield from pool.imap(_work, ((seed, i) for i in indices), chunksize=1)
    finally:
        _GEN = None
