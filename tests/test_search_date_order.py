"""Browse and date-sorted results come from a per-snapshot date order (issue 12: the
empty query sorted every match in Python, 200 ms at 63k); the order must be exactly
the plain sort's: by (date, id), newest first unless "oldest", undated last by id."""
from __future__ import annotations

from kb.engine import Index
from kb.models import SearchRequest
from kb.search import Searcher


def _reference(snap, docs: set[int], sort: str) -> list[int]:
    dated = sorted((d for d in docs if snap.docs[d].date), key=lambda d: (snap.docs[d].date, snap.docs[d].id))
    if sort != "oldest":
        dated.reverse()
    return dated + sorted((d for d in docs if not snap.docs[d].date), key=lambda d: snap.docs[d].id)


def test_date_sorted_pages_equal_the_plain_sort(bundled_index):
    index = Index(bundled_index)
    searcher = Searcher(index)
    snap = index.snapshot()
    by_id = {doc.id: d for d, doc in snap.docs.items()}
    for q in ("", "ชายแดน", "ยาเสพติด"):
        for sort in ("newest", "oldest"):
            got: list[int] = []
            for page in range(1, 20):
                result = searcher.search(SearchRequest(q=q, sort=sort, limit=10, page=page))
                got += [by_id[h.id] for h in result.hits]
                if len(got) >= result.total:
                    break
            assert len(got) == result.total > 10, (q, sort)
            assert got == _reference(snap, set(got), sort), (q, sort)
