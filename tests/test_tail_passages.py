"""Tier 1 of a common word: only the documents whose bound can reach the first k are scored,
and the first k are those of scoring every document.

A word in 95 % of the releases gives tier 1 tens of thousands of candidates.
``PassageScores._best_scored`` scores them in order of an upper bound until no
unscored one can enter the first k.  Candidates are generated at test time,
with many exact ties (documents with the same occurrences) around the k-th
score, a few documents far above the rest, and candidates outside tier 1.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from kb.scan_offsets import DocOffsets
from kb.search.budget import WorkBudget
from kb.search.params import DEFAULT_PARAMS
from kb.search.scoring import BATCH_FROM, Occurrences, PassageScores, passage_score
from tests.test_scale_passages import _clauses


def _tied(seed: int, n_docs: int) -> list[list[Occurrences]]:
    """One clause: most documents share one of a few occurrence patterns (ties), a few
    hold dense clusters (far above), some hold one occurrence (far below)."""
    rng = random.Random(seed)
    patterns = [sorted(rng.sample(range(0, 5000), rng.randint(1, 12))) for _ in range(4)]
    positions: dict[int, list[int]] = {}
    for d in range(n_docs):
        r = rng.random()
        if r < 0.02:
            positions[d] = sorted(range(100, 100 + 3 * rng.randint(5, 40), 3))
        elif r < 0.3:
            positions[d] = [rng.randrange(5000)]
        elif r < 0.95:
            positions[d] = list(rng.choice(patterns))
    aligned = {d for d in positions if rng.random() < 0.3}
    return [[Occurrences(2.5, positions, aligned)]]


def _as_arrays(clauses: list[list[Occurrences]]) -> list[list[Occurrences]]:
    """The same occurrences as the pair index returns them (``DocOffsets``)."""
    out = []
    for alternatives in clauses:
        row = []
        for occ in alternatives:
            docs = sorted(occ.positions)
            counts = np.array([len(occ.positions[d]) for d in docs], dtype=np.int64)
            offsets = np.array([o for d in docs for o in occ.positions[d]], dtype=np.int64)
            row.append(Occurrences(occ.idf, DocOffsets(np.array(docs, dtype=np.int64), counts, offsets), occ.aligned))
        out.append(row)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_first_k_are_those_of_scoring_every_document(seed: int) -> None:
    n_docs = BATCH_FROM * 6
    clauses = _tied(seed, n_docs) if seed % 2 else _clauses(200 + seed, n_docs)
    if seed >= 4:
        clauses = _as_arrays(clauses)
    verbatim = set().union(*(set(o.positions) for alts in clauses for o in alts)) - {5, 6, 7}
    passages = PassageScores(verbatim, clauses, DEFAULT_PARAMS)
    candidates = set(range(n_docs))
    doc_id = lambda d: f"doc-{d:05d}"  # noqa: E731
    every = sorted(((d, passage_score(d, clauses, DEFAULT_PARAMS) if d in verbatim else 0.0) for d in candidates),
                   key=lambda ds: (-ds[1], doc_id(ds[0])))
    for k in (1, 10, 30, 100, n_docs + 1):
        budget = WorkBudget.start()
        got = passages.top(candidates, k, doc_id, budget)
        assert got == every[:k], (seed, k)
        assert budget.scored <= n_docs


def test_a_word_in_most_documents_scores_few_of_them() -> None:
    """The bound leaves most of a common word's documents unscored when a few stand out."""
    n_docs = BATCH_FROM * 20
    rng = random.Random(1)
    positions = {d: [rng.randrange(20_000)] for d in range(n_docs)}  # once each: a low bound
    for d in rng.sample(range(n_docs), 40):
        positions[d] = list(range(0, 600, 6))  # a dense passage: far above
    occ = Occurrences(1.7, positions, set(positions))
    passages = PassageScores(set(positions), [[occ]], DEFAULT_PARAMS)
    budget = WorkBudget.start()
    top = passages.top(set(positions), 10, str, budget)
    assert budget.scored < n_docs // 4
    assert [d for d, _ in top] == [d for d, _ in sorted(
        ((d, passage_score(d, [[occ]], DEFAULT_PARAMS)) for d in positions), key=lambda ds: (-ds[1], str(ds[0])))[:10]]
