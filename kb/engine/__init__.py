"""The search engine behind one interface (``kb.engine.base``).

Code above the engine imports from here only.  ``open_index``/``open_writer``
are the factories that pick the engine from an ``EngineConfig``
(``KB_ENGINE=whoosh|typesense``, see ``kb.engine.typesense_config``): the
embedded Whoosh engine (``kb.engine.whoosh``, the only importer of ``whoosh``
with ``kb.engine.whoosh_codec``) by default, or a Typesense cluster
(``kb.engine.typesense``, imported only when chosen, with
``kb.engine.typesense_cluster`` the only importers of the client).  The folder
protocol (generations, CURRENT, marker, writer lock) is engine-independent
(``kb.engine.generations``); the writer lock guards local runs on either engine.
"""
from __future__ import annotations

from pathlib import Path

from kb.engine import generations as _gens
from kb.engine import whoosh as _whoosh
from kb.engine.base import EngineWriter, PreparedDoc, SearchIndex, Snapshot
from kb.engine.generations import (
    SCHEMA_VERSION,
    IndexLocked,
    IndexMissing,
    IndexWriteFailed,
    NotAnIndexFolder,
    WriterLock,
)
from kb.engine.metadata import IndexedDoc
from kb.engine.typesense_config import BadEngineConfig, ClusterUnavailable, EngineConfig, engine_config
from kb.engine.whoosh import Index, IndexWriter
from kb.engine.whoosh_codec import Postings, postings
from kb.engine.whoosh_writer import StoredForm, stored_form

__all__ = [
    "SCHEMA_VERSION",
    "BadEngineConfig",
    "ClusterUnavailable",
    "EngineConfig",
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
    "StoredForm",
    "WriterLock",
    "engine_config",
    "exists",
    "open_index",
    "open_writer",
    "postings",
    "read_settings",
    "stored_form",
]


def _typesense():
    try:
        from kb.engine import typesense
    except ImportError as exc:
        raise ClusterUnavailable(f"the typesense engine needs the `typesense` extra (pip install 'kb[typesense]'): {exc}") from None
    return typesense


def open_index(root: Path, engine: EngineConfig | None = None) -> SearchIndex:
    """The read handle: on the index folder ``root``, or on the cluster ``engine`` names."""
    if engine is not None and engine.is_typesense:
        return _typesense().open_index(engine)
    return _whoosh.open_index(root)


def open_writer(
    root: Path, engine: EngineConfig | None = None, *, rebuild: bool = False, settings: dict | None = None
) -> EngineWriter:
    """A writer on the folder ``root`` (Whoosh) or on the cluster ``engine`` names."""
    if engine is not None and engine.is_typesense:
        return _typesense().TypesenseWriter(engine, rebuild=rebuild, settings=settings)
    return IndexWriter(root, rebuild=rebuild, settings=settings)


def exists(root: Path, engine: EngineConfig | None = None) -> bool:
    """Whether there is an index to search (in the folder, or behind the cluster's alias)."""
    if engine is not None and engine.is_typesense:
        return _typesense().exists(engine)
    return _whoosh.exists(root)


def read_settings(root: Path, engine: EngineConfig | None = None) -> dict:
    """The settings the active index was built with (schema, analysis signature, subword)."""
    if engine is not None and engine.is_typesense:
        return _typesense().read_settings(engine)
    return _gens.read_settings(root)
