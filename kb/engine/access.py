"""A restricted read view over any engine: a visitor's searches only ever see
the documents their access level allows (issue 17).

The house rule is to enforce access inside the engine interface, not by
trimming a page of results: ``restricted(index, level)`` is itself a
``SearchIndex`` whose snapshots hold only the visible documents (``docs`` and
``by_id``), intersect every matching set and top-k with them, score with BM25
statistics over them alone (``Snapshot.top_over``), count document frequencies
and rank suggestions over them alone, build the sub-word scan from them alone,
and keep their own memo (``kb.search`` memoizes per
snapshot; a memo shared between levels would leak).  The whole search layer
runs unchanged on top, so totals, facet counts, did-you-mean, excerpts,
related documents, stats and the timeline all see the same visible set.

Because it wraps the interface (``SearchIndex`` methods, with the engine's own
snapshot), it holds for every engine.  A view is built once per (engine
snapshot, level); when a level sees every document of a snapshot holding no
deleted one, the engine's snapshot is used as it is.  Residual channels:
``docs/security.md``.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Callable, Iterable

from kb import query as kq
from kb.access.levels import may_see
from kb.engine.base import SearchIndex, Snapshot
from kb.models import Document
from kb.textscan import TextScan

_DF_ENTRIES = 200_000
# every candidate the engine has within reach (its order is by frequencies over the whole
# index, hidden documents included: the view orders them again by visible ones)
_SUGGEST_ALL = 2_000

@dataclass(eq=False)
class RestrictedSnapshot(Snapshot):
    """The visible part of one engine snapshot; ``memo`` and the scan are its own."""

    base: Snapshot | None = None
    engine: SearchIndex | None = None
    level: str = ""
    # visible document frequencies: related documents ask for hundreds per page
    _df: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _scorer: Callable | None = field(default=None, repr=False)  # the engine's ``top_over`` the visible documents
    _scorer_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _visible(self, found: set[int]) -> set[int]:
        docs = self.docs
        return {d for d in found if d in docs}

    def matching(self, q: kq.Query) -> set[int]:
        return self._visible(self.engine.docset(self.base, q))

    def top(self, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        # scored with the visible documents' statistics: hidden ones move no score and no order
        with self._scorer_lock:
            if self._scorer is None:
                self._scorer = self.base.top_over(self.docs.keys())
        return self._scorer(q, self._visible(within), k)

    def stored(self, docnum: int) -> Document:
        if docnum not in self.docs:
            raise KeyError(docnum)  # never a restricted document, whatever docnum is asked for
        return self.engine.document_at(self.base, docnum)

    def prefetch(self, docnums: Iterable[int]) -> None:
        self.base.prefetch([d for d in docnums if d in self.docs])

    def doc_frequency(self, fieldname: str, term: str) -> int:
        key = (fieldname, term)
        found = self._df.get(key)
        if found is None:
            if len(self._df) > _DF_ENTRIES:
                self._df.clear()
            found = self._df[key] = len(self.matching(kq.Term(fieldname, term)))
        return found

    def suggest(self, fieldname: str, text: str, maxdist: int = 2, limit: int = 5) -> list[str]:
        """The visible words near ``text``, most *visible* documents first (then by word).

        The engine ranks its candidates by frequencies over the whole index: taking
        its first visible ones would let hidden documents choose which word is
        offered ("did you mean") or crowd a visible word out of the corrector's
        candidates (a total that moves).  So every candidate is asked for and
        ranked again by the documents this level sees."""
        try:
            found = self.base.suggest(fieldname, text, maxdist, limit=_SUGGEST_ALL)
            counted = [(self.doc_frequency(fieldname, w), w) for w in found]
            return [w for n, w in sorted(counted, key=lambda nw: (-nw[0], nw[1])) if n > 0][:limit]
        except Exception:  # noqa: BLE001 - a corrector must never fail a search
            return []

    def scan_forms(self) -> list[tuple[int, bytes]]:
        return [(d, form) for d, form in self.base.scan_forms() if d in self.docs]

    def scan(self) -> TextScan:
        # nothing hidden (a view for the deleted documents' sake): the engine's scan holds
        # the live documents alone, mapped and shared, not copied
        return self.base.scan() if len(self.docs) == len(self.base.docs) else super().scan()


def _view(engine: SearchIndex, base: Snapshot, level: str) -> Snapshot:
    """``base`` itself when ``level`` sees all of it, else its restricted view.

    A snapshot still holding deleted documents is viewed too, whatever the level: the
    engine's corrector and frequencies may count them (the words of a partner document
    removed from the corpus were offered to anonymous visitors until a merge)."""
    hidden = [d for d, meta in base.docs.items() if not may_see(level, meta.access)]
    if not hidden and not base.holds_deleted:
        return base
    hide = set(hidden)
    snap = RestrictedSnapshot(generation=base.generation, subword=base.subword, base=base, engine=engine, level=level)
    snap.docs = {d: meta for d, meta in base.docs.items() if d not in hide}
    snap.by_id = {doc_id: d for doc_id, d in base.by_id.items() if d not in hide}
    return snap


class RestrictedIndex(SearchIndex):
    """``index`` as a visitor at ``level`` sees it; thread-safe like the engine."""

    def __init__(self, engine: SearchIndex, level: str):
        self.engine = engine
        self.level = level
        self.root = engine.root
        self._lock = threading.Lock()
        self._base: Snapshot | None = None
        self._snap: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        base = self.engine.snapshot()
        with self._lock:
            if base is not self._base:
                self._snap = _view(self.engine, base, self.level)
                self._base = base
            return self._snap

    def size_bytes(self) -> int:
        return self.engine.size_bytes()

    # a restricted snapshot answers through its own (filtering) methods; the
    # engine's own snapshot (a level that sees everything) through the engine
    def document_at(self, snap: Snapshot, docnum: int) -> Document:
        return snap.stored(docnum) if isinstance(snap, RestrictedSnapshot) else self.engine.document_at(snap, docnum)

    def docset(self, snap: Snapshot, q: kq.Query) -> set[int]:
        return snap.matching(q) if isinstance(snap, RestrictedSnapshot) else self.engine.docset(snap, q)

    def top(self, snap: Snapshot, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        if isinstance(snap, RestrictedSnapshot):
            return snap.top(q, within, k) if within and k > 0 else []
        return self.engine.top(snap, q, within, k)

    def doc_frequency(self, snap: Snapshot, fieldname: str, term: str) -> int:
        if isinstance(snap, RestrictedSnapshot):
            return snap.doc_frequency(fieldname, term)
        return self.engine.doc_frequency(snap, fieldname, term)

    def suggest(self, snap: Snapshot, fieldname: str, text: str, maxdist: int = 2) -> list[str]:
        if isinstance(snap, RestrictedSnapshot):
            return snap.suggest(fieldname, text, maxdist)
        return self.engine.suggest(snap, fieldname, text, maxdist)


_views: "weakref.WeakKeyDictionary[SearchIndex, dict[str, RestrictedIndex]]" = weakref.WeakKeyDictionary()
_views_lock = threading.Lock()


def restricted(index: SearchIndex, level: str) -> SearchIndex:
    """The read view of ``index`` for a visitor at ``level`` (one per index and level).

    A level that sees every document of a snapshot reads the engine's own
    snapshot; an unknown level sees nothing at all (``may_see`` refuses it).
    """
    with _views_lock:
        per_level = _views.setdefault(index, {})
        view = per_level.get(level)
        if view is None:
            view = per_level[level] = RestrictedIndex(index, level)
        return view
