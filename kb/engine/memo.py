"""A snapshot's memo (``kb.search``'s docsets and sub-word occurrences), bounded in bytes.

The memo was a dict cleared past 512 entries.  At 63,241 releases one entry
can hold megabytes (การ: 2.4 M occurrence offsets), so a 60-query pass kept
~250 MB of them, most of the server's anonymous memory.  Now the oldest
entries go once the estimated total passes ``MEMO_BYTES``; a search that
finds an entry gone computes it again, with the same result.
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Mapping
from itertools import islice

MEMO_BYTES = int(os.environ.get("KB_MEMO_MB", "256")) * 2**20  # KB_MEMO_MB: a deployment's own bound
_INT = 32  # a small Python int and its slot in a container
_SAMPLE = 16


def estimate(value: object) -> int:
    """Approximate bytes a memoized value holds (arrays exactly; a container from a
    sample of ``_SAMPLE`` of its items: walking 60,000 of them cost 0.5 s a query)."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    if callable(nbytes):
        return int(nbytes())
    if isinstance(value, (set, frozenset)):
        return sys.getsizeof(value) + _INT * len(value)
    if isinstance(value, Mapping):
        items: Iterable = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return sys.getsizeof(value)
    n = len(value)
    sample = [estimate(v) for v in islice(items, _SAMPLE)]
    return sys.getsizeof(value) + (n * (_INT * isinstance(value, Mapping) + sum(sample) // len(sample)) if sample else 0)


def _partial(value: object) -> bool:
    """Is ``value`` (or a part of a tuple) an answer cut short (``DocOffsets.partial``)?"""
    if isinstance(value, tuple):
        return any(getattr(v, "partial", False) is True for v in value)
    return getattr(value, "partial", False) is True


class Memo(dict):
    """A dict whose oldest entries are dropped once the values' estimated bytes
    pass ``limit`` (the newest entry stays, whatever its size).  Thread-safe for
    the server's threads sharing one snapshot."""

    def __init__(self, limit: int = MEMO_BYTES):
        super().__init__()
        self.limit = limit
        self.nbytes = 0
        self._sizes: dict = {}
        self._lock = threading.Lock()

    def __setitem__(self, key, value) -> None:
        if _partial(value):  # a scan the query's budget stopped: the next search must finish it
            return
        size = estimate(value)
        with self._lock:
            self.nbytes += size - self._sizes.pop(key, 0)
            dict.pop(self, key, None)  # re-inserted last: the newest
            dict.__setitem__(self, key, value)
            self._sizes[key] = size
            for old in list(self._sizes):
                if self.nbytes <= self.limit or old == key:
                    break
                self.nbytes -= self._sizes.pop(old)
                dict.pop(self, old, None)

    def __delitem__(self, key) -> None:
        with self._lock:
            dict.__delitem__(self, key)
            self.nbytes -= self._sizes.pop(key, 0)

    def pop(self, key, *default):
        with self._lock:
            self.nbytes -= self._sizes.pop(key, 0)
            return dict.pop(self, key, *default)

    def clear(self) -> None:
        with self._lock:
            dict.clear(self)
            self._sizes.clear()
            self.nbytes = 0

