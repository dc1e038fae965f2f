"""Searching inside one kind of meeting-record section (``?section=resolution``, issue 14).

Researchers ask what a committee *resolved*, not merely whether a record
mentions a word somewhere.  Extraction stores each record's sections
(``Document.sections``, offsets into its text); this room keeps a matching
document only when its query words occur inside one section of the asked kind,
and gives each hit that section and an excerpt cut from it.

Words are found with the highlighter's own needles and spans
(``needles_of``, ``highlight.find_spans``), so what qualifies a document is
exactly what its page marks.  A word counts per query clause: a clause is in a
section when any of its forms (as typed, expanded, or its words) is.  A
document qualifies when some section of the kind holds every clause the
document holds anywhere (a relaxed hit that lacks a word is judged on the
words it has); with no query words, any section of the kind qualifies.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from kb import highlight
from kb.engine import Index, Snapshot
from kb.search.budget import WorkBudget
from kb.search.hits import scan_page
from kb.models import Document, Excerpt, Hit
from kb.search.params import RankingParams
from kb.search.parsing import ParsedQuery, needles_of


@dataclass(frozen=True)
class SectionQuery:
    """The section kind asked for and the query's needles, one group per clause."""

    kind: str
    groups: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, kind: str, parsed: ParsedQuery, params: RankingParams) -> "SectionQuery":
        groups = (tuple(needles_of(replace(parsed, clauses=[clause]), params)) for clause in parsed.clauses)
        return cls(kind, tuple(g for g in groups if g))

    @property
    def needles(self) -> list[str]:
        return list(dict.fromkeys(n for group in self.groups for n in group))


def best_section(doc: Document, query: SectionQuery) -> dict | None:
    """The section of ``query.kind`` that holds the document's query words (the one holding
    most occurrences), or None when no section of that kind holds them all."""
    candidates = [s for s in doc.sections if s.get("kind") == query.kind]
    if not candidates:
        return None
    if not query.groups:
        return candidates[0]
    spans = [highlight.find_spans(doc.text, list(group)) for group in query.groups]
    present = [i for i, found in enumerate(spans) if found]
    if not present:
        return None
    best, best_count = None, 0
    for section in candidates:
        inside = [[sp for sp in spans[i] if section["start"] <= sp.start and sp.end <= section["end"]]
                  for i in present]
        if all(inside) and sum(map(len, inside)) > best_count:
            best, best_count = section, sum(map(len, inside))
    return best


def within(index: Index, snap: Snapshot, docs: set[int], query: SectionQuery, budget: WorkBudget | None = None) -> set[int]:
    """The documents of ``docs`` that qualify (each one's stored sections are read).

    Within the search's work budget: each document costs a pass of the highlighter over its
    text (the 44-letter OR query took 0.1–0.2 s a meeting record, 5–7 s for 24 records), so
    once the deadline has passed the documents not yet read do not qualify (the search then
    carries the over-budget notice)."""
    found: set[int] = set()
    for d in sorted(docs):
        if budget is not None and budget.spent():
            break
        if best_section(index.document_at(snap, d), query) is not None:
            found.add(d)
    return found


def place_hit(index: Index, snap: Snapshot, docnum: int, hit: Hit, query: SectionQuery, snippets: bool) -> Hit:
    """``hit`` with its section (kind, number, title) and, if asked, an excerpt from that section."""
    doc = index.document_at(snap, docnum)
    section = best_section(doc, query)
    if section is None:
        return hit
    hit.section = {"kind": section["kind"], "number": section.get("number"), "title": section.get("title", "")}
    if snippets:
        start = section["start"]
        hit.excerpt = highlight.excerpt(doc.text[start:section["end"]], query.needles) \
            if query.needles else Excerpt(text=doc.text[start:section["end"]][: highlight.SNIPPET_CHARS], at=0)
        # the page the passage is on: offsets in the section are offsets in the text from its start
        hit.page = scan_page(doc, None if hit.excerpt.at is None else start + hit.excerpt.at)
    return hit
