"""Issue 12, 4× growth, fourth step: a one-chunk query's tier 1 reads a scan's int32
arrays in their own type (no docnum per occurrence, no int64 offsets) and gives the
same floats as each document scored alone (``passage_score``) and as the same
occurrences held as int64 lists.

Scans are generated at test time: ascending buffer positions placed in documents by
``doc_offsets`` (int32, as a lookup under 2 GiB of buffer gives them), documents with
one occurrence and with clusters of them, batches that hold documents without any.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from kb.scan_offsets import doc_offsets
from kb.search.params import DEFAULT_PARAMS
from kb.search.scoring import Occurrences, passage_score, passage_scores


def _scan(rng: random.Random, n_docs: int) -> tuple[Occurrences, np.ndarray]:
    starts = np.array(sorted({0, *rng.sample(range(1, 400_000), n_docs - 1)}), dtype=np.int64)
    docnums = np.array(sorted(rng.sample(range(3 * n_docs), len(starts))), dtype=np.int64)
    found: set[int] = set()
    for start, end in zip(starts.tolist(), starts[1:].tolist() + [400_000]):
        if rng.random() < 0.3:
            continue
        centre = rng.randrange(start, end)
        spread = rng.choice([5, 80, 2_000, end - start])
        for _ in range(rng.choice([1, 1, 2, 5, 30])):
            found.add(min(end - 1, max(start, centre + rng.randint(-spread, spread))))
    positions = doc_offsets(np.array(sorted(found), dtype=np.int32), starts, docnums)
    held = positions.docs.tolist()
    aligned = set(rng.sample(held, len(held) // 2))
    return Occurrences(rng.uniform(0.1, 9.0), positions, aligned), docnums


@pytest.mark.parametrize("seed", range(8))
def test_one_chunk_of_a_scan_scores_as_each_document_alone(seed):
    rng = random.Random(700 + seed)
    occ, docnums = _scan(rng, 600)
    assert occ.positions.offsets.dtype == np.int32
    batch = np.array(sorted(rng.sample(docnums.tolist(), rng.randint(1, len(docnums)))), dtype=np.int64)
    got = passage_scores(batch, [[occ]], DEFAULT_PARAMS)
    assert got.tolist() == [passage_score(int(d), [[occ]], DEFAULT_PARAMS) for d in batch]
    as_lists = Occurrences(occ.idf, {int(d): [int(o) for o in offs] for d, offs in dict(occ.positions).items()},
                           occ.aligned)
    assert passage_scores(batch, [[as_lists]], DEFAULT_PARAMS).tolist() == got.tolist()
