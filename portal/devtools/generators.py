"""Where the demo's batches are generated while the last one is written.

A small demo uses one thread beside the writer. A large load on PostgreSQL uses one
process per core: generating a row (names, ID numbers, sealed fields) is pure Python and
holds the GIL, so threads would take turns on one core while the others idle.

The processes are started with ``spawn``, not ``fork``: a forked child would inherit the
parent's open database connection. Each sets Django up afresh and takes the parent's
sealing keys, so that what it seals opens under the parent's settings (a test's too).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings

# Below this many rows to write, starting processes (Django set up in each) costs more
# than they save.
PARALLEL_MIN = 200_000
# The settings a child must share with the parent to seal values as the parent would.
SHARED_SETTINGS = ("SUBSCRIBER_DATA_KEYS", "SUBSCRIBER_INDEX_KEY", "TIME_ZONE", "USE_TZ")


@dataclass(frozen=True)
class Generators:
    executor: Executor
    workers: int

    @property
    def in_processes(self) -> bool:
        return isinstance(self.executor, ProcessPoolExecutor)


def batch_generators(
    rows_to_write: int, *, postgres: bool, processes: int | None = None
) -> Generators:
    """Processes for a large load on PostgreSQL, one per core or ``processes`` of them (on
    a machine of one core only when asked for), otherwise a thread. Use the executor as a
    context manager."""
    count = processes if processes is not None else (os.cpu_count() or 1)
    if count < 1:
        raise ValueError("at least one generating process")
    if not postgres or rows_to_write < PARALLEL_MIN or (processes is None and count < 2):
        return Generators(ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed_demo"), 1)
    shared = {name: getattr(settings, name) for name in SHARED_SETTINGS}
    executor = ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_generator,
        initargs=(shared,),
    )
    return Generators(executor, count)


def _start_generator(shared: dict) -> None:
    """A child's first step: Django set up (the models' fields seal values), with the
    parent's keys."""
    import django

    django.setup()
    for name, value in shared.items():
        setattr(settings, name, value)
