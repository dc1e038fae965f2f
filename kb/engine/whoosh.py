"""The embedded engine: the ``kb.engine.base`` contract on a Whoosh index.

With ``whoosh_codec`` and ``whoosh_writer`` the only modules that import Whoosh.  Each generation
(``kb.engine.generations``) is one Whoosh index; the content hash and source
path of every document are stored in it, so the manifest used for incremental
indexing commits atomically with the documents it describes.
"""
from __future__ import annotations

import logging
import hashlib
import shutil
import threading
import time

import numpy as np
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from whoosh import index
from whoosh.filedb.filestore import FileStorage

from kb import query as kq
from kb.analysis import Analysis
from kb.editdistance import swap_edits
from kb.engine import arrays, memo
from kb.engine import generations as gens
from kb.engine import positions as kb_positions
from kb.engine.array_search import ArrayIndex, flat_positions
from kb.engine.base import EngineWriter, SearchIndex, Snapshot, rank_suggestions
from kb.engine.generations import IndexMissing, disk_errors
from kb.engine.meta_table import MetadataTable
from kb.engine.metadata import FACETS, IndexedDoc, meta_from_bytes
from kb.engine.whoosh_writer import SegmentWriter, StoredForm, remove_orphans, stored_values
from kb.engine.whoosh_codec import (
    Postings,
    compile_query,
    field_lengths,
    field_postings,
    make_schema,
    merge_policy,
    segment_name,
    term_positions,
    weighting,
)
from kb.models import Document
from kb.scan_pairs import FILES as SCAN_PAIR_FILES
from kb.textscan import TextScan

SCAN_DIR = "kb-scan"  # <gen>/kb-scan/<state>/: the mapped sub-word scan of one index state


def exists(root: Path) -> bool:
    gen = gens.current_generation(Path(root))
    return gen is not None and index.exists_in(str(gen))


def _create_generation(root: Path, settings: dict | None) -> Path:
    gen = gens.new_generation(root, settings)
    index.create_in(str(gen), make_schema())
    return gen


class IndexWriter(EngineWriter):
    """Adds, replaces and deletes documents; commits in batches (see ``EngineWriter``).

    With ``rebuild=True`` it writes a fresh generation that replaces the active
    one atomically on ``close()``; until then searchers keep the old one.
    """

    prepared_forms = frozenset({"postings", "scan", "stored"})  # "stored": ``stored_form``, made by the workers

    def __init__(self, root: Path, rebuild: bool = False, procs: int = 1, settings: dict | None = None):
        self.root = Path(root)
        gens.claim_folder(self.root)
        gens.remove_leftovers(self.root)
        self.rebuild = rebuild or not exists(self.root)
        self.procs = procs
        # a generation half made when the disk filled is removed at once (we hold the writer lock)
        with disk_errors(self.root, lambda: gens.remove_leftovers(self.root)):
            if self.rebuild:
                self.gen = _create_generation(self.root, settings)
                if not exists(self.root):
                    # Nothing is being served yet: make the new generation active now,
                    # so each committed batch is searchable and survives a crash, and
                    # a rerun resumes from the last commit instead of starting over.
                    gens.switch_to(self.root, self.gen)
            else:
                self.gen = gens.current_generation(self.root)
        remove_orphans(self.gen)
        self.ix = index.open_dir(str(self.gen))
        self.subword = bool(gens.settings_of(self.gen).get("subword", True))
        self._writer = None
        self.pending = 0

    def _w(self):
        if self._writer is None:
            if self.procs > 1:
                self._writer = self.ix.writer(procs=self.procs, limitmb=256, multisegment=True)
            else:
                # Whoosh's, block at a time; each segment's postings arrays made from memory
                self._writer = SegmentWriter(self.ix, self._segment_arrays, arrays.FIELDS, limitmb=256)
        return self._writer

    def _segment_arrays(self, segment: str, doc_count: int, fields: dict) -> None:
        """A new segment's postings arrays, from what the writer just wrote (reading them
        back at ``close()`` was a fifth of the writing process's CPU); ``close()`` still
        writes any that are missing.  A failure here costs only that."""
        try:
            arrays.write_segment(self.gen, segment, doc_count, fields.__getitem__)
        except Exception as exc:  # a cache: the commit goes on
            logging.getLogger("kb").warning("could not write the postings arrays of %s: %s", segment, exc)

    def existing(self) -> dict[str, IndexedDoc]:
        with self.ix.searcher() as s:
            return {d.id: d for _, d in _iter_meta(s.reader())}

    def add(
        self, doc: Document, body: Analysis | Postings, title: Analysis | Postings, scan: bytes = b"", *,
        new: bool = False, stored: StoredForm | None = None,
    ) -> None:
        """Add or replace a document; ``scan`` is its scan form (ignored by word-only indexes).

        ``body`` and ``title`` are the analysed texts, or their ``postings()``; ``stored``,
        ``stored_form(doc)`` made by a worker (then ``doc`` need not hold its text).
        """
        with disk_errors(self.root, self._discard):
            w = self._w()
            meta, stored = stored_values(w, doc, stored)
            (w.add_document if new else w.update_document)(
                id=doc.id,
                title=title if isinstance(title, Postings) else title.words,
                words=body if isinstance(body, Postings) else body.words,
                source=doc.source,
                meta=meta,
                scan=scan if self.subword else b"",
                doc=stored,
            )
        self.pending += 1

    def delete(self, doc_id: str) -> None:
        with disk_errors(self.root, self._discard):
            self._w().delete_by_term("id", doc_id)
        self.pending += 1

    def commit(self) -> None:
        if self._writer is not None:
            with disk_errors(self.root, self._discard):
                self._writer.commit(mergetype=merge_policy)
            self._writer = None
        self.pending = 0

    def close(self) -> None:
        """Commit what is pending and, for a rebuild, make the new generation active."""
        self.commit()
        # once per run, not per commit: the batches' segments are merged away meanwhile
        write_arrays(self.gen)
        if self.rebuild:
            with disk_errors(self.root, self.abort):
                gens.switch_to(self.root, self.gen)
            gens.remove_old_generations(self.root, self.gen)

    def _discard(self) -> None:
        """Drop the batch in flight and its files; the last commit stays."""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.cancel()
            except Exception:  # a full disk can fail the cancel's own flushes too
                lock = getattr(writer, "writelock", None)
                if lock is not None:
                    try:
                        lock.release()  # or the next writer of this process would wait forever
                    except Exception:
                        pass
        self.pending = 0
        remove_orphans(self.gen)

    def abort(self) -> None:
        self._discard()
        if self.rebuild and gens.current_generation(self.root) != self.gen:
            shutil.rmtree(self.gen, ignore_errors=True)


def _iter_meta(reader) -> Iterator[tuple[int, IndexedDoc]]:
    if reader.doc_count_all() == 0:
        # an index with no segment yet (a first run killed before its first
        # commit): Whoosh's empty reader has no columns at all
        return
    creader = reader.column_reader("meta")
    for docnum in reader.all_doc_ids():
        raw = creader[docnum]
        if raw:
            yield docnum, meta_from_bytes(raw)


def _segment_arrays(gen: Path, reader, build: bool = True) -> list[tuple[arrays.SegmentArrays, int]] | None:
    """Every segment's postings arrays with its first docnum, written first where
    missing (``build``); None when a segment has none (then Whoosh scores)."""
    out = []
    for seg_reader, base in reader.leaf_readers():
        name, count = segment_name(seg_reader), seg_reader.doc_count_all()
        seg = arrays.load_segment(gen, name, count)
        if seg is None and build:
            arrays.write_segment(gen, name, count, lambda f, r=seg_reader: (field_postings(r, f), field_lengths(r, f)))
            seg = arrays.load_segment(gen, name, count)
        if seg is None:
            return None
        out.append((seg, base))
    return out


def _segment_positions(gen: Path, reader, segments: list) -> list[dict | None]:
    """Each segment's phrase positions files (``kb.engine.positions``), written first
    where missing; None for a segment whose files cannot be written (Whoosh decodes)."""
    out = []
    for (seg_reader, _), (seg, _) in zip(reader.leaf_readers(), segments):
        name, count = segment_name(seg_reader), seg_reader.doc_count_all()
        found = kb_positions.load_segment(gen, name, count, arrays.FIELDS)
        if found is None:
            try:
                common = {f: kb_positions.common_terms(seg.fields[f]) for f in arrays.FIELDS}
                kb_positions.write_segment(gen, name, count, seg_reader, arrays.FIELDS, common)
            except Exception as exc:  # read-only or full: this segment's phrases decode through Whoosh
                logging.getLogger("kb").warning("no phrase positions for %s (%s)", name, exc)
            found = kb_positions.load_segment(gen, name, count, arrays.FIELDS)
        out.append(found)
    return out


def write_arrays(gen: Path) -> None:
    """Write the arrays of every segment of ``gen`` that has none, and drop those of
    merged-away segments (the writer's job, after each commit, so a server's first
    query finds them).  A failure only costs the readers the time to write them."""
    try:
        snap = open_snapshot(gen, bool(gens.settings_of(gen).get("subword", True)))
        with snap.lock:
            reader = snap.searcher.reader()
            segments = [segment_name(r) for r, _ in reader.leaf_readers()] if reader.doc_count_all() else []
        arrays.remove_stale(gen, segments)
        arrays.remove_stale(gen, segments, kb_positions.POS_DIR)
        snap.scan()
        arrays.remove_stale(gen, [snap.state], SCAN_DIR)
        snap.searcher.close()
    except Exception as exc:  # the arrays are a cache; Whoosh's commit already succeeded
        logging.getLogger("kb").warning("could not write the postings arrays of %s: %s", gen, exc)


def _array_index(gen: Path, searcher, docs: dict, lock: threading.RLock) -> ArrayIndex | None:
    reader = searcher.reader()
    count = reader.doc_count_all()
    if not count:
        return None
    try:
        segments = _segment_arrays(gen, reader)
    except Exception as exc:  # a read-only or full disk: Whoosh scores, slower, same answers
        logging.getLogger("kb").warning("no postings arrays for %s (%s); searching with Whoosh", gen, exc)
        return None
    if segments is None:
        return None
    live = np.zeros(count, dtype=bool)
    if docs:
        live[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
    leaves = [r for r, _ in reader.leaf_readers()]
    by_segment = _segment_positions(gen, reader, segments)

    def positions(s: int, fieldname: str, term: str, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        field = by_segment[s].get(fieldname) if by_segment[s] else None
        found = field.find(term.encode("utf-8"), local) if field is not None else None
        if found is not None:
            return found
        with lock:  # a rare term (or no files): Whoosh's decoding
            return flat_positions(term_positions(leaves[s], fieldname, term, local), local.tolist())

    avg = {f: searcher.field_length(f) / count for f in arrays.FIELDS}
    return ArrayIndex(segments, live, count, avg, positions, kb_positions.disk_bytes(by_segment))


@dataclass(eq=False)
class WhooshSnapshot(Snapshot):
    """A Whoosh searcher plus the in-memory metadata table of the same index state."""

    searcher: object = None
    # Whoosh readers are not safe across threads: a segment's postings, stored
    # and column files are each one file object whose position every matcher
    # seeks, so two requests reading at once read each other's bytes
    # ("UnpicklingError: invalid load key").  Every use of ``searcher`` holds
    # this lock; Whoosh is pure Python, so the GIL already serialised the work.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    arrays: ArrayIndex | None = None  # None: scored by Whoosh's matchers (kb.engine.arrays absent)
    folder: Path | None = None  # the generation's folder
    state: str = ""  # names this index state (segments and live documents): the mapped scan's key
    writing: bool = False  # a kb index run held the writer lock when this snapshot was opened

    def matching(self, q: kq.Query) -> set[int]:
        if self.arrays is not None:
            return set(self.arrays.matching(q).tolist())
        return self.whoosh_matching(q)

    def matching_among(self, q: kq.Query, among: set[int]) -> set[int]:
        if not among:
            return set()
        if self.arrays is None:
            return super().matching_among(q, among)
        mask = np.zeros(self.arrays.doc_count_all, dtype=bool)
        mask[np.fromiter(among, dtype=np.int64, count=len(among))] = True
        return set(self.arrays.docs_within(q, mask).tolist())

    def whoosh_matching(self, q: kq.Query) -> set[int]:
        wq_ = compile_query(q)
        with self.lock:
            return set(self.searcher.docs_for_query(wq_))

    def top(self, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        if not within or k <= 0:
            return []
        return self.arrays.top_among(q, within, k) if self.arrays is not None else self.whoosh_top(q, within, k)

    def top_over(self, visible):  # without the arrays, Whoosh scores over the whole index
        return self.top if self.arrays is None else self.arrays.over(visible).top_among

    def whoosh_top(self, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        if not within or k <= 0:
            return []
        with self.lock:
            results = self.searcher.search(compile_query(q), limit=k, filter=within)
            return [(hit.docnum, hit.score) for hit in results]

    def stored(self, docnum: int) -> Document:
        with self.lock:
            return Document(**self.searcher.stored_fields(docnum)["doc"])

    def doc_frequency(self, fieldname: str, term: str) -> int:
        if self.arrays is not None and fieldname in arrays.FIELDS:
            return self.arrays.doc_frequency(fieldname, term)
        with self.lock:
            return self.searcher.doc_frequency(fieldname, term)

    def suggest(self, fieldname: str, text: str, maxdist: int = 2, limit: int = 5) -> list[str]:
        # prefix=1 bounds the work to one slice of the lexicon; typos in the first character are rare
        try:
            if self.arrays is not None and fieldname in arrays.FIELDS and self.arrays.segments:
                return self._suggest_from_arrays(fieldname, text, maxdist, limit)
            with self.lock:
                return list(self.searcher.suggest(fieldname, text, limit=limit, maxdist=maxdist, prefix=1))
        except Exception:  # a corrector failure must never fail the search itself
            return []

    def _suggest_from_arrays(self, fieldname: str, text: str, maxdist: int, limit: int) -> list[str]:
        """Whoosh's corrector, answered from the arrays' terms (also for one segment: Whoosh's
        own automaton there counts two swapped letters as two edits, its merge of several
        segments as one, so an answer depended on how the index happened to be split).

        Whoosh merges every segment's terms with the first letter, one key at a
        time (เ: 68,000 keys over 35 segments at 63,000 releases, ~0.5 s), then
        measures each.  Same rule here: the terms with the first letter within
        ``maxdist`` edits (``swap_edits``; a length further off never is), in
        ``rank_suggestions``' order of their occurrences."""
        head = text[:1]
        near = [
            w for w in self.arrays.terms_starting(fieldname, head)
            if abs(len(w) - len(text)) <= maxdist and swap_edits(w, text, limit=maxdist) <= maxdist
        ]
        return rank_suggestions(((w, self.arrays.frequency(fieldname, w) or 1) for w in near), limit)

    def scan(self) -> TextScan:
        """The sub-word layer, memory-mapped from files of this index state (written on
        first need, usually by the writer): shared by every process, built by none."""
        with self._scan_lock:
            if self._scan is None:
                self._scan = self._mapped_scan() or TextScan(self.scan_forms() if self.docs else [])
            return self._scan

    def memory(self) -> dict[str, int]:
        """``Snapshot.memory`` plus the postings arrays and the mapped scan (shared, paged
        in as used) and the bounded caches."""
        out = super().memory()
        out["metadata"] = sum(getattr(m, "nbytes", lambda: 0)() for m in (self.docs, self.by_id))  # the table and id index
        out["memo_entries"] = len(self.memo)
        out["memo_limit"] = getattr(self.memo, "limit", 0)
        if self.arrays is not None:
            out.update(arrays.memory(seg for seg, _ in self.arrays.segments))
            out["term_cache"] = self.arrays.cache_bytes()
            out["phrase_positions_on_disk"] = self.arrays.positions_on_disk
        if self._scan is None and self.folder is not None and self.state:
            where = self.folder / SCAN_DIR / self.state  # not loaded: the files it would read by slices
            for names, key in ((("buffer.bin",), "scan_buffer_on_disk"), (SCAN_PAIR_FILES, "pair_index_on_disk")):
                if all((where / name).is_file() for name in names):
                    out[key] = sum((where / name).stat().st_size for name in names)
        return out

    def _mapped_scan(self) -> TextScan | None:
        if self.folder is None or not self.docs or not self.subword:
            return None
        where = self.folder / SCAN_DIR / self.state
        scan = TextScan.load(where)
        if scan is None and not self.writing:
            # while kb index runs, states pass every commit: the writer saves the last one at close
            try:
                TextScan(self.scan_forms(), pair_index=False).save(where)
            except OSError as exc:  # read-only or full: this process keeps its own copy
                logging.getLogger("kb").warning("could not save the sub-word scan at %s: %s", where, exc)
                return None
            scan = TextScan.load(where)
        return scan

    def scan_forms(self) -> list[tuple[int, bytes]]:
        with self.lock:
            creader = self.searcher.reader().column_reader("scan")
            return [(d, creader[d] or b"") for d in sorted(self.docs)]


def open_snapshot(gen: Path, subword: bool = True) -> WhooshSnapshot:
    """A snapshot of generation ``gen`` as it is now, with its arrays (written if missing)."""
    # Without mmap: Whoosh copies every sub-file of a mapped compound segment into a
    # BytesIO (855 MB per process at 63,000 releases); read through the file instead,
    # now that scoring reads the arrays, not Whoosh's postings.
    storage = FileStorage(str(gen), supports_mmap=False)
    searcher = storage.open_index().searcher(weighting=weighting())
    new = WhooshSnapshot(searcher=searcher, generation=gen.name, subword=subword, folder=gen)
    reader = searcher.reader()
    new.docs = MetadataTable(_iter_meta(reader))  # columns, not an object per document
    new.holds_deleted = reader.has_deletions()
    new.by_id = new.docs.by_id()
    new.memo.limit = memo.limit_for(len(new.docs))  # its entries grow with the collection
    new.arrays = _array_index(gen, searcher, new.docs, new.lock)
    state = hashlib.blake2b(digest_size=8)
    for seg_reader, _ in reader.leaf_readers() if reader.doc_count_all() else []:
        state.update(segment_name(seg_reader).encode())
    state.update(np.fromiter(sorted(new.docs), dtype=np.int64, count=len(new.docs)).tobytes())
    new.state = state.hexdigest()
    new.facet_columns().build(FACETS)
    return new


class Index(SearchIndex):
    """Read access to an index directory; follows commits and generation switches.

    Thread-safe: a web server shares one ``Index`` between request threads.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._snap: WhooshSnapshot | None = None
        self._checked = 0.0

    def snapshot(self) -> WhooshSnapshot:
        """The current searcher; reopened when a commit or a rebuild happened."""
        with self._lock:
            snap = self._snap
            now = time.monotonic()
            if snap is not None and now - self._checked < 0.5:
                return snap
            self._checked = now
            # A full rebuild may switch CURRENT and delete the old generation, and
            # a commit may merge away segments, between our reading the name and
            # opening the files: read again.  Failing that, the last good snapshot
            # is better than an error.
            for attempt in range(5):
                try:
                    self._snap = self._open_current(snap)
                    return self._snap
                except (IndexMissing, OSError, index.IndexError):
                    if attempt == 4:
                        if snap is not None:
                            return snap
                        raise
                    time.sleep(0.02 * (attempt + 1))
            raise AssertionError("unreachable")

    def _open_current(self, snap: WhooshSnapshot | None) -> WhooshSnapshot:
        """``snap`` if it is still current, else a new snapshot of what CURRENT names."""
        gen = gens.current_generation(self.root)
        if gen is None or not index.exists_in(str(gen)):
            raise IndexMissing(f"no index at {self.root}")
        settings = gens.settings_of(gen)
        if settings.get("schema") != gens.SCHEMA_VERSION:
            raise IndexMissing(f"the index at {self.root} was built by an older version of kb; run `kb index --full`")
        if snap is not None and snap.generation == gen.name:
            with snap.lock:
                if snap.searcher.up_to_date():
                    return snap
        # the old searcher may still be used by a request in flight; let GC close it
        new = open_snapshot(gen, bool(settings.get("subword", True)))
        new.writing = gens.writer_active(self.root)
        return new

    def size_bytes(self) -> int:
        gen = gens.current_generation(self.root)
        return sum(p.stat().st_size for p in gen.iterdir() if p.is_file()) if gen else 0


def open_index(root: Path) -> Index:
    """The engine's read handle on the index folder ``root``."""
    return Index(root)
