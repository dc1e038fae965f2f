"""Filters and facet counts over the matching documents, counted in memory.

Each facet is counted as if its own selection were removed, so a user can
widen a choice.  All facet knowledge of search is here (the list of facets,
their order), so a facet registry can replace ``FACETS`` in one place.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable

from kb import taxonomy
from kb.models import FACETS, FacetValue, SearchRequest
from kb.engine import IndexedDoc, Snapshot

Status = dict[int, "str | None"]  # docnum → the one facet it fails (None: passes all)


def _selection(req: SearchRequest) -> dict[str, set[str]]:
    sel = {f: set(req.selected(f)) for f in FACETS}
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
    counts: dict[str, Counter[str]] = {f: Counter() for f in FACETS}
    for d, failed in status.items():
        meta: IndexedDoc = snap.docs[d]
        if failed is None:
            for f in FACETS:
                counts[f].update(meta.facet_values(f))
        else:
            counts[failed].update(meta.facet_values(failed))
    out: dict[str, list[FacetValue]] = {}
    for f in FACETS:
        selected = set(req.selected(f))
        for v in selected:
            counts[f].setdefault(v, 0)
        values = [
            FacetValue(value=v, label=taxonomy.label(f, v), count=n, selected=v in selected)
            for v, n in counts[f].items()
        ]
        values.sort(key=_facet_order(f))
        out[f] = values
    return out


def _facet_order(facet: str) -> Callable[[FacetValue], object]:
    if facet == "plan":
        return lambda fv: int(fv.value)
    if facet == "year":
        return lambda fv: -int(fv.value)
    return lambda fv: (-fv.count, fv.label)
