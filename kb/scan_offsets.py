"""Where a chunk occurs, per document, held as three arrays rather than lists.

A very common chunk (การ at 63,000 releases: 2.4 M occurrences in 60,000
documents) was turned into one Python list per document on every scan, about
0.2 s of ``tolist`` and slicing, and turned back into arrays to be scored.
``DocOffsets`` is the read-only ``docnum → offsets`` mapping the sub-word
layer has always returned, but it keeps the scan's arrays and makes a
document's list only when that document is looked at; scoring many documents
at once (``kb.search.scoring.passage_scores``) reads the arrays directly.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np


class DocOffsets(Mapping):
    """docnum → ascending offsets, in scan order; lists made on first access."""

    def __init__(self, docs: np.ndarray, counts: np.ndarray, offsets: np.ndarray):
        # int32 (memoized per snapshot: half the bytes of int64); ``flat`` gives int64
        self.docs = docs.astype(np.int32, copy=False)  # docnums, one per document holding the chunk
        self.counts = counts.astype(np.int32, copy=False)  # occurrences in each
        self.offsets = offsets.astype(np.int32, copy=False)  # offsets, document after document
        self._key_list: list[int] | None = None
        self._where: dict[int, int] | None = None
        self._lists: dict[int, list[int]] = {}
        self._spans: tuple[list[int], list[int]] | None = None  # each document's end and count
        self.partial = False  # a pass stopped by the query's budget: not every occurrence (never memoized)

    @classmethod
    def empty(cls) -> "DocOffsets":
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none)

    @property
    def _keys(self) -> list[int]:
        if self._key_list is None:  # one assignment: threads of a server share a memoized scan
            self._key_list = self.docs.tolist()
        return self._key_list

    def _index(self) -> dict[int, int]:
        if self._where is None:
            self._where = dict(zip(self._keys, range(len(self._keys))))
        return self._where

    def __getitem__(self, docnum: int) -> list[int]:
        found = self._lists.get(docnum)
        if found is None:
            i = self._index()[docnum]  # KeyError for a document without the chunk, as a dict
            if self._spans is None:  # one assignment: threads of a server share a memoized scan
                self._spans = (np.cumsum(self.counts).tolist(), self.counts.tolist())
            ends, counts = self._spans
            found = self._lists[docnum] = self.offsets[ends[i] - counts[i] : ends[i]].tolist()
        return found

    def __contains__(self, docnum: object) -> bool:
        return docnum in self._index()

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self.docs)

    def __repr__(self) -> str:
        return f"DocOffsets({len(self)} documents, {len(self.offsets)} offsets)"

    def nbytes(self) -> int:
        """Bytes held: the arrays, and the lists and index made so far (estimated)."""
        made = sum(len(v) for v in self._lists.values())
        keys = 0 if self._key_list is None else 36 * len(self._key_list)
        return (self.docs.nbytes + self.counts.nbytes + self.offsets.nbytes + keys
                + 100 * (len(self._lists) + (len(self.docs) if self._where is not None else 0)) + 32 * made)

    def flat(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(docnums, counts, offsets) as int64 arrays (scoring shifts docnums into keys)."""
        return self.docs.astype(np.int64), self.counts.astype(np.int64), self.offsets.astype(np.int64)

    def subset(self, keep: np.ndarray) -> "DocOffsets":
        """The documents where the boolean ``keep`` (one per document) is true."""
        return DocOffsets(self.docs[keep], self.counts[keep], self.offsets[np.repeat(keep, self.counts)])

    def among(self, docs: set[int]) -> "DocOffsets":
        """Only the documents in ``docs``."""
        return self.subset(np.isin(self.docs, np.fromiter(docs, dtype=np.int64, count=len(docs))))


def sorted_index(values: np.ndarray, x: int, side: str = "left") -> int:
    """``np.searchsorted(values, x, side)`` for one integer ``x``, searched in ``values``'
    own type when it fits there.

    numpy (2.x) searches an int32 array for a Python or int64 integer by first making
    an int64 copy of the whole array: a common chunk's millions of candidates were
    copied (new memory, a page fault each 4 KB) to find one edge, 8-20 ms a call at
    4.4 M, several calls a lookup.  The answer is the same in either type."""
    kind = values.dtype
    if kind.kind in "iu" and np.iinfo(kind).min <= x <= np.iinfo(kind).max:
        return int(np.searchsorted(values, kind.type(x), side=side))
    return int(np.searchsorted(values, x, side=side))


def run_indices(firsts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The indices of runs laid end to end: run i is ``firsts[i] .. firsts[i] + sizes[i] - 1``
    (int64).  How a batch of documents, terms or postings takes its own entries out of
    a flat array without a Python step per run."""
    sizes = np.asarray(sizes, dtype=np.int64)
    run_starts = np.cumsum(sizes) - sizes
    return np.repeat(np.asarray(firsts, dtype=np.int64) - run_starts, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)


def doc_offsets(found: np.ndarray, starts: np.ndarray, docnums: np.ndarray) -> DocOffsets:
    """Verified buffer positions (ascending) as docnum → offsets in the document, given
    each document's start in the buffer (ascending) and its docnum.

    Worked in ``found``'s own type (int32 under 2 GiB of buffer): a common chunk has
    millions of occurrences, and each full-length array made here is new memory
    (4.4 M of และ at 4× the releases: 122 MB of int64 temporaries, now 35 MB)."""
    if not len(found):
        return DocOffsets.empty()
    starts = starts.astype(found.dtype, copy=False)  # compared or subtracted in one type: no copy of found
    if len(found) > len(starts) // 8:  # many: where each document's run begins
        begins = np.searchsorted(found, starts)
        per_doc = np.diff(np.r_[begins, len(found)])
        held = np.flatnonzero(per_doc)
        counts = per_doc[held]
        offsets = found - np.repeat(starts[held], counts)
        return DocOffsets(docnums[held], counts, offsets)
    doc_index = np.searchsorted(starts, found, side="right") - 1
    offsets = found - starts[doc_index]
    firsts = np.flatnonzero(np.r_[True, doc_index[1:] != doc_index[:-1]])
    counts = np.diff(np.r_[firsts, len(found)])
    return DocOffsets(docnums[doc_index[firsts]], counts, offsets)
