"""Issue 12, 4× growth: the date order (browse, newest/oldest) sorted with numpy once per
snapshot (``FacetColumns.date_order``) equals Python's sort by (date, id).

It was a Python key per document kept in the memo: ~130 ms at 63,000 releases,
growing with the collection, and paid again whenever the memo dropped it.
The ids are compared as UTF-8 bytes, whose order is their code points' order:
Thai, Latin and digits mixed, ids prefixes of others, undated documents.
"""
from __future__ import annotations

import random

from kb.engine import Index
from kb.engine.columns import FacetColumns
from kb.engine.meta_table import MetadataTable
from kb.engine.metadata import IndexedDoc


def _python_order(docs) -> tuple[list[int], list[int]]:
    dated = sorted((d for d in docs if docs[d].date), key=lambda d: (docs[d].date, docs[d].id))
    undated = sorted((d for d in docs if not docs[d].date), key=lambda d: docs[d].id)
    return dated, undated


def _generated_docs(seed: int) -> dict[int, IndexedDoc]:
    rng = random.Random(seed)
    pieces = ["ข่าว", "ก", "a", "B", "z", "1", "10", "๑", "é", "-", "/", "ข่า"]
    dates = ["", "", "2020-01-01", "2020-01-01", "2019-12-31", "2021-06-15", "2020-01-1"]
    docs: dict[int, IndexedDoc] = {}
    ids: set[str] = set()
    docnum = 0
    while len(docs) < 400:
        doc_id = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        if doc_id in ids:
            continue
        ids.add(doc_id)
        docnum += rng.randint(1, 3)
        docs[docnum] = IndexedDoc(doc_id, rng.choice(dates), "src", "hash", {}, "public")
    return docs


def test_date_order_of_generated_ids_and_dates_equals_pythons_sort():
    for seed in range(5):
        docs = _generated_docs(seed)
        table = MetadataTable(sorted(docs.items()), facets=())
        for mapping in (docs, table):  # a plain mapping and the snapshot's table
            dated, undated = FacetColumns(mapping).date_order()
            assert (dated.tolist(), undated.tolist()) == _python_order(docs)


def test_date_order_of_the_bundled_index_equals_pythons_sort(bundled_index):
    snap = Index(bundled_index).snapshot()
    dated, undated = snap.facet_columns().date_order()
    assert (dated.tolist(), undated.tolist()) == _python_order(snap.docs)
    assert snap.facet_columns().date_order()[0] is dated  # once per snapshot


def test_an_empty_snapshot_has_an_empty_date_order():
    dated, undated = FacetColumns({}).date_order()
    assert dated.tolist() == [] and undated.tolist() == []
