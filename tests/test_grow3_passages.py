"""Issue 12, 4× growth, third step: a large tier-1 batch scored in two halves (the second
on a free core, ``kb.scan_split``) gives the same floats, and so the same first k, as
the batch scored whole and as each document scored alone.

Occurrences are generated at test time (``test_scale_passages``' generator: clusters of
offsets, empty lists, word-aligned subsets, several clauses with alternatives).
"""
from __future__ import annotations

import numpy as np
import pytest

from kb import scan_split
from kb.search import scoring
from kb.search.budget import WorkBudget
from kb.search.params import DEFAULT_PARAMS
from kb.search.scoring import PassageScores, passage_score, passage_scores
from tests.test_scale_passages import _clauses


@pytest.mark.parametrize("seed", range(6))
def test_halves_score_as_the_whole_batch(monkeypatch, seed):
    monkeypatch.setattr(scoring, "PARALLEL_FROM", 8)
    n_docs = 400
    clauses = _clauses(300 + seed, n_docs)
    docs = np.arange(0, n_docs, 1 + seed % 3, dtype=np.int64)
    halves = scoring._passage_scores_in_parts(docs, clauses, DEFAULT_PARAMS)
    assert halves.tolist() == passage_scores(docs, clauses, DEFAULT_PARAMS).tolist()
    assert halves.tolist() == [passage_score(int(d), clauses, DEFAULT_PARAMS) for d in docs]


@pytest.mark.parametrize("seed", range(3))
def test_top_in_halves_equals_top_in_one_thread(monkeypatch, seed):
    n_docs = 3000
    clauses = _clauses(400 + seed, n_docs)
    verbatim = set().union(*(o.positions.keys() for alts in clauses for o in alts))
    doc_id = lambda d: f"doc-{d:05d}"  # noqa: E731

    def tops() -> list:
        passages = PassageScores(verbatim, clauses, DEFAULT_PARAMS)
        return [passages.top(set(range(n_docs)), k, doc_id, WorkBudget.start()) for k in (1, 10, 100)]

    monkeypatch.setattr(scoring, "PARALLEL_FROM", 64)
    in_halves = tops()
    monkeypatch.setattr(scan_split, "_get_pool", lambda: None)
    monkeypatch.setattr(scoring, "PARALLEL_FROM", 10**9)
    assert tops() == in_halves


@pytest.mark.parametrize("seed", range(12))
def test_one_chunk_scores_equal_per_document_scores(seed):
    # a query of one chunk takes its own way (no window keys, nothing sorted): the same floats
    import random
    from tests.test_scale_passages import _occurrences
    rng = random.Random(500 + seed)
    n_docs = 300
    occ = _occurrences(rng, n_docs, rng.uniform(0.05, 9.0))
    clauses = [[occ]]
    docs = np.array(sorted(rng.sample(range(n_docs + 20), rng.randint(1, n_docs))), dtype=np.int64)
    got = passage_scores(docs, clauses, DEFAULT_PARAMS)
    assert got.tolist() == [passage_score(int(d), clauses, DEFAULT_PARAMS) for d in docs]
    general = scoring._clause_windows(docs, [occ], DEFAULT_PARAMS)  # the general path's windows
    assert len(general[0]) or not got.any()


@pytest.mark.parametrize("seed", range(5))
def test_highest_bounds_are_a_stable_sorts_first(seed):
    # ties at the cut (a common word's documents holding it once each share one bound)
    import random
    rng = random.Random(seed)
    bounds = np.array([rng.choice([0.0, 1.5, 1.5, 2.25, 3.0, 7.5]) for _ in range(2000)])
    for take in (0, 1, 7, 512, 1999, 2000, 3000):
        want = np.sort(np.argsort(-bounds, kind="stable")[:take])
        assert scoring._highest(bounds, take).tolist() == want.tolist()
