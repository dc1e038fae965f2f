"""Step 2 of a run: which documents are new, changed, unchanged or refused.

Each file (or each record of a bulk file) is compared with what the index
holds by content hash: the same hash means nothing to do, so a rerun reads
only what changed and a crashed run resumes where its last commit left off.
Bad files, bad records and bad ids become ``Failure`` values here; they never
stop the run and never delete what the index already had from them.

Ids carry their source: an id already indexed from another file that still
exists is not replaced (two folders indexed in separate runs that both hold
``reports/2567.txt``, or a JSONL record whose id equals a file's id); the
collision is reported with both sources.  When the old source is gone (the
folder moved), the new one takes the id over.  ``kb index --full`` rebuilds
from the given paths only, so it never meets an id of an earlier run.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from kb.access.levels import PUBLIC, AccessLevelError, check_level, stricter
from kb.models import Failure, RawDocument
from kb.engine import IndexedDoc
from indexer import readers
from indexer.discover import SourceFile
from indexer.ids import id_problem, printable
from indexer.readers import is_bulk, unreadable_reason
from indexer.prepare import CHANGED_WHILE_READ, file_signature, read_in_worker  # issue 14
from indexer.report import Report


@dataclass(frozen=True)
class Change:
    """A document to (re)write: read, given its id and content hash, not yet analysed."""

    raw: RawDocument
    doc_id: str
    content_hash: str
    is_update: bool
    path: Path | None = None  # issue 14: a file read by the worker (OCR), ``raw`` then only names its source
    signature: tuple | None = None  # the file's ``file_signature`` when ``content_hash`` was made


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:32]


def hash_record(raw: RawDocument) -> str:
    fields = [raw.title, raw.text, raw.url, raw.date_hint, raw.type_hint]
    if raw.access not in (None, PUBLIC):  # access (issue 17): a new level re-indexes; public hashes as before
        fields.append(raw.access)
    blob = json.dumps(fields, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def with_access(content_hash: str, default_access: str) -> str:
    """A content hash that changes with the run's ``--access`` default (issue 17).

    Public (the default) leaves it as it was, so indexes built before access
    levels existed are not re-read; any other default re-indexes the documents.
    """
    if default_access == PUBLIC:
        return content_hash
    return hashlib.sha256(f"{content_hash}:{default_access}".encode()).hexdigest()[:32]


@dataclass
class ChangePlanner:
    """Compares files and records with the index; remembers what this run has seen.

    ``seen_ids`` (id → source) catches the same id twice in one run and tells the
    delete step which documents are still wanted; ``failed_sources`` keeps the
    documents of files that could not be read.  ``limit`` stops after that many
    documents (for trial runs).
    """

    existing: dict[str, IndexedDoc]
    report: Report
    max_text_chars: int
    limit: int | None = None
    seen_ids: dict[str, str] = field(default_factory=dict)
    failed_sources: set[str] = field(default_factory=set)
    done: int = 0
    default_access: str = PUBLIC  # access (issue 17): ``kb index --access``
    on_record: Callable[[], None] | None = None  # told of each record read from a bulk file (progress)
    by_content: dict[str, tuple[str, str]] = field(default_factory=dict)  # content hash → first (id, source)
    copies: list[tuple[tuple[str, str], tuple[str, str]]] = field(default_factory=list)  # (a copy, its first)

    def _level(self, item: RawDocument, where: str) -> bool:
        """Settle ``item.access``: the stricter of the source's level and the run's default.

        The stricter wins so that neither the operator's folder default nor a
        source's own field can make a document more visible than the other says;
        a value kb does not know fails the document (never guessed).
        """
        try:
            declared = PUBLIC if item.access is None else check_level(item.access, "field 'access'")
        except AccessLevelError as exc:
            self.report.failures.append(Failure(where, str(exc)))
            return False
        item.access = stricter(declared, self.default_access)
        return True

    @property
    def exhausted(self) -> bool:
        return self.limit is not None and self.done >= self.limit

    def changes_in(self, sf: SourceFile) -> Iterator[Change]:
        """The changes one file brings; its failures go to the report."""
        source = sf.source
        try:
            reason = self._refusal(sf)
            if reason:
                self._fail_file(source, reason)
            elif is_bulk(sf.path):
                yield from self._bulk_changes(sf, source)
            else:
                yield from self._file_changes(sf, source)
        except readers.ReadError as exc:
            self._fail_file(source, str(exc))
        except (OSError, UnicodeError, ValueError, RecursionError, MemoryError) as exc:
            self._fail_file(source, f"{type(exc).__name__}: {exc}")

    def notes(self) -> list[str]:
        """Files indexed twice under two names (copies that failed to read are failures already)."""
        failed = {f.source for f in self.report.failures}
        copies = [(a, b) for (a, a_src), (b, b_src) in self.copies if a_src not in failed and b_src not in failed]
        if not copies:
            return []
        n = len(copies)
        shown = ", ".join(f"{a} = {b}" for a, b in copies[:3]) + (" …" if n > 3 else "")
        return [f"{n} file{' has' if n == 1 else 's have'} the same content as another (both indexed; "
                f"remove a copy to list it once): {shown}"]

    def _refusal(self, sf: SourceFile) -> str | None:
        if sf.source != str(sf.path):
            return "the file name is not valid UTF-8 or holds control characters; rename the file"
        return unreadable_reason(sf.path)

    def _fail_file(self, source: str, reason: str) -> None:
        self.failed_sources.add(source)
        self.report.failures.append(Failure(source, reason))

    def _file_changes(self, sf: SourceFile, source: str) -> Iterator[Change]:
        doc_id = sf.doc_id
        problem = id_problem(doc_id)
        if problem:
            self._fail_file(source, f"the file's id {printable(doc_id)!r} {problem}; rename the file")
            return
        signature = file_signature(sf.path)
        content_hash = with_access(hash_file(sf.path), self.default_access)
        if not self._claim(doc_id, source, source):
            return
        first = self.by_content.setdefault(content_hash, (doc_id, source))
        if first[0] != doc_id:  # the same bytes under two names: both indexed, the run says so
            self.copies.append(((doc_id, source), first))
        old = self.existing.get(doc_id)
        if _unchanged(old, content_hash, source):
            self.report.unchanged += 1
            self.done += 1
            return
        if read_in_worker(sf.path):  # issue 14: OCR runs in the worker pool, not here
            raw = RawDocument(title="", text="", source=source)
            yield Change(raw, doc_id, content_hash, is_update=old is not None, path=sf.path, signature=signature)
            self.done += 1
            return
        items = list(readers.read(sf.path))  # one document: read whole before the file is checked
        if file_signature(sf.path) != signature:
            items = [Failure(source, CHANGED_WHILE_READ)]
        for item in items:
            if isinstance(item, Failure):
                self.report.failures.append(item)
            elif self._text_fits(item, source, source) and self._level(item, source):
                item.source = source
                yield Change(item, doc_id, content_hash, is_update=old is not None)
        self.done += 1

    def _bulk_changes(self, sf: SourceFile, source: str) -> Iterator[Change]:
        for item in readers.read(sf.path):
            if self.on_record is not None:
                self.on_record()
            if isinstance(item, Failure):
                self.report.failures.append(item)
                continue
            if item.id is None or not str(item.id).strip():
                self.report.failures.append(Failure(source, "record without an id"))
                continue
            doc_id = str(item.id)
            where = f"{source} (id {printable(doc_id)})"
            problem = id_problem(doc_id)
            if problem:
                self.report.failures.append(Failure(where, f"the id {printable(doc_id)!r} {problem}"))
                continue
            if not self._text_fits(item, source, where) or not self._claim(doc_id, source, where):
                continue
            if not self._level(item, where):
                continue
            content_hash = hash_record(item)  # after _level: the record's effective level is part of it
            old = self.existing.get(doc_id)
            if _unchanged(old, content_hash, source):
                self.report.unchanged += 1
                continue
            item.source = source
            yield Change(item, doc_id, content_hash, is_update=old is not None)
            self.done += 1
            if self.exhausted:
                return

    def _text_fits(self, item: RawDocument, source: str, where: str) -> bool:
        if len(item.text) <= self.max_text_chars:
            return True
        if item.id is not None and where != source:
            self.seen_ids.setdefault(str(item.id), source)  # keep what the index had of it
        self.report.failures.append(
            Failure(where, f"text too long ({len(item.text):,} characters; the limit is {self.max_text_chars:,})")
        )
        return False

    def _claim(self, doc_id: str, source: str, where: str) -> bool:
        """Take ``doc_id`` for ``source`` in this run, unless another source holds it."""
        if doc_id in self.seen_ids:
            self.report.failures.append(
                Failure(where, f"duplicate id '{doc_id}' (already read from {self.seen_ids[doc_id]})")
            )
            return False
        self.seen_ids[doc_id] = source
        holder = self._other_holder(doc_id, source)
        if holder:
            self.report.failures.append(
                Failure(
                    where,
                    f"id '{doc_id}' is already taken by {holder} (indexed in an earlier run); not replaced "
                    "(index the folders under distinct names, remove the other source, or rebuild with --full)",
                )
            )
            return False
        return True

    def _other_holder(self, doc_id: str, source: str) -> str | None:
        """The other, still existing source the index holds ``doc_id`` from, if any."""
        old = self.existing.get(doc_id)
        if old is None or not old.source or old.source == source:
            return None
        return old.source if os.path.lexists(old.source) else None


def _unchanged(old: IndexedDoc | None, content_hash: str, source: str) -> bool:
    """The index holds this very content from this very source (a document whose
    source moved is rewritten, so that its recorded source stays true)."""
    return old is not None and old.content_hash == content_hash and old.source == source
