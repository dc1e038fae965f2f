"""A large check split in parts, the later ones on a second core when one is free.

The benchmark's (and a single user's) query runs on one core while the other
idles; a common chunk's candidate check (``scan_pairs.PairIndex.checked``:
millions of candidates at 4× the releases, numpy gathers that release the GIL)
is the biggest single step of the slowest queries.  ``run_parts`` runs the
first part in the calling thread and offers the others to a small process-wide
pool; a part the pool has not started by the time the caller is free is taken
back and run by the caller.  So a query never waits behind another query's
parts (8 clients at once do no worse than running each part in turn), and the
parts' results come back in their order, the same as running them one by one.
The same pool takes other numpy-heavy parts of a query whose answer does not depend
on the thread (``grow3``): a search's facet counts beside its page, the halves of a
large tier-1 batch, the placing of many occurrences in their documents.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

R = TypeVar("R")

MAX_HELPERS = 4  # threads of the pool, whatever the machine (parts are few and short)
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def helpers() -> int:
    """Threads the pool may use: one fewer than the cores (the caller is one), at most ``MAX_HELPERS``."""
    return max(0, min(MAX_HELPERS, (os.cpu_count() or 1) - 1))


def _get_pool() -> ThreadPoolExecutor | None:
    global _pool
    if helpers() == 0:
        return None
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=helpers(), thread_name_prefix="kb-split")
        return _pool


def _forget_pool() -> None:
    """In a forked child the parent's threads do not exist: make a new pool on need."""
    global _pool, _lock
    _pool, _lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def run_parts(parts: Sequence[Callable[[], R]]) -> list[R]:
    """Each part's result, in order: the first run here, the others on the pool when
    it starts them before this thread is free, else here too."""
    pool = _get_pool() if len(parts) > 1 else None
    if pool is None:
        return [part() for part in parts]
    offered: list[Future] = [pool.submit(part) for part in parts[1:]]
    try:
        results = [parts[0]()]
    except BaseException:
        for future in offered:
            future.cancel()
        raise
    for part, future in zip(parts[1:], offered):
        results.append(part() if future.cancel() else future.result())
    return results
