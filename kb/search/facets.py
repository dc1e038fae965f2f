"""Filters and facet counts over the matching documents, counted on facet columns.

Each facet is counted as if its own selection were removed, so a user can
widen a choice: a document failing exactly one facet's selection counts for
that facet only, without running the query again per facet.  The facets,
their labels and their display order come from the facet registry
(``kb.facets``); the counting is ``np.bincount`` over the snapshot's facet
columns (``Snapshot.facet_columns``, ``kb.engine.columns``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from kb.facets import REGISTRY
from kb.models import FacetValue, SearchRequest
from kb.engine import Snapshot


@dataclass
class Status:
    """The candidate documents (column rows) and, per row, the index in ``facets`` of the
    one selected facet it fails (-1: passes all); rows failing two or more are dropped."""

    rows: np.ndarray
    failed: np.ndarray
    facets: list[str]


def _selection(req: SearchRequest) -> dict[str, set[str]]:
    sel = {f.name: set(req.selected(f.name)) for f in REGISTRY}
    return {f: v for f, v in sel.items() if v}


def apply_filters(snap: Snapshot, docs: set[int], req: SearchRequest) -> tuple[Status, set[int]]:
    """Apply filters.  Returns, for facet counting, each candidate document with
    the one facet it fails, and the set passing every filter."""
    columns = snap.facet_columns()
    status = _status(columns, columns.rows(docs), req)
    final = set(columns.docnums[status.rows[status.failed < 0]].tolist())
    return status, final


def passing_count(snap: Snapshot, docs: set[int], req: SearchRequest) -> int:
    """How many of ``docs`` pass every filter: ``len(apply_filters(...)[1])`` without
    making the set (a common word's matches are a quarter of a million documents at
    4× the releases, and the question asked of them is only "fewer than five?")."""
    columns = snap.facet_columns()
    status = _status(columns, columns.rows(docs), req)
    return int(np.count_nonzero(status.failed < 0))


def _status(columns, rows: np.ndarray, req: SearchRequest) -> Status:
    """The rows passing the dates, each with the one selected facet it fails (-1: none)."""
    lo, hi = req.date_from, req.date_to
    if (lo or hi) and len(rows):
        dates = columns.dates()[rows]
        keep = np.ones(len(rows), dtype=bool)
        if lo:
            keep &= (dates != "") & (dates >= lo)
        if hi:
            keep &= (dates != "") & (dates <= hi)
        rows = rows[keep]
    sel = _selection(req)
    names = list(sel)
    failed = np.full(len(rows), -1, dtype=np.int64)
    misses = np.zeros(len(rows), dtype=np.int64)
    for i, facet in enumerate(names):
        fails = ~columns.holding(facet, sel[facet])[rows]
        failed[fails] = i
        misses += fails
    keep = misses <= 1
    return Status(rows[keep], failed[keep], names)


def count_facets(snap: Snapshot, status: Status | dict[int, None], req: SearchRequest) -> dict[str, list[FacetValue]]:
    """Every facet's values with their counts, in display order; selected values always listed.

    ``status`` is ``apply_filters``'s, or a docnum → None mapping (every document passes)."""
    columns = snap.facet_columns()
    if isinstance(status, dict):
        rows = columns.rows(status.keys())
        status = Status(rows, np.full(len(rows), -1, dtype=np.int64), [])
    passing = status.rows[status.failed < 0]
    passing_mask = columns.mask(passing)
    out: dict[str, list[FacetValue]] = {}
    for spec in REGISTRY:
        f = spec.name
        rows, chosen = passing, passing_mask
        if f in status.facets:  # its own selection removed: those failing only it count too
            own = status.failed == status.facets.index(f)
            rows, chosen = np.sort(np.concatenate((passing, status.rows[own]))), None
        counts: Counter[str] = columns.counts(f, rows, chosen)
        selected = set(req.selected(f))
        for v in selected:
            counts.setdefault(v, 0)
        values = [FacetValue(value=v, label=spec.label(v), count=n, selected=v in selected) for v, n in counts.items()]
        values.sort(key=spec.sort_key())
        out[f] = values
    return out
