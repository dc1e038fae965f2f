"""Values that cross module borders: what a reader yields, what the index stores,
what a search asks for and what it answers.

Everything here is plain data (dataclasses); behaviour lives in the modules that
own it (``kb.extract``, ``kb.engine``, ``kb.search``).
"""
from __future__ import annotations

import bisect
import html
from dataclasses import dataclass, field, fields
from typing import Any

DOC_TYPES = ("news", "meeting", "plan", "other")
SORTS = ("relevance", "newest", "oldest")
# the kinds of meeting-record section a search may be kept inside (``?section=``, issue 14)
SECTION_FILTERS = ("resolution", "agenda", "attendance")


@dataclass
class RawDocument:
    """What a reader makes of one input document, before metadata extraction.

    ``id`` is set by readers whose records carry their own id (JSONL); for a file
    the pipeline sets it to the path relative to the indexed folder.
    ``date_hint`` is an ISO date or a raw Thai date string from structured
    markup (HTML meta/time elements, a JSONL ``date`` field); the body text
    remains the primary source for the publication date.
    """

    title: str
    text: str
    id: str | None = None
    url: str | None = None
    date_hint: str | None = None
    type_hint: str | None = None
    source: str = ""  # path of the file it came from (for messages)
    ocr: dict | None = None  # OCR: {"pages": [1, 3], "confidence": 87.5} when pages were read by OCR
    access: str | None = None  # access (issue 17): the level the source declares, checked by the indexer
    # where each page of a paged source (PDF, scan) starts in ``text``: page n at ``pages[n - 1]``
    pages: list[int] | None = None


@dataclass
class Failure:
    """A document or file that could not be read, with the reason in plain words."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class Document:
    """A document as indexed and as returned by ``/api/documents/<id>``."""

    id: str
    title: str
    text: str
    date: str | None = None  # ISO YYYY-MM-DD (Gregorian)
    type: str = "other"
    url: str | None = None
    plans: list[int] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    content_hash: str = ""
    source: str = ""
    ocr: dict | None = None  # OCR: {"pages": [...], "confidence": ...} (issue 14)
    access: str = "public"  # access (issue 17): public | partner | internal (kb.access.levels)
    # a meeting record's heading {"committee", "number", "date", "place"} and its parts
    # [{"kind", "number", "title", "start", "end"}] (offsets into ``text``), from kb.extract.meeting
    meeting: dict | None = None
    sections: list[dict] = field(default_factory=list)
    # the offset in ``text`` where each page starts (page n at ``pages[n - 1]``), for a PDF or a scan
    pages: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # asdict() deep-copies recursively and was a measurable part of indexing;
        # every field is a string, a number, None or a list of those.
        out = {}
        for name in _DOCUMENT_FIELDS:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, list) else value
        return out


_DOCUMENT_FIELDS = tuple(f.name for f in fields(Document))


# The attribute names of the six facets that existed before the facet registry,
# kept so that ``SearchRequest(plans=[3])`` and ``req.years`` still work.
# New facets are reached by name only: ``req.filters["agency"]``, ``req.selected("agency")``.
_FILTER_ATTRIBUTES = {
    "plans": "plan",
    "provinces": "province",
    "regions": "region",
    "topics": "topic",
    "types": "type",
    "years": "year",
}


@dataclass(init=False)
class SearchRequest:
    """A validated search: query text plus facet filters, sort and paging.

    ``filters`` maps a facet name (``kb.facets``) to its selected values (ints
    for plans and years, strings otherwise); a facet with nothing selected is
    absent.  Filters are OR within one facet and AND across facets.
    """

    q: str = ""
    filters: dict[str, list[Any]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    limit: int = 10
    page: int = 1
    section: str | None = None  # one of SECTION_FILTERS: match only inside such sections

    def __init__(
        self,
        q: str = "",
        filters: dict[str, list[Any]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sort: str = "relevance",
        limit: int = 10,
        page: int = 1,
        section: str | None = None,
        **by_attribute: list[Any],
    ) -> None:
        self.q = q
        self.filters = {}
        for name, values in (filters or {}).items():
            self.set_filter(name, values)
        for attribute, values in by_attribute.items():
            if attribute not in _FILTER_ATTRIBUTES:
                raise TypeError(f"SearchRequest() got an unexpected keyword argument {attribute!r}")
            self.set_filter(_FILTER_ATTRIBUTES[attribute], values)
        self.date_from, self.date_to = date_from, date_to
        self.sort, self.limit, self.page = sort, limit, page
        self.section = section

    def set_filter(self, facet: str, values: list[Any]) -> None:
        """Select ``values`` of ``facet`` (none: the facet no longer filters)."""
        if values:
            self.filters[facet] = list(values)
        else:
            self.filters.pop(facet, None)

    def selected(self, facet: str) -> list[str]:
        """The selected values of one facet, as strings (facet values are strings)."""
        return [str(v) for v in self.filters.get(facet, ())]


def _filter_property(facet: str) -> property:
    def get(self: SearchRequest) -> list[Any]:
        return list(self.filters.get(facet, ()))

    def set_(self: SearchRequest, values: list[Any]) -> None:
        self.set_filter(facet, values)

    return property(get, set_, doc=f"The selected values of the {facet} facet (an older name).")


for _attribute, _facet in _FILTER_ATTRIBUTES.items():
    setattr(SearchRequest, _attribute, _filter_property(_facet))


def __getattr__(name: str) -> Any:
    # FACETS is the registry's list of facet names, looked up lazily because
    # kb.facets validates with kb.params, which builds SearchRequests.
    if name == "FACETS":
        from kb.facets import names

        return names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected}


@dataclass(frozen=True)
class Span:
    """A matched stretch of a text: ``text[start:end]``, and which needle matched."""

    start: int
    end: int
    needle: int = 0


@dataclass
class Excerpt:
    """A passage of a document with the query's matches in it, as data.

    HTML is made at the edge (``to_html`` for the API and pages); the CLI
    prints ``pieces`` with its own emphasis.  ``spans`` are sorted,
    non-overlapping offsets into ``text``.
    """

    text: str = ""
    spans: list[Span] = field(default_factory=list)
    #: where in the document's text the passage's first match (else the passage) begins; None: unknown
    at: int | None = None

    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut at the spans, in order: (piece, is it a match)."""
        out: list[tuple[str, bool]] = []
        last = 0
        for sp in self.spans:
            if sp.start < last:
                continue
            if sp.start > last:
                out.append((self.text[last : sp.start], False))
            out.append((self.text[sp.start : sp.end], True))
            last = sp.end
        if last < len(self.text):
            out.append((self.text[last:], False))
        return out

    def to_html(self) -> str:
        """The text HTML-escaped, each match wrapped in ``<mark>``."""
        return "".join(f"<mark>{html.escape(p)}</mark>" if matched else html.escape(p) for p, matched in self.pieces())


def page_at(pages: list[int], offset: int | None) -> int | None:
    """The number (from 1) of the page holding ``offset`` of a text whose pages start at ``pages``;
    None for a text of one page or none, or an unknown offset."""
    if offset is None or len(pages) < 2:
        return None
    return max(1, bisect.bisect_right(pages, offset))


def scan_pages(doc: Document) -> list[int]:
    """Where the pages of a scanned document start (one read by OCR, of two pages or more): its
    hits say which page they are on and its page marks the page breaks. Empty for other documents."""
    return list(doc.pages) if doc.ocr and len(doc.pages) > 1 else []


def section_anchor(section: dict) -> str:
    """The document page's anchor of a meeting section: ``sec-3-1`` for item 3.1 (and its
    resolution), ``sec-attendance`` for a section without a number."""
    number = section.get("number")
    return f"sec-{number.replace('.', '-')}" if number else f"sec-{section.get('kind', 'body')}"


@dataclass
class Hit:
    id: str
    title: str
    date: str | None
    type: str
    url: str | None
    plans: list[int]
    provinces: list[str]
    regions: list[str]
    topics: list[str]
    score: float
    excerpt: Excerpt = field(default_factory=Excerpt)  # empty when the search was asked for no snippets
    # every facet's values as strings, keyed by facet name (exports iterate the registry over it);
    # not in ``to_dict``: /api/search keeps its hit fields
    facets: dict[str, list[str]] = field(default_factory=dict)
    partial: bool = False  # the query was found only inside other words (shown after the word matches)
    # issue 14: the section (kind, number, title) of the best passage when the search kept to
    # sections, and whether any page was read by OCR; in ``to_dict`` only when they apply
    section: dict | None = None
    ocr: bool = False
    page: int | None = None  # the page of a scanned document the passage is on ("หน้า 3"), when it has pages

    @property
    def anchor(self) -> str | None:
        """The document page's anchor of ``section`` (``sec-3-1``), None without a section."""
        return section_anchor(self.section) if self.section else None

    @property
    def snippet(self) -> str:
        """The excerpt as HTML: escaped, with <mark> around matches (the API's ``snippet``)."""
        return self.excerpt.to_html()

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "type": self.type,
            "url": self.url,
            "plans": list(self.plans),
            "provinces": list(self.provinces),
            "regions": list(self.regions),
            "topics": list(self.topics),
            "score": self.score,
            "snippet": self.snippet,
            **({"section": dict(self.section)} if self.section else {}),
            **({"ocr": True} if self.ocr else {}),
            **({"page": self.page} if self.page else {}),
        }
        if self.partial:  # only then: the JSON of a word match is as before
            out["partial"] = True
        return out


@dataclass
class SearchResult:
    """One answer, rendered alike as JSON, HTML, CSV, Atom and CLI text.

    ``request`` is the search as applied: the caller's request (never changed
    by the search) with the filters the query itself asked for filled in, e.g.
    the years of ``น้ำท่วม พ.ศ. 2567``.  Pages build their links and filter chips
    from it.
    """

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    relaxed: bool = False  # True when not every query word had to match
    suggestions: list[str] = field(default_factory=list)  # "did you mean"
    notices: list[str] = field(default_factory=list)  # messages for the user (Thai)

    @property
    def query(self) -> str:
        return self.request.q

    def suggestions_to_show(self) -> list[str]:
        """The suggestions that would change the search: not the correction the results
        already follow (``งบประมาน`` shows the results of งบประมาณ: "did you mean
        งบประมาณ" would offer the same page again).  The JSON keeps them all."""
        followed = {
            self.request.q.strip().replace(n.params["typed"], n.params["meant"], 1)
            for n in self.notices
            if getattr(n, "code", "") == "corrected" and "typed" in n.params
        }
        return [s for s in self.suggestions if s not in followed]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.limit))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.q,
            "total": self.total,
            "page": self.request.page,
            "limit": self.request.limit,
            "relaxed": self.relaxed,
            "suggestions": self.suggestions,
            "notices": self.notices,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: [v.to_dict() for v in values] for name, values in self.facets.items()},
        }
