"""Step 3 of a run: read documents → what the store writes (the CPU-heavy part).

Metadata extraction (``kb.extract``) and text analysis (``kb.analysis``) run
here, inline for small runs and in a pool of forked worker processes for long
ones.  ``prepare`` never raises: a document that cannot be processed comes
back as a ``Failure``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from kb import analysis, engine
from kb.engine import PreparedDoc
from kb.extract import extract
from kb.models import Document, Failure, RawDocument


@dataclass(frozen=True)
class PrepareTask:
    """One document for a worker (plain values, so it pickles cheaply)."""

    raw: RawDocument
    doc_id: str
    content_hash: str
    subword: bool


def prepare(task: PrepareTask) -> PreparedDoc | Failure:
    """RawDocument → metadata (kb.extract) and encoded terms (kb.analysis)."""
    raw = task.raw
    try:
        doc = extract(raw, task.doc_id)
        doc.content_hash = task.content_hash
        doc.source = raw.source
        if not (doc.title.strip() or doc.text.strip()):
            return Failure(raw.source, "no text found in the document")
        text = analysis.normalize(doc.text)
        title = analysis.normalize(doc.title)
        scan = analysis.scan_form(title + "\n" + text, is_normalized=True) if task.subword else b""
        body_postings = engine.postings(analysis.analyze(text, is_normalized=True).words)
        title_postings = engine.postings(analysis.analyze(title, is_normalized=True).words)
        return PreparedDoc(doc, body_postings, title_postings, scan)
    except (ValueError, UnicodeError, RecursionError, MemoryError) as exc:
        source = raw.source
        where = f"{source} (id {task.doc_id})" if source and not source.endswith(task.doc_id) else source
        return Failure(where or task.doc_id, f"could not process the document ({type(exc).__name__}: {exc})")


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

    def submit(self, tasks: list[PrepareTask]):
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

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None
