"""A query tree evaluated over the segments' postings arrays (``kb.engine.arrays``).

Split from ``arrays`` (the files) because this is the search: ``ArrayIndex``
answers ``Snapshot.matching`` and ``Snapshot.top`` for one index state.  Every
node evaluates to ``Hits``, its matching live docnums in ascending order with
their BM25F scores; unions are one ``np.unique`` and a ``bincount``, an
intersection a ``searchsorted`` per child, and top-k one ``argpartition``.
Thread-safe: the arrays are read-only, and the positions callback (Whoosh) is
the caller's to lock.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import chain
from math import log
from typing import Collection

import numpy as np

from kb import query as kq
from kb.engine.arrays import (
    _EMPTY_DOCS, _NO_HITS, DEFAULT_B, FIELD_B, K1, Hits, PositionsFn, SegmentArrays, sorted_contains,
)

TERM_CACHE_BYTES = 32 * 2**20  # scored postings of recent common terms, per index state (LRU)


@dataclass(eq=False)
class ArrayIndex:
    """One index state's segments (with their first global docnum) and statistics."""

    segments: list[tuple[SegmentArrays, int]]
    live: np.ndarray  # bool per global docnum
    doc_count_all: int
    avg_length: dict[str, float]  # Whoosh's field_length / doc_count_all, per field
    positions: PositionsFn  # (segment index, field, term, local docnums) → (positions per docnum, flat positions)
    positions_on_disk: int = 0  # bytes of the phrase positions files (kb.engine.positions)
    idf_docs: int = 0  # the idf's document count (0: ``doc_count_all``, as Whoosh)
    live_df: bool = False  # the idf's document frequency counts live documents only (``over``)
    _terms: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _terms_bytes: int = 0
    _terms_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- terms ---------------------------------------------------------------------

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(global docnums, tfs, field lengths) of every document holding the term, deleted included."""
        key = term.encode("utf-8")
        docs, tfs, lengths = [], [], []
        for seg, base in self.segments:
            arrays = seg.fields.get(fieldname)
            found = arrays.lookup(key) if arrays is not None else None
            if found is None:
                continue
            local, tf = found
            docs.append(local.astype(np.int64) + base)
            tfs.append(tf)
            lengths.append(arrays.lengths[local])
        if not docs:
            return _EMPTY_DOCS, np.zeros(0, np.float32), np.zeros(0, np.float32)
        if len(docs) == 1:
            return docs[0], tfs[0], lengths[0]
        return np.concatenate(docs), np.concatenate(tfs), np.concatenate(lengths)

    def _lookups(self, fieldname: str, term: str):
        """``term``'s (local docnums, term frequencies) in each segment holding it."""
        key = term.encode("utf-8")
        for seg, _ in self.segments:
            arrays = seg.fields.get(fieldname)
            found = arrays.lookup(key) if arrays is not None else None
            if found is not None:
                yield found

    def doc_frequency(self, fieldname: str, term: str) -> int:
        key, total = term.encode("utf-8"), 0
        for seg, _ in self.segments:
            arrays = seg.fields.get(fieldname)
            found = arrays.bounds(key) if arrays is not None else None
            total += found[1] - found[0] if found is not None else 0  # the postings are not read
        return total

    def frequency(self, fieldname: str, term: str) -> float:
        """Occurrences of ``term`` in the field over every document, deleted ones
        included (Whoosh's ``reader.frequency``)."""
        return sum((float(tf.sum(dtype=np.float64)) for _, tf in self._lookups(fieldname, term)), 0.0)

    def terms_starting(self, fieldname: str, prefix: str) -> set[str]:
        """Every term of the field that starts with ``prefix``: a vector comparison of
        each segment's term bytes, not a walk of Whoosh's term files one key at a time."""
        want = np.frombuffer(prefix.encode("utf-8"), dtype=np.uint8)
        out: set[str] = set()
        for seg, _ in self.segments:
            arrays = seg.fields.get(fieldname)
            if arrays is None or not len(arrays.hashes):
                continue
            term_starts, raw = arrays.whole("term_starts"), arrays.whole("term_bytes")  # read now, dropped after
            starts, ends = term_starts[:-1], term_starts[1:]
            keep = (ends - starts) >= len(want)
            limit = len(raw) - 1
            for j, byte in enumerate(want.tolist()):
                keep &= raw[np.minimum(starts + j, limit)] == byte
            out.update(raw[a:b].tobytes().decode("utf-8") for a, b in zip(starts[keep].tolist(), ends[keep].tolist()))
            del term_starts, raw, starts, ends
            arrays.release()  # the mapped pages go back to the page cache
        return out

    def term(self, fieldname: str, term: str) -> Hits:
        """The live documents holding ``term`` with their (unboosted) BM25F scores; memoized."""
        key = (fieldname, term)
        with self._terms_lock:
            hit = self._terms.get(key)
            if hit is not None:
                self._terms.move_to_end(key)
                return hit
        docs, tfs, lengths = self.postings(fieldname, term)
        if not len(docs):
            return _NO_HITS
        keep = self.live[docs]
        df = int(keep.sum()) if self.live_df else len(docs)
        idf = log((self.idf_docs or self.doc_count_all) / (df + 1)) + 1
        b = FIELD_B.get(fieldname, DEFAULT_B)
        avg = self.avg_length.get(fieldname) or 1.0
        tf = tfs.astype(np.float64)
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - b) + b * lengths.astype(np.float64) / avg)))
        hit = Hits(docs[keep], scores[keep]) if not keep.all() else Hits(docs, scores)
        if len(hit) > 256:  # rare terms cost less to score again than to keep
            self._remember(key, hit)
        return hit

    def over(self, visible: Collection[int]) -> "ArrayIndex":
        """This index state as an index of the live documents of ``visible`` alone would
        score them: those are its live documents, and its idf and mean field lengths are
        counted over them (the restricted view, issue 17).  Its own term cache."""
        live = np.zeros(self.doc_count_all, dtype=bool)
        live[np.fromiter(visible, dtype=np.int64, count=len(visible))] = True
        live &= self.live
        n = max(1, int(live.sum()))
        total = dict.fromkeys(self.avg_length, 0.0)
        for seg, base in self.segments:
            for fieldname in total:
                arrays = seg.fields.get(fieldname)
                if arrays is not None:
                    total[fieldname] += float(arrays.lengths[live[base : base + len(arrays.lengths)]].sum(dtype=np.float64))
        avg = {f: t / n for f, t in total.items()}
        return ArrayIndex(self.segments, live, self.doc_count_all, avg, self.positions, self.positions_on_disk, n, True)

    def _remember(self, key: tuple, hit: Hits) -> None:
        size = hit.docs.nbytes + hit.scores.nbytes
        with self._terms_lock:
            if key in self._terms or size > TERM_CACHE_BYTES // 4:
                return
            self._terms[key] = hit
            self._terms_bytes += size
            while self._terms_bytes > TERM_CACHE_BYTES:
                _, old = self._terms.popitem(last=False)
                self._terms_bytes -= old.docs.nbytes + old.scores.nbytes

    def cache_bytes(self) -> int:
        return self._terms_bytes

    # --- the query tree ---------------------------------------------------------------

    def evaluate(self, q: kq.Query, within: np.ndarray | None = None) -> Hits:
        """The live documents matching ``q`` and their scores (boosts applied as Whoosh does).

        ``within`` (a bool mask over docnums): only the documents it holds are
        asked for, so a phrase checks positions for them alone; the hits are exact
        there, and may leave out matches outside it."""
        if isinstance(q, kq.Term):
            return _boosted(self.term(q.field, q.text), q.boost)
        if isinstance(q, kq.Phrase):
            if len(q.terms) == 1:
                return _boosted(self.term(q.field, q.terms[0]), q.boost)
            return _boosted(self.phrase(q.field, q.terms, within), q.boost)
        if isinstance(q, (kq.AnyOf, kq.AllOf)):
            if not q.queries:
                return _NO_HITS
            # Whoosh ignores a compound's boost when it has a single child
            if len(q.queries) == 1:
                return self.evaluate(q.queries[0], within)
            parts = [self.evaluate(s, within) for s in q.queries]
            combined = _union(parts) if isinstance(q, kq.AnyOf) else _intersection(parts)
            return _boosted(combined, q.boost)
        if isinstance(q, kq.Every):
            docs = np.flatnonzero(self.live)
            return Hits(docs, np.full(len(docs), float(q.boost)))
        if isinstance(q, kq.Nothing):
            return _NO_HITS
        raise TypeError(f"cannot evaluate {q!r}")

    def docs_within(self, q: kq.Query, within: np.ndarray) -> np.ndarray:
        """The documents of ``within`` (a bool mask over docnums) matching ``q``, ascending:
        ``evaluate(q, within)``'s documents there, without their scores.  A common word's
        any-of (its body and title terms: a quarter of a million documents at 4× the
        releases) is a union of masks, not a sort of every posting to add scores up."""
        hit = self._mask_of(q, within)
        if hit is None:
            docs = self.evaluate(q, within).docs
            return docs[within[docs]]
        return np.flatnonzero(hit & within)

    def _mask_of(self, q: kq.Query, within: np.ndarray) -> np.ndarray | None:
        """``q``'s documents as a bool mask (an any-of of terms or one-word phrases), None
        for any other query (its documents are ``evaluate``'s)."""
        single = isinstance(q, kq.Phrase) and len(q.terms) == 1
        if isinstance(q, kq.Term) or single:
            hit = np.zeros(len(within), dtype=bool)
            hit[self.term(q.field, q.text if isinstance(q, kq.Term) else q.terms[0]).docs] = True
            return hit
        if isinstance(q, kq.AnyOf) and q.queries:
            parts = [self._mask_of(s, within) for s in q.queries]
            if any(p is None for p in parts):
                return None
            for p in parts[1:]:
                parts[0] |= p
            return parts[0]
        return None

    def phrase(self, fieldname: str, terms: tuple[str, ...], within: np.ndarray | None = None) -> Hits:
        """Documents with ``terms`` at consecutive positions; scored as the sum of the terms.

        Their positions are decoded through Whoosh, the one costly step left
        here, and it grows with the documents holding every word (และ ได้ มี:
        most of the collection).  So ``within`` (a bool mask) limits the check to
        the documents a caller can use; only a whole answer is memoized."""
        key = ("phrase", fieldname, terms)
        with self._terms_lock:
            hit = self._terms.get(key)
            if hit is not None:
                self._terms.move_to_end(key)
                return hit
        both = _intersection([self.term(fieldname, t) for t in terms])
        if not len(both):
            return _NO_HITS
        if within is not None:
            asked = within[both.docs]
            if not asked.all():
                return self._consecutive_only(fieldname, terms, Hits(both.docs[asked], both.scores[asked]))
        hit = self._consecutive_only(fieldname, terms, both)
        if len(both) > 256:
            self._remember(key, hit)
        return hit

    def _consecutive_only(self, fieldname: str, terms: tuple[str, ...], both: Hits) -> Hits:
        keep = np.zeros(len(both), dtype=bool)
        bases = np.array([base for _, base in self.segments] + [self.doc_count_all], dtype=np.int64)
        seg_of = np.searchsorted(bases, both.docs, side="right") - 1
        for s in np.unique(seg_of).tolist():
            rows = np.flatnonzero(seg_of == s)
            local = both.docs[rows] - bases[s]
            found = [self.positions(s, fieldname, t, local) for t in terms]
            keep[rows[_consecutive_flat(found, len(local))]] = True
        return Hits(both.docs[keep], both.scores[keep])

    def matching(self, q: kq.Query) -> np.ndarray:
        return self.evaluate(q).docs

    def top_among(self, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        """``top`` of the documents of the set ``within``."""
        if not within or k <= 0:
            return []
        mask = np.zeros(self.doc_count_all, dtype=bool)
        mask[np.fromiter(within, dtype=np.int64, count=len(within))] = True
        return self.top(q, mask, k)

    def top(self, q: kq.Query, within: np.ndarray | None, k: int) -> list[tuple[int, float]]:
        """The k best (docnum, score) of ``within`` (a bool mask, None: all) matching ``q``,
        by score descending then docnum."""
        hits = self.evaluate(q, within)
        docs, scores = hits.docs, hits.scores
        if within is not None and len(docs):
            keep = within[docs]
            docs, scores = docs[keep], scores[keep]
        if k <= 0 or not len(docs):
            return []
        if len(docs) > k:
            # the k-th best score, then everything at least as good (ties resolved by docnum below)
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            keep = scores >= kth
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:k]
        return list(zip(docs[order].tolist(), scores[order].tolist()))


def _boosted(hits: Hits, boost: float) -> Hits:
    return hits if boost == 1.0 or not len(hits) else Hits(hits.docs, hits.scores * boost)


def _union(parts: list[Hits]) -> Hits:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _NO_HITS
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([p.docs for p in parts])
    unique, inverse = np.unique(docs, return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(unique))
    return Hits(unique, scores)


def _intersection(parts: list[Hits]) -> Hits:
    if not parts or any(not len(p) for p in parts):
        return _NO_HITS
    parts = sorted(parts, key=len)
    docs, scores = parts[0].docs, parts[0].scores.copy()
    for other in parts[1:]:
        at = np.searchsorted(other.docs, docs)
        at[at == len(other.docs)] = 0
        found = other.docs[at] == docs
        docs, scores = docs[found], scores[found] + other.scores[at[found]]
        if not len(docs):
            return _NO_HITS
    return Hits(docs, scores)


def flat_positions(by_doc: dict[int, list[int]], docs: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Positions by docnum (Whoosh's decoding) as ``_consecutive_flat`` takes them."""
    lists = [by_doc.get(d, ()) for d in docs]
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return lengths, np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))


def _consecutive_rows(found: list[dict[int, list[int]]], docs: list[int]) -> np.ndarray:
    """``_consecutive_flat`` of positions given by docnum."""
    return _consecutive_flat([flat_positions(f, docs) for f in found], len(docs))


def _consecutive_flat(found: list[tuple[np.ndarray, np.ndarray]], rows_count: int) -> np.ndarray:
    """The rows (indexes into a segment's candidates) with a p such that p + i is among
    term i's positions for every term i; ``found[i]`` is (how many positions each row
    has, the positions flat in row order).  Each (row, p - i) is one int64 key, the
    keys of the first term kept where every later term has them (one vector pass a
    term, not a Python set per document: a phrase of common words has tens of
    thousands of candidates).  A document's positions ascend, so every term's keys ascend."""
    survivors = None
    for i, (lengths, flat) in enumerate(found):
        keys = np.repeat(np.arange(rows_count, dtype=np.int64) << _ROW_SHIFT, lengths) + (
            flat.astype(np.int64) - i + _POSITION_BIAS
        )
        survivors = keys if survivors is None else survivors[sorted_contains(keys, survivors)]
        if not len(survivors):
            break
    if survivors is None or not len(survivors):
        return np.zeros(0, dtype=np.int64)
    rows = survivors >> _ROW_SHIFT  # ascending: a document's positions ascend, and so do rows
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))]


# a key is row << 32 | (position - term's place in the phrase + bias): positions are token
# numbers in one document (under 2**31), rows are a segment's candidates
_ROW_SHIFT = 32
_POSITION_BIAS = 64
