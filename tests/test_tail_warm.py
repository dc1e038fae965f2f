"""``kb serve`` warms up before it listens: the first visitor pays no one-off load.

At 63,000 releases the first query after start paid ~0.5 s that no later one
did: the segmenter's dictionary and the alignment lexicon (PyThaiNLP's 65,000
words, each normalized), loaded on first use.  ``Catalog.warm`` answers a few
searches first; these tests check what it leaves loaded, and that it leaves no
memoized answer behind (the first visitor's query is answered as any new one).
"""
from __future__ import annotations

import time
from pathlib import Path

from kb.models import SearchRequest
from kb.search import Searcher, align
from web import catalog, create_app


def test_warm_loads_the_one_off_tables_and_keeps_no_answer(bundled_index: Path) -> None:
    align._lexicon.cache_clear()
    app = create_app({"INDEX_DIR": str(bundled_index)})
    cat = catalog(app)
    cat.warm()
    assert align._lexicon.cache_info().currsize == 1  # loaded before any visitor
    with app.test_request_context("/"):
        snap = cat.index.snapshot()
    assert snap._scan is not None
    assert not snap.memo  # what the warm-up searches memoized is gone


def test_after_warm_a_new_query_costs_what_a_later_one_does(bundled_index: Path) -> None:
    """CPU time of the first new query after warming vs the same kind of query later."""
    align._lexicon.cache_clear()
    app = create_app({"INDEX_DIR": str(bundled_index)})
    cat = catalog(app)
    cat.warm()
    searcher = Searcher(cat.engine)

    def cost(q: str) -> float:
        t = time.process_time()
        searcher.search(SearchRequest(q=q))
        return time.process_time() - t

    first = cost("ยาเสพติดชายแดน")
    later = min(cost(q) for q in ("น้ำท่วมภาคใต้", "ความมั่นคงทางทะเล", "ผู้ว่าราชการจังหวัด"))
    # the lexicon alone costs ~0.5 s; a warmed first query is within noise of later ones
    assert first < later + 0.25, (first, later)
