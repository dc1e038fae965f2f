"""Step 3 of a run: read documents → what the store writes (the CPU-heavy part).

Metadata extraction (``kb.extract``) and text analysis (``kb.analysis``) run
here, inline for small runs and in a pool of forked worker processes for long
ones.  ``prepare`` never raises: a document that cannot be processed comes
back as a ``Failure``.

Files that may need OCR (images, PDFs) are also *read* here rather than by the
change planner (issue 14): OCR costs seconds a page, so it belongs in the
workers, and a scan's page images then live only in a worker, one page at a
time, never in the process that holds the index writer.  Results stream back
one document at a time, so progress can count OCR'd pages as they finish.
"""
from __future__ import annotations

import dataclasses
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kb import analysis, engine
from kb.engine import PreparedDoc
from kb.extract import extract
from kb.extract.topic_model import ReleaseWords
from kb.models import Failure, RawDocument


@dataclass(frozen=True)
class PrepareTask:
    """One document for a worker (plain values, so it pickles cheaply)."""

    raw: RawDocument
    doc_id: str
    content_hash: str
    subword: bool
    path: Path | None = None  # read here first (``read_in_worker``); ``raw`` only names the source
    max_text_chars: int = 0  # the readers' cap, checked here for a file read here (0: none)
    postings: bool = True  # the engine reads encoded postings (``EngineWriter.prepared_forms``); else ``Analysis``
    stored: bool = False  # the engine reads ``stored_form``: made here, and the text not sent back
    rows: Callable | None = None  # the engine's ``EngineWriter.prepared_rows`` ("rows"): its whole write made here
    signature: tuple | None = None  # ``file_signature`` of ``path`` when its content hash was made


# formats whose reading may mean OCR: images always, PDFs for pages without a text layer
_WORKER_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf")


def read_in_worker(path: Path) -> bool:
    """Whether a file is read by ``prepare`` (in a worker) instead of by the change planner."""
    return path.suffix.lower() in _WORKER_SUFFIXES


CHANGED_WHILE_READ = "the file changed while it was being read; run kb index again once it is complete"


def file_signature(path: Path) -> tuple | None:
    """Size, modification time and inode: what a writer changes (None if the file is gone).

    Taken before the content hash and compared after the read, so a document is never
    stored with the hash of another version of its file (a rerun would then find the
    file "unchanged" and keep the wrong text for good)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def read_file(task: PrepareTask) -> RawDocument | Failure:
    """The one document of a file read in the worker (a Failure with the reader's reason)."""
    from indexer import readers

    source = task.raw.source or str(task.path)
    try:
        items = readers.read(task.path)
        item = next(items, None)
        items.close()
    except readers.ReadError as exc:
        return Failure(source, str(exc))
    except (OSError, UnicodeError, ValueError, RecursionError, MemoryError) as exc:
        return Failure(source, f"{type(exc).__name__}: {exc}")
    if task.signature is not None and file_signature(task.path) != task.signature:
        return Failure(source, CHANGED_WHILE_READ)
    if item is None or isinstance(item, Failure):
        return item or Failure(source, "no text found in the document")
    if task.max_text_chars and len(item.text) > task.max_text_chars:
        return Failure(source, f"text too long ({len(item.text):,} characters; the limit is {task.max_text_chars:,})")
    item.source = source
    return item


def prepare(task: PrepareTask) -> PreparedDoc | Failure:
    """RawDocument (read here first for OCR formats) → metadata (kb.extract) and encoded terms (kb.analysis)."""
    raw = read_file(task) if task.path is not None else task.raw
    if isinstance(raw, Failure):
        return raw
    try:
        # Segmented first: the learned topic decision reads the same words (kb.extract.ReleaseWords).
        text, title = analysis.normalize((raw.text or "").strip()), analysis.normalize((raw.title or "").strip())
        body, title_words = analysis.analyze(text, is_normalized=True), analysis.analyze(title, is_normalized=True)
        doc = extract(raw, task.doc_id, ReleaseWords(tuple(title_words.words), tuple(body.words)))
        doc.content_hash = task.content_hash
        doc.source = raw.source
        if not (doc.title.strip() or doc.text.strip()):
            return Failure(raw.source, "no text found in the document")
        scan = analysis.scan_form(title + "\n" + text, is_normalized=True) if task.subword else b""
        if task.postings:
            body, title_words = engine.postings(body.words), engine.postings(title_words.words)
        if task.rows is not None:  # the engine's rows, passed on as its stored form; the texts stay here
            rows = task.rows(doc, body, title_words, scan)
            return PreparedDoc(dataclasses.replace(doc, title="", text=""), None, None, stored=rows)
        if not task.stored:
            return PreparedDoc(doc, body, title_words, scan)
        # the texts travel once, inside the stored form; the writer needs only the metadata
        stored = engine.stored_form(_as_received(doc) if _in_worker else doc)
        return PreparedDoc(dataclasses.replace(doc, title="", text=""), body, title_words, scan, stored=stored)
    except (ValueError, UnicodeError, RecursionError, MemoryError) as exc:
        source = raw.source
        where = f"{source} (id {task.doc_id})" if source and not source.endswith(task.doc_id) else source
        return Failure(where or task.doc_id, f"could not process the document ({type(exc).__name__}: {exc})")


_in_worker = False  # set in the pool's processes (``_mark_worker``)


def _mark_worker() -> None:
    global _in_worker
    _in_worker = True


def _as_received(doc):
    """``doc`` as the writing process would have received it from a worker.

    The stored form is a pickle, and a pickle depends on which strings are one
    object: unpickling interns attribute names but not equal values (a type
    "meeting" beside the attribute ``meeting``), so the writer's pickle of a
    received document could differ by a memo reference from the worker's.  Made
    from the document after the same round trip, the bytes are those the writer
    made before the stored form moved to the workers.
    """
    import pickle
    from multiprocessing.reduction import ForkingPickler

    return pickle.loads(ForkingPickler.dumps(doc))


class _Streamed:
    """Results of a batch as each document finishes (``imap``), with the interface of an AsyncResult;
    while a document is still being read (a long scan), ``waiting`` is called every fraction of a second."""

    def __init__(self, results, waiting=None):
        self.results = results
        self.waiting = waiting

    def get(self):
        from multiprocessing import TimeoutError as NotYet

        while True:
            try:
                yield self.results.next(timeout=0.2)
            except StopIteration:
                return
            except NotYet:
                if self.waiting is not None:
                    self.waiting()


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
        self.waiting = None  # called while the main process waits for a worker reading a file (progress)

    def _use_pool(self, n: int, tasks: list[PrepareTask]) -> bool:
        if self.pool is not None:
            return True
        if any(t.path is not None for t in tasks) and self.procs > 1 and threading.active_count() == 1:
            return True  # files to read, perhaps by OCR: seconds a page, worth a pool from the first one
        # A pool pays off only on long runs (from the third batch on), and
        # forking is only safe from a single-threaded process: a server thread
        # could hold a lock that the children would inherit held.
        return self.procs > 1 and n >= 16 and self.batches >= 2 and threading.active_count() == 1

    def submit(self, tasks: list[PrepareTask]):
        """Start preparing a batch; ``.get()`` on the result waits for it."""
        use_pool = self._use_pool(len(tasks), tasks)
        self.batches += 1
        if not use_pool:
            return _Done([prepare(t) for t in tasks])
        if self.pool is None:
            import multiprocessing

            analysis.dictionary()  # load once; forked workers inherit it
            self.pool = multiprocessing.get_context("fork").Pool(self.procs, initializer=_mark_worker)
        if any(t.path is not None for t in tasks):  # one at a time, in order, as each finishes
            return _Streamed(self.pool.imap(prepare, tasks, chunksize=1), self.waiting)
        return self.pool.map_async(prepare, tasks, chunksize=max(1, len(tasks) // (self.procs * 4)))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()  # reap the workers (their resources are then accounted and freed)
            self.pool = None
