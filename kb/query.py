"""An engine-neutral query tree.

``kb.search`` decides what to look for; ``kb.engine`` compiles these nodes into
the engine's own queries.  Keeping the tree here means the search logic never
touches Whoosh, and a second engine only needs a second compiler.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class Query:
    boost: float = 1.0


@dataclass(frozen=True)
class Term(Query):
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase(Query):
    """Terms at consecutive positions of one field."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf(Query):
    queries: tuple[Query, ...] = field(default_factory=tuple)
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf(Query):
    queries: tuple[Query, ...] = field(default_factory=tuple)
    boost: float = 1.0


@dataclass(frozen=True)
class Every(Query):
    boost: float = 1.0


@dataclass(frozen=True)
class Nothing(Query):
    boost: float = 1.0
