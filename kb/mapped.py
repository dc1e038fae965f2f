"""Mapped files a process hands back after use: pages in the page cache, not in its RSS.

The scan buffer (205 MB at 63,241 releases) is memory-mapped so that a
lookup checks its candidates where they are, without copying.  But every page
a lookup touches stays mapped into the process, and a common chunk's
candidates touch all of it: a server's RSS held the whole buffer after its
first few queries (``docs/benchmarks.md``, "Server memory at 63k").
``release`` drops the process' page-table entries for a range
(``MADV_DONTNEED`` on a read-only shared file mapping): the pages stay in the
kernel's page cache, shared by every process and evictable, and the next
touch maps them again from there (a minor fault, no disk read; a window with
many candidates is mapped by its candidates' own faults, 64 KB around each:
mapping it whole first in one call, ``populate``, was measured no cheaper).  The bytes
are the file's, so nothing read later differs.  A whole-buffer pass
(``windows``) walks the buffer a window at a time and releases each window
behind it, so the process holds at most one window of it at once.
"""
from __future__ import annotations

import mmap
import sys
from collections.abc import Iterator

WINDOW = 8 * 2**20  # bytes of a mapped buffer a pass holds at once
# candidates in a window past which a check counts it as paged in whole (``kb stats``).  Such a
# window was mapped whole first (``populate``) until measured at 4x the releases: the kernel maps
# 64 KB around each fault, so the candidates' own faults cost no more (docs/design.md, "Fourth step")
DENSE_AT = 256
_DONTNEED = getattr(mmap, "MADV_DONTNEED", None)
_POPULATE_READ = getattr(mmap, "MADV_POPULATE_READ", 22 if sys.platform == "linux" else None)  # Linux ≥ 5.14


def is_mapped(buffer: object) -> bool:
    return isinstance(buffer, mmap.mmap)


def release(buffer: object, lo: int = 0, hi: int | None = None) -> None:
    """Give back this process' pages of ``buffer[lo:hi]`` when it is a mapped file
    (a no-op for bytes, or where the platform has no ``MADV_DONTNEED``)."""
    if _DONTNEED is None or not isinstance(buffer, mmap.mmap):
        return
    size = len(buffer)
    hi = size if hi is None else min(hi, size)
    lo = max(0, lo) // mmap.PAGESIZE * mmap.PAGESIZE  # madvise wants a page-aligned start
    if hi <= lo:
        return
    try:
        buffer.madvise(_DONTNEED, lo, hi - lo)
    except (OSError, ValueError):  # a closed map, or a kernel that refuses: the pages just stay
        pass


def populate(buffer: object, lo: int, hi: int) -> None:
    """Map ``buffer[lo:hi]``'s pages into the process in one call (from the page cache)
    rather than a fault at a time; a no-op where the kernel cannot."""
    global _POPULATE_READ
    if _POPULATE_READ is None or not isinstance(buffer, mmap.mmap):
        return
    lo = max(0, lo) // mmap.PAGESIZE * mmap.PAGESIZE
    hi = min(hi, len(buffer))
    if hi <= lo:
        return
    try:
        buffer.madvise(_POPULATE_READ, lo, hi - lo)
    except OSError:  # an older kernel: faults it is, from now on
        _POPULATE_READ = None
    except ValueError:
        pass


def windows(size: int, window: int | None = None) -> Iterator[tuple[int, int]]:
    """``(lo, hi)`` spans of ``window`` bytes (``WINDOW``) covering ``0..size``."""
    window = window or WINDOW
    for lo in range(0, size, window):
        yield lo, min(size, lo + window)
