"""Positional postings of a Typesense collection's encoded words, held by kb (issue 16).

Why kb holds them: kb needs whole matching sets (totals, facet counts "as if
its own selection were removed"), document frequencies and term frequencies
for its own BM25F, and Typesense 0.24 lists a word's documents only by
exporting every matching document from its store (300–730 ms for a common word
at 2,000 releases, seconds at 63,000), or 250 hits a page.  So a snapshot reads
every document's encoded words once, in one streamed export, into numpy arrays:

- per field, a vocabulary ``code → term number`` (a dict: the only per-word
  Python objects) and, per *segment* of up to ``SEGMENT_DOCS`` documents, the
  positions of each term, grouped by term and ascending.  Positions are global
  along the segment's stream of words, one empty slot between two documents,
  so a phrase never runs from one document into the next;
- a word's documents and frequencies are its positions mapped to documents
  (``searchsorted`` over the documents' first positions), a phrase its first
  word's positions whose next positions hold the next words.

Cost: 4 bytes a word occurrence plus the vocabulary, instead of the encoded
texts (≈ 11 bytes a word) and a Python list per word; building sorts one
segment at a time, so the peak is a segment's keys (8 bytes a word), not the
collection's.  Pure numpy, no Typesense import; equal to Typesense's token
filter and exact phrase search (``tests/test_typesense_engines.py``).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from kb.engine.arrays import sorted_contains

SEGMENT_DOCS = 4096  # documents sorted together while building (bounds the build's peak memory)
_GAP = 0  # term number of the empty slot after each document (real terms start at 1)
_NO_DOCS = np.zeros(0, dtype=np.int32)
_NO_TFS = np.zeros(0, dtype=np.int32)


@dataclass
class _Segment:
    """The positions of one run of documents: ``terms`` (sorted term numbers
    present) and ``starts`` slice ``positions``; ``first`` is each document's first
    position and ``docnums`` its docnum, both in stream order."""

    terms: np.ndarray  # uint32, ascending
    starts: np.ndarray  # int64, len(terms) + 1
    positions: np.ndarray  # uint32
    first: np.ndarray  # uint32, ascending
    docnums: np.ndarray  # int32

    def positions_of(self, term: int) -> np.ndarray:
        i = int(np.searchsorted(self.terms, term))
        if i == len(self.terms) or self.terms[i] != term:
            return self.positions[:0]
        return self.positions[self.starts[i] : self.starts[i + 1]]

    def docs_of(self, positions: np.ndarray) -> np.ndarray:
        """The docnum of each position (positions ascending → docnums in stream order)."""
        return self.docnums[np.searchsorted(self.first, positions, side="right") - 1]

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.terms, self.starts, self.positions, self.first, self.docnums))


@dataclass
class FieldPostings:
    """One field's postings over every document of a snapshot."""

    vocab: dict[str, int] = field(default_factory=dict)
    segments: list[_Segment] = field(default_factory=list)

    def term_docs(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums ascending, term frequencies) of the documents holding ``code``."""
        term = self.vocab.get(code)
        if term is None:
            return _NO_DOCS, _NO_TFS
        parts = [s.docs_of(s.positions_of(term)) for s in self.segments]
        docs = np.concatenate(parts) if parts else _NO_DOCS
        if not len(docs):
            return _NO_DOCS, _NO_TFS
        found, tfs = _counted(docs)
        return found.astype(np.int32), tfs.astype(np.int32)

    def phrase_docs(self, codes: tuple[str, ...]) -> np.ndarray:
        """Docnums (ascending) of the documents holding ``codes`` at consecutive positions."""
        terms = [self.vocab.get(c) for c in codes]
        if not terms or any(t is None for t in terms):
            return _NO_DOCS
        parts = []
        for seg in self.segments:
            starts = seg.positions_of(terms[0])
            for offset, term in enumerate(terms[1:], 1):
                if not len(starts):
                    break
                starts = starts[sorted_contains(seg.positions_of(term), starts + offset)]
            if len(starts):
                parts.append(seg.docs_of(starts))
        return _counted(np.concatenate(parts))[0].astype(np.int32) if parts else _NO_DOCS

    def nbytes(self) -> int:
        """Bytes of the arrays (the vocabulary's strings aside, ≈ 100 bytes a word)."""
        return sum(s.nbytes() for s in self.segments)


def _counted(docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct docnums ascending, occurrences of each).  When docnums follow the
    stream's order (the snapshot numbers documents in export order) they arrive
    ascending and counting runs is linear; otherwise a sort."""
    if len(docs) < 2 or not (docs[1:] >= docs[:-1]).all():
        return np.unique(docs, return_counts=True)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(docs)) + 1))
    return docs[starts], np.diff(np.append(starts, len(docs)))


class PostingsBuilder:
    """Collects documents' encoded fields (space-joined codes) into ``FieldPostings``."""

    def __init__(self, fields: Iterable[str]):
        self.fields = {name: FieldPostings() for name in fields}
        self._stream = {name: array("I") for name in self.fields}
        self._first = {name: array("I") for name in self.fields}
        self._docnums = array("i")

    def add(self, docnum: int, texts: dict[str, str]) -> None:
        for name, postings in self.fields.items():
            codes = (texts.get(name) or "").split()
            vocab = postings.vocab
            for code in set(codes).difference(vocab):
                vocab[code] = len(vocab) + 1  # 0 is the gap between documents
            stream = self._stream[name]
            self._first[name].append(len(stream))
            stream.extend(map(vocab.__getitem__, codes))
            stream.append(_GAP)
        self._docnums.append(docnum)
        if len(self._docnums) >= SEGMENT_DOCS:
            self._seal()

    def _seal(self) -> None:
        """Sort the collected documents' positions by term into one segment per field."""
        if not self._docnums:
            return
        docnums = np.frombuffer(self._docnums, dtype=np.int32).copy()
        for name, postings in self.fields.items():
            stream = np.frombuffer(self._stream[name], dtype=np.uint32)
            # term in the high half, position in the low: one sort groups by term, positions ascending
            keys = (stream.astype(np.uint64) << np.uint64(32)) | np.arange(len(stream), dtype=np.uint64)
            keys.sort()
            terms_sorted = (keys >> np.uint64(32)).astype(np.uint32)
            starts = np.flatnonzero(np.diff(terms_sorted)) + 1 if len(keys) else np.zeros(0, dtype=np.int64)
            starts = np.concatenate(([0], starts)) if len(keys) else starts
            terms = terms_sorted[starts]
            postings.segments.append(
                _Segment(
                    terms=terms,
                    starts=np.append(starts, len(keys)).astype(np.int64),
                    positions=(keys & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                    first=np.frombuffer(self._first[name], dtype=np.uint32).copy(),
                    docnums=docnums,
                )
            )
            self._stream[name], self._first[name] = array("I"), array("I")
        self._docnums = array("i")

    def finish(self) -> dict[str, FieldPostings]:
        self._seal()
        return self.fields
