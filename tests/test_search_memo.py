"""The snapshot memo is bounded in bytes only (``kb.engine.memo``): a search must not
empty it because it holds many small entries (it did past 512, so at 63k a 60-query
pass emptied it and every repeated query was computed again)."""
from __future__ import annotations

from kb.engine import Index
from kb.models import SearchRequest
from kb.search import Searcher


def test_many_small_memo_entries_survive_a_search(bundled_index):
    index = Index(bundled_index)
    snap = index.snapshot()
    for i in range(600):
        snap.memo[("test entry", i)] = {i}
    Searcher(index).search(SearchRequest(q="ยาเสพติดชายแดน"))
    assert index.snapshot() is snap
    assert all(("test entry", i) in snap.memo for i in range(600))
