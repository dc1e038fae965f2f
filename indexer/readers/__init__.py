"""Input readers: one small module per file format, and the registry that picks one.

A reader turns the bytes of one file into ``RawDocument`` values (title, text,
hints) and never raises for the bad content of a single record: it yields a
``Failure`` with a reason in plain words and goes on, so one broken release
cannot stop an indexing run. Each reader module declares its suffixes, whether
it is a bulk source, its size limit and its time budget (``READER``); the
registry (``registry.py``) finds the module for a file and cleans what it reads.
The pipeline only uses the names exported here; it never looks at formats itself.
"""
from __future__ import annotations

from indexer.readers.decoding import decode_text, looks_like_thai, read_text_file, title_from_text
from indexer.readers.registry import (
    MAX_FILE_BYTES,
    MAX_HINT_CHARS,
    MAX_ID_CHARS,
    MAX_PDF_BYTES,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    Budget,
    OverBudget,
    ReadError,
    Reader,
    ReaderSpec,
    clean_document,
    clean_text,
    is_bulk,
    read,
    reader_for,
    spec_for,
    unreadable_reason,
)

__all__ = [
    "MAX_FILE_BYTES", "MAX_HINT_CHARS", "MAX_ID_CHARS", "MAX_PDF_BYTES", "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS", "MAX_URL_CHARS", "SUFFIXES", "Budget", "OverBudget", "ReadError",
    "Reader", "ReaderSpec", "clean_document", "clean_text", "decode_text", "is_bulk",
    "looks_like_thai", "read", "read_text_file", "reader_for", "spec_for", "title_from_text",
    "unreadable_reason",
]


def __getattr__(name: str):
    # SUFFIXES comes from the readers' own declarations; computing it imports every
    # reader module, so it is made on first use, not when the package is imported.
    if name == "SUFFIXES":
        from indexer.readers.registry import suffixes

        value = suffixes()
        globals()["SUFFIXES"] = value
        return value
    raise AttributeError(f"module 'indexer.readers' has no attribute {name!r}")
