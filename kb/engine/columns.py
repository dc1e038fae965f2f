"""Facet columns: every live document's facet values as numpy arrays, for filters and counts.

Counting facets walked the matching documents in Python, one ``Counter.update``
per document and facet: 4 s of a 44-query profile on 12,000 releases, and
~0.25 s for the empty query on 63,000.  A column holds, per facet, one entry
per (document, value) pair as two int32 arrays (the document's row, the
value's id); a filter is an ``isin`` over the value ids and a count one
``bincount`` over the selected rows.  Built once per snapshot from its
metadata (``Snapshot.docs``), so every engine and every restricted view has
them, one facet at a time as first asked for.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from kb.engine.metadata import IndexedDoc


@dataclass
class FacetColumn:
    values: list[str]  # value id → value
    rows: np.ndarray  # int32: entry → document row
    ids: np.ndarray  # int32: entry → value id

    def nbytes(self) -> int:
        return self.rows.nbytes + self.ids.nbytes + sum(len(v) * 4 + 56 for v in self.values)


class FacetColumns:
    """The facet columns and dates of one snapshot's live documents (rows in docnum order)."""

    def __init__(self, docs: Mapping[int, IndexedDoc]):
        self._docs = docs
        self.docnums = np.fromiter(sorted(docs), dtype=np.int64, count=len(docs))
        self._row_of = np.full(int(self.docnums[-1]) + 1 if len(docs) else 0, -1, dtype=np.int64)
        self._row_of[self.docnums] = np.arange(len(docs))
        self._dates: np.ndarray | None = None
        self._order: tuple[np.ndarray, np.ndarray] | None = None
        self._columns: dict[str, FacetColumn] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.docnums)

    def rows(self, docnums: Iterable[int]) -> np.ndarray:
        """The rows of the live documents among ``docnums`` (others are dropped), ascending."""
        unique = isinstance(docnums, (set, frozenset, type({}.keys())))
        if not isinstance(docnums, np.ndarray):
            docnums = np.fromiter(docnums, dtype=np.int64)
        docnums = docnums[(docnums >= 0) & (docnums < len(self._row_of))]
        rows = self._row_of[docnums]
        rows = rows[rows >= 0]
        if unique and len(rows) > len(self.docnums) // 16:
            # many distinct rows: ascending by a mask over all of them, not a sort (a common
            # word's matches are most of the rows)
            return np.flatnonzero(self.mask(rows))
        rows.sort()
        return rows

    def column(self, facet: str) -> FacetColumn:
        """The facet's column, built on first use (KeyError for a facet kb does not know)."""
        col = self._columns.get(facet)
        if col is None:
            with self._lock:
                col = self._columns.get(facet)
                if col is None:
                    col = self._columns[facet] = self._build(facet)
        return col

    def build(self, facets: Iterable[str]) -> None:
        """Build these facets' columns now (a server does it when it opens a snapshot, so
        its first search does not)."""
        for facet in facets:
            self.column(facet)
        self.dates()

    def _build(self, facet: str) -> FacetColumn:
        table_column = getattr(self._docs, "facet_column", None)  # a MetadataTable holds them already
        if table_column is not None and (col := table_column(facet)) is not None:
            return col
        ids_of: dict[str, int] = {}
        rows: list[int] = []
        ids: list[int] = []
        docs = self._docs
        for row, d in enumerate(self.docnums.tolist()):
            for v in docs[d].facet_values(facet):
                rows.append(row)
                ids.append(ids_of.setdefault(v, len(ids_of)))
        return FacetColumn(list(ids_of), np.array(rows, dtype=np.int32), np.array(ids, dtype=np.int32))

    def dates(self) -> np.ndarray:
        """Each row's date (``YYYY-MM-DD`` or ""), comparable as strings."""
        if self._dates is None:
            docs = self._docs
            table_dates = getattr(docs, "dates", None)  # a MetadataTable's rows are these rows
            self._dates = table_dates() if table_dates is not None else np.array(
                [docs[d].date or "" for d in self.docnums.tolist()], dtype="U10")
        return self._dates

    def date_order(self) -> tuple[np.ndarray, np.ndarray]:
        """The docnums of the dated documents by (date, id) and of the undated ones by id
        (browse and the newest/oldest sorts), once per snapshot.  Sorted by numpy, not by
        Python keys: a key per document was ~150 ms at 63,000 releases and grew with the
        collection, and the memo that held it dropped it whenever it filled."""
        if self._order is None:
            dates, ids = self._order_keys()
            by_id = np.argsort(ids, kind="stable")
            by_date = by_id[np.argsort(dates[by_id], kind="stable")]
            dated = dates[by_date] != ""
            self._order = (self.docnums[by_date[dated]], self.docnums[by_date[~dated]])
        return self._order

    def _order_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's date (full string, "" when none) and id as UTF-8 bytes (whose byte order
        is the ids' code point order, as Python compares them)."""
        if not len(self.docnums):
            return np.zeros(0, dtype="U1"), np.zeros(0, dtype="S1")
        table_keys = getattr(self._docs, "order_keys", None)  # a MetadataTable has them as columns
        if table_keys is not None:
            return table_keys()
        docs = self._docs
        metas = [docs[d] for d in self.docnums.tolist()]
        return np.array([m.date or "" for m in metas]), np.array([m.id.encode("utf-8") for m in metas])

    def holding(self, facet: str, wanted: Iterable[str]) -> np.ndarray:
        """Per row: does the document hold one of ``wanted`` values of ``facet``?"""
        col = self.column(facet)
        wanted = set(wanted)
        wanted_ids = [i for i, v in enumerate(col.values) if v in wanted]
        out = np.zeros(len(self.docnums), dtype=bool)
        if wanted_ids:
            out[col.rows[np.isin(col.ids, wanted_ids)]] = True
        return out

    def mask(self, rows: np.ndarray) -> np.ndarray:
        """Per row: is it one of ``rows``?  (``counts`` of several facets over the same rows
        share one: at 4× the releases each was a quarter of a million entries set.)"""
        chosen = np.zeros(len(self.docnums), dtype=bool)
        chosen[rows] = True
        return chosen

    def counts(self, facet: str, rows: np.ndarray, chosen: np.ndarray | None = None) -> Counter[str]:
        """How many of the documents at ``rows`` hold each value of ``facet`` (``chosen``:
        ``mask(rows)``, when the caller has it)."""
        col = self.column(facet)
        if not len(rows) or not len(col.values):
            return Counter()
        if chosen is None:
            chosen = self.mask(rows)
        tally = np.bincount(col.ids[chosen[col.rows]], minlength=len(col.values))
        return Counter({col.values[i]: int(tally[i]) for i in np.flatnonzero(tally).tolist()})

    def nbytes(self) -> int:
        """Bytes held (a column shared with the snapshot's ``MetadataTable`` is counted there)."""
        dates = 0 if self._dates is None else self._dates.nbytes
        table_column = getattr(self._docs, "facet_column", lambda f: None)
        own = [c for f, c in list(self._columns.items()) if table_column(f) is not c]
        return self.docnums.nbytes + self._row_of.nbytes + dates + sum(c.nbytes() for c in own)
