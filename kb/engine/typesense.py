"""The cluster engine: the ``kb.engine.base`` contract on Typesense (issue 16).

With ``typesense_cluster`` the only modules that import the ``typesense``
client.  What each part of the contract becomes:

- **words**: kb's own analysis feeds Typesense (``typesense_terms``); a
  ``Term`` is a token filter, a ``Phrase`` Typesense's quoted phrase search
  with typos and prefixes off, so matching sets are exact;
- **commit**: Typesense makes each write visible at once, so the writer keeps
  adds and deletes in memory until ``commit()`` imports them, then writes the
  commit stamp and waits for every reachable node to apply it;
- **rebuild** (``kb index --full``): a new physical collection behind the
  alias, swapped on ``close()`` (readers switch atomically) — a first build
  points the alias at once, so each committed batch is searchable and a rerun
  resumes;
- **snapshot**: the metadata of every document (as the embedded engine keeps
  it in memory for facets), field lengths, and lazily the scan forms and the
  term vectors of scored candidates; ``top`` scores BM25F in kb
  (``typesense_scoring``) so both engines rank alike.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from typesense import exceptions as tse

from kb.editdistance import edits
from kb import query as kq
from kb.engine.base import EngineWriter, PreparedDoc, SearchIndex, Snapshot
from kb.engine.generations import SCHEMA_VERSION, IndexMissing, IndexWriteFailed
from kb.engine.metadata import IndexedDoc, meta_bytes, meta_from_bytes
from kb.engine.typesense_cluster import COLLECTION_LAYOUT, Cluster
from kb.engine.typesense_config import ClusterUnavailable, EngineConfig
from kb.engine.typesense_scoring import CollectionStats, FieldTexts, score
from kb.engine.typesense_terms import decode, encode, encode_text
from kb.models import Document

IMPORT_CHUNK = 250  # documents per import request
ID_CHUNK = 100  # ids per filter (delete, fetch)
PAGE = 250  # Typesense's largest page
TEXT_CACHE = 20_000  # documents whose encoded words an index keeps for scoring (≈ 3 bytes per Thai character)
WRITE_PATIENCE = 20.0  # seconds a commit retries while no node accepts writes (an election takes a few)


def typesense_id(doc_id: str) -> str:
    """The Typesense id of a kb id: a hash, since kb ids hold ``/`` that document URLs cannot."""
    return hashlib.blake2b(doc_id.encode("utf-8"), digest_size=12).hexdigest()


def _words(terms) -> list[str]:
    """The words in order, from an ``Analysis`` or the embedded engine's encoded postings."""
    if hasattr(terms, "words"):
        return list(terms.words)
    import pickle  # noqa: PLC0415 - only for the pipeline's pre-encoded postings
    import struct

    placed: dict[int, str] = {}
    for term, _freq, _weight, value in terms.items:
        pos = 0
        for i, delta in enumerate(pickle.loads(value[struct.calcsize("!I"):])):
            pos = delta if i == 0 else pos + delta
            placed[pos] = term.decode("utf-8")
    return [placed[p] for p in sorted(placed)]


def _exported(text: str) -> Iterable[dict]:
    return (json.loads(line) for line in text.splitlines() if line.strip())


class TypesenseWriter(EngineWriter):
    """Adds, replaces and deletes documents of the collection; see ``EngineWriter``."""

    def __init__(self, config: EngineConfig, rebuild: bool = False, settings: dict | None = None):
        self.cluster = Cluster(config)
        active = self.cluster.active()
        self._remove_leftovers(active)
        self.rebuild = rebuild or active is None
        if self.rebuild:
            stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
            self.physical = f"{self.cluster.alias}-{stamp}"
            self.settings = {**(settings or {}), "schema": SCHEMA_VERSION, "layout": COLLECTION_LAYOUT}
            self.cluster.create_collection(self.physical, self.settings)
            if active is None:
                self.cluster.point_alias(self.physical)
        else:
            self.physical = active
            self.settings = {k: v for k, v in (self.cluster.settings(active) or {}).items() if k != "stamp"}
        self.subword = bool(self.settings.get("subword", True))
        self._ops: dict[str, dict | None] = {}  # kb id → document to upsert, or None to delete
        self.pending = 0

    def _remove_leftovers(self, active: str | None) -> None:
        """Collections of rebuilds that died before their switch (we are the only writer)."""
        pattern = re.compile(re.escape(self.cluster.alias) + r"-\d{14}-\d+-[0-9a-f]{6}")
        with self.cluster.errors("list collections"):
            names = [c["name"] for c in self.cluster.writer_client.collections.retrieve()]
        for name in names:
            if pattern.fullmatch(name) and name != active:
                self.cluster.drop_collection(name)

    def existing(self) -> dict[str, IndexedDoc]:
        with self.cluster.errors("read the indexed documents"):
            text = self.cluster.writer_client.collections[self.physical].documents.export({"include_fields": "id,meta"})
        return {m.id: m for m in (meta_from_bytes(r["meta"].encode("utf-8")) for r in _exported(text) if r.get("meta"))}

    def add(self, doc: Document, body, title, scan: bytes = b"", *, new: bool = False) -> None:
        body_words, title_words = _words(body), _words(title)
        self._ops[doc.id] = {
            "id": typesense_id(doc.id),
            "kid": doc.id,
            "title": encode_text(title_words),
            "words": encode_text(body_words),
            "meta": meta_bytes(doc).decode("utf-8"),
            "doc": json.dumps(doc.to_dict(), ensure_ascii=False),
            "scan": scan.decode("latin-1") if self.subword else "",
            "wlen": len(body_words),
            "tlen": len(title_words),
        }
        self.pending += 1

    def add_batch(self, batch: Iterable[PreparedDoc]) -> None:
        for p in batch:
            self.add(p.doc, p.body, p.title, p.scan, new=p.new)

    def delete(self, doc_id: str) -> None:
        self._ops[doc_id] = None
        self.pending += 1

    def commit(self) -> None:
        ops, self._ops = self._ops, {}
        self.pending = 0
        if not ops:
            return
        upserts = [d for d in ops.values() if d is not None]
        deletes = [typesense_id(i) for i, d in ops.items() if d is None]
        for start in range(0, len(upserts), IMPORT_CHUNK):
            self._patiently(lambda chunk=upserts[start : start + IMPORT_CHUNK]: self._import(chunk))
        for start in range(0, len(deletes), ID_CHUNK):
            self._patiently(lambda chunk=deletes[start : start + ID_CHUNK]: self._delete(chunk))
        stamp = uuid.uuid4().hex
        self._patiently(lambda: self.cluster.write_settings(self.physical, self.settings, stamp))
        self.cluster.wait_applied(self.physical, stamp)

    def _import(self, chunk: list[dict]) -> None:
        with self.cluster.errors("write documents"):
            results = self.cluster.writer_client.collections[self.physical].documents.import_(chunk, {"action": "upsert"})
        for d, result in zip(chunk, results):
            if not result.get("success"):
                raise IndexWriteFailed(f"Typesense refused document {d['kid']}: {result.get('error')}")

    def _delete(self, tsids: list[str]) -> None:
        with self.cluster.errors("delete documents"), contextlib.suppress(tse.ObjectNotFound):
            self.cluster.writer_client.collections[self.physical].documents.delete({"filter_by": f"id:[{','.join(tsids)}]"})

    @staticmethod
    def _patiently(write) -> None:
        """Retry a write (each is idempotent: upserts by id, deletes, the stamp) while
        the cluster elects a new leader, for up to ``WRITE_PATIENCE`` seconds."""
        deadline = time.monotonic() + WRITE_PATIENCE
        while True:
            try:
                return write()
            except ClusterUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def close(self) -> None:
        """Commit, and for a rebuild point the alias at the new collection and drop the old one."""
        self.commit()
        if self.rebuild:
            old = self.cluster.active()
            if old != self.physical:
                self._patiently(lambda: self.cluster.point_alias(self.physical))
                # a stamp written after the swap: once every node has it, every node serves the new collection
                stamp = uuid.uuid4().hex
                self._patiently(lambda: self.cluster.write_settings(self.physical, self.settings, stamp))
                self.cluster.wait_applied(self.physical, stamp)
                if old is not None:
                    self.cluster.drop_collection(old)

    def abort(self) -> None:
        self._ops = {}
        self.pending = 0
        if self.rebuild:
            try:
                if self.cluster.active() != self.physical:
                    self.cluster.drop_collection(self.physical)
            except Exception:  # abort never raises; the next writer removes the leftover
                pass


@dataclass(eq=False)
class TypesenseSnapshot(Snapshot):
    """The metadata of one collection state, and the queries that read the cluster."""

    cluster: Cluster | None = None
    physical: str = ""
    stamp: str = ""
    tsids: list[str] = field(default_factory=list)  # docnum → Typesense id
    by_tsid: dict[str, int] = field(default_factory=dict)
    lengths: dict[int, dict[str, int]] = field(default_factory=dict)
    text_cache: dict | None = None  # the index's (Typesense id, content hash) → FieldTexts, shared by its snapshots
    text_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _documents(self):
        return self.cluster.client.collections[self.physical].documents

    def _remember(self, key, compute):
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache[key] = value
        return value

    def _docnums(self, rows: Iterable[dict]) -> set[int]:
        by_tsid = self.by_tsid
        return {by_tsid[r["id"]] for r in rows if r.get("id") in by_tsid}

    def _term_set(self, fieldname: str, word: str) -> frozenset[int]:
        def fetch():
            with self.cluster.errors("search"):
                text = self._documents().export({"filter_by": f"{fieldname}:{encode(word)}", "include_fields": "id"})
            return frozenset(self._docnums(_exported(text)))

        return self._remember(("term", fieldname, word), fetch)

    def _phrase_set(self, fieldname: str, words: tuple[str, ...]) -> frozenset[int]:
        def fetch():
            params = {
                "q": '"' + encode_text(words) + '"',
                "query_by": fieldname,
                "num_typos": 0,
                "prefix": False,
                "drop_tokens_threshold": 0,
                "typo_tokens_threshold": 0,
                "include_fields": "id",
                "highlight_fields": "none",
                "per_page": PAGE,
            }
            found: set[int] = set()
            page = 1
            with self.cluster.errors("search"):
                while True:
                    result = self._documents().search({**params, "page": page})
                    found |= self._docnums(h["document"] for h in result["hits"])
                    if page * PAGE >= result["found"] or not result["hits"]:
                        return frozenset(found)
                    page += 1

        return self._remember(("phrase", fieldname, words), fetch)

    def matching(self, q: kq.Query) -> set[int]:
        if isinstance(q, kq.Term):
            return set(self._term_set(q.field, q.text))
        if isinstance(q, kq.Phrase):
            if len(q.terms) == 1:
                return set(self._term_set(q.field, q.terms[0]))
            if not q.terms:
                return set()
            # the rarest word's set bounds the phrase: skip the search when it is empty
            if any(not self._term_set(q.field, t) for t in q.terms):
                return set()
            return set(self._phrase_set(q.field, tuple(q.terms)))
        if isinstance(q, kq.AnyOf):
            out: set[int] = set()
            for s in q.queries:
                out |= self.matching(s)
            return out
        if isinstance(q, kq.AllOf):
            if not q.queries:
                return set()
            out = self.matching(q.queries[0])
            for s in q.queries[1:]:
                if not out:
                    break
                out &= self.matching(s)
            return out
        if isinstance(q, kq.Every):
            return set(self.docs)
        if isinstance(q, kq.Nothing):
            return set()
        raise TypeError(f"cannot match {q!r}")

    def top(self, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        if not within or k <= 0:
            return []
        candidates = sorted(within & self.matching(q))
        texts = self._texts(candidates)
        stats = self._stats()

        def has_phrase(phrase: kq.Phrase, d: int) -> bool:
            return d in self._phrase_set(phrase.field, tuple(phrase.terms))

        scored = [
            (d, score(q, texts[d], self.lengths.get(d, {}), stats, lambda p, d=d: has_phrase(p, d)))
            for d in candidates
            if d in texts
        ]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]

    def _stats(self) -> CollectionStats:
        def compute():
            n = max(1, len(self.docs))
            avg = {f: sum(v.get(f, 0) for v in self.lengths.values()) / n for f in ("words", "title")}
            return CollectionStats(n, avg, self.doc_frequency)

        return self._remember(("stats",), compute)

    def _texts(self, docnums: list[int]) -> dict[int, FieldTexts]:
        """The candidates' encoded words, from the index-wide cache (keyed by content
        hash, so a commit refetches only what changed); the whole collection in one
        export when it fits the cache, else the missing ones by id."""
        cache = self.text_cache if self.text_cache is not None else {}
        key = {d: (self.tsids[d], self.docs[d].content_hash) for d in docnums}
        if any(key[d] not in cache for d in docnums):
            # one fetch at a time: concurrent first searches would each load the whole collection
            with self.text_lock:
                missing = [d for d in docnums if key[d] not in cache]
                if missing:
                    self._fetch_texts(missing, cache)
        found = {d: cache.get(key[d]) for d in docnums}  # .get: another snapshot may clear the cache meanwhile
        return {d: t for d, t in found.items() if t is not None}

    def _fetch_texts(self, missing: list[int], cache: dict) -> None:
        every = len(missing) > ID_CHUNK and len(self.docs) <= TEXT_CACHE
        wanted = sorted(self.docs) if every else missing
        keys = {self.tsids[d]: (self.tsids[d], self.docs[d].content_hash) for d in wanted}
        fetched = {}
        for start in range(0, 1 if every else len(wanted), ID_CHUNK):
            params = {"include_fields": "id,words,title"}
            if not every:
                params["filter_by"] = f"id:[{','.join(self.tsids[d] for d in wanted[start : start + ID_CHUNK])}]"
            with self.cluster.errors("read documents"):
                text = self._documents().export(params)
            for row in _exported(text):
                if row["id"] in keys:
                    fetched[keys[row["id"]]] = FieldTexts.of({"words": row.get("words", ""), "title": row.get("title", "")})
        if len(cache) + len(fetched) > TEXT_CACHE:
            cache.clear()
        cache.update(fetched)

    def stored(self, docnum: int) -> Document:
        def fetch():
            with self.cluster.errors("read a document"):
                row = self._documents()[self.tsids[docnum]].retrieve()
            return json.loads(row["doc"])

        return Document(**self._remember(("doc", docnum), fetch))

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """From the set when it is known, else Typesense's count alone (measured 1–2 ms,
        where reading a common word's set took 100–200 ms of 2,000 documents)."""
        with self._lock:
            known = self._cache.get(("term", fieldname, term))
        if known is not None:
            return len(known)

        def count():
            with self.cluster.errors("search"):
                return int(self._documents().search({"q": "*", "filter_by": f"{fieldname}:{encode(term)}", "per_page": 0})["found"])

        return self._remember(("df", fieldname, term), count)

    def suggest(self, fieldname: str, text: str, maxdist: int = 2, limit: int = 5) -> list[str]:
        try:
            return self._suggest(fieldname, text, maxdist, limit)
        except Exception:  # a corrector failure must never fail the search itself
            return []

    def _suggest(self, fieldname: str, text: str, maxdist: int, limit: int) -> list[str]:
        """The indexed words within ``maxdist`` edits of ``text`` that share its first
        character, most frequent first.  From the field's own vocabulary, not
        Typesense's typo search: 0.24's misses words depending on the other words
        of the collection (measured: a word was no longer offered once another
        document held a longer word starting with it), so a document a visitor
        may not see could take a suggestion away from them (issue 17)."""
        if not text:
            return []
        found = [
            (n, w)
            for w, n in self._vocabulary(fieldname).get(text[0], ())
            if w != text and abs(len(w) - len(text)) <= maxdist and edits(w, text) <= maxdist
        ]
        return [w for _, w in sorted(found, key=lambda p: (-p[0], p[1]))][:limit]

    def _vocabulary(self, fieldname: str) -> dict[str, list[tuple[str, int]]]:
        """first character → (word, document frequency) of every word of ``fieldname``, once per snapshot."""

        def build():
            df: dict[str, int] = {}
            with self.cluster.errors("read the words"):
                text = self._documents().export({"include_fields": f"id,{fieldname}"})
            for row in _exported(text):
                if row.get("id") in self.by_tsid:
                    for code in set(str(row.get(fieldname) or "").split()):
                        df[code] = df.get(code, 0) + 1
            by_first: dict[str, list[tuple[str, int]]] = {}
            for code, n in df.items():
                word = decode(code)  # None: a hashed long word, never offered
                if word:
                    by_first.setdefault(word[0], []).append((word, n))
            return by_first

        return self._remember(("vocabulary", fieldname), build)

    def scan_forms(self) -> list[tuple[int, bytes]]:
        with self.cluster.errors("read the sub-word layer"):
            text = self._documents().export({"include_fields": "id,scan"})
        forms = {self.by_tsid[r["id"]]: (r.get("scan") or "").encode("latin-1") for r in _exported(text) if r["id"] in self.by_tsid}
        return [(d, forms.get(d, b"")) for d in sorted(self.docs)]


class TypesenseIndex(SearchIndex):
    """Read access to the collection behind the alias; follows commits and rebuilds."""

    def __init__(self, config: EngineConfig):
        self.config = config
        self.root = Path(config.describe())
        self.cluster = Cluster(config)
        self._lock = threading.Lock()
        self._snap: TypesenseSnapshot | None = None
        self._checked = 0.0
        self._texts: dict = {}
        self._texts_lock = threading.Lock()

    def snapshot(self) -> TypesenseSnapshot:
        with self._lock:
            snap, now = self._snap, time.monotonic()
            if snap is not None and now - self._checked < 0.5:
                return snap
            self._checked = now
            try:
                self._snap = self._open_current(snap)
            except ClusterUnavailable:
                if snap is None:
                    raise
                # the cluster is electing a leader or a node is down: keep serving what we know
            return self._snap

    def _open_current(self, snap: TypesenseSnapshot | None) -> TypesenseSnapshot:
        physical = self.cluster.active()
        if physical is None:
            raise IndexMissing(f"no index in {self.config.describe()}; run `kb index`")
        settings = self.cluster.settings(physical) or {}
        if settings.get("schema") != SCHEMA_VERSION or settings.get("layout") != COLLECTION_LAYOUT:
            raise IndexMissing(f"the index in {self.config.describe()} was built by another version of kb; run `kb index --full`")
        stamp = settings.get("stamp", "")
        if snap is not None and snap.physical == physical and snap.stamp == stamp:
            return snap
        new = TypesenseSnapshot(cluster=self.cluster, physical=physical, stamp=stamp, generation=physical,
                                subword=bool(settings.get("subword", True)), text_cache=self._texts,
                                text_lock=self._texts_lock)
        with self.cluster.errors("read the index"):
            text = self.cluster.client.collections[physical].documents.export({"include_fields": "id,meta,wlen,tlen"})
        rows = sorted((r for r in _exported(text) if r.get("meta")), key=lambda r: r["id"])
        for docnum, row in enumerate(rows):
            meta = meta_from_bytes(row["meta"].encode("utf-8"))
            new.docs[docnum] = meta
            new.by_id[meta.id] = docnum
            new.tsids.append(row["id"])
            new.by_tsid[row["id"]] = docnum
            new.lengths[docnum] = {"words": int(row.get("wlen") or 0), "title": int(row.get("tlen") or 0)}
        return new

    def size_bytes(self) -> int:
        """Bytes of kb's fields as stored (Typesense reports memory, not per-collection disk)."""
        return 0


def exists(config: EngineConfig) -> bool:
    return Cluster(config).active() is not None


def read_settings(config: EngineConfig) -> dict:
    cluster = Cluster(config)
    active = cluster.active()
    return {} if active is None else {k: v for k, v in (cluster.settings(active) or {}).items() if k != "stamp"}


def open_index(config: EngineConfig) -> TypesenseIndex:
    return TypesenseIndex(config)
