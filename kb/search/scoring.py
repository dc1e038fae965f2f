"""BM25 pieces and tier-1 passage scoring over the sub-word layer's occurrences.

Tier 1 (every clause occurs as typed) is ranked by its best passage: a long
plan document or set of minutes is judged by the part that matches, and
chunks close together outrank the same chunks scattered apart.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from kb.search.budget import WorkBudget
from kb.search.params import RankingParams


def bm25_idf(n_docs: int, df: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_tf(tf: int, k1: float, length_norm: float = 1.0) -> float:
    """BM25's saturating term-frequency factor (``length_norm`` = 1 - B + B·len/avg)."""
    return tf * (k1 + 1) / (tf + k1 * length_norm)


@dataclass
class Occurrences:
    """A query chunk's verbatim occurrences (sub-word layer) in the index."""

    idf: float
    positions: dict[int, list[int]]  # docnum → offsets in the document's scan form
    aligned: set[int]  # documents where it also occurs word-aligned

    def weight(self, docnum: int) -> float:
        # a word-aligned occurrence ranks above a sub-word one
        return self.idf * (2.0 if docnum in self.aligned else 1.0)


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
