"""Issue 12, 4× growth: a clause's occurrences and those of its whole-clause matches are merged
as arrays (``tiers._merged``), the same mapping, in the same order, as ``{**first, **then}``.

The dict made every one of a common clause's documents an offset list (16,700 at 63,000
releases for "เปิดเผยว่า", four times as many at 4×)."""
from __future__ import annotations

import random

import numpy as np

from kb.scan_offsets import DocOffsets
from kb.search.tiers import _merged


def _scan(rng: random.Random, docs: list[int]) -> DocOffsets:
    counts = [rng.randint(1, 5) for _ in docs]
    offsets = [o for n in counts for o in sorted(rng.sample(range(5000), n))]
    return DocOffsets(np.array(docs, dtype=np.int64), np.array(counts, dtype=np.int64), np.array(offsets, dtype=np.int64))


def test_merged_equals_the_dict_merge_in_content_and_order():
    rng = random.Random(5)
    for _ in range(50):
        pool = rng.sample(range(10_000), 60)
        then = _scan(rng, sorted(pool[:40]))
        shared = rng.random() < 0.3  # a document in both: the dict's own merge
        first_docs = pool[40:] + ([pool[0]] if shared else [])
        first = {d: sorted(rng.sample(range(5000), rng.randint(1, 4))) for d in first_docs}
        merged = _merged(first, then)
        expected = {**first, **then}
        assert list(merged) == list(expected)
        assert {d: list(merged[d]) for d in merged} == expected
        assert isinstance(merged, DocOffsets) != shared


def test_merged_with_a_plain_mapping_is_the_dict_merge():
    assert _merged({3: [1]}, {1: [2, 5]}) == {3: [1], 1: [2, 5]}
