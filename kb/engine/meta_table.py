"""The metadata of a snapshot's live documents as columns, not one Python object each.

``Snapshot.docs`` was a dict of ``IndexedDoc``: at 62,895 releases ~108 MB
of strings, tuples and dicts, the largest part of a server's memory at start
(``docs/benchmarks.md``, "Server memory at 63k").  ``MetadataTable`` is the
same read-only ``docnum → metadata`` mapping kept as arrays: the strings of
each field in one UTF-8 blob with offsets, the access level as a code, and
each facet as its value ids per document (the rows and ids
``kb.engine.columns`` counts with, so facet columns are not built twice).  A
document's metadata is a small view (``DocMeta``) made when it is asked for.
``IdIndex`` is the reverse mapping (``Snapshot.by_id``) over the same blob:
the ids' hashes sorted, each checked against the table's id.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from kb.engine.columns import FacetColumn
from kb.engine.metadata import FACETS, STORED_FACETS, IndexedDoc, MetaAccess
from kb.facets import facet as registered_facet

STRINGS = ("id", "source", "content_hash")  # each one blob; dates are few and shared: a list of interned str


class MetadataTable(Mapping):
    """docnum → ``DocMeta`` of every live document, docnums ascending."""

    def __init__(self, metas: Iterable[tuple[int, IndexedDoc]], facets: Iterable[str] = FACETS):
        """From (docnum, metadata) pairs in ascending docnum order."""
        facets = tuple(facets)
        docnums = array("q")
        blobs = {name: bytearray() for name in STRINGS}
        ends = {name: array("q") for name in STRINGS}
        access, levels = array("b"), {}
        dates: list[str] = []
        known_dates: dict[str, str] = {}
        rows = {f: array("i") for f in facets}
        ids = {f: array("i") for f in facets}
        values: dict[str, dict[str, int]] = {f: {} for f in facets}
        for row, (docnum, meta) in enumerate(metas):
            docnums.append(docnum)
            for name in STRINGS:
                blobs[name] += getattr(meta, name).encode("utf-8")
                ends[name].append(len(blobs[name]))
            access.append(levels.setdefault(meta.access, len(levels)))
            dates.append(known_dates.setdefault(meta.date, meta.date))
            for f in facets:
                known = values[f]
                for v in meta.facet_values(f):
                    rows[f].append(row)
                    ids[f].append(known.setdefault(v, len(known)))
        self.docnums = np.frombuffer(docnums, dtype=np.int64).copy()
        n = len(self.docnums)
        if n > 1 and not (self.docnums[1:] > self.docnums[:-1]).all():
            raise ValueError("MetadataTable needs its documents in ascending docnum order")
        self._blobs = {name: bytes(blob) for name, blob in blobs.items()}
        self._ends = ends  # array.array: a Python int per lookup, 8 bytes a row (numpy scalars cost more)
        self._access = access
        self._dates = dates  # sorting by date reads it per document (the date order: 63k lookups)
        self._levels = list(levels)
        self._facets: dict[str, FacetColumn] = {}
        self._firsts: dict[str, np.ndarray] = {}  # facet → each row's first entry (n + 1)
        for f in facets:
            col = FacetColumn(list(values[f]), np.frombuffer(rows[f], dtype=np.int32).copy(), np.frombuffer(ids[f], dtype=np.int32).copy())
            self._facets[f] = col
            self._firsts[f] = np.searchsorted(col.rows, np.arange(n + 1, dtype=col.rows.dtype)).astype(np.int32)
        row_of = np.full(int(self.docnums[-1]) + 1 if n else 0, -1, dtype=np.int32)
        row_of[self.docnums] = np.arange(n, dtype=np.int32)
        self._row_of = array("i", row_of.tobytes())
        self._keys: list[int] | None = None

    # --- the mapping -------------------------------------------------------------------

    def row(self, docnum: int) -> int:
        """The document's row (-1 when it is not a live document of the table)."""
        try:
            return self._row_of[docnum] if docnum >= 0 else -1  # type: ignore[operator]
        except (IndexError, TypeError):
            return -1

    def __getitem__(self, docnum: int) -> "DocMeta":
        row = self.row(docnum)
        if row < 0:
            raise KeyError(docnum)
        return DocMeta(self, row)

    def __contains__(self, docnum: object) -> bool:
        return self.row(docnum) >= 0  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[int]:
        if self._keys is None:  # one assignment: a server's threads share the table
            self._keys = self.docnums.tolist()
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self.docnums)

    # --- columns -----------------------------------------------------------------------

    def string(self, name: str, row: int) -> str:
        ends = self._ends[name]
        return self._blobs[name][ends[row - 1] if row else 0 : ends[row]].decode("utf-8")

    def date(self, row: int) -> str:
        return self._dates[row]

    def access(self, row: int) -> str:
        return self._levels[self._access[row]]

    def values_at(self, facet: str, row: int) -> tuple[str, ...]:
        col = self._facets[facet]
        firsts = self._firsts[facet]
        return tuple(col.values[i] for i in col.ids[firsts[row] : firsts[row + 1]].tolist())

    def facet_column(self, facet: str) -> FacetColumn | None:
        """The facet's (rows, value ids) over the table's rows, or None for a facet it lacks."""
        return self._facets.get(facet)

    def dates(self) -> np.ndarray:
        """Each row's date as ``U10`` (``kb.engine.columns``' date order)."""
        return np.array(self._dates, dtype="U10")

    def order_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's date (full string) and id (UTF-8 bytes), for ``FacetColumns.date_order``."""
        blob, ends = self._blobs["id"], self._ends["id"]
        starts = [0, *ends[:-1]]
        ids = np.array([blob[a:b] for a, b in zip(starts, ends)]) if len(ends) else np.zeros(0, dtype="S1")
        return np.array([d or "" for d in self._dates]) if self._dates else np.zeros(0, dtype="U1"), ids

    def by_id(self) -> "IdIndex":
        return IdIndex(self)

    def nbytes(self) -> int:
        """Bytes held by the table (arrays, blobs, value lists)."""
        arrays = [self.docnums, *self._firsts.values()]
        rows = [self._access, self._row_of, *self._ends.values()]
        dates = 8 * len(self._dates) + 60 * len(set(self._dates))
        return (sum(a.nbytes for a in arrays) + sum(r.itemsize * len(r) for r in rows) + dates + sum(len(b) for b in self._blobs.values())
                + sum(c.nbytes() for c in self._facets.values()) + (0 if self._keys is None else 36 * len(self._keys)))


class DocMeta(MetaAccess):
    """One row of a ``MetadataTable``, read as an ``IndexedDoc`` is (made when asked for)."""

    __slots__ = ("_table", "_row")

    def __init__(self, table: MetadataTable, row: int):
        self._table, self._row = table, row

    @property
    def id(self) -> str:
        return self._table.string("id", self._row)

    @property
    def date(self) -> str:
        return self._table._dates[self._row]

    @property
    def source(self) -> str:
        return self._table.string("source", self._row)

    @property
    def content_hash(self) -> str:
        return self._table.string("content_hash", self._row)

    @property
    def access(self) -> str:
        return self._table.access(self._row)

    @property
    def facets(self) -> dict[str, tuple[str, ...]]:
        """The stored facets' values (as ``facet_values`` gives them)."""
        return {name: self.facet_values(name) for name in STORED_FACETS}

    def facet_values(self, facet: str) -> tuple[str, ...]:
        if self._table.facet_column(facet) is not None:
            return self._table.values_at(facet, self._row)
        return registered_facet(facet).derived_values(self.date)  # KeyError for a facet kb does not know

    def as_indexed(self) -> IndexedDoc:
        return IndexedDoc(self.id, self.date, self.source, self.content_hash, self.facets, self.access)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (DocMeta, IndexedDoc)):
            mine = self.as_indexed()
            theirs = other.as_indexed() if isinstance(other, DocMeta) else other
            return mine == theirs
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # as the dataclass it stands for

    def __repr__(self) -> str:
        return f"DocMeta(id={self.id!r}, date={self.date!r})"


class IdIndex(Mapping):
    """id → docnum over a ``MetadataTable`` (``Snapshot.by_id``): the ids' hashes sorted,
    a lookup checked against the table's id (no string held twice)."""

    def __init__(self, table: MetadataTable):
        self._table = table
        hashes = np.fromiter((hash(table.string("id", r)) for r in range(len(table))), dtype=np.int64, count=len(table))
        self._order = np.argsort(hashes, kind="stable").astype(np.int32)
        self._hashes = hashes[self._order]

    def _row(self, doc_id: object) -> int:
        if not isinstance(doc_id, str):
            return -1
        h = hash(doc_id)
        i = int(np.searchsorted(self._hashes, h))
        while i < len(self._hashes) and self._hashes[i] == h:
            row = int(self._order[i])
            if self._table.string("id", row) == doc_id:
                return row
            i += 1
        return -1

    def __getitem__(self, doc_id: str) -> int:
        row = self._row(doc_id)
        if row < 0:
            raise KeyError(doc_id)
        return int(self._table.docnums[row])

    def __contains__(self, doc_id: object) -> bool:
        return self._row(doc_id) >= 0

    def __iter__(self) -> Iterator[str]:
        return (self._table.string("id", r) for r in range(len(self._table)))

    def __len__(self) -> int:
        return len(self._table)

    def items(self):  # type: ignore[override]  # (id, docnum) in row order, without a lookup each
        docnums = self._table.docnums.tolist()
        return [(self._table.string("id", r), docnums[r]) for r in range(len(docnums))]

    def nbytes(self) -> int:
        return self._hashes.nbytes + self._order.nbytes
