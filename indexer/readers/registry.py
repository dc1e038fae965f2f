"""The reader registry: which module reads which file, and the limits every read runs under.

Each reader module declares itself with a module-level ``READER = ReaderSpec(...)``
(its suffixes, whether it is a bulk source, its size limit and its time budget).
This module lists the reader modules once, in ``READER_MODULES``, and imports
them only when a file needs one: asking about ``.txt`` loads neither pypdf nor
lxml.

``read()`` is the reader boundary. Whatever a reader produced, what leaves here
is valid Unicode without XML-illegal characters, and every stored field fits
its cap (see ``clean_document``), so no single file can break the store, the
JSON API, the Atom feed or a ``print`` in the CLI. A reader that runs past its
time budget, or any ``ReadError`` it raises, becomes one ``Failure`` for that
file; the run goes on.
"""
from __future__ import annotations

import importlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

from kb.models import Failure, RawDocument

MIB = 1024 * 1024

# Limits that keep one absurd input from stalling a run (analysis runs at ~0.3 M
# characters a second, so 2 M characters is already several seconds).  A PDF may
# be big because of its images, so it gets a larger byte limit; every format
# then meets the same limit on the extracted text (checked by the pipeline).
MAX_FILE_BYTES = 16 * MIB
MAX_PDF_BYTES = 256 * MIB
MAX_TEXT_CHARS = 2_000_000
# Caps on the other stored fields: every one is shown on result pages, so an
# unbounded title would make every page that lists the document huge.  A longer
# title is cut (with "…"); a longer url or hint is not a usable one and is dropped.
MAX_TITLE_CHARS = 500
MAX_URL_CHARS = 2_000
MAX_HINT_CHARS = 100
MAX_ID_CHARS = 500

#: The reader modules under ``indexer.readers``, in the order they are asked.
READER_MODULES: tuple[str, ...] = ("text", "html", "pdf", "jsonl", "image")

Reader = Callable[..., Iterator[RawDocument | Failure]]


@dataclass(frozen=True)
class ReaderSpec:
    """What a reader module declares about itself.

    ``max_bytes`` is checked on the file size before reading (None for bulk
    sources, which are streamed under their own line limits); ``seconds`` is
    the time one file may spend inside the reader.
    """

    name: str
    suffixes: tuple[str, ...]
    bulk: bool = False
    max_bytes: int | None = MAX_FILE_BYTES
    seconds: float = 60.0

    def handles(self, path: Path) -> bool:
        name = Path(path).name.lower()
        return any(name.endswith(suffix) for suffix in self.suffixes)


class ReadError(Exception):
    """A whole file cannot be read at all; ``reason`` is the short message for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OverBudget(ReadError):
    """A file used up the time budget of its reader."""


class Budget:
    """The time one file may spend inside its reader, checked by the reader between steps.

    Time spent by the caller while a bulk reader waits at a ``yield`` (indexing
    the records already read) is not the reader's: wrap such yields in
    ``paused()``.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._spent = 0.0
        self._since: float | None = time.monotonic()

    @property
    def spent(self) -> float:
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return self._spent + running

    def check(self) -> None:
        """Raise ``OverBudget`` once the file has used up its time."""
        if self.spent > self.seconds:
            raise OverBudget(f"reading took longer than the {self.seconds:g} s budget for one file")

    @contextmanager
    def paused(self) -> Iterator[None]:
        if self._since is not None:
            self._spent += time.monotonic() - self._since
        self._since = None
        try:
            yield
        finally:
            self._since = time.monotonic()


# --------------------------------------------------------------------------- lookup


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"indexer.readers.{name}")


def _lookup(path: Path) -> ModuleType | None:
    """The reader module for this file, importing modules in order only until one matches."""
    for name in READER_MODULES:
        module = _module(name)
        if module.READER.handles(path):
            return module
    return None


def specs() -> tuple[ReaderSpec, ...]:
    """Every reader's declaration (imports every reader module, none of their heavy libraries)."""
    return tuple(_module(name).READER for name in READER_MODULES)


def suffixes() -> tuple[str, ...]:
    """Every file name ending a reader accepts (lower case; ``.jsonl.gz`` is a double suffix)."""
    return tuple(suffix for spec in specs() for suffix in spec.suffixes)


def spec_for(path: Path) -> ReaderSpec | None:
    """The declaration of the reader for this file, or None when no reader handles it."""
    module = _lookup(path)
    return module.READER if module is not None else None


def reader_for(path: Path) -> Reader | None:
    """The ``read`` function of this file's reader module, or None when no reader handles it."""
    module = _lookup(path)
    return module.read if module is not None else None


def is_bulk(path: Path) -> bool:
    """A file of many records, each with its own id (JSONL), rather than one document."""
    spec = spec_for(path)
    return spec is not None and spec.bulk


def unreadable_reason(path: Path) -> str | None:
    """Why a file must be skipped before reading it, or None.

    A FIFO or device named ``x.txt`` would block or never end; a huge file
    would hold the run for minutes.  Bulk files (JSONL) are streamed, so their
    limits apply per line while reading.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot read file ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (FIFO, socket or device)"
    spec = spec_for(Path(path))
    limit = spec.max_bytes if spec is not None else MAX_FILE_BYTES
    if limit is not None and st.st_size > limit:
        return f"file too large ({st.st_size / MIB:.1f} MB; the limit is {limit // MIB} MB)"
    return None


# --------------------------------------------------------------------------- the boundary


def read(path: Path) -> Iterator[RawDocument | Failure]:
    """Read any supported file; raises ``ReadError`` for a suffix no reader handles.

    Every document comes out cleaned and capped (``clean_document``); a reader
    over its time budget, or raising ``ReadError``, ends in one Failure.
    """
    path = Path(path)
    module = _lookup(path)
    if module is None:
        raise ReadError(f"unsupported file type '{path.suffix or path.name}'")
    return _bounded(module, path)


def _bounded(module: ModuleType, path: Path) -> Iterator[RawDocument | Failure]:
    budget = Budget(module.READER.seconds)
    try:
        for item in module.read(path, budget=budget):
            yield clean_document(item) if isinstance(item, RawDocument) else item
    except ReadError as err:
        yield Failure(str(path), err.reason)
    except Exception as err:  # noqa: BLE001 - a reader's bug or a library's surprise fails this file, not the run
        message = " ".join(str(err).split())[:120]
        yield Failure(str(path), f"could not read the file ({type(err).__name__}: {message})")


# Lone surrogates cannot be encoded (UTF-8 JSON, the store, a terminal); C0
# controls other than tab/newline/CR and U+FFFE/U+FFFF are illegal in XML 1.0.
_SURROGATES = re.compile("[\ud800-\udfff]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_VERTICAL_SPACE = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def clean_text(value: str) -> str:
    """Text that any encoder and any XML writer accepts.

    Lone surrogates become U+FFFD (the reader saw *something* there); vertical
    tab and form feed become line breaks (page and paragraph breaks in PDFs and
    old text files); the other XML-illegal control characters are removed.
    """
    # Searches first: almost every text is already clean, and a search costs less than a copy.
    if "\x0b" in value or "\x0c" in value:
        value = value.translate(_VERTICAL_SPACE)
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    if _XML_ILLEGAL.search(value):
        value = _XML_ILLEGAL.sub("", value)
    return value


def id_problem(doc_id: str) -> str | None:
    """Why a record's own id cannot be used, or None.

    An id is an identity, so it is refused rather than repaired: two ids that
    differ only in a lone surrogate would otherwise become one.
    """
    if _SURROGATES.search(doc_id):
        return "is not valid Unicode (lone surrogate)"
    if _XML_ILLEGAL.search(doc_id) or "\x0b" in doc_id or "\x0c" in doc_id:
        return "holds a control character"
    if len(doc_id) > MAX_ID_CHARS:
        return f"is too long ({len(doc_id):,} characters; the limit is {MAX_ID_CHARS})"
    return None


def join_pages(pages: list[str | None]) -> tuple[str, list[int]]:
    """The text of a paged document (its pages' texts, blank lines between them; None or "" for a
    page without text) and where each page starts in it: page n at ``starts[n - 1]``."""
    text, starts = "", []
    for page in pages:
        starts.append(len(text) + (2 if text and page else 0))
        if page:
            text = f"{text}\n\n{page}" if text else page
    return text, starts


def _clean_pages(text: str, starts: list[int]) -> tuple[str, list[int]]:
    """``clean_text`` page by page, so the page starts stay offsets into the cleaned text."""
    ends = [*starts[1:], len(text)]
    return join_pages([clean_text(text[a:b]).strip() for a, b in zip(starts, ends)])


def clean_document(doc: RawDocument) -> RawDocument | Failure:
    """The document with every field valid and within its cap, or a Failure for a bad id."""
    if doc.id is not None:
        problem = id_problem(str(doc.id))
        if problem:
            return Failure(doc.source or "record", f"field 'id' {problem}")
    text, pages = _clean_pages(doc.text, doc.pages) if doc.pages else (clean_text(doc.text), doc.pages)
    return replace(
        doc,
        title=cap_title(clean_text(doc.title or "")),
        text=text,
        pages=pages,
        url=_capped_or_none(doc.url, MAX_URL_CHARS),
        date_hint=_capped_or_none(doc.date_hint, MAX_HINT_CHARS),
        type_hint=_capped_or_none(doc.type_hint, MAX_HINT_CHARS),
    )


def cap_title(title: str) -> str:
    """A title of at most ``MAX_TITLE_CHARS``, cut at a space where one is near the end."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    limit = MAX_TITLE_CHARS - 1
    cut = title.rfind(" ", 0, limit)
    return title[: cut if cut > limit // 2 else limit].rstrip() + "…"


def _capped_or_none(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = clean_text(value).strip()
    return value if value and len(value) <= limit else None
