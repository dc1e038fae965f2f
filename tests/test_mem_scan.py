"""The mapped scan buffer does not stay in the process (``kb.mapped``), and a
one-letter pass over it is found by windows and stops at the query's deadline.

A common chunk's candidates cover the whole buffer: checking them kept every
page of it mapped into a server (205 MB at 63k).  Windows are made small here
(2 MB: the kernel maps a file's pages in blocks up to that size) so that a
buffer of ~24 MB, generated at test time, spans a dozen of them; the process'
resident pages of the mapping are read from ``/proc/self/smaps``.
"""
from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from kb import analysis, mapped
from kb.engine.memo import Memo
from kb.textscan import TextScan
from tests.test_scan_files import _brute

PIECES = ["การ", "ประชุม", "อาการ", "เกาะ", "กี่", "ความมั่นคง", "ชายแดน", "และ", "ที่", "17", "ก", " "]
WINDOW = 2 * 2**20
SLACK = 2 * 2**20  # one block the kernel maps at once
N, COPIES = 500, 20


def _forms(n: int, copies: int = 1, seed: int = 7) -> list[tuple[int, bytes]]:
    """``n`` generated documents, ``copies`` times over (new docnums)."""
    rng = random.Random(seed)
    forms = [analysis.scan_form("".join(rng.choice(PIECES) for _ in range(rng.randint(200, 900)))) for _ in range(n)]
    return [(k * n + d, form) for k in range(copies) for d, form in enumerate(forms)]


def _expected(forms: list[tuple[int, bytes]], n: int, needle: bytes) -> dict[int, list[int]]:
    """``_brute`` of the first ``n`` documents, repeated for their copies."""
    first = _brute(forms[:n], needle)
    return {d: first[d % n] for d, _ in forms if d % n in first}


@pytest.fixture()
def saved(tmp_path: Path, monkeypatch) -> tuple[TextScan, list[tuple[int, bytes]]]:
    monkeypatch.setattr(mapped, "WINDOW", WINDOW)
    forms = _forms(N, COPIES)
    TextScan(forms).save(tmp_path / "scan")
    scan = TextScan.load(tmp_path / "scan")
    assert scan is not None and mapped.is_mapped(scan._map) and len(scan.buffer) > 10 * WINDOW
    return scan, forms


def _resident(path_end: str) -> int:
    """Bytes of this process' mappings of a file (``Rss`` in /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if line[:1].isdigit() or line[:1] in "abcdef" and "-" in line.split()[0]:
            inside = line.rstrip().endswith(path_end)
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1]) * 1024
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs /proc/self/smaps")
def test_a_common_chunk_leaves_at_most_a_window_of_the_buffer_mapped(saved) -> None:
    scan, forms = saved
    for chunk in ("การ", "ที่", "ก"):
        needle = analysis.scan_form(chunk, is_normalized=True)
        found = scan.positions(needle, max_matches=10**8)
        assert dict(found.items()) == _expected(forms, N, needle), chunk
        # the candidates covered the whole buffer; two windows and a block stay mapped at most
        assert _resident(scan.buffer._file.name) <= 2 * WINDOW + SLACK, chunk
    assert scan.nbytes()["scan_buffer_paged_in"] >= len(scan.buffer)


def test_a_one_letter_pass_stops_between_windows_when_the_budget_is_spent(saved) -> None:
    scan, forms = saved
    needle = analysis.scan_form("ก", is_normalized=True)
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3  # the time is up after three windows

    started = time.perf_counter()
    cut = scan.positions(needle, stop=stop)
    assert time.perf_counter() - started < 5
    assert cut.partial and len(asked) == 4
    whole = scan.positions(needle, max_matches=10**8)
    assert not whole.partial and dict(whole.items()) == _expected(forms, N, needle)
    assert 0 < len(cut.offsets) < len(whole.offsets)
    assert all(whole[d][: len(cut[d])] == cut[d] for d in cut)  # a prefix of the whole answer
    memo = Memo()
    memo[("scan", needle)] = (1.0, cut)
    assert ("scan", needle) not in memo  # a partial answer is never memoized
    memo[("scan", needle)] = (1.0, whole)
    assert ("scan", needle) in memo


def test_a_one_letter_pass_keeps_the_match_cap(saved) -> None:
    scan, forms = saved
    needle = analysis.scan_form("ก", is_normalized=True)
    whole = scan.positions(needle, max_matches=10**8)
    capped = scan.positions(needle, max_matches=1000)
    assert 0 < len(capped.offsets) <= 1000 and not capped.partial
    assert all(whole[d][: len(capped[d])] == capped[d] for d in capped)


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs /proc/self/smaps")
def test_documents_sliced_out_of_a_saved_buffer_are_read_not_mapped(saved) -> None:
    scan, forms = saved
    step = max(1, len(scan.docnums) // 200)
    for k in range(0, len(scan.docnums), step):  # documents all over the buffer, as the finder and blend read them
        d, start = scan.docnums[k], scan.starts[k]
        assert scan.buffer[start : start + scan.lengths[d]] == forms[k][1]
    assert _resident(scan.buffer._file.name) == 0
    assert scan.nbytes()["scan_buffer_bytes_read"] >= sum(len(forms[k][1]) for k in range(0, len(forms), step))


def test_the_memo_holds_large_docsets_as_arrays_and_gives_back_equal_sets() -> None:
    memo = Memo(limit=2**20)
    big, small, words = set(range(0, 200_000, 3)), {1, 2, 3}, {"การ", "ที่"} | {str(i) for i in range(600)}
    memo[("docs", "big")] = big
    memo[("docs", "frozen")] = frozenset(big)
    memo[("docs", "small")] = small
    memo[("parts", "words")] = words
    assert memo.nbytes < 700_000  # as sets: ~8 MB
    got = memo.get(("docs", "big"))
    assert got == big and type(got) is set and got is not big
    got.add(-1)  # a caller's change does not reach the memo
    assert memo[("docs", "big")] == big and type(memo[("docs", "frozen")]) is frozenset
    assert memo.get(("docs", "small")) is small and memo.get(("parts", "words")) is words
    assert memo.get("absent") is None and memo.get("absent", 5) == 5 and memo.pop(("docs", "big")) == big
