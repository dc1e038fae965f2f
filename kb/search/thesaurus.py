"""Everyday ↔ official terms and English names, expanded at query time.

Users type น้ำท่วม, documents say อุทกภัย; users type แรนซัมแวร์ or
``trafficking``, documents say มัลแวร์เรียกค่าไถ่ and การค้ามนุษย์.  The
groups are data (``kb/taxonomy/thesaurus.json``); a term found through the
thesaurus counts less than what the user typed (``synonym_weight``), so a
document holding the typed words ranks first.  A province's aliases and an
agency's abbreviation (``kb.taxonomy.synonyms``) are the same thing written
another way and keep their full weight.
"""
from __future__ import annotations

from functools import cache

from kb import analysis, taxonomy

# Weight of a thesaurus term relative to the typed one (tiers' passage and
# phrase scores).  Below 1 so literal matches rank first; 0.5 keeps a
# synonym-only document above documents holding the query's words scattered.
SYNONYM_WEIGHT = 0.5


def _form(term: str) -> str:
    return analysis.normalize(term).strip()


@cache
def _table() -> dict[str, tuple[str, ...]]:
    """Each term → the terms of every group it belongs to (itself first)."""
    data = taxonomy.thesaurus()
    table: dict[str, list[str]] = {}
    for group in data["groups"] + data["english"]:
        forms = [f for f in dict.fromkeys(_form(t) for t in group) if f]
        for f in forms:
            table.setdefault(f, [f]).extend(x for x in forms if x != f)
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


def related(term: str) -> list[str]:
    """The thesaurus terms for ``term`` (not itself), most official first."""
    return list(_table().get(_form(term), ())[1:])


def knows(term: str) -> bool:
    """Is ``term`` (normalized) in the thesaurus?"""
    return _form(term) in _table()


def synonym_weight(params: object) -> float:
    """The weight of a thesaurus term (a ``RankingParams.synonym_weight`` if the
    ranking parameters carry one, else ``SYNONYM_WEIGHT``)."""
    return float(getattr(params, "synonym_weight", SYNONYM_WEIGHT))
