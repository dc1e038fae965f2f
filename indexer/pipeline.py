"""The incremental indexing pipeline: paths in, an up-to-date index out.

A run is five named steps, each in its own module:

1. discover (``indexer.discover``): the files under the given paths;
2. plan changes (``indexer.changes``): compare content hashes with the index
   (added / updated / unchanged), refuse bad files, records and ids;
3. prepare (``indexer.prepare``): extraction + analysis, in worker processes;
4. write batches (``indexer.batches``): crash-safe commits;
5. delete missing (here): documents whose file is gone from an indexed folder,
   or whose record is gone from a bulk file.

A crash loses at most the batch in flight and a rerun resumes where the last
commit left off (the content hashes live in the index, committed with the
documents they describe).  The pipeline does not know formats: readers do.
Bad files become ``Failure`` values with a reason; they never stop the run and
never delete what the index already had from them.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

from kb import analysis
from kb.models import Failure
from kb.engine import EngineConfig, IndexedDoc, IndexWriter, WriterLock, exists, open_writer, read_settings
from indexer import ocr, readers
from indexer.batches import BatchWriter
from indexer.changes import ChangePlanner
from indexer.discover import Discovery, discover, indexed_roots
from indexer.ids import printable
from indexer.prepare import Preparer, read_in_worker
from indexer.report import Interrupted, Progress, Report

__all__ = ["Interrupted", "Report", "run", "delete_missing", "BATCH_DOCS", "BATCH_SECONDS", "MAX_TEXT_CHARS"]

BATCH_DOCS = 2000  # Whoosh merges segments at each commit: fewer, larger commits index ~1.6× faster (10,000 ThaiGov docs)
BATCH_SECONDS = 20.0
# The limit on a document's extracted text, whatever its format: the readers' cap
# (read at each run from this module, so a test may lower it).
MAX_TEXT_CHARS = readers.MAX_TEXT_CHARS


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
    follow_links: bool = False,
    access: str = "public",  # access (issue 17): the level of every document that declares none lower
    engine: EngineConfig | None = None,
) -> Report:
    """Bring the index at ``index_dir`` up to date with ``paths``."""
    t0 = time.monotonic()
    report = Report()
    try:
        _run(paths, index_dir, report, full, progress, on_wait, batch_docs, limit, subword, procs, follow_links, access,
             engine)
    except KeyboardInterrupt:  # Ctrl+C: what was committed stays; the caller says so
        raise Interrupted(report) from None
    # every failure line must print and serialise, whatever a reader or an exception put in it
    report.failures = [Failure(printable(f.source), printable(f.reason)) for f in report.failures]
    report.seconds = time.monotonic() - t0
    return report


def _run(paths, index_dir, report, full, progress, on_wait, batch_docs, limit, subword, procs, follow_links, access,
         engine) -> None:
    lock = WriterLock(index_dir)
    lock.acquire(wait=True, on_wait=on_wait)
    try:
        writer = _open_writer(index_dir, full, subword, report, engine)
        try:
            preparer = Preparer(procs if procs is not None else (os.cpu_count() or 1))
            try:
                existing = {} if writer.rebuild else writer.existing()
                found = discover(paths, follow_links=follow_links, indexed=indexed_roots(existing))
                _update(found, existing, writer, report, progress, batch_docs, limit, preparer, access)
            finally:
                preparer.close()
            writer.close()
        except BaseException:
            # keep what was committed; drop only the batch in flight
            writer.abort()
            raise
    finally:
        lock.release()


def _open_writer(index_dir: Path, full: bool, subword: bool, report: Report, engine: EngineConfig | None) -> IndexWriter:
    """A writer; a full rebuild when asked, or when the index was built with other analysis settings."""
    settings = {"analysis": analysis.signature(), "subword": subword}
    if not full and exists(index_dir, engine):
        built = read_settings(index_dir, engine)
        if built.get("analysis") != settings["analysis"] or built.get("subword", True) != subword:
            report.notes.append("the text analysis changed since this index was built: rebuilding it in full")
            full = True
    existed = exists(index_dir, engine)
    writer = open_writer(index_dir, engine, rebuild=full, settings=settings)
    report.rebuilt = writer.rebuild
    report.replacing = writer.rebuild and existed
    return writer


def _update(
    found: Discovery,
    existing: dict[str, IndexedDoc],
    writer: IndexWriter,
    report: Report,
    progress: bool | None,
    batch_docs: int,
    limit: int | None,
    preparer: Preparer,
    access: str = "public",  # access (issue 17)
) -> None:
    """Steps 2–5 over the discovered files."""
    report.failures.extend(found.failures)
    report.notes.extend(found.notes())
    show = sys.stderr.isatty() if progress is None else progress
    scans = any(read_in_worker(sf.path) for sf in found.files)
    # issue 14: pages as the workers read them; the bar appears with the first page (none for text PDFs)
    pages = Progress(None, show, unit="page", desc="OCR", lazy=True) if scans else Progress(None, False)
    preparer.waiting = _page_counter(pages) if scans else None
    batches = BatchWriter(writer, preparer, report, batch_docs, BATCH_SECONDS, MAX_TEXT_CHARS, preparer.waiting)
    bar = Progress(len(found.files), show)
    planner = ChangePlanner(existing, report, max_text_chars=MAX_TEXT_CHARS, limit=limit, default_access=access,
                            on_record=bar.record)
    try:
        for sf in found.files:
            if planner.exhausted:
                break
            for change in planner.changes_in(sf):
                batches.add(change)
            bar.update()
            batches.maybe_commit()
        batches.finish()
        report.notes.extend(planner.notes())
    finally:  # also on Ctrl+C: the bars end before the line saying what was kept
        bar.close()
        pages.close()
    if limit is None:  # a trial run has not seen everything, so it deletes nothing
        report.failures.extend(_empty_roots_kept(existing, found))
        for doc_id in delete_missing(existing, found, planner.seen_ids, planner.failed_sources):
            batches.delete(doc_id)


def _page_counter(pages: Progress) -> Callable[[], None]:
    """What moves the OCR progress bar to the pages read so far (called while waiting for a worker and
    after each scan written); made before the worker pool forks, so the workers share the count."""
    seen = [ocr.pages_read()]

    def count() -> None:
        now = ocr.pages_read()
        pages.update(now - seen[0])
        seen[0] = now

    return count


def _empty_roots_kept(existing: dict[str, IndexedDoc], found: Discovery) -> list[Failure]:
    """A folder given that is empty now, though documents were indexed from it, is far more
    likely a disk or share not mounted than every file deleted: its documents stay."""
    failures = []
    for root in found.empty_roots:
        n = sum(1 for meta in existing.values() if _is_under(meta.source, root))
        if n:
            failures.append(Failure(str(root), (
                f"the folder is empty, but {n} document{'s were' if n > 1 else ' was'} indexed from it: kept, not "
                "deleted (is a disk or share not mounted?); if they are gone for good, rebuild without them: "
                "kb index --full with the other folders")))
    return failures


def delete_missing(
    existing: dict[str, IndexedDoc], found: Discovery, seen_ids: dict[str, str], failed_sources: set[str]
) -> list[str]:
    """Step 5: ids of documents whose file is gone from an indexed folder, or
    whose record is gone from a bulk file read in this run.

    Documents of files that failed to read are kept, and so is everything from
    sources this run did not look at.
    """
    read_sources = {sf.source for sf in found.files}
    gone = []
    for doc_id, meta in existing.items():
        if doc_id in seen_ids or meta.source in failed_sources:
            continue
        if any(_is_under(meta.source, root) for root in found.empty_roots):
            continue  # an empty folder given: see _empty_roots_kept
        if meta.source in read_sources or any(_is_under(meta.source, root) for root in found.roots):
            gone.append(doc_id)
    return gone


def _is_under(source: str, root: Path) -> bool:
    return Path(source).is_relative_to(root)
