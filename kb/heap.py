"""The C heap of a long-running ``kb serve``: one malloc arena, trimmed after start.

glibc gives each thread that allocates while another holds the lock an arena
of its own (up to 8 per core), and each arena keeps the memory its thread's
large numpy arrays freed.  ``kb serve`` answers on 8 waitress threads, one
query at a time under the GIL, so the arenas bought no speed and held memory:
at 63,241 releases the server's peak RSS over the 60-query mix was 418 MB with
them and 331 MB with one (``docs/benchmarks.md``, "Server memory at 63k,
second step").  A deployment that sets ``MALLOC_ARENA_MAX`` itself keeps its
choice.  Elsewhere (another C library, no ``mallopt``) these are no-ops.
"""
from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # glibc's mallopt parameter number


def _libc():
    try:
        return ctypes.CDLL(None)
    except OSError:  # no C library to ask (e.g. Windows)
        return None


def one_arena() -> bool:
    """Let every thread share the main malloc arena; True if the C library agreed."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt(M_ARENA_MAX, 1) == 1


def trim() -> bool:
    """Give the heap's free pages back to the system (after the warm-up's searches)."""
    libc = _libc()
    malloc_trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if malloc_trim is None:
        return False
    malloc_trim.argtypes, malloc_trim.restype = (ctypes.c_size_t,), ctypes.c_int
    return bool(malloc_trim(0))
