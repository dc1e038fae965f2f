"""Issue 12, 4× growth, on real releases grown as the benchmark grows them: 1,500 ThaiGov
releases and a copy of each with a new id and a changed first line (``bench_scale.grown``).

The search results (totals, facet counts, hits and their order, notices) of a query
set drawn from the releases (``scale_queries.draw_queries``) do not depend on the
memo's bound (a memo too small to hold anything recomputes every entry), and the
date order equals Python's sort by (date, id), copies included (their dates tie).
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from kb.engine import Index
from kb.models import SearchRequest
from kb.search import Searcher
from kb.search.budget import WorkLimits
from tests import webutil
from tests.test_extract_blind import _shared_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_scale import grown  # noqa: E402
from scale_queries import draw_queries  # noqa: E402

RELEASES = 1500


def _request(query) -> SearchRequest:
    return SearchRequest(q=query.q, filters={name: list(values) for name, values in query.filters})


@pytest.mark.slow
def test_grown_releases_answer_the_same_whatever_the_memo_bound(tmp_path: Path) -> None:
    data = _shared_data()
    source = data / "thaigov" / "thaigov_v2.jsonl.gz" if data else None
    if source is None or not source.exists():
        pytest.skip("needs thaigov_v2.jsonl.gz in the shared data folder (../shared/data or $KB_SHARED_DATA)")
    records = []
    with gzip.open(source, "rt", encoding="utf-8") as src:
        for line in src:
            records.append(json.loads(line))
            if len(records) == RELEASES:
                break
    sample = tmp_path / "grown.jsonl"
    with sample.open("w", encoding="utf-8") as out:
        for rec in records + [grown(r, 1) for r in records]:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    report = webutil.pipeline.run([sample], tmp_path / "index", progress=False)
    assert not report.failures
    index = Index(tmp_path / "index")
    searcher = Searcher(index, limits=WorkLimits(seconds=600))  # no answer cut short by the clock
    browse = searcher.search(SearchRequest(q="")).to_dict()
    facet_counts = {name: [(v["value"], v["count"]) for v in values if v["count"]] for name, values in browse["facets"].items()}
    texts = [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in records[:300]]
    queries = draw_queries(texts, facet_counts, seed=20261207, n=48)
    requests = [_request(q) for q in queries] + [SearchRequest(q=q.q, sort="newest") for q in queries[:8]]
    before = [searcher.search(r).to_dict() for r in requests]
    snap = index.snapshot()
    snap.memo.clear()
    limit, snap.memo.limit = snap.memo.limit, 1
    try:
        after = [searcher.search(r).to_dict() for r in requests]
    finally:
        snap.memo.limit = limit
    assert after == before
    docs = snap.docs
    dated = sorted((d for d in docs if docs[d].date), key=lambda d: (docs[d].date, docs[d].id))
    undated = sorted((d for d in docs if not docs[d].date), key=lambda d: docs[d].id)
    order = snap.facet_columns().date_order()
    assert (order[0].tolist(), order[1].tolist()) == (dated, undated)
