"""Whole-index views: related documents, facet statistics, documents per month."""
from __future__ import annotations

import math
from collections import Counter

from kb import analysis
from kb import query as kq
from kb.models import Hit, SearchRequest
from kb.search.facets import count_facets
from kb.search.hits import make_hit
from kb.search.parsing import stopwords
from kb.engine import Index


def related(index: Index, doc_id: str, k: int = 5) -> list[Hit]:
    """More like this: documents sharing the most distinctive words of ``doc_id``."""
    snap = index.snapshot()
    docnum = snap.by_id.get(doc_id)
    if docnum is None:
        return []
    doc = index.document_at(snap, docnum)
    counts = Counter(w for w in analysis.words(doc.title + "\n" + doc.text[:20000]) if len(w) > 1 and w not in stopwords())
    n = max(1, len(snap.docs))
    weighted = []
    for w, tf in counts.items():
        df = index.doc_frequency(snap, "words", w)
        if 1 < df < 0.5 * n or (df == 1 and n < 3):
            weighted.append((tf * math.log(n / df), w))
    terms = [w for _, w in sorted(weighted, reverse=True)[:25]]
    if not terms:
        return []
    q = kq.AnyOf(tuple(kq.Term("words", w) for w in terms))
    within = set(snap.docs) - {docnum}
    return [make_hit(index, snap, d, score, []) for d, score in index.top(snap, q, within, k)]


def stats(index: Index) -> dict:
    """Every facet with every value and its count, over the whole index."""
    snap = index.snapshot()
    status = {d: None for d in snap.docs}
    facets = count_facets(snap, status, SearchRequest())
    return {"documents": len(snap.docs), "facets": {f: [v.to_dict() for v in vals] for f, vals in facets.items()}}


def months(index: Index) -> list[tuple[str, int]]:
    """Documents per month (YYYY-MM, count), for the timeline."""
    snap = index.snapshot()
    c = Counter(m.date[:7] for m in snap.docs.values() if m.date)
    return sorted(c.items())
