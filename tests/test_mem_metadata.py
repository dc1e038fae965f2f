"""The compact metadata table (``kb.engine.meta_table``) answers as the dict of
``IndexedDoc`` it replaces: every field, every facet's values (stored, missing,
derived), the reverse id index, and the facet columns built over it.

Documents are generated at test time: Thai and Latin ids, empty dates, facets
left out of some documents (as an index from before a facet was added stores
them), restricted access levels, deleted docnums (gaps).
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from kb.engine.columns import FacetColumns
from kb.engine.meta_table import MetadataTable
from kb.engine.metadata import FACETS, STORED_FACETS, IndexedDoc

VALUES = ["กรุงเทพมหานคร", "เชียงใหม่", "news", "policy", "ความมั่นคง", "ยาเสพติด", "north", "x"]


def _docs(n: int, seed: int) -> dict[int, IndexedDoc]:
    rng = random.Random(seed)
    docnums = sorted(rng.sample(range(3 * n), n))  # gaps: deleted documents
    out = {}
    for d in docnums:
        facets = {name: tuple(rng.sample(VALUES, rng.randint(0, 3))) for name in STORED_FACETS if rng.random() > 0.1}
        date = rng.choice(["", f"20{rng.randint(10, 26)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"])
        doc_id = rng.choice(["ข่าว/", "data/2023/", "a"]) + str(d) + rng.choice(["", "ภาษาไทย", "\u00e9"])
        out[d] = IndexedDoc(doc_id, date, f"src/{d}.json", f"{d:064x}", facets, rng.choice(["public", "public", "internal", "secret"]))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_the_table_answers_as_the_dict_of_indexed_docs(seed: int) -> None:
    docs = _docs(400, seed)
    table = MetadataTable(docs.items())
    assert len(table) == len(docs) and list(table) == list(docs) and set(table) == set(docs)
    for d, meta in docs.items():
        row = table[d]
        assert (row.id, row.date, row.source, row.content_hash, row.access) == (meta.id, meta.date, meta.source, meta.content_hash, meta.access)
        for facet in FACETS:
            assert row.facet_values(facet) == meta.facet_values(facet), (d, facet)
        assert (row.year, row.type, row.plans, row.provinces, row.topics) == (meta.year, meta.type, meta.plans, meta.provinces, meta.topics)
        assert row == IndexedDoc(meta.id, meta.date, meta.source, meta.content_hash,
                                 {f: meta.facet_values(f) for f in STORED_FACETS}, meta.access)
    absent = next(d for d in range(3 * 400) if d not in docs)
    for missing in (absent, -1, 10**9, "1", None):
        assert missing not in table
        with pytest.raises(KeyError):
            table[missing]
    with pytest.raises(KeyError):
        table[next(iter(docs))].facet_values("no-such-facet")
    assert table.get(absent) is None and 0 < table.nbytes() < 1000 * len(docs)


@pytest.mark.parametrize("seed", range(2))
def test_the_id_index_is_the_reverse_mapping(seed: int) -> None:
    docs = _docs(300, seed)
    table = MetadataTable(docs.items())
    by_id = table.by_id()
    expected = {meta.id: d for d, meta in docs.items()}
    assert len(by_id) == len(expected) and dict(by_id.items()) == expected and set(by_id) == set(expected)
    for doc_id, d in expected.items():
        assert by_id[doc_id] == d and by_id.get(doc_id) == d and doc_id in by_id
    for missing in ("nope", "", "ข่าว/", 5, None):
        assert missing not in by_id and by_id.get(missing) is None


@pytest.mark.parametrize("seed", range(2))
def test_facet_columns_over_the_table_count_as_over_the_dict(seed: int) -> None:
    docs = _docs(500, seed)
    over_dict, over_table = FacetColumns(docs), FacetColumns(MetadataTable(docs.items()))
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(docs), 200, replace=False))
    assert over_dict.dates().tolist() == over_table.dates().tolist()
    for facet in FACETS:
        assert over_dict.counts(facet, rows) == over_table.counts(facet, rows), facet
        assert over_dict.holding(facet, VALUES[:3]).tolist() == over_table.holding(facet, VALUES[:3]).tolist()
    assert over_table.rows([*docs][:5] + [-3, 10**7]).tolist() == [0, 1, 2, 3, 4]


def test_documents_out_of_order_are_refused() -> None:
    docs = _docs(10, 0)
    with pytest.raises(ValueError, match="ascending"):
        MetadataTable(reversed(list(docs.items())))


def test_the_table_is_a_whole_mapping() -> None:
    docs = _docs(50, 3)
    table = MetadataTable(docs.items())
    assert list(table.keys()) == list(docs)
    assert [m.id for m in table.values()] == [m.id for m in docs.values()]
    assert [(d, m.date) for d, m in table.items()] == [(d, m.date) for d, m in docs.items()]
