"""Issue 12, 4× growth, third step: ``ArrayIndex.docs_within`` (a query's documents among a
mask, as a union of masks for any-ofs of terms) equals the documents ``evaluate`` scores
there, for terms, one-word and longer phrases, any-ofs, all-ofs and nested queries.

Queries and masks are generated at test time from the bundled corpus' own words.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from kb import query as kq
from kb.engine import Index


def _query(rng: random.Random, words: list[str], depth: int = 0) -> kq.Query:
    kind = rng.choice(["term", "phrase1", "phrase2", "any", "all"] if depth < 2 else ["term", "phrase1"])
    field = rng.choice(["words", "title"])
    if kind == "term":
        return kq.Term(field, rng.choice(words), rng.choice([1.0, 2.5]))
    if kind == "phrase1":
        return kq.Phrase(field, (rng.choice(words),))
    if kind == "phrase2":
        return kq.Phrase(field, tuple(rng.sample(words, 2)))
    children = tuple(_query(rng, words, depth + 1) for _ in range(rng.randint(0, 3)))
    return kq.AnyOf(children) if kind == "any" else kq.AllOf(children)


@pytest.mark.parametrize("seed", range(4))
def test_docs_within_equals_the_evaluated_documents(bundled_index, seed):
    snap = Index(bundled_index).snapshot()
    arrays = snap.arrays
    assert arrays is not None
    rng = random.Random(seed)
    with snap.lock:
        words = sorted(t.decode("utf-8") for t in snap.searcher.reader().lexicon("words"))
    words = rng.sample(words, min(60, len(words))) + ["และ", "ที่", "การ", "ความมั่นคง", "ไม่มีคำนี้เลย"]
    for _ in range(150):
        q = _query(rng, words)
        mask = np.zeros(arrays.doc_count_all, dtype=bool)
        mask[rng.sample(range(arrays.doc_count_all), rng.randint(0, arrays.doc_count_all))] = True
        evaluated = arrays.evaluate(q, mask).docs
        want = evaluated[mask[evaluated]]
        assert arrays.docs_within(q, mask).tolist() == want.tolist(), q
