"""The per-document metadata every engine keeps in memory for facets, filters and sorting.

Stored as a JSON object keyed by field name (one small column per document),
so adding a facet is one entry in the facet registry (``kb.facets``) and
never a change of positions that old code would misread.
Engine-independent: the Whoosh engine keeps the bytes in a column, another
engine may keep the same object as a document field.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from kb.facets import REGISTRY, facet as registered_facet
from kb.models import Document

# facet name → the document's values for it, as strings (how filters compare them)
STORED_FACETS: dict[str, Callable[[Document], list[str]]] = {f.name: f.document_values for f in REGISTRY if f.stored}
FACETS: tuple[str, ...] = tuple(f.name for f in REGISTRY)  # stored and derived (year)


class MetaAccess:
    """The read-only names every form of a document's metadata answers to (``IndexedDoc``,
    a row of ``kb.engine.meta_table.MetadataTable``): a subclass gives ``date`` and
    ``facet_values``."""

    __slots__ = ()
    date: str

    def facet_values(self, facet: str) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else ""

    # the attribute names code used before facets were keyed by name
    @property
    def type(self) -> str:
        return (self.facet_values("type") or ("other",))[0]

    @property
    def plans(self) -> tuple[str, ...]:
        return self.facet_values("plan")

    @property
    def provinces(self) -> tuple[str, ...]:
        return self.facet_values("province")

    @property
    def regions(self) -> tuple[str, ...]:
        return self.facet_values("region")

    @property
    def topics(self) -> tuple[str, ...]:
        return self.facet_values("topic")

    @property
    def agencies(self) -> tuple[str, ...]:
        return self.facet_values("agency")


@dataclass(slots=True)
class IndexedDoc(MetaAccess):
    """The parts of a document that facets, filters and sorting need, kept in memory."""

    id: str
    date: str
    source: str
    content_hash: str
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    access: str = "public"  # access (issue 17): not a facet; kb.engine.access filters on it

    def facet_values(self, facet: str) -> tuple[str, ...]:
        """The document's values of ``facet`` (KeyError for a facet kb does not know)."""
        values = self.facets.get(facet)
        if values is None:
            # a derived facet (year), or one added after this document was stored
            return registered_facet(facet).derived_values(self.date)
        return values


def indexed_doc(doc: Document) -> IndexedDoc:
    """What an engine keeps in memory for ``doc``."""
    return IndexedDoc(
        id=doc.id,
        date=doc.date or "",
        source=doc.source,
        content_hash=doc.content_hash,
        facets={name: tuple(values(doc)) for name, values in STORED_FACETS.items()},
        access=doc.access,  # access (issue 17)
    )


def meta_bytes(doc: Document) -> bytes:
    meta = {"id": doc.id, "date": doc.date or "", "source": doc.source, "content_hash": doc.content_hash}
    meta["facets"] = {name: values(doc) for name, values in STORED_FACETS.items()}
    meta["access"] = doc.access  # access (issue 17)
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def meta_from_bytes(raw: bytes) -> IndexedDoc:
    meta = json.loads(raw)
    return IndexedDoc(
        id=meta["id"],
        date=meta.get("date", ""),
        source=meta.get("source", ""),
        content_hash=meta.get("content_hash", ""),
        facets={name: tuple(values) for name, values in meta.get("facets", {}).items()},
        access=meta.get("access", "public"),  # access (issue 17): indexes from before it held public documents only
    )
