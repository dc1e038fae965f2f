"""Issue 12, 4× growth, second step: a phrase's candidates verified by vector passes
(``array_search._consecutive_rows``: one int64 key per (candidate, position), a term at
a time) and a block's positions read by bisection (``whoosh_codec._collect``) keep
exactly the documents a per-document set check keeps.

Positions are generated at test time: repeated terms (ว่า ว่า), empty lists, a term at
position 0, far positions, candidates missing from a term's postings.
"""
from __future__ import annotations

import pickle
import random
from itertools import accumulate

import pytest

from kb.engine import whoosh_codec
from kb.engine.array_search import _consecutive_rows


def _reference(found: list[dict[int, list[int]]], docs: list[int]) -> list[int]:
    rows = []
    for row, d in enumerate(docs):
        lists = [set(f.get(d, ())) for f in found]
        if any(all(p + i in lists[i] for i in range(len(lists))) for p in lists[0]):
            rows.append(row)
    return rows


@pytest.mark.parametrize("seed", range(8))
def test_consecutive_rows_match_a_set_check(seed):
    rng = random.Random(seed)
    for _ in range(200):
        terms = rng.randint(1, 4)
        docs = sorted(rng.sample(range(500), rng.randint(0, 40)))
        span = rng.choice([5, 30, 2**20])
        found = []
        for _ in range(terms):
            by_doc = {}
            for d in docs:
                if rng.random() < 0.85:
                    by_doc[d] = sorted(rng.sample(range(span), rng.randint(0, min(6, span))))
            found.append(by_doc)
        if terms >= 2 and rng.random() < 0.3:  # the same word twice: ว่า ว่า
            found[1] = found[0]
        got = _consecutive_rows(found, docs).tolist()
        assert got == _reference(found, docs), (found, docs)


def _value(positions: list[int]) -> bytes:
    """A Whoosh positions value: 4 bytes of header, then the pickled deltas."""
    deltas = [b - a for a, b in zip([0] + positions, positions)]
    return b"\0\0\0\0" + pickle.dumps(deltas, 2)


@pytest.mark.parametrize("seed", range(4))
def test_collect_finds_each_wanted_posting(seed):
    rng = random.Random(seed)
    for _ in range(200):
        ids = sorted(rng.sample(range(1000), rng.randint(1, 128)))
        values = [_value(sorted(rng.sample(range(300), rng.randint(1, 5)))) for _ in ids]
        wanted = sorted(rng.sample(range(1000), rng.randint(1, 60)))
        out: dict[int, list[int]] = {}
        whoosh_codec._collect(out, wanted, ids, values)
        expected = {d: list(accumulate(pickle.loads(v[4:]))) for d, v in zip(ids, values) if d in set(wanted)}
        assert out == expected
