"""Issue 12, 4× growth, fourth step: one edge of a sorted int32 array is found without
copying the array.

numpy 2 searches an int32 array for a Python (or int64) integer by first making an
int64 copy of the whole array; a common chunk's candidates (millions at 4×) were
copied twice a lookup to find the buffer's edges.  ``sorted_index`` searches in the
array's own type: the same index, no copy.  Arrays are generated at test time.
"""
from __future__ import annotations

import random
import tracemalloc

import numpy as np
import pytest

from kb.scan_offsets import sorted_index
from kb.scan_pairs import PairIndex, _checked

ALPHABET = "กขคงจนมยรลวอเแาะ่้".encode("tis-620")


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16, np.uint8])
@pytest.mark.parametrize("seed", range(3))
def test_sorted_index_is_searchsorted(dtype, seed):
    rng = random.Random(seed)
    top = int(min(np.iinfo(dtype).max, 10**6))
    values = np.array(sorted(rng.choices(range(top), k=500)), dtype=dtype)
    probes = [0, -1, -(2**40), top, top + 1, 2**40, *rng.sample(range(top), 50), *values[:20].tolist()]
    for x in probes:
        for side in ("left", "right"):
            assert sorted_index(values, x, side) == int(np.searchsorted(values, x, side=side)), (x, side)


def test_sorted_index_of_an_empty_array():
    empty = np.zeros(0, dtype=np.int32)
    assert sorted_index(empty, 5) == 0 and sorted_index(empty, 5, "right") == 0


def test_sorted_index_makes_no_copy_of_an_int32_array():
    values = np.arange(0, 8_000_000, 4, dtype=np.int32)  # 2 M values, 8 MB
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        sorted_index(values, 5_000_001, "right")
        ours = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        np.searchsorted(values, 5_000_001, side="right")  # numpy's own way (what the lookup did)
        plain = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ours < 1_000_000
    if plain < 8_000_000:  # a numpy that no longer copies: the difference is gone, not the answer
        pytest.skip("this numpy searches int32 arrays for a Python int without a copy")


def _buffer(seed: int) -> tuple[bytes, list[int]]:
    rng = random.Random(seed)
    data = bytearray(bytes(rng.choice(ALPHABET) for _ in range(150_000)))
    starts = sorted({0, *rng.sample(range(1, len(data)), 300)})
    return bytes(data), starts


def _reference(data: bytes, starts: list[int], docnums: list[int], needle: bytes) -> dict[int, list[int]]:
    """Every occurrence of ``needle`` by ``bytes.find`` that ``_checked`` keeps (the same
    cluster rule, one candidate at a time), placed in the document it starts in."""
    array = np.frombuffer(data, dtype=np.uint8)
    out: dict[int, list[int]] = {}
    at = data.find(needle)
    while at >= 0:
        if len(_checked(np.array([at], dtype=np.int64), needle, set(), array)):
            i = int(np.searchsorted(starts, at, side="right")) - 1
            out.setdefault(docnums[i], []).append(at - starts[i])
        at = data.find(needle, at + 1)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_lookups_at_the_buffer_edges_are_unchanged(seed):
    data, starts = _buffer(seed)
    docnums = [5 * i + 2 for i in range(len(starts))]
    index = PairIndex(data, starts, docnums)
    assert index.position_dtype == np.int32
    rng = random.Random(seed)
    edges = [data[:3], data[-3:], data[-2:], data[:2]]
    needles = edges + [data[i : i + rng.randint(2, 5)] for i in rng.sample(range(len(data) - 5), 20)]
    for needle in needles:
        got = {int(d): [int(o) for o in offs] for d, offs in dict(index.positions(needle)).items()}
        assert got == _reference(data, starts, docnums, needle), needle
