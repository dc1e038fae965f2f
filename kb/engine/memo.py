"""A snapshot's memo (``kb.search``'s docsets and sub-word occurrences), bounded in bytes.

The memo was a dict cleared past 512 entries.  At 63,241 releases one entry
can hold megabytes (การ: 2.4 M occurrence offsets), so a 60-query pass kept
~250 MB of them, most of the server's anonymous memory.  Now the oldest
entries go once the estimated total passes ``MEMO_BYTES``; a search that
finds an entry gone computes it again, with the same result.

A large set of docnums (a common word's docset: 60,000 Python ints, ~3.5 MB
as a ``set``) is held as one int32 array (240 KB) and made a set again when
asked for (~3 ms): at 63k the sets were two thirds of a 60-query pass' memo
(109 of 155 MB), which now fits in ``MEMO_BYTES``.

An entry's size follows the collection's (a common word's docset and offsets
grow with it), so a fixed bound chosen at 63,000 releases held a pass of
queries no more at 4× the releases (every repeat recomputed: repeated p95 718
vs 125 ms).  A snapshot's bound is ``limit_for(documents)``: ``MEMO_BYTES_PER_DOC``
a document, never under ``MEMO_BYTES`` nor over ``MEMO_MAX_BYTES``;
``KB_MEMO_MB`` fixes it whatever the size.
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Mapping
from itertools import islice

import numpy as np

MEMO_BYTES = int(os.environ.get("KB_MEMO_MB", "64")) * 2**20  # KB_MEMO_MB: a deployment's own bound
# 64 MB held a 60-query pass (~55 MB) at 63,000 releases: ~1,100 bytes a document keeps that share
MEMO_BYTES_PER_DOC = 1100
MEMO_MAX_BYTES = 1024 * 2**20
PACK_AT = 512  # a set of at least this many docnums is held as an array
_MISSING = object()
_INT = 32  # a small Python int and its slot in a container
_SAMPLE = 16


def limit_for(documents: int) -> int:
    """The memo bound of a snapshot of ``documents`` live documents: in proportion to the
    collection, within [``MEMO_BYTES``, ``MEMO_MAX_BYTES``], or ``KB_MEMO_MB`` when set."""
    if os.environ.get("KB_MEMO_MB"):
        return MEMO_BYTES
    return min(MEMO_MAX_BYTES, max(MEMO_BYTES, MEMO_BYTES_PER_DOC * max(0, documents)))


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


class PackedSet:
    """A memoized set of non-negative ints as one array; ``unpack`` gives a new set."""

    __slots__ = ("array", "frozen")

    def __init__(self, array: np.ndarray, frozen: bool):
        self.array, self.frozen = array, frozen

    @property
    def nbytes(self) -> int:
        return self.array.nbytes + 64

    def unpack(self) -> set[int] | frozenset[int]:
        items = self.array.tolist()
        return frozenset(items) if self.frozen else set(items)


def _pack(value: object) -> object:
    """``value``, or a ``PackedSet`` of it when it is a large set of docnums."""
    if type(value) not in (set, frozenset) or len(value) < PACK_AT:  # type: ignore[arg-type]
        return value
    if type(next(iter(value))) is not int:  # type: ignore[call-overload]
        return value
    try:
        array = np.fromiter(value, dtype=np.int64, count=len(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return value
    if array.min() < 0 or array.max() >= 2**31 or not all(type(v) is int for v in islice(value, 64)):  # type: ignore[call-overload]
        return value
    return PackedSet(array.astype(np.int32), type(value) is frozenset)


def _unpack(value: object) -> object:
    return value.unpack() if isinstance(value, PackedSet) else value


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
        value = _pack(value)
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

    def __getitem__(self, key):
        return _unpack(dict.__getitem__(self, key))

    def get(self, key, default=None):
        value = dict.get(self, key, _MISSING)
        return default if value is _MISSING else _unpack(value)

    def __delitem__(self, key) -> None:
        with self._lock:
            dict.__delitem__(self, key)
            self.nbytes -= self._sizes.pop(key, 0)

    def pop(self, key, *default):
        with self._lock:
            self.nbytes -= self._sizes.pop(key, 0)
            return _unpack(dict.pop(self, key, *default))

    def clear(self) -> None:
        with self._lock:
            dict.clear(self)
            self._sizes.clear()
            self.nbytes = 0

