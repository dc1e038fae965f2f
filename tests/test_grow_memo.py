"""Issue 12, 4× growth: the memo's bound follows the collection's size (``kb.engine.memo.limit_for``).

A fixed 64 MB bound, chosen at 63,000 releases, no longer held a pass of queries
at four times the releases (each entry grows with the collection), so every
repeated query was computed again.  The bound is now per document, within a
floor and a cap, unless ``KB_MEMO_MB`` fixes it; ``kb stats`` shows it.
"""
from __future__ import annotations

import importlib

from kb.engine import Index
from kb.engine import memo as memo_module
from kb.models import SearchRequest
from kb.search import Searcher


def test_the_bound_grows_with_the_documents_within_a_floor_and_a_cap(monkeypatch):
    monkeypatch.delenv("KB_MEMO_MB", raising=False)
    small = memo_module.limit_for(100)
    at_63k = memo_module.limit_for(63_241)
    at_4x = memo_module.limit_for(4 * 63_241)
    assert small == memo_module.MEMO_BYTES  # a small collection keeps the floor
    assert at_63k >= memo_module.MEMO_BYTES
    assert 3.9 * at_63k <= at_4x <= 4.1 * at_63k  # in proportion
    assert memo_module.limit_for(10**9) == memo_module.MEMO_MAX_BYTES


def test_kb_memo_mb_fixes_the_bound_whatever_the_size(monkeypatch):
    monkeypatch.setenv("KB_MEMO_MB", "12")
    fixed = importlib.reload(memo_module)
    try:
        assert fixed.MEMO_BYTES == 12 * 2**20
        assert fixed.limit_for(4 * 63_241) == 12 * 2**20
    finally:
        monkeypatch.delenv("KB_MEMO_MB")
        importlib.reload(memo_module)


def test_a_snapshot_has_the_bound_of_its_size_and_reports_it(bundled_index, monkeypatch):
    monkeypatch.delenv("KB_MEMO_MB", raising=False)
    index = Index(bundled_index)
    snap = index.snapshot()
    assert snap.memo.limit == memo_module.limit_for(len(snap.docs))
    assert snap.memory()["memo_limit"] == snap.memo.limit


def test_results_are_the_same_with_a_memo_too_small_to_hold_anything(bundled_index):
    index = Index(bundled_index)
    searcher = Searcher(index)
    # words held inside other words too (ตาก in ตากใบ, ภาค, จีน), a clause across words, a question
    queries = ["ยาเสพติด", "ชายแดน ภาคใต้", "การ", "\"ความมั่นคง\"", "แผนงานมีอะไรบ้าง", "", "ตาก", "ภาค", "จีน",
               "สงขลา", "ภาคทุก", "ความผิด ตามพ", "แคป", "ซาว", "คณะที่", "ตากใบ นราธิวาส"]
    before = [searcher.search(SearchRequest(q=q)).to_dict() for q in queries]
    snap = index.snapshot()
    limit = snap.memo.limit
    try:
        snap.memo.clear()
        snap.memo.limit = 1  # every entry but the newest is dropped at once
        after = [searcher.search(SearchRequest(q=q)).to_dict() for q in queries]
    finally:
        snap.memo.limit = limit
    assert after == before
