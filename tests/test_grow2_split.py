"""Issue 12, 4× growth, second step: a large candidate check split in two halves, the
second on another core (``kb.scan_split``), answers exactly as the check in one piece,
and a query never waits behind the pool (another query's parts): a part the pool has
not started is run by the caller.

Buffers are generated at test time from Thai consonants, vowels, marks and digits and
mapped from a temporary file, with windows made small so that a check crosses many.
"""
from __future__ import annotations

import mmap
import random
import threading
import time

import pytest

from kb import mapped, scan_pairs, scan_split
from kb.scan_pairs import PairIndex

ALPHABET = "กขคงจนมยรลวอ0123456789เแโใไ่้๊๋ัิีึืุูะาำ".encode("tis-620")


def _mapped_buffer(tmp_path, data: bytes) -> mmap.mmap:
    path = tmp_path / "buffer.bin"
    path.write_bytes(data)
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _pairs(buffer, size: int) -> PairIndex:
    step = 997
    starts = list(range(0, size, step))
    return PairIndex(buffer, starts, list(range(len(starts))))


@pytest.mark.parametrize("seed", range(3))
def test_split_check_answers_as_the_whole_check(tmp_path, monkeypatch, seed):
    if scan_split.helpers() == 0:
        pytest.skip("one core: the check is never split")
    rng = random.Random(seed)
    words = [bytes(rng.choice(ALPHABET) for _ in range(rng.randint(2, 4))) for _ in range(12)]
    data = b"".join(rng.choice(words) for _ in range(60_000))
    buffer = _mapped_buffer(tmp_path, data)
    monkeypatch.setattr(mapped, "WINDOW", 16 * mmap.PAGESIZE)  # many windows, a cut between two
    for mapped_buffer in (buffer, data):  # the mapped path (windows) and the in-memory one
        index = _pairs(mapped_buffer, len(data))
        for needle in words[:6]:
            monkeypatch.setattr(scan_pairs, "SPLIT_AT", 10**12)
            whole = index.positions(needle)
            monkeypatch.setattr(scan_pairs, "SPLIT_AT", 16)
            split = index.positions(needle)
            assert len(whole) > 0
            assert whole.docs.tolist() == split.docs.tolist()
            assert whole.counts.tolist() == split.counts.tolist()
            assert whole.offsets.tolist() == split.offsets.tolist()
    buffer.close()


def test_parts_come_back_in_order():
    parts = [lambda i=i: i * i for i in range(7)]
    assert scan_split.run_parts(parts) == [i * i for i in range(7)]
    assert scan_split.run_parts([]) == []


def test_a_busy_pool_never_holds_the_caller():
    """Every helper thread blocked by another query's part: the caller runs its own
    parts itself and is done long before the blocker is released."""
    if scan_split.helpers() == 0:
        pytest.skip("one core: no pool")
    release = threading.Event()
    pool = scan_split._get_pool()
    blockers = [pool.submit(release.wait, 30) for _ in range(scan_split.helpers())]
    try:
        ran_in: list[str] = []
        parts = [lambda i=i: (ran_in.append(threading.current_thread().name), i)[1] for i in range(3)]
        started = time.monotonic()
        assert scan_split.run_parts(parts) == [0, 1, 2]
        assert time.monotonic() - started < 5
        assert ran_in == [threading.current_thread().name] * 3
    finally:
        release.set()
        for b in blockers:
            b.result(timeout=30)


def test_a_failing_part_raises_in_the_caller():
    def boom():
        raise ValueError("part failed")

    with pytest.raises(ValueError, match="part failed"):
        scan_split.run_parts([lambda: 1, boom])
    with pytest.raises(ValueError, match="part failed"):
        scan_split.run_parts([boom, lambda: 1])
