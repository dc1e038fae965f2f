"""Tier-1 passage scores computed with arrays equal the per-document ones, float for float.

``PassageScores.top`` scores many candidates at once (``passage_scores``); a
common word's thousands of documents must rank exactly as the one-document
``passage_score`` ranks them.  Occurrences are generated at test time: clusters
of offsets (so windows hold several), empty lists, word-aligned subsets,
several clauses with alternatives.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from kb.search.budget import WorkBudget
from kb.search.params import DEFAULT_PARAMS
from kb.search.scoring import BATCH_FROM, Occurrences, PassageScores, passage_score, passage_scores


def _occurrences(rng: random.Random, n_docs: int, idf: float) -> Occurrences:
    positions: dict[int, list[int]] = {}
    for d in rng.sample(range(n_docs), rng.randint(1, n_docs)):
        spots = sorted({c + rng.randint(0, 300) for c in rng.sample(range(0, 20_000, 50), rng.randint(0, 6)) for _ in range(rng.randint(1, 8))})
        positions[d] = spots
    aligned = {d for d in positions if rng.random() < 0.5}
    return Occurrences(idf, positions, aligned)


def _clauses(seed: int, n_docs: int) -> list[list[Occurrences]]:
    rng = random.Random(seed)
    return [
        [_occurrences(rng, n_docs, rng.uniform(0.05, 9.0)) for _ in range(rng.randint(1, 3))]
        for _ in range(rng.randint(1, 4))
    ]


@pytest.mark.parametrize("seed", range(12))
def test_array_scores_equal_per_document_scores(seed):
    n_docs = 300
    clauses = _clauses(seed, n_docs)
    docs = np.arange(n_docs, dtype=np.int64)
    batch = passage_scores(docs, clauses, DEFAULT_PARAMS)
    one_by_one = [passage_score(d, clauses, DEFAULT_PARAMS) for d in range(n_docs)]
    assert batch.tolist() == one_by_one


@pytest.mark.parametrize("seed", range(4))
def test_top_with_arrays_equals_top_one_by_one(seed):
    n_docs = BATCH_FROM * 2
    clauses = _clauses(100 + seed, n_docs)
    verbatim = set().union(*(o.positions.keys() for alts in clauses for o in alts))
    passages = PassageScores(verbatim - {1, 2, 3}, clauses, DEFAULT_PARAMS)
    candidates = set(range(n_docs))  # some not verbatim: they score 0
    doc_id = lambda d: f"doc-{d:05d}"  # noqa: E731
    for k in (1, 10, 57, n_docs + 5):
        budget = WorkBudget.start()
        batch = passages.top(candidates, k, doc_id, budget)
        assert 0 < budget.scored <= len(candidates)  # scored in bound order, as far as the first k need
        lazy = sorted(((d, passages.get(d)) for d in candidates), key=lambda ds: (-ds[1], doc_id(ds[0])))[:k]
        assert batch == lazy


def test_small_candidate_sets_keep_the_lazy_path():
    clauses = _clauses(7, 50)
    passages = PassageScores(set(range(50)), clauses, DEFAULT_PARAMS)
    budget = WorkBudget.start()
    top = passages.top(set(range(50)), 5, str, budget)
    assert budget.scored < 50 or len(top) == 5
    assert [s for _, s in top] == sorted((passage_score(d, clauses, DEFAULT_PARAMS) for d in range(50)), reverse=True)[:5]
