"""The search engine behind one interface (``kb.engine.base``).

Code above the engine imports from here only.  ``open_index`` is the factory
that picks the engine; today the embedded Whoosh engine (``kb.engine.whoosh``,
the only importer of ``whoosh`` with ``kb.engine.whoosh_codec``).  The folder
protocol (generations, CURRENT, marker, writer lock) is engine-independent
(``kb.engine.generations``).
"""
from __future__ import annotations

from kb.engine.base import EngineWriter, PreparedDoc, SearchIndex, Snapshot
from kb.engine.generations import (
    SCHEMA_VERSION,
    IndexLocked,
    IndexMissing,
    IndexWriteFailed,
    NotAnIndexFolder,
    WriterLock,
    read_settings,
)
from kb.engine.metadata import IndexedDoc
from kb.engine.whoosh import Index, IndexWriter, exists, open_index
from kb.engine.whoosh_codec import Postings, postings

__all__ = [
    "SCHEMA_VERSION",
    "EngineWriter",
    "Index",
    "IndexLocked",
    "IndexMissing",
    "IndexWriteFailed",
    "IndexWriter",
    "IndexedDoc",
    "NotAnIndexFolder",
    "Postings",
    "PreparedDoc",
    "SearchIndex",
    "Snapshot",
    "WriterLock",
    "exists",
    "open_index",
    "postings",
    "read_settings",
]
