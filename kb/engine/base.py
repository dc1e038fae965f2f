"""The engine contract: what ``kb.search`` and ``indexer.pipeline`` may ask of an engine.

Everything above the engine (analysis, extraction, query syntax, tiers,
ranking features, facets, highlighting) is shared, so a second engine
(Typesense, or array-based scoring beside Whoosh) implements these three
classes and gives the same answers.  ``tests/test_engine_contract.py`` runs
the guarantees below against every engine.

Documents are addressed by *docnums*: small integers an engine assigns, valid
within one ``Snapshot`` only (a commit may renumber).  Ids are the stable names.
"""
from __future__ import annotations

import heapq
import threading
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterable, Protocol

from kb import query as kq
from kb.analysis import Analysis
from kb.engine.columns import FacetColumns
from kb.engine.memo import Memo
from kb.engine.metadata import IndexedDoc
from kb.models import Document
from kb.textscan import TextScan


class EncodedTerms(Protocol):
    """An engine's pre-encoded form of a field's terms (``kb.engine.postings``),
    made in the indexer's worker processes so the writer only writes."""


@dataclass
class PreparedDoc:
    """One document ready to write: its metadata and analysed texts.

    ``body``/``title`` are ``Analysis`` objects or the engine's encoded terms;
    ``scan`` is the sub-word scan form (``kb.analysis.scan_form``), ignored by an
    index built without the sub-word layer; ``new`` promises that no document
    with this id is indexed (it saves looking for one to replace).
    """

    doc: Document
    body: Analysis | EncodedTerms
    title: Analysis | EncodedTerms
    scan: bytes = b""
    new: bool = False
    stored: object = None  # the engine's stored form, when it declares "stored" (then ``doc`` has no text)
    # or its rows, when it declares "rows" (then ``body`` and ``title`` are None too)


class EngineWriter(ABC):
    """Adds, replaces and deletes documents of one index; commits in batches.

    Guarantees:
    - nothing is visible to a new ``Snapshot`` before ``commit()``; after it,
      every add and delete since the last commit is;
    - with ``rebuild=True`` the writer fills a new generation, and readers keep
      the old one until ``close()`` switches atomically (a first build is
      visible batch by batch, so a crash keeps its committed batches);
    - ``abort()`` never raises, drops only what is not committed and removes
      its files; the previous commit stays readable;
    - a full device raises ``IndexWriteFailed`` (after removing the failed
      batch's files), never a bare ``OSError``.
    """

    rebuild: bool
    subword: bool  # False: the index was built without the sub-word layer
    pending: int  # adds and deletes since the last commit
    # What ``add`` reads of a prepared document, so ``indexer.prepare`` makes nothing
    # more: "postings" (body and title as ``kb.engine.postings``; without it, as
    # ``Analysis``), "scan" (the scan form, when the index has the sub-word layer) and
    # "stored" (``kb.engine.stored_form``, passed as ``add(..., stored=)``) or "rows" (what
    # the writer's ``prepared_rows(doc, body, title, scan)`` makes, passed the same way).
    prepared_forms: frozenset[str] = frozenset({"postings", "scan"})
    prepared_rows: Callable | None = None  # with "rows": a module-level function (it pickles to the workers)

    @abstractmethod
    def existing(self) -> dict[str, IndexedDoc]:
        """id → indexed metadata of every committed document of the generation being written."""

    @abstractmethod
    def add(
        self, doc: Document, body: Analysis | EncodedTerms, title: Analysis | EncodedTerms, scan: bytes = b"", *, new: bool = False
    ) -> None:
        """Add ``doc``, replacing any document with the same id (see ``PreparedDoc``)."""

    def add_batch(self, batch: Iterable[PreparedDoc]) -> None:
        """Add many documents; an engine with a bulk import overrides this."""
        for p in batch:
            self.add(p.doc, p.body, p.title, p.scan, new=p.new)

    @abstractmethod
    def delete(self, doc_id: str) -> None:
        """Delete the document with this id (no error if there is none)."""

    @abstractmethod
    def commit(self) -> None:
        """Make everything pending durable and visible to new snapshots."""

    @abstractmethod
    def close(self) -> None:
        """Commit, and for a rebuild make the new generation the active one."""

    @abstractmethod
    def abort(self) -> None:
        """Drop what is pending; for an unfinished rebuild, drop its generation."""


@dataclass(eq=False)
class Snapshot(ABC):
    """One consistent state of an index: what a search reads from start to end.

    ``docs`` holds the metadata of every live document (docnum → IndexedDoc)
    and ``by_id`` the reverse; ``memo`` is ``kb.search``'s per-snapshot cache.
    Thread-safe: one snapshot serves concurrent requests.
    """

    docs: dict[int, IndexedDoc] = field(default_factory=dict)
    by_id: dict[str, int] = field(default_factory=dict)
    generation: str = ""
    subword: bool = True  # False: an index built without the sub-word layer (benchmarks' baseline)
    # deleted documents may still count in the engine's frequencies and corrector (until merged)
    holds_deleted: bool = False
    memo: dict = field(default_factory=Memo)  # bounded in bytes (kb.engine.memo)
    _scan: TextScan | None = field(default=None, repr=False)
    _scan_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _columns: FacetColumns | None = field(default=None, repr=False)
    _columns_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @abstractmethod
    def matching(self, q: kq.Query) -> set[int]:
        """Docnums of every live document matching the query tree (boosts ignored).

        ``Term``: the field holds the term; ``Phrase``: the terms at consecutive
        positions of one field; ``AnyOf``/``AllOf``: union/intersection (empty:
        nothing); ``Every``: all live documents; ``Nothing``: none.
        """

    def matching_among(self, q: kq.Query, among: set[int]) -> set[int]:
        """``matching(q) & among``; an engine may check only ``among`` (a phrase's positions)."""
        return self.matching(q) & among

    @abstractmethod
    def top(self, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (docnum, score) of ``within`` ∩ matching(q), best first.

        Scores are BM25F (title length normalisation softened), boosts multiply;
        ties keep docnum order.  Empty when ``within`` is empty or ``k <= 0``.
        """

    def top_over(self, visible: Collection[int]) -> Callable[[kq.Query, set[int], int], list[tuple[int, float]]]:
        """A ``top`` that scores as an index of the documents ``visible`` alone would: its
        BM25 statistics (document count, document frequencies, mean field lengths) taken
        over them only, so that documents outside move no score and no order (the
        restricted view of issue 17, ``kb.engine.access``).  An engine that cannot
        answers with its own ``top`` (a residual channel, ``docs/security.md``)."""
        return self.top

    @abstractmethod
    def stored(self, docnum: int) -> Document:
        """The document as indexed (every field ``Document.to_dict`` holds)."""

    def prefetch(self, docnums: Iterable[int]) -> None:
        """A hint that ``stored`` will be asked for each of ``docnums`` (one result page):
        an engine that reads documents over the network fetches them in one request."""

    @abstractmethod
    def doc_frequency(self, fieldname: str, term: str) -> int:
        """How many documents' ``fieldname`` holds ``term`` (deleted ones may still count until merged)."""

    @abstractmethod
    def suggest(self, fieldname: str, text: str, maxdist: int = 2, limit: int = 5) -> list[str]:
        """Up to ``limit`` indexed terms within ``maxdist`` edits of ``text`` sharing its first
        character (``text`` itself too), as ``rank_suggestions`` orders them; an edit is
        ``kb.editdistance.swap_edits``'s.  Never raises (a corrector must not fail a search)."""

    @abstractmethod
    def scan_forms(self) -> list[tuple[int, bytes]]:
        """(docnum, scan form) of every live document, in docnum order."""

    def scan(self) -> TextScan:
        """The sub-word layer over every live document, built once per snapshot."""
        with self._scan_lock:
            if self._scan is None:
                self._scan = TextScan(self.scan_forms() if self.docs else [])
            return self._scan

    def facet_values(self, docnum: int, facet: str) -> tuple[str, ...]:
        """A document's values of ``facet`` (KeyError for an unknown facet)."""
        return self.docs[docnum].facet_values(facet)

    def facet_columns(self) -> FacetColumns:
        """The live documents' facet values and dates as columns (``kb.engine.columns``),
        made once per snapshot (``docs`` must not change after the first call)."""
        with self._columns_lock:
            if self._columns is None:
                self._columns = FacetColumns(self.docs)
            return self._columns

    def facet_counts(self, within: Iterable[int], facet: str) -> Counter[str]:
        """How many documents of ``within`` carry each value of ``facet``."""
        columns = self.facet_columns()
        return columns.counts(facet, columns.rows(within))

    def memory(self) -> dict[str, int]:
        """Bytes each in-memory structure of this snapshot holds (``kb stats``); an engine adds its own."""
        out = {"facet_columns": 0 if self._columns is None else self._columns.nbytes()}
        out["memo"] = getattr(self.memo, "nbytes", 0)
        if self._scan is not None:
            out.update(self._scan.nbytes())
        return out


def rank_suggestions(near: Iterable[tuple[str, float]], limit: int) -> list[str]:
    """``Snapshot.suggest``'s order, as Whoosh's corrector ranks its terms: of the (term,
    occurrences in the field) pairs, the ``limit`` most frequent (at a tie the later
    term), listed most frequent first and, at a tie, in term order."""
    best = heapq.nlargest(limit, ((count, term) for term, count in near))
    return [term for _, term in sorted(best, key=lambda p: (-p[0], p[1]))]


class SearchIndex(ABC):
    """An index as the search layer and the web server hold it: follows commits
    and generation switches; thread-safe.  The query methods take the snapshot
    a search started with, so one search never mixes two index states."""

    root: Path

    @abstractmethod
    def snapshot(self) -> Snapshot:
        """The current state; cheap when nothing changed since the last call.

        Raises ``IndexMissing`` when there is no usable index (none, or built by
        an older kb: the message says to run ``kb index --full``)."""

    @abstractmethod
    def size_bytes(self) -> int:
        """Bytes the active generation takes on disk."""

    def doc_count(self) -> int:
        return len(self.snapshot().docs)

    def document(self, doc_id: str) -> Document | None:
        snap = self.snapshot()
        docnum = snap.by_id.get(doc_id)
        return None if docnum is None else snap.stored(docnum)

    def document_at(self, snap: Snapshot, docnum: int) -> Document:
        return snap.stored(docnum)

    def docset(self, snap: Snapshot, q: kq.Query) -> set[int]:
        return snap.matching(q)

    def top(self, snap: Snapshot, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        """The k best-scoring documents of ``within`` for query ``q``."""
        if not within or k <= 0:
            return []
        return snap.top(q, within, k)

    def doc_frequency(self, snap: Snapshot, fieldname: str, term: str) -> int:
        return snap.doc_frequency(fieldname, term)

    def suggest(self, snap: Snapshot, fieldname: str, text: str, maxdist: int = 2) -> list[str]:
        return snap.suggest(fieldname, text, maxdist)
