"""The incremental indexing pipeline: paths in, an up-to-date index out.

For every file under the given paths: hash it; if the index already holds
that content, leave it alone; otherwise read it (``indexer.readers``), extract
metadata (``kb.extract``), analyse it (``kb.analysis``) and write it
(``kb.store``).  Documents whose files are gone from an indexed folder are
deleted.  Work is committed in batches, so a crash loses at most the batch in
flight and a rerun resumes where the last commit left off (the content hashes
live in the index, committed with the documents they describe).

The pipeline does not know formats: readers do.  Bad files become ``Failure``
values with a reason; they never stop the run and never delete what the index
already had from them.
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import stat
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from kb import analysis, engine as store
from kb.extract import extract
from kb.models import Document, Failure, RawDocument
from kb.engine import IndexWriter, WriterLock, read_settings, exists
from indexer import readers

BATCH_DOCS = 2000  # Whoosh merges segments at each commit: fewer, larger commits index ~1.6× faster (10,000 ThaiGov docs)
BATCH_SECONDS = 20.0
IGNORE_FILE = ".kbignore"
# Limits that keep one absurd input from stalling a run (analysis runs at ~0.3 M
# characters a second, so 2 M characters is already several seconds).  A PDF may
# be big because of its images, so it gets a larger byte limit; every format
# then meets the same limit on the extracted text.
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_PDF_BYTES = 256 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000


@dataclass
class Report:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    rebuilt: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, deleted {self.deleted}, "
            f"unchanged {self.unchanged}, failed {self.failed} ({self.seconds:.1f} s)"
        )

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "failures": [{"source": f.source, "reason": f.reason} for f in self.failures],
            "seconds": round(self.seconds, 3),
            "rebuilt": self.rebuilt,
        }


# --- finding files -------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as found (may be a symlink)
    root: Path  # the folder given to `kb index` (ids are relative to it)

    @property
    def doc_id(self) -> str:
        return self.path.relative_to(self.root).as_posix()


def _ignore_patterns(root: Path) -> list[str]:
    try:
        lines = (root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def walk(root: Path, failures: list[Failure]) -> Iterator[SourceFile]:
    """Supported files under ``root`` in a stable order; hidden entries and
    ``.kbignore`` globs are skipped; symlink loops are reported, not followed forever."""
    patterns = _ignore_patterns(root)
    seen_dirs: set[tuple[int, int]] = set()

    def ignored(rel: str) -> bool:
        return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], p) for p in patterns)

    def visit(folder: Path) -> Iterator[SourceFile]:
        try:
            st = folder.stat()
        except OSError as exc:
            failures.append(Failure(str(folder), f"cannot open folder ({exc.strerror or exc})"))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            failures.append(Failure(str(folder), "symlink loop: folder already visited"))
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            failures.append(Failure(str(folder), f"cannot list folder ({exc.strerror or exc})"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix()
            if ignored(rel):
                continue
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                yield from visit(path)
            elif readers.reader_for(path) is not None:
                if entry.is_symlink() and not path.exists():
                    failures.append(Failure(str(path), "broken symlink"))
                    continue
                yield SourceFile(path, root)

    yield from visit(root)


def unreadable_reason(path: Path) -> str | None:
    """Why a single-document file must be skipped before reading it, or None.

    A FIFO or device named ``x.txt`` would block or never end; a huge text file
    would hold the run for minutes.  Bulk files (JSONL) are streamed, so only
    their records' text is limited.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot read file ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (FIFO, socket or device)"
    if is_bulk(path):
        return None
    limit = MAX_PDF_BYTES if path.name.lower().endswith(".pdf") else MAX_FILE_BYTES
    if st.st_size > limit:
        return f"file too large ({st.st_size / 1048576:.1f} MB; the limit is {limit // 1048576} MB)"
    return None


def is_bulk(path: Path) -> bool:
    """A file of many records, each with its own id (JSONL), rather than one document."""
    name = path.name.lower()
    return name.endswith(".jsonl") or name.endswith(".jsonl.gz")


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:32]


def _hash_record(raw: RawDocument) -> str:
    blob = json.dumps([raw.title, raw.text, raw.url, raw.date_hint, raw.type_hint], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


# --- the run ---------------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal (tqdm), nothing otherwise."""

    def __init__(self, total: int | None, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", desc="indexing", file=sys.stderr, dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run(
    paths: list[Path],
    index_dir: Path,
    *,
    full: bool = False,
    progress: bool | None = None,
    on_wait: Callable[[str], None] | None = None,
    batch_docs: int = BATCH_DOCS,
    limit: int | None = None,
    subword: bool = True,
    procs: int | None = None,
) -> Report:
    """Bring the index at ``index_dir`` up to date with ``paths``."""
    t0 = time.monotonic()
    report = Report()
    lock = WriterLock(index_dir)
    lock.acquire(wait=True, on_wait=on_wait)
    try:
        settings = {"analysis": analysis.signature(), "subword": subword}
        if not full and exists(index_dir):
            built = read_settings(index_dir)
            if built.get("analysis") != settings["analysis"] or built.get("subword", True) != subword:
                report.notes.append("the text analysis changed since this index was built: rebuilding it in full")
                full = True
        writer = IndexWriter(index_dir, rebuild=full, settings=settings)
        report.rebuilt = writer.rebuild
        try:
            preparer = Preparer(procs if procs is not None else (os.cpu_count() or 1))
            try:
                _run(paths, writer, report, progress, batch_docs, limit, preparer)
            finally:
                preparer.close()
            writer.close()
        except BaseException:
            # keep what was committed; drop only the batch in flight
            writer.abort()
            raise
    finally:
        lock.release()
    report.seconds = time.monotonic() - t0
    return report


def _run(
    paths, writer: IndexWriter, report: Report, progress, batch_docs: int, limit: int | None, preparer: Preparer
) -> None:
    existing = {} if writer.rebuild else writer.existing()

    files: list[SourceFile] = []
    roots: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            root = p.resolve()
            roots.append(root)
            files.extend(walk(root, report.failures))
        elif p.exists():
            if readers.reader_for(p) is None:
                report.failures.append(Failure(str(p), f"unsupported file type '{p.suffix}' (use {', '.join(readers.SUFFIXES)})"))
            else:
                files.append(SourceFile(p.resolve(), p.resolve().parent))
        else:
            report.failures.append(Failure(str(p), "no such file or folder"))

    if progress is None:
        progress = sys.stderr.isatty()
    bar = Progress(len(files), progress)
    seen_ids: dict[str, str] = {}  # id → source, to catch duplicates
    failed_sources: set[str] = set()
    last_commit = time.monotonic()
    done = 0

    def maybe_commit() -> None:
        nonlocal last_commit
        if writer.pending >= batch_docs or (writer.pending and time.monotonic() - last_commit > BATCH_SECONDS):
            writer.commit()
            last_commit = time.monotonic()

    # documents read and waiting for extraction + analysis (done in parallel)
    pending: list[tuple[RawDocument, str, str, bool]] = []

    # batches being prepared by the workers while earlier ones are written; several,
    # so that the workers go on while the main process commits (a commit takes
    # as long as preparing a few hundred documents)
    in_flight: deque = deque()  # (batch, handle), oldest first

    def write(batch, handle) -> None:
        for (_, _, _, is_update), prepared in zip(batch, handle.get()):
            if isinstance(prepared, Failure):
                report.failures.append(prepared)
                continue
            writer.add(*prepared, new=not is_update)
            if is_update:
                report.updated += 1
            else:
                report.added += 1
            maybe_commit()

    def flush(final: bool = False) -> None:
        if pending:
            batch = list(pending)
            pending.clear()
            handle = preparer.submit([(item, doc_id, h, writer.subword) for item, doc_id, h, _ in batch])
            in_flight.append((batch, handle))
            while len(in_flight) > IN_FLIGHT:
                write(*in_flight.popleft())
        if final:
            while in_flight:
                write(*in_flight.popleft())

    for sf in files:
        source = str(sf.path)
        if limit is not None and done >= limit:
            break
        try:
            skip = unreadable_reason(sf.path)
            if skip:
                failed_sources.add(source)
                report.failures.append(Failure(source, skip))
                continue
            bulk = is_bulk(sf.path)
            file_hash = None if bulk else _hash_file(sf.path)
            if not bulk:
                doc_id = sf.doc_id
                old = existing.get(doc_id)
                if doc_id in seen_ids:
                    report.failures.append(Failure(source, f"duplicate id '{doc_id}' (already read from {seen_ids[doc_id]})"))
                    continue
                seen_ids[doc_id] = source
                if old is not None and old.content_hash == file_hash:
                    report.unchanged += 1
                    done += 1
                    continue
            for item in readers.read(sf.path):
                if isinstance(item, Failure):
                    report.failures.append(item)
                    continue
                if len(item.text) > MAX_TEXT_CHARS:
                    where = f"{source} (id {item.id})" if bulk and item.id else source
                    if bulk and item.id is not None:
                        seen_ids.setdefault(str(item.id), source)  # keep what the index had of it
                    report.failures.append(
                        Failure(where, f"text too long ({len(item.text):,} characters; the limit is {MAX_TEXT_CHARS:,})")
                    )
                    continue
                if bulk:
                    if item.id is None or not str(item.id).strip():
                        report.failures.append(Failure(source, "record without an id"))
                        continue
                    doc_id = str(item.id)
                    if doc_id in seen_ids:
                        report.failures.append(
                            Failure(f"{source} (id {doc_id})", f"duplicate id '{doc_id}' (already read from {seen_ids[doc_id]})")
                        )
                        continue
                    seen_ids[doc_id] = source
                    content_hash = _hash_record(item)
                    old = existing.get(doc_id)
                    if old is not None and old.content_hash == content_hash:
                        report.unchanged += 1
                        continue
                else:
                    content_hash = file_hash
                    old = existing.get(doc_id)
                item.source = source
                pending.append((item, doc_id, content_hash, old is not None))
                if len(pending) >= WINDOW:
                    flush()
                if bulk:
                    done += 1
                    if limit is not None and done >= limit:
                        break
            if not bulk:
                done += 1
        except readers.ReadError as exc:
            failed_sources.add(source)
            report.failures.append(Failure(source, str(exc)))
        except (OSError, UnicodeError, ValueError, RecursionError, MemoryError) as exc:
            failed_sources.add(source)
            report.failures.append(Failure(source, f"{type(exc).__name__}: {exc}"))
        finally:
            bar.update()
        maybe_commit()
    flush(final=True)
    bar.close()

    # documents whose file is gone from an indexed folder (or whose record is gone from a bulk file)
    if limit is None:
        read_sources = {str(sf.path) for sf in files}
        for doc_id, meta in existing.items():
            if doc_id in seen_ids or meta.source in failed_sources:
                continue
            under_root = any(_is_under(meta.source, r) for r in roots)
            if under_root or meta.source in read_sources:
                writer.delete(doc_id)
                report.deleted += 1
                maybe_commit()


def _is_under(source: str, root: Path) -> bool:
    try:
        Path(source).relative_to(root)
        return True
    except ValueError:
        return False


WINDOW = 64  # documents handed to the workers at a time
IN_FLIGHT = 8  # batches handed to the workers and not yet written


def prepare(task: tuple[RawDocument, str, str, bool]) -> tuple[Document, store.Postings, store.Postings, bytes] | Failure:
    """RawDocument → what the store writes: metadata (kb.extract) and encoded terms (kb.analysis).

    The CPU-heavy part of indexing; runs in worker processes.  Never raises:
    a document that cannot be processed comes back as a Failure.
    """
    raw, doc_id, content_hash, subword = task
    try:
        doc = extract(raw, doc_id)
        doc.content_hash = content_hash
        doc.source = raw.source
        if not (doc.title.strip() or doc.text.strip()):
            return Failure(raw.source, "no text found in the document")
        text = analysis.normalize(doc.text)
        title = analysis.normalize(doc.title)
        scan = analysis.scan_form(title + "\n" + text, is_normalized=True) if subword else b""
        body_postings = store.postings(analysis.analyze(text, is_normalized=True).words)
        title_postings = store.postings(analysis.analyze(title, is_normalized=True).words)
        return doc, body_postings, title_postings, scan
    except (ValueError, UnicodeError, RecursionError, MemoryError) as exc:
        where = f"{raw.source} (id {doc_id})" if raw.source and not raw.source.endswith(doc_id) else raw.source
        return Failure(where or doc_id, f"could not process the document ({type(exc).__name__}: {exc})")


class _Done:
    """An already computed batch, with the interface of an AsyncResult."""

    def __init__(self, value: list):
        self.value = value

    def get(self) -> list:
        return self.value


class Preparer:
    """Runs ``prepare`` on batches: inline for small work, in a process pool otherwise."""

    def __init__(self, procs: int):
        self.procs = max(1, procs)
        self.pool = None
        self.batches = 0

    def _use_pool(self, n: int) -> bool:
        if self.pool is not None:
            return True
        # A pool pays off only on long runs (from the third batch on), and
        # forking is only safe from a single-threaded process: a server thread
        # could hold a lock that the children would inherit held.
        return self.procs > 1 and n >= 16 and self.batches >= 2 and threading.active_count() == 1

    def submit(self, tasks: list):
        """Start preparing a batch; ``.get()`` on the result waits for it."""
        use_pool = self._use_pool(len(tasks))
        self.batches += 1
        if not use_pool:
            return _Done([prepare(t) for t in tasks])
        if self.pool is None:
            import multiprocessing

            analysis.dictionary()  # load once; forked workers inherit it
            self.pool = multiprocessing.get_context("fork").Pool(self.procs)
        return self.pool.map_async(prepare, tasks, chunksize=max(1, len(tasks) // (self.procs * 4)))

    def map(self, tasks: list) -> list:
        return self.submit(tasks).get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None
