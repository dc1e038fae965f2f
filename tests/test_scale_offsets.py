"""The pair index's occurrences (``DocOffsets``, arrays) read exactly like the
scan's ``docnum → offsets`` dict, and split into subsets without lists.

Documents are generated at test time: shuffled docnums (scan order is not
docnum order), repeated common chunks, chunks inside longer words.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from kb import analysis
from kb.scan_offsets import DocOffsets
from kb.textscan import TextScan

PIECES = ["การ", "ประชุม", "อาการ", "ความมั่นคง", "ชายแดน", "และ", "ที่", "12", "2566", " "]


def _forms(seed: int, n: int = 120) -> list[tuple[int, bytes]]:
    rng = random.Random(seed)
    docnums = rng.sample(range(10 * n), n)
    return [(d, analysis.scan_form("".join(rng.choice(PIECES) for _ in range(rng.randint(0, 60))))) for d in docnums]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("chunk", ["การ", "ประชุม", "ที่", "มั่นคง", "12", "ไม่มี"])
def test_pair_index_offsets_equal_the_scanned_dict(seed, chunk):
    forms = _forms(seed)
    needle = analysis.scan_form(chunk, is_normalized=True)
    arrays = TextScan(forms).positions(needle)
    scanned = TextScan(forms, pair_index=False).positions(needle)
    assert isinstance(arrays, DocOffsets) or not scanned
    assert arrays == scanned and scanned == arrays
    assert list(arrays) == list(scanned)  # same document order
    assert list(arrays.items()) == list(scanned.items())
    for d, offsets in scanned.items():
        assert d in arrays and arrays[d] == offsets and arrays.get(d) == offsets
        assert all(isinstance(o, int) for o in arrays[d])
    missing = max((d for d, _ in forms), default=0) + 1
    assert missing not in arrays and arrays.get(missing) is None
    with pytest.raises(KeyError):
        arrays[missing]


def test_subsets_keep_their_offsets():
    forms = _forms(9)
    arrays = TextScan(forms).positions(analysis.scan_form("การ", is_normalized=True))
    assert isinstance(arrays, DocOffsets) and len(arrays) > 10
    chosen = set(list(arrays)[::3])
    held = np.isin(arrays.docs, np.fromiter(chosen, dtype=np.int64))
    inside, outside = arrays.subset(held), arrays.subset(~held)
    assert dict(inside) == {d: o for d, o in arrays.items() if d in chosen}
    assert dict(outside) == {d: o for d, o in arrays.items() if d not in chosen}
    assert dict(arrays.among(chosen)) == dict(inside)
    assert len(DocOffsets.empty()) == 0 and dict(DocOffsets.empty()) == {}
