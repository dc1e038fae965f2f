"""Issue 12, 4× growth, third step: a pair's positions decoded as int32 (the buffer is
under 2 GiB) and placed in their documents in that type give exactly the positions and
``DocOffsets`` of the int64 path, wide gaps (over 65,535 bytes) included.

Buffers are generated at test time: a few rare pairs far apart (wide gaps), common
pairs everywhere, documents of random lengths.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from kb.scan_offsets import doc_offsets
from kb.scan_pairs import PairIndex

ALPHABET = "กขคงจนมยรลวอเแาะ่้".encode("tis-620")


def _buffer(seed: int) -> tuple[bytes, list[int]]:
    rng = random.Random(seed)
    parts = bytearray(bytes(rng.choice(ALPHABET) for _ in range(200_000)))
    for at in (rng.randint(0, 999), 90_000 + rng.randint(0, 999), 170_000, 199_000):  # a rare pair, wide gaps
        parts[at : at + 2] = b"Zq"
    starts = sorted({0, *rng.sample(range(1, len(parts)), 400)})
    return bytes(parts), starts


def _reference(data: bytes, pair: bytes) -> np.ndarray:
    array = np.frombuffer(data, dtype=np.uint8)
    return np.flatnonzero((array[:-1] == pair[0]) & (array[1:] == pair[1]))


@pytest.mark.parametrize("seed", range(3))
def test_int32_positions_equal_the_pairs_and_the_int64_path(seed):
    data, starts = _buffer(seed)
    index = PairIndex(data, starts, [7 * i + 3 for i in range(len(starts))])
    assert index.position_dtype == np.int32
    pairs = [b"Zq", ALPHABET[:2], ALPHABET[3:5], bytes([ALPHABET[-1], ALPHABET[0]])]
    wide_seen = False
    for pair in pairs:
        code = (pair[0] << 8) | pair[1]
        got = index.pair_positions(code)
        want = _reference(data, pair)
        assert got.dtype == np.int32 and got.tolist() == want.tolist()
        wide_seen |= bool(len(want) > 1 and np.diff(want).max() > 65_535)
        narrow = doc_offsets(got, index.starts, index.docnum_array)
        wide = doc_offsets(want.astype(np.int64), index.starts, index.docnum_array)
        for name in ("docs", "counts", "offsets"):
            assert getattr(narrow, name).tolist() == getattr(wide, name).tolist()
        assert dict(narrow) == dict(wide)
    assert wide_seen  # the rare pair's gaps went through the wide array


def test_a_large_buffer_keeps_int64_positions():
    data, starts = _buffer(5)
    index = PairIndex(data, starts, list(range(len(starts))))
    want = index.pair_positions((ALPHABET[0] << 8) | ALPHABET[1]).tolist()
    index.size = 2**31  # as a buffer past 2 GiB: positions no longer fit in int32
    got = index.pair_positions((ALPHABET[0] << 8) | ALPHABET[1])
    assert got.dtype == np.int64 and got.tolist() == want


@pytest.mark.parametrize("seed", range(3))
def test_few_and_many_occurrences_place_alike(seed):
    # doc_offsets has two ways (few occurrences: each placed; many: each document's run)
    rng = random.Random(seed)
    starts = np.array(sorted({0, *rng.sample(range(1, 10**6), 2000)}), dtype=np.int64)
    docnums = np.array(rng.sample(range(10**5), len(starts)), dtype=np.int64)
    for n in (5, 100, 200_000):
        found = np.array(sorted(rng.sample(range(10**6), n)), dtype=np.int64)
        narrow = doc_offsets(found.astype(np.int32), starts, docnums)
        wide = doc_offsets(found, starts, docnums)
        assert narrow.offsets.dtype == np.int32
        for name in ("docs", "counts", "offsets"):
            assert getattr(narrow, name).tolist() == getattr(wide, name).tolist()


@pytest.mark.parametrize("seed", range(3))
def test_occurrences_placed_in_two_parts_equal_the_whole(monkeypatch, seed):
    # over SPLIT_AT verified positions, two parts cut at a document's start (the second on a free core)
    from kb import scan_pairs
    data, starts = _buffer(seed)
    index = PairIndex(data, starts, [7 * i + 3 for i in range(len(starts))])
    found = index.pair_positions((ALPHABET[0] << 8) | ALPHABET[1])
    whole = doc_offsets(found, index.starts, index.docnum_array)
    for split_at in (1, 10, len(found) // 3):
        monkeypatch.setattr(scan_pairs, "SPLIT_AT", split_at)
        for part in (found, found[:5], found[-7:], found[:1]):
            got, want = index.offsets(part), doc_offsets(part, index.starts, index.docnum_array)
            for name in ("docs", "counts", "offsets"):
                assert getattr(got, name).tolist() == getattr(want, name).tolist()
    assert len(whole) > 100
