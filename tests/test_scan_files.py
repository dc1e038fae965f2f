"""The saved sub-word scan, its pair index read from files by slices
(``kb.scan_pairs``), finds exactly what the in-memory scan finds, maps no pair
file into the process, and a folder saved before the compact pair index still works.

Documents are generated at test time (shuffled docnums, common chunks, digits,
chunks inside longer words); slab and merge sizes are made tiny so that a
lookup's candidates are checked over many reads.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

import kb.scan_pairs as scan_pairs
from kb import analysis
from kb.scan_pairs import FileBytes, PairIndex
from kb.textscan import TextScan

PIECES = ["การ", "ประชุม", "อาการ", "เกาะ", "กี่", "ความมั่นคง", "ชายแดน", "และ", "ที่", "1", "17", "2566", " ", "ก"]
CHUNKS = ["การ", "ประชุม", "ที่", "มั่นคง", "1", "17", "ก", "กา", "ไม่มี", "ชายแดนและ", "า", "ะ"]


def _forms(seed: int, n: int = 150) -> list[tuple[int, bytes]]:
    rng = random.Random(seed)
    docnums = sorted(rng.sample(range(10 * n), n))
    return [(d, analysis.scan_form("".join(rng.choice(PIECES) for _ in range(rng.randint(0, 80))))) for d in docnums]


def _brute(forms: list[tuple[int, bytes]], needle: bytes) -> dict[int, list[int]]:
    """Every cluster-aligned occurrence, document by document (the rules of kb.textscan)."""
    import kb.textscan as textscan

    out: dict[int, list[int]] = {}
    for d, form in forms:
        for i in range(len(form) - len(needle) + 1):
            if form[i : i + len(needle)] != needle or needle[0] in textscan._MARKS:
                continue
            if i and form[i - 1] in textscan._LEADING:
                continue
            if i + len(needle) < len(form) and form[i + len(needle)] in textscan._MARKS:
                continue
            if textscan._number_cut(form, i, needle):
                continue
            out.setdefault(d, []).append(i)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_a_saved_scan_finds_what_the_memory_scan_finds(tmp_path: Path, seed: int) -> None:
    forms = _forms(seed)
    TextScan(forms).save(tmp_path / "scan")
    saved = TextScan.load(tmp_path / "scan")
    assert saved is not None and saved.pairs.on_disk and isinstance(saved.pairs.gaps, FileBytes)
    memory = TextScan(forms, pair_index=False)
    for chunk in CHUNKS:
        needle = analysis.scan_form(chunk, is_normalized=True)
        expected = memory.positions(needle)
        assert expected == _brute(forms, needle), chunk
        found = saved.positions(needle)
        assert found == expected and list(found) == list(expected), chunk
    # the finder slices documents out of the buffer as bytes
    start, d = saved.starts[5], saved.docnums[5]
    assert saved.buffer[start : start + saved.lengths[d]] == dict(forms)[d]


def test_gaps_over_two_bytes_and_pairs_across_build_slices(monkeypatch) -> None:
    # one pair far apart (wide gaps), another dense; built a few positions at a time
    monkeypatch.setattr(scan_pairs, "PAIR_CHUNK", 5)
    forms = [(0, b"zq" + b"a" * 300 + b"zq" + b"ab" * 200 + b"zq"), (3, b"x" * 70_000 + b"zqzq")]
    pairs = PairIndex(b"\x00\n".join(f for _, f in forms), [0, len(forms[0][1]) + 2], [0, 3])
    assert 70_004 in pairs.wide.tolist() and len(pairs.gaps) == sum(len(f) for _, f in forms) + 2 - 1  # zq: 704 → 70,708
    assert dict(pairs.positions(b"zq")) == {0: [0, 302, 704], 3: [70_000, 70_002]}
    assert dict(pairs.positions(b"ab")) == {0: list(range(304, 704, 2))}


def test_a_saved_scan_maps_no_pair_file_and_reads_little_for_a_rare_chunk(tmp_path: Path) -> None:
    rng = random.Random(5)
    forms = [(d, analysis.scan_form("".join(rng.choice(PIECES) for _ in range(400)))) for d in range(300)]
    forms[150] = (150, forms[150][1] + analysis.scan_form("ทะเลจีนใต้"))
    TextScan(forms).save(tmp_path / "scan")
    saved = TextScan.load(tmp_path / "scan")
    memory = saved.nbytes()
    assert memory["scan_buffer_on_disk"] == len(saved.buffer) and 0 <= memory["scan_buffer_cached"] <= len(saved.buffer) + 4096
    assert memory["pair_index_on_disk"] > 0 and memory["pair_index"] == 2 * 65537 * 8  # the bounds only
    before = saved.pairs.bytes_read()
    needle = analysis.scan_form("ทะเลจีนใต้")
    assert dict(saved.positions(needle)) == {150: [len(forms[150][1]) - len(needle)]}
    assert saved.pairs.bytes_read() - before < 100  # one pair's slice
    mapped = [m for m in Path("/proc/self/maps").read_text().splitlines() if str(tmp_path) in m]
    assert mapped and all(m.endswith("buffer.bin") for m in mapped)  # the buffer only


def test_a_folder_saved_before_the_compact_pair_index_is_upgraded_once(tmp_path: Path) -> None:
    forms = _forms(7)
    folder = tmp_path / "scan"
    TextScan(forms).save(folder)
    for name in scan_pairs.FILES:  # what the previous format left: buffer files and its own pair order
        (folder / name).unlink()
    np.save(folder / "order.npy", np.zeros(3, dtype=np.uint32))
    assert json.loads((folder / "meta.json").read_text())["format"] == 1
    scan = TextScan.load(folder)
    needle = analysis.scan_form("การ", is_normalized=True)
    assert scan is not None and scan.positions(needle) == _brute(forms, needle)
    assert scan_pairs.saved(folder) and scan.pairs.on_disk


def test_a_truncated_pair_file_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "scan"
    TextScan(_forms(2)).save(folder)
    data = (folder / "pairs-gaps.bin").read_bytes()
    (folder / "pairs-gaps.bin").write_bytes(data[:-10])
    assert PairIndex.open(folder, (folder / "buffer.bin").read_bytes(), [0], [0]) is None
