"""Step 4 of a run: hand changes to the workers in windows, write what they
prepared, and commit in batches.

A commit is the unit of crash safety: a crash (even ``kill -9``) loses at most
the documents written since the last commit, and the content hashes committed
with the documents let the next run resume from there.  Commits are rare on
purpose (Whoosh merges segments at each one): every ``batch_docs`` documents or
``batch_seconds`` seconds, whichever comes first.
"""
from __future__ import annotations

import time
from collections import deque
from typing import Callable

from kb.models import Failure
from kb.engine import IndexWriter
from indexer.changes import Change
from indexer.prepare import PreparedDoc, Preparer, PrepareTask
from indexer.report import Report

WINDOW = 64  # documents handed to the workers at a time
# batches handed to the workers and not yet written: several, so that the workers
# go on while the main process commits (a commit takes as long as preparing a few
# hundred documents)
IN_FLIGHT = 8


class BatchWriter:
    """Feeds ``Change`` values through the ``Preparer`` into the ``IndexWriter``."""

    def __init__(self, writer: IndexWriter, preparer: Preparer, report: Report, batch_docs: int, batch_seconds: float,
                 max_text_chars: int = 0, on_pages: Callable[[], None] | None = None):
        self.max_text_chars = max_text_chars  # for files the workers read (issue 14)
        self.on_pages = on_pages  # called when an OCR'd document is written (progress counts its pages)
        self.writer = writer
        self.preparer = preparer
        self.report = report
        self.batch_docs = batch_docs
        self.batch_seconds = batch_seconds
        self.last_commit = time.monotonic()
        self.window: list[Change] = []
        self.in_flight: deque[tuple[list[Change], object]] = deque()  # oldest first

    def add(self, change: Change) -> None:
        self.window.append(change)
        if len(self.window) >= WINDOW:
            self._hand_over()

    def delete(self, doc_id: str) -> None:
        self.writer.delete(doc_id)
        self.report.deleted += 1
        self.maybe_commit()

    def maybe_commit(self) -> None:
        """Commit when the batch is full or old enough."""
        pending = self.writer.pending
        if pending >= self.batch_docs or (pending and time.monotonic() - self.last_commit > self.batch_seconds):
            self.writer.commit()
            self.last_commit = time.monotonic()
            self.report.committed = self.report.added + self.report.updated + self.report.deleted

    def finish(self) -> None:
        """Write everything still in the window or with the workers (the caller commits)."""
        self._hand_over()
        while self.in_flight:
            self._write(*self.in_flight.popleft())

    def _hand_over(self) -> None:
        if not self.window:
            return
        batch, self.window = self.window, []
        forms = getattr(self.writer, "prepared_forms", frozenset({"postings", "scan"}))
        subword, encoded, cap = self.writer.subword and "scan" in forms, "postings" in forms, self.max_text_chars
        stored = "stored" in forms
        rows = self.writer.prepared_rows if "rows" in forms else None
        tasks = [
            PrepareTask(c.raw, c.doc_id, c.content_hash, subword, c.path, cap, encoded, stored, rows, c.signature)
            for c in batch
        ]
        self.in_flight.append((batch, self.preparer.submit(tasks)))
        while len(self.in_flight) > IN_FLIGHT:
            self._write(*self.in_flight.popleft())

    def _write(self, batch: list[Change], handle) -> None:
        for change, prepared in zip(batch, handle.get()):
            if isinstance(prepared, Failure):
                self.report.failures.append(prepared)
                continue
            self._add(change, prepared)
            self.maybe_commit()

    def _add(self, change: Change, prepared: PreparedDoc) -> None:
        if self.on_pages is not None and prepared.doc.ocr:
            self.on_pages()
        more = {"stored": prepared.stored} if prepared.stored is not None else {}
        self.writer.add(prepared.doc, prepared.body, prepared.title, prepared.scan, new=not change.is_update, **more)
        if change.is_update:
            self.report.updated += 1
        else:
            self.report.added += 1
