"""BM25F for the Typesense engine, computed in kb over the candidates as arrays.

The contract (``Snapshot.top``) promises BM25F scores with the title's length
normalisation softened, boosts multiplying: the same ranking as the embedded
engine, so the two engines answer questions alike.  Typesense's own
``text_match`` is a different model (token positions and typo buckets, no
document length), so kb scores here with Whoosh's formulas, from the term
frequencies of its postings (``typesense_postings``): per term
``idf · tf·(K1+1) / (tf + K1·(1 − B + B·dl/avgdl))`` with
``idf = ln(N/(df+1)) + 1``, where ``dl`` is the length as the embedded
engine keeps it (one byte on a logarithmic scale, ``stored_lengths``: exact
lengths gave scores 0.1–0.5 % off and swapped near-ties); a phrase scores as
the sum of its words where it matches; ``AnyOf`` and ``AllOf`` sum their matching parts.  Every candidate at
once with numpy (a common word at 63,000 releases is tens of thousands of
candidates), in the same order of operations as one document at a time, so the
floats are the same.  No Typesense import.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from kb import query as kq

K1 = 1.2
B = {"words": 0.75, "title": 0.5}  # as kb.engine.whoosh_codec.weighting()

Frequencies = Callable[[str, str], tuple[np.ndarray, np.ndarray]]  # (field, word) → (docnums ascending, tfs)


@dataclass
class CollectionStats:
    """What BM25 needs from the whole index: document count, mean field lengths, df."""

    n_docs: int
    avg_length: dict[str, float]
    doc_frequency: Callable[[str, str], int]  # (field, word) → documents holding it


# The embedded engine keeps a field's length in one byte n, standing for round(27·(1.033ⁿ − 1)):
# exact up to 10, then ~3 % steps, 106,374 at most; a length is stored as the first step ≥ it.
BYTE_LENGTHS = np.array([round(27 * (1.033**n - 1)) for n in range(256)], dtype=np.int64)


def stored_lengths(lengths: np.ndarray) -> np.ndarray:
    """Field lengths as BM25F sees them in the embedded engine (``BYTE_LENGTHS``)."""
    steps = np.searchsorted(BYTE_LENGTHS, np.asarray(lengths, dtype=np.int64), side="left")
    return BYTE_LENGTHS[np.minimum(steps, len(BYTE_LENGTHS) - 1)].astype(np.float64)


def score_many(
    q: kq.Query,
    candidates: np.ndarray,
    frequencies: Frequencies,
    lengths: dict[str, np.ndarray],
    stats: CollectionStats,
    phrase_docs: Callable[[kq.Phrase], np.ndarray],
) -> np.ndarray:
    """Each candidate's BM25F score for the query tree (0 where it does not match);
    ``candidates`` ascending docnums, ``lengths`` field → length by docnum,
    ``phrase_docs`` the documents holding a phrase (the engine's matching set)."""
    if isinstance(q, kq.Term):
        return q.boost * _term(q.field, q.text, candidates, frequencies, lengths, stats)
    if isinstance(q, kq.Phrase):
        total = np.zeros(len(candidates))
        for t in q.terms:
            total = total + _term(q.field, t, candidates, frequencies, lengths, stats)
        if len(q.terms) > 1:
            total = np.where(_holds(phrase_docs(q), candidates), total, 0.0)
        return q.boost * total
    if isinstance(q, (kq.AnyOf, kq.AllOf)):
        total = np.zeros(len(candidates))
        for s in q.queries:
            total = total + score_many(s, candidates, frequencies, lengths, stats, phrase_docs)
        return q.boost * total
    if isinstance(q, kq.Every):
        return np.full(len(candidates), float(q.boost))
    return np.zeros(len(candidates))


def _holds(docs: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """For each candidate, whether the ascending ``docs`` hold it."""
    if not len(docs):
        return np.zeros(len(candidates), dtype=bool)
    at = np.minimum(np.searchsorted(docs, candidates), len(docs) - 1)
    return docs[at] == candidates


def _term(field: str, word: str, candidates: np.ndarray, frequencies: Frequencies,
          lengths: dict[str, np.ndarray], stats: CollectionStats) -> np.ndarray:
    docs, tfs = frequencies(field, word)
    tf = np.zeros(len(candidates))
    if len(docs):
        at = np.minimum(np.searchsorted(docs, candidates), len(docs) - 1)
        hit = docs[at] == candidates
        tf[hit] = tfs[at[hit]]
    if not tf.any():
        return tf
    idf = math.log(stats.n_docs / (stats.doc_frequency(field, word) + 1)) + 1
    b = B.get(field, 0.75)
    avg = stats.avg_length.get(field) or 1.0
    dl = lengths[field][candidates] if field in lengths else np.zeros(len(candidates))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - b) + b * dl / avg))
    return np.where(tf > 0, value, 0.0)
