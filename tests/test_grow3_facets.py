"""Issue 12, 4× growth, third step: the facet counts made on another core while the page
is ranked, with one row mask shared by the facets, and the partial matches' "fewer than
five?" answered by a count, give exactly the answers of the serial, per-facet path.

Requests are generated at test time over the bundled corpus: random facet selections
(values the documents hold, values they do not), date bounds, random document sets.
"""
from __future__ import annotations

import random
from collections import Counter

import pytest

from kb import scan_split
from kb.engine import Index
from kb.facets import REGISTRY
from kb.models import SearchRequest
from kb.search import Searcher
from kb.search.budget import WorkLimits
from kb.search.facets import apply_filters, count_facets, passing_count

QUERIES = ["ความมั่นคง", "การ", "ชายแดน ยาเสพติด", '"ความมั่นคง"', "และ", "ที่", "ตาก", "แผน -ภาค", "", "ค้ามนุษย์ OR ชายแดน"]


def _values(snap) -> dict[str, list[str]]:
    held: dict[str, set[str]] = {}
    for d in snap.docs:
        for spec in REGISTRY:
            held.setdefault(spec.name, set()).update(snap.docs[d].facet_values(spec.name))
    return {f: sorted(v) for f, v in held.items()}


def _requests(snap, seed: int, n: int = 40) -> list[SearchRequest]:
    rng = random.Random(seed)
    values = _values(snap)
    dates = sorted({snap.docs[d].date for d in snap.docs if snap.docs[d].date})
    out = []
    for _ in range(n):
        filters = {}
        for f in rng.sample(sorted(values), rng.randint(0, 3)):
            pool = values[f] + ["9999"]  # one no document holds (a number: the year facet sorts as one)
            filters[f] = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
        lo = rng.choice([None, None] + dates) if dates else None
        hi = rng.choice([None, None] + dates) if dates else None
        out.append(SearchRequest(q=rng.choice(QUERIES), filters=filters, date_from=lo, date_to=hi))
    return out


def _reference_counts(snap, docs: set[int], req: SearchRequest) -> dict[str, Counter]:
    """Each facet counted over the documents passing every other facet's selection, one
    document at a time (the definition the columns implement)."""
    def passes(d: int, skip: str | None) -> bool:
        meta = snap.docs[d]
        if req.date_from and not (meta.date and meta.date >= req.date_from):
            return False
        if req.date_to and not (meta.date and meta.date <= req.date_to):
            return False
        return all(set(meta.facet_values(f)) & set(req.selected(f)) for f in req.filters if f != skip and req.selected(f))
    out = {}
    for spec in REGISTRY:
        tally: Counter = Counter()
        for d in docs:
            if d in snap.docs and passes(d, spec.name):
                tally.update(snap.docs[d].facet_values(spec.name))
        out[spec.name] = tally
    return out


@pytest.mark.parametrize("seed", range(3))
def test_counts_and_passing_count_equal_the_definition(bundled_index, seed):
    snap = Index(bundled_index).snapshot()
    rng = random.Random(seed)
    everything = sorted(snap.docs)
    for req in _requests(snap, seed):
        docs = set(rng.sample(everything, rng.randint(0, len(everything))))
        status, final = apply_filters(snap, docs, req)
        assert passing_count(snap, docs, req) == len(final)
        facets = count_facets(snap, status, req)
        want = _reference_counts(snap, docs, req)
        for name, values in facets.items():
            got = {v.value: v.count for v in values if v.count}
            assert got == {v: n for v, n in want[name].items() if n}, (name, req.filters)


def test_search_answers_alike_with_and_without_a_second_core(bundled_index, monkeypatch):
    searcher = Searcher(Index(bundled_index), limits=WorkLimits(seconds=600))
    snap = searcher.index.snapshot()
    requests = _requests(snap, 11, n=30) + [SearchRequest(q=q) for q in QUERIES]

    def answers() -> list[dict]:
        out = []
        for req in requests:
            snap.memo.clear()
            out.append(searcher.search(req).to_dict())
        return out

    together = answers()
    monkeypatch.setattr(scan_split, "_get_pool", lambda: None)  # every part in the caller, in turn
    assert answers() == together


@pytest.mark.parametrize("seed", range(3))
def test_rows_of_many_distinct_documents_equal_the_sorted_rows(seed):
    # a set or a dict's keys of many documents: rows by a mask over all rows, not a sort
    import numpy as np

    from kb.engine.columns import FacetColumns
    from kb.engine.metadata import IndexedDoc
    rng = random.Random(seed)
    docs = {d: IndexedDoc(f"id{d}", "", "src", "hash", {}, "public") for d in rng.sample(range(5000), 3000)}
    columns = FacetColumns(docs)
    for _ in range(100):
        chosen = set(rng.sample(range(-5, 5100), rng.randint(0, 5000)))
        want = sorted(int(columns._row_of[d]) for d in chosen if 0 <= d < len(columns._row_of) and columns._row_of[d] >= 0)
        assert columns.rows(chosen).tolist() == want
        assert columns.rows(dict.fromkeys(chosen).keys()).tolist() == want
        assert columns.rows(np.array(sorted(chosen), dtype=np.int64)).tolist() == want
