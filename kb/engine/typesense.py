"""The cluster engine: the ``kb.engine.base`` contract on Typesense (issue 16).

With ``typesense_cluster`` the only modules that import the ``typesense``
client.  What each part of the contract becomes:

- **rows**: the indexer's workers make each document's import rows
  (``typesense_rows``, the declared form "rows"), so the writer only joins
  bytes and imports them;
- **words**: kb's own analysis feeds Typesense (``typesense_terms``); a
  ``Term`` is a token filter, a ``Phrase`` Typesense's quoted phrase search
  with typos and prefixes off, so matching sets are exact (a snapshot answers
  them from the words it holds when the collection fits: ``typesense_snapshot``);
- **commit**: Typesense makes each write visible at once, so every document
  carries its batch number ``seq`` and readers see only the batches a commit
  stamp has recorded.  New documents are imported in the background while the
  indexer prepares the next ones (pipelining); updates and deletes wait for
  ``commit()``, which then writes the stamp and waits for every reachable node
  to apply it;
- **rebuild** (``kb index --full``): a new physical collection behind the
  alias, swapped on ``close()`` (readers switch atomically) — a first build
  points the alias at once, so each committed batch is searchable and a rerun
  resumes;
- **snapshot** (``typesense_snapshot``): the metadata of every document, field
  lengths, positional postings of the words (``typesense_postings``: matching
  sets, frequencies) and the scan forms; ``top`` scores BM25F in kb (``typesense_scoring``) so both
  engines rank alike.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import secrets
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from typesense import exceptions as tse

from kb.engine.base import EngineWriter, PreparedDoc, SearchIndex
from kb.engine.generations import SCHEMA_VERSION, IndexMissing, IndexWriteFailed
from kb.engine.metadata import IndexedDoc, meta_from_bytes
from kb.engine.typesense_cluster import COLLECTION_LAYOUT, LAYOUTS_READ, PACKED_LAYOUT, SIDE_FIELDS, Cluster, side
from kb.engine.typesense_config import ClusterUnavailable, EngineConfig
from kb.engine.typesense_postings import PostingsBuilder
from kb.engine import typesense_snapshot
from kb.engine.typesense_snapshot import FIELDS, ID_CHUNK, TypesenseSnapshot, exported
from kb.engine.typesense_rows import field_codes  # noqa: F401 (its old home: callers may import it from here)
from kb.engine.typesense_rows import TypesenseRows, packed_rows, prepared_rows, typesense_id
from kb.models import Document

IMPORT_CHUNK = 250  # documents per import request, at most
IDLE_CHUNK = 25  # documents shipped at once when the importer is idle (a commit then waits for little)
WRITE_PATIENCE = 20.0  # seconds a commit retries while no node accepts writes (an election takes a few)


def committed(row: dict, seq: int) -> bool:
    """Whether a document belongs to a committed batch (documents written before batches were numbered do)."""
    return int(row.get("seq") or 0) <= seq


@dataclass(frozen=True)
class _Record:
    """One document as the writer imports it: JSON lines of the main and side collections."""

    kid: str
    main: bytes
    doc: bytes
    scan: bytes


class TypesenseWriter(EngineWriter):
    """Adds, replaces and deletes documents of the collection; see ``EngineWriter``."""

    # the workers make the rows (``typesense_rows``) from the words as ``Analysis`` and the scan form,
    # by the writer's ``prepared_rows`` (set in ``__init__``: packed or not, as its collection says)
    prepared_forms = frozenset({"scan", "rows"})
    waited = 0.0  # seconds commits of this process spent waiting on Typesense (the benchmark's writer share)

    def __init__(self, config: EngineConfig, rebuild: bool = False, settings: dict | None = None):
        self.cluster = Cluster(config)
        active = self.cluster.active()
        self._remove_leftovers(active)
        # a collection of another layout (before the side collections) is rebuilt, not written into
        outdated = active is not None and (self.cluster.settings(active) or {}).get("layout") not in LAYOUTS_READ
        self.rebuild = rebuild or active is None or outdated
        if self.rebuild:
            stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
            self.physical = f"{self.cluster.alias}-{stamp}"
            self.settings = {**(settings or {}), "schema": SCHEMA_VERSION, "layout": COLLECTION_LAYOUT}
            # patiently: a leader may die while a run starts (the name is ours alone, so a retry is safe)
            self._patiently(lambda: self.cluster.create_collection(self.physical, self.settings))
            if active is None:
                self._patiently(lambda: self.cluster.point_alias(self.physical))
        else:
            self.physical = active
            self.settings = {k: v for k, v in (self.cluster.settings(active) or {}).items() if k != "stamp"}
        self.subword = bool(self.settings.get("subword", True))
        # side values compressed (``typesense_rows``); a collection an older kb built stays plain
        self.packed = self.settings.get("layout") == PACKED_LAYOUT
        self.prepared_rows = packed_rows if self.packed else prepared_rows
        self._ops: dict[str, _Record | None] = {}  # kb id → document to upsert, or None to delete
        self.pending = 0
        # Pipelining: new documents are imported in the background while the next ones are
        # prepared, marked with the batch number ``seq``; readers and ``existing()`` see only
        # documents of batches up to the ``seq`` that commit wrote with its stamp.
        self.seq = int(self.settings.get("seq", 0)) + 1
        self._early: list[_Record] = []  # new documents not yet handed to the importer
        self._early_ids: set[str] = set()
        self._importer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-typesense-import")
        self._imports: list[Future] = []

    def _remove_leftovers(self, active: str | None) -> None:
        """Collections of rebuilds that died before their switch (we are the only writer)."""
        pattern = re.compile(re.escape(self.cluster.alias) + r"-\d{14}-\d+-[0-9a-f]{6}")
        with self.cluster.errors("list collections"):
            names = [c["name"] for c in self.cluster.writer_client.collections.retrieve()]
        # a side collection (``<physical>--doc``) goes with its main one, also when that one is gone
        suffixes = tuple(side("", f) for f in SIDE_FIELDS)
        leftovers = {next((n[: -len(x)] for x in suffixes if n.endswith(x)), n) for n in names} - {active}
        for name in sorted(leftovers):
            if pattern.fullmatch(name):
                self.cluster.drop_collection(name)

    def existing(self) -> dict[str, IndexedDoc]:
        """The committed documents; documents of a batch that never committed (a run
        that died after importing ahead) are deleted, since a later commit would show them."""
        with self.cluster.errors("read the indexed documents"):
            text = self.cluster.writer_client.collections[self.physical].documents.export({"include_fields": "id,meta,seq"})
        rows = list(exported(text))
        unfinished = [r["id"] for r in rows if not committed(r, self.seq - 1)]
        for start in range(0, len(unfinished), ID_CHUNK):
            self._patiently(lambda chunk=unfinished[start : start + ID_CHUNK]: self._delete(chunk))
        metas = (meta_from_bytes(r["meta"].encode("utf-8")) for r in rows if r.get("meta") and committed(r, self.seq - 1))
        return {m.id: m for m in metas}

    def add(self, doc: Document, body, title, scan: bytes = b"", *, new: bool = False,
            stored: TypesenseRows | None = None) -> None:
        """``stored``: the rows a worker made (``prepared_rows``); else they are made here."""
        rows = stored if stored is not None else self.prepared_rows(doc, body, title, scan if self.subword else b"")
        record = _Record(rows.kid, rows.main_row(self.seq), rows.doc, rows.scan)
        if new and doc.id not in self._ops and doc.id not in self._early_ids:
            # nothing with this id is indexed: importing it now changes nothing readers see
            self._early.append(record)
            self._early_ids.add(doc.id)
            if len(self._early) >= IMPORT_CHUNK or (len(self._early) >= IDLE_CHUNK and self._idle()):
                self._ship()
        else:
            self._ops[doc.id] = record
        self.pending += 1

    def _idle(self) -> bool:
        """No import in flight: Typesense would wait for us, so ship what we have (a
        commit then finds little left to import, instead of a full chunk)."""
        return all(f.done() for f in self._imports[-1:])

    def _ship(self) -> None:
        """Hand the new documents to the background importer (one import at a time)."""
        chunk, self._early = self._early, []
        if chunk:
            self._imports.append(self._importer.submit(self._patiently, lambda: self._import(chunk)))

    def _imported(self) -> None:
        """Wait for every background import; the first failure raises."""
        self._ship()
        imports, self._imports = self._imports, []
        failure = None
        for future in imports:
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001 - wait for the others, then raise the first
                failure = failure or exc
        if failure is not None:
            raise failure

    def add_batch(self, batch: Iterable[PreparedDoc]) -> None:
        for p in batch:
            self.add(p.doc, p.body, p.title, p.scan, new=p.new, stored=p.stored)

    def delete(self, doc_id: str) -> None:
        self._ops[doc_id] = None
        self.pending += 1

    def commit(self) -> None:
        started = time.monotonic()
        try:
            with self._own_collection():
                self._commit()
        finally:
            TypesenseWriter.waited += time.monotonic() - started

    @contextlib.contextmanager
    def _own_collection(self):
        """Our collection deleted under us: another ``kb index`` of the same collection (with
        another ``--index`` folder, so another lock) removed it as a dead run's leftover."""
        try:
            yield
        except tse.ObjectNotFound:
            raise IndexWriteFailed(
                f"the collection {self.physical} was deleted while this run wrote it (another `kb index` of "
                f"collection {self.cluster.alias} at the same time?); run `kb index` again"
            ) from None

    def _commit(self) -> None:
        self._imported()
        ops, self._ops = self._ops, {}
        early, self._early_ids = self._early_ids, set()
        self.pending = 0
        if not ops and not early:
            return
        upserts = [d for d in ops.values() if d is not None]
        deletes = [typesense_id(i) for i, d in ops.items() if d is None]
        for start in range(0, len(upserts), IMPORT_CHUNK):
            self._patiently(lambda chunk=upserts[start : start + IMPORT_CHUNK]: self._import(chunk))
        for start in range(0, len(deletes), ID_CHUNK):
            self._patiently(lambda chunk=deletes[start : start + ID_CHUNK]: self._delete(chunk))
        self.settings["seq"] = self.seq  # this batch becomes visible with the stamp
        stamp = uuid.uuid4().hex
        self._patiently(lambda: self.cluster.write_settings(self.physical, self.settings, stamp))
        self.cluster.wait_applied(self.physical, stamp)
        self.seq += 1

    def _import(self, chunk: list[_Record]) -> None:
        """The side collections first, then the main one: a document a reader can find
        always has its stored document and scan form (a failure in between leaves only
        side rows, which the retry or the next upsert overwrites)."""
        kids = [r.kid for r in chunk]
        for fieldname in SIDE_FIELDS:  # a ``_Record`` holds each side row under the field's name
            self._import_rows(side(self.physical, fieldname), b"\n".join(getattr(r, fieldname) for r in chunk), kids)
        self._import_rows(self.physical, b"\n".join(r.main for r in chunk), kids)

    def _import_rows(self, collection: str, body: bytes, kids: list[str]) -> None:
        """One import request of ready JSON lines; each line's answer is checked."""
        with self.cluster.errors("write documents"):
            answer = self.cluster.writer_client.collections[collection].documents.import_(body, {"action": "upsert"})
        lines = answer.splitlines()
        if len(lines) == len(kids) and answer.count('"success":true') == len(kids):
            return
        results = [json.loads(line) for line in lines if line.strip()]
        for kid, result in itertools.zip_longest(kids, results, fillvalue={}):
            if not result.get("success"):
                raise IndexWriteFailed(f"Typesense refused document {kid}: {result.get('error') or 'no answer for it'}")

    def _delete(self, tsids: list[str]) -> None:
        """The main collection first (readers stop finding the documents), then the side ones."""
        for collection in [self.physical] + [side(self.physical, f) for f in SIDE_FIELDS]:
            with self.cluster.errors("delete documents"), contextlib.suppress(tse.ObjectNotFound):
                self.cluster.writer_client.collections[collection].documents.delete({"filter_by": f"id:[{','.join(tsids)}]"})

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
        self._importer.shutdown(wait=False)
        if self.rebuild:
            old = self.cluster.active()
            if old != self.physical:
                with self._own_collection():  # Typesense would point an alias at a deleted collection
                    with self.cluster.errors("read the new collection"):
                        self.cluster.writer_client.collections[self.physical].retrieve()
                    self._patiently(lambda: self.cluster.point_alias(self.physical))
                # a stamp written after the swap: once every node has it, every node serves the new collection
                stamp = uuid.uuid4().hex
                self._patiently(lambda: self.cluster.write_settings(self.physical, self.settings, stamp))
                self.cluster.wait_applied(self.physical, stamp)
                if old is not None:
                    self.cluster.drop_collection(old)

    def abort(self) -> None:
        self._ops, self._early, self._early_ids = {}, [], set()
        self.pending = 0
        self._importer.shutdown(wait=True, cancel_futures=True)  # what it imported stays unseen (``existing``)
        self._imports = []
        if self.rebuild:
            try:
                if self.cluster.active() != self.physical:
                    self.cluster.drop_collection(self.physical)
            except Exception:  # abort never raises; the next writer removes the leftover
                pass


class TypesenseIndex(SearchIndex):
    """Read access to the collection behind the alias; follows commits and rebuilds."""

    def __init__(self, config: EngineConfig):
        self.config = config
        self.root = Path(config.describe())
        self.cluster = Cluster(config)
        self._lock = threading.Lock()
        self._snap: TypesenseSnapshot | None = None
        self._checked = 0.0

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
        if settings.get("schema") != SCHEMA_VERSION or settings.get("layout") not in LAYOUTS_READ:
            raise IndexMissing(f"the index in {self.config.describe()} was built by another version of kb; run `kb index --full`")
        stamp = settings.get("stamp", "")
        if snap is not None and snap.physical == physical and snap.stamp == stamp:
            return snap
        new = TypesenseSnapshot(cluster=self.cluster, physical=physical, stamp=stamp, generation=physical,
                                subword=bool(settings.get("subword", True)), packed=settings.get("layout") == PACKED_LAYOUT)
        done = int(settings.get("seq", 0))
        # One export for the metadata and the postings (the main collection holds only
        # what a snapshot reads: the stored document and scan form are in side collections).
        # Docnums in export order: each word's documents are then ascending without sorting.
        builder = None if typesense_snapshot.SETS_FROM_TYPESENSE else PostingsBuilder(FIELDS)
        rows = self.cluster.export_rows(physical, "id,meta,wlen,tlen,seq" + (",words,title" if builder else ""))
        for docnum, row in enumerate(r for r in rows if r.get("meta") and committed(r, done)):
            meta = meta_from_bytes(row["meta"].encode("utf-8"))
            new.docs[docnum] = meta
            new.by_id[meta.id] = docnum
            new.tsids.append(row["id"])
            new.by_tsid[row["id"]] = docnum
            new.lengths[docnum] = {"words": int(row.get("wlen") or 0), "title": int(row.get("tlen") or 0)}
            if builder:
                builder.add(docnum, row)
        new._postings = builder.finish() if builder else None
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
