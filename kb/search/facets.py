"""Filters and facet counts over the matching documents, counted in memory.

Each facet is counted as if its own selection were removed, so a user can
widen a choice.  The facets, their labels and their display order come from
the facet registry (``kb.facets``).
"""
from __future__ import annotations

from collections import Counter
from kb.facets import REGISTRY
from kb.models import FacetValue, SearchRequest
from kb.engine import IndexedDoc, Snapshot

Status = dict[int, "str | None"]  # docnum → the one facet it fails (None: passes all)


def _selection(req: SearchRequest) -> dict[str, set[str]]:
    sel = {f.name: set(req.selected(f.name)) for f in REGISTRY}
    return {f: v for f, v in sel.items() if v}


def apply_filters(snap: Snapshot, docs: set[int], req: SearchRequest) -> tuple[Status, set[int]]:
    """Apply filters.  Returns, for facet counting, each candidate document with
    the one facet it fails (None: passes all), and the set passing every filter.
    """
    sel = _selection(req)
    lo, hi = req.date_from, req.date_to
    status: Status = {}
    final: set[int] = set()
    for d in docs:
        meta = snap.docs.get(d)
        if meta is None:
            continue
        if lo and (not meta.date or meta.date < lo):
            continue
        if hi and (not meta.date or meta.date > hi):
            continue
        failed: str | None = None
        ok = True
        for facet, wanted in sel.items():
            if wanted.isdisjoint(meta.facet_values(facet)):
                if failed is not None:
                    ok = False
                    break
                failed = facet
        if not ok:
            continue
        status[d] = failed
        if failed is None:
            final.add(d)
    return status, final


def count_facets(snap: Snapshot, status: Status, req: SearchRequest) -> dict[str, list[FacetValue]]:
    """Every facet's values with their counts, in display order; selected values always listed."""
    names = [f.name for f in REGISTRY]
    counts: dict[str, Counter[str]] = {f: Counter() for f in names}
    for d, failed in status.items():
        meta: IndexedDoc = snap.docs[d]
        if failed is None:
            for f in names:
                counts[f].update(meta.facet_values(f))
        else:
            counts[failed].update(meta.facet_values(failed))
    out: dict[str, list[FacetValue]] = {}
    for spec in REGISTRY:
        f = spec.name
        selected = set(req.selected(f))
        for v in selected:
            counts[f].setdefault(v, 0)
        values = [
            FacetValue(value=v, label=spec.label(v), count=n, selected=v in selected)
            for v, n in counts[f].items()
        ]
        values.sort(key=spec.sort_key())
        out[f] = values
    return out

