"""BM25 pieces and tier-1 passage scoring over the sub-word layer's occurrences.

Tier 1 (every clause occurs as typed) is ranked by its best passage: a long
plan document or set of minutes is judged by the part that matches, and
chunks close together outrank the same chunks scattered apart.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Callable

import numpy as np

from kb.scan_offsets import DocOffsets, run_indices
from kb.scan_split import run_parts
from kb.search.budget import WorkBudget
from kb.search.params import RankingParams


def bm25_idf(n_docs: int, df: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_tf(tf: int, k1: float, length_norm: float = 1.0) -> float:
    """BM25's saturating term-frequency factor (``length_norm`` = 1 - B + B·len/avg)."""
    return tf * (k1 + 1) / (tf + k1 * length_norm)


def occurrence_counts(positions: Mapping[int, list[int]]) -> Iterator[tuple[int, int]]:
    """(docnum, occurrences) of a scan's documents, in its order; from a ``DocOffsets``
    without making each document's offset list (a word in 33,000 releases: 0.4 s of lists)."""
    if isinstance(positions, DocOffsets):
        return zip(positions.docs.tolist(), positions.counts.tolist())
    return ((d, len(offsets)) for d, offsets in positions.items())


@dataclass
class Occurrences:
    """A query chunk's verbatim occurrences (sub-word layer) in the index."""

    idf: float
    positions: Mapping[int, list[int]]  # docnum → offsets in the document's scan form (a DocOffsets from a scan)
    aligned: set[int]  # documents where it also occurs word-aligned
    _aligned_array: np.ndarray | None = field(default=None, repr=False, compare=False)

    def aligned_docs(self) -> np.ndarray:
        """``aligned`` as an array, made once (tier 1 asks once per batch; a common
        word's set grows with the collection)."""
        if self._aligned_array is None or len(self._aligned_array) != len(self.aligned):
            self._aligned_array = np.fromiter(self.aligned, dtype=np.int64, count=len(self.aligned))
        return self._aligned_array

    def weight(self, docnum: int) -> float:
        # a word-aligned occurrence ranks above a sub-word one
        return self.idf * (2.0 if docnum in self.aligned else 1.0)

    def flat(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(docnums, occurrence counts, offsets concatenated in that order) as
        arrays, for scoring thousands of documents at once.  A scan's are its own
        int32 arrays, not copies: tier 1 asks once per batch, and a common word's
        offsets (millions, growing with the collection) were widened each time;
        scoring widens only what it gathers (``_gathered``)."""
        if isinstance(self.positions, DocOffsets):
            return self.positions.docs, self.positions.counts, self.positions.offsets
        docs = np.fromiter(self.positions.keys(), dtype=np.int64, count=len(self.positions))
        counts = np.fromiter(map(len, self.positions.values()), dtype=np.int64, count=len(self.positions))
        offsets = np.fromiter(chain.from_iterable(self.positions.values()), dtype=np.int64, count=int(counts.sum()))
        return docs, counts, offsets


class PassageScores:
    """Tier-1 scores of the verbatim documents, computed only as far as ranking needs.

    ``passage_score`` costs a pass over a document's occurrences; a common
    chunk occurs in thousands of documents, of which a page shows ten.  Each
    document's score is bounded from above by its whole-document evidence
    (no window holds more occurrences than the document: 1.1 × the sum of
    each clause's best ``w · bm25_tf(tf)``), so documents are scored in order
    of that bound until no unscored one can enter the first k.  The result
    is exactly the full sort's (unless the work budget runs out first).
    """

    def __init__(self, docs: set[int], clauses: list[list[Occurrences]], params: RankingParams):
        self.docs = docs
        self.clauses = clauses
        self.params = params
        self.scores: dict[int, float] = {}

    def __bool__(self) -> bool:
        return bool(self.docs)

    def bound(self, docnum: int) -> float:
        total = 0.0
        for alternatives in self.clauses:
            best = 0.0
            for occ in alternatives:
                offsets = occ.positions.get(docnum)
                if offsets:
                    best = max(best, occ.weight(docnum) * bm25_tf(len(offsets), self.params.k1))
            total += best
        return 1.1 * total + 1e-9

    def get(self, docnum: int, default: float = 0.0) -> float:
        if docnum not in self.docs:
            return default
        score = self.scores.get(docnum)
        if score is None:
            score = self.scores[docnum] = passage_score(docnum, self.clauses, self.params)
        return score

    def top(
        self, docs: set[int], k: int, doc_id: Callable[[int], str], budget: WorkBudget | None = None
    ) -> list[tuple[int, float]]:
        """The first k of ``docs`` by (score descending, document id).

        When the budget runs out, the documents not yet scored keep their
        upper bound as their score: a capped answer, still in a sensible order.
        """
        if k <= 0:
            return []
        if len(docs) >= BATCH_FROM and not (budget is not None and budget.spent()):
            return self._top_batch(docs, k, doc_id, budget)
        by_bound = sorted(((self.bound(d), d) for d in docs), key=lambda bd: -bd[0])
        best: list[float] = []  # min-heap of the k best scores so far
        scored: list[tuple[int, float]] = []
        for upper, d in by_bound:
            if len(best) >= k and upper < best[0]:
                break  # no document left can reach the first k (ties included)
            if budget is not None and budget.spent():
                score = upper
            else:
                score = self.get(d)
                if budget is not None:
                    budget.scored += 1
            scored.append((d, score))
            if len(best) < k:
                heapq.heappush(best, score)
            elif score > best[0]:
                heapq.heapreplace(best, score)
        scored.sort(key=lambda ds: (-ds[1], doc_id(ds[0])))
        return scored[:k]

    def _top_batch(
        self, docs: set[int], k: int, doc_id: Callable[[int], str], budget: WorkBudget | None
    ) -> list[tuple[int, float]]:
        """``top`` for many documents: every one scored at once with arrays
        (``passage_scores``), the same floats; only those tied with or above
        the k-th score are sorted by id."""
        wanted = np.fromiter(docs, dtype=np.int64, count=len(docs))
        wanted.sort()
        wanted, scores = self._best_scored(wanted, k)
        if budget is not None:
            budget.scored += len(wanted)
        kth = np.partition(scores, len(scores) - k)[len(scores) - k] if k < len(scores) else scores.min()
        keep = np.flatnonzero(scores >= kth)
        scored = list(zip(wanted[keep].tolist(), scores[keep].tolist()))
        scored.sort(key=lambda ds: (-ds[1], doc_id(ds[0])))
        return scored[:k]

    def _best_scored(self, wanted: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The documents of ``wanted`` (sorted) that can reach the first k, with their scores.

        Scored in order of their upper bound (``bounds``), a batch at a time, until
        the next bound is below the k-th score so far: every document left out
        scores below the first k, so the k-th score, the documents at or above it
        and their floats are those of scoring all of ``wanted`` (a document's score
        does not depend on the others scored with it)."""
        held = np.isin(wanted, np.fromiter(self.docs, dtype=np.int64, count=len(self.docs)))
        bounds = np.where(held, self.bounds(wanted), 0.0)
        n = len(wanted)
        take = min(n, max(BATCH_FROM, 8 * k))
        while True:
            chosen = _highest(bounds, take)
            scores = _passage_scores_in_parts(wanted[chosen], self.clauses, self.params)
            scores[~held[chosen]] = 0.0
            if take == n:
                return wanted[chosen], scores
            kth = np.partition(scores, len(scores) - k)[len(scores) - k] if k < len(scores) else -np.inf
            left = np.ones(n, dtype=bool)
            left[chosen] = False
            if bounds[left].max() < kth:  # no document left can reach the first k
                return wanted[chosen], scores
            take = min(n, max(2 * take, int(np.count_nonzero(bounds >= kth))))

    def bounds(self, docs: np.ndarray) -> np.ndarray:
        """``bound`` of each of ``docs`` (sorted docnums), with arrays: no passage
        (nor the whole document's evidence) scores more than 1.1 × the sum of each
        clause's best ``w · bm25_tf(occurrences)``; the margin covers rounding."""
        total = np.zeros(len(docs))
        for alternatives in self.clauses:
            best = np.zeros(len(docs))
            for occ in alternatives:
                held, counts, _ = occ.flat()
                _raise_whole(best, occ, held, counts, docs, self.params.k1)
            total += best
        return 1.1 * total * (1 + 1e-9) + 1e-9


def passage_scores(docs: np.ndarray, clauses: list[list[Occurrences]], params: RankingParams) -> np.ndarray:
    """``passage_score`` of every document of ``docs`` (sorted docnums) at once.

    Each (document, tiling, window) is one int64 key; a window's term
    frequency is the length of a run of equal keys.  The arithmetic is
    ``passage_score``'s, operation for operation (clause sums in clause order,
    maxima exact), so the floats are identical: ``tests/test_scale_passages.py``
    checks it.
    """
    if len(clauses) == 1 and len(clauses[0]) == 1:  # one word or phrase: most common queries
        return _one_chunk_scores(docs, clauses[0][0], params)
    windows_by_clause: list[tuple[np.ndarray, np.ndarray]] = []
    whole = np.zeros(len(docs))
    for alternatives in clauses:
        keys, scores, best_whole = _clause_windows(docs, alternatives, params)
        windows_by_clause.append((keys, scores))
        whole += best_whole
    if len(windows_by_clause) == 1:
        all_keys, summed = windows_by_clause[0]
    else:
        all_keys = np.concatenate([keys for keys, _ in windows_by_clause] or [np.zeros(0, np.int64)])
        all_keys = all_keys[_sorted(all_keys)]
        all_keys = all_keys[_run_starts(all_keys)]
        summed = np.zeros(len(all_keys))
        for keys, scores in windows_by_clause:
            summed[np.searchsorted(all_keys, keys)] += scores  # keys are unique within a clause
    best = np.zeros(len(docs))
    if len(all_keys):
        key_docs = all_keys >> _DOC_SHIFT
        firsts = _run_starts(key_docs)
        best[np.searchsorted(docs, key_docs[firsts])] = np.maximum.reduceat(summed, firsts)
    return best + 0.1 * whole


def _highest(bounds: np.ndarray, take: int) -> np.ndarray:
    """The indexes (ascending) of the ``take`` highest ``bounds``, ties at the cut taken
    from the lowest indexes: the first ``take`` of a stable sort by descending bound, found
    by a partition instead of sorting every bound (a common word's quarter of a million)."""
    n = len(bounds)
    if take >= n:
        return np.arange(n)
    if take <= 0:
        return np.zeros(0, dtype=np.int64)
    floor = np.partition(bounds, n - take)[n - take]
    above = np.flatnonzero(bounds > floor)
    tied = np.flatnonzero(bounds == floor)[: take - len(above)]
    return np.sort(np.concatenate((above, tied)))


def _one_chunk_scores(docs: np.ndarray, occ: Occurrences, params: RankingParams) -> np.ndarray:
    """``passage_scores`` of a query of one chunk (one clause, no alternative): each
    document's best window is the maximum over its own runs of equal windows, so no
    (document, tiling, window) key is made and nothing is sorted or merged (a
    document's occurrences are one run, in ascending offsets).  The same floats: each
    window's ``w · bm25_tf(tf)`` as ``_clause_windows`` makes it, maxima exact."""
    size = params.passage_chars
    best_whole = np.zeros(len(docs))
    held, counts, offsets = occ.flat()
    raised = _raise_whole(best_whole, occ, held, counts, docs, params.k1)
    best = np.zeros(len(docs))
    if raised is None:
        return best + 0.1 * best_whole
    inside, w_doc = raised
    rows = np.flatnonzero(inside)
    offsets, doc_starts = _gathered_runs(counts, offsets, rows)
    w_of = np.repeat(w_doc, counts[rows])
    slots = np.searchsorted(docs, held[rows])  # held ascends: the rows' documents in order, once each
    new_doc = np.zeros(len(offsets), dtype=bool)
    new_doc[doc_starts] = True
    for shift in (0, size // 2):
        window = (offsets + shift) // size
        firsts = np.flatnonzero(new_doc | np.r_[True, window[1:] != window[:-1]])
        tf = np.diff(np.r_[firsts, len(window)])
        scores = w_of[firsts] * _bm25_tf(tf, params.k1)
        # each document's first run: where its runs begin among all the runs
        run_of_doc = np.searchsorted(firsts, doc_starts)
        np.maximum.at(best, slots, np.maximum.reduceat(scores, run_of_doc))
    return best + 0.1 * best_whole


def _passage_scores_in_parts(docs: np.ndarray, clauses: list[list[Occurrences]], params: RankingParams) -> np.ndarray:
    """``passage_scores``, the second half of a large batch on a free core (``kb.scan_split``).

    A document's score depends on its own occurrences only, so halves of ``docs``
    scored apart are the same floats; the work is numpy's (the GIL released), and a
    common word's batch is tens of thousands of documents (และ at 4× the releases:
    62,000 of them, 2.6 M occurrences)."""
    if len(docs) < PARALLEL_FROM:
        return passage_scores(docs, clauses, params)
    half = len(docs) // 2
    parts = run_parts([lambda: passage_scores(docs[:half], clauses, params),
                       lambda: passage_scores(docs[half:], clauses, params)])
    return np.concatenate(parts)


_DOC_SHIFT = 33  # key = docnum << 33 | tiling << 32 | window
PARALLEL_FROM = 4096  # documents of a batch from which it is scored in two halves (a hand-off is ~0.1 ms)
BATCH_FROM = 512  # candidates from which ``PassageScores.top`` scores with arrays


def _sorted(keys: np.ndarray) -> np.ndarray | slice:
    """The order sorting ``keys`` (stable: a merge of the sorted runs they
    mostly are), or the whole slice when they already are sorted."""
    if len(keys) < 2 or bool((keys[1:] >= keys[:-1]).all()):
        return slice(None)
    return np.argsort(keys, kind="stable")


def _run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(sorted_keys) else np.zeros(0, np.int64)


def _raise_whole(best: np.ndarray, occ: Occurrences, held: np.ndarray, counts: np.ndarray, docs: np.ndarray,
                 k1: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Raise ``best`` (one slot per document of the sorted ``docs``) to ``occ``'s
    whole-document evidence, ``w · bm25_tf(occurrences)`` with w its idf, doubled
    where the match is word-aligned.  Returns which of ``held`` are in ``docs`` and
    their w, or None when none is."""
    inside = np.isin(held, docs) & (counts > 0)
    if not inside.any():
        return None
    aligned = occ.aligned_docs()
    w = occ.idf * np.where(np.isin(held[inside], aligned), 2.0, 1.0)
    np.maximum.at(best, np.searchsorted(docs, held[inside]), w * _bm25_tf(counts[inside], k1))
    return inside, w


def _clause_windows(
    docs: np.ndarray, alternatives: list[Occurrences], params: RankingParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One clause's best score per window key over its alternatives (unique
    keys, sorted), and its best whole-document evidence per document of ``docs``."""
    size = params.passage_chars
    half = size // 2
    k1 = params.k1
    all_keys: list[np.ndarray] = []
    all_scores: list[np.ndarray] = []
    best_whole = np.zeros(len(docs))
    for occ in alternatives:
        held, counts, offsets = occ.flat()
        raised = _raise_whole(best_whole, occ, held, counts, docs, k1)
        if raised is None:
            continue
        inside, w_doc = raised
        doc_of, offsets = _gathered(held, counts, offsets, np.flatnonzero(inside))
        w_of = np.repeat(w_doc, counts[inside])
        for tiling, shift in ((0, 0), (1, half)):
            keys = (doc_of << _DOC_SHIFT) | (tiling << 32) | ((offsets + shift) // size)
            order = _sorted(keys)
            keys, w = keys[order], w_of[order]
            firsts = _run_starts(keys)
            tf = np.diff(np.r_[firsts, len(keys)])
            all_keys.append(keys[firsts])
            all_scores.append(w[firsts] * _bm25_tf(tf, k1))
    if not all_keys:
        return np.zeros(0, np.int64), np.zeros(0), best_whole
    keys = np.concatenate(all_keys)
    scores = np.concatenate(all_scores)
    order = _sorted(keys)
    keys, scores = keys[order], scores[order]
    firsts = _run_starts(keys)
    return keys[firsts], np.maximum.reduceat(scores, firsts), best_whole


def _gathered(held: np.ndarray, counts: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(docnum of each occurrence, offset) of the documents at ``rows`` of ``held``, in
    order: a gather of their runs, so a batch of 512 of a common word's 60,000
    documents costs its own occurrences, not the word's 1.4 million."""
    sizes = counts[rows].astype(np.int64)
    at = run_indices((np.cumsum(counts, dtype=np.int64) - counts)[rows], sizes)
    # int64: the docnums are shifted into window keys
    return np.repeat(held[rows].astype(np.int64), sizes), offsets[at].astype(np.int64)


def _gathered_runs(counts: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The offsets of the documents at ``rows`` (each with occurrences), in order and in
    their own type, and where each document's run starts among them.

    ``_gathered`` for one chunk: its window numbers need no document key, so neither the
    docnum of every occurrence nor int64 offsets are made (a common word's batch: 1-3 M
    occurrences, each such array 8-24 MB of new memory)."""
    sizes = counts[rows].astype(np.int64)
    at = run_indices((np.cumsum(counts, dtype=np.int64) - counts)[rows], sizes)
    return offsets[at], np.cumsum(sizes) - sizes


def _bm25_tf(tf: np.ndarray, k1: float) -> np.ndarray:
    tf = tf.astype(np.float64)
    return tf * (k1 + 1) / (tf + k1 * 1.0)


def passage_score(docnum: int, clauses: list[list[Occurrences]], params: RankingParams) -> float:
    """Tier-1 score: the best passage's BM25 over the query's chunks.

    Passages are fixed windows (two overlapping tilings); a little of the
    whole-document evidence breaks ties.  Occurrences are tallied per tiling by
    ``Counter`` over a generator (counted in C): a common chunk has dozens of
    occurrences in each of thousands of candidates.
    """
    size = params.passage_chars
    half = size // 2
    k1 = params.k1
    windows: Counter[tuple[int, int]] = Counter()
    whole = 0.0
    for alternatives in clauses:
        best: dict[tuple[int, int], float] = {}
        best_whole = 0.0
        for occ in alternatives:
            offsets = occ.positions.get(docnum)
            if not offsets:
                continue
            w = occ.weight(docnum)
            for tiling, tally in ((0, Counter(p // size for p in offsets)), (1, Counter((p + half) // size for p in offsets))):
                for window, tf in tally.items():
                    score = w * bm25_tf(tf, k1)
                    key = (tiling, window)
                    if score > best.get(key, 0.0):
                        best[key] = score
            best_whole = max(best_whole, w * bm25_tf(len(offsets), k1))
        windows.update(best)
        whole += best_whole
    return (max(windows.values()) if windows else 0.0) + 0.1 * whole
