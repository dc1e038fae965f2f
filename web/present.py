"""How search state and values look to a reader: shareable URLs, Thai dates, labels.

Every state of the search page is a plain GET URL, built here from the
validated ``SearchRequest`` (not from the raw query string), so a facet link,
a chip's remove link and a page link always agree with what was searched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlencode

from flask import Flask, url_for

from kb import taxonomy
from kb.facets import REGISTRY, sidebar
from kb.models import SearchRequest
from kb.thai.calendar import MONTHS_ABBR, to_buddhist_era
from web import i18n
from web.linebreak import thai_wbr, thai_wbr_html
from web.querywords import quote_filter_words

FACET_TITLES = {f.name: f.title for f in sidebar()}
SIDEBAR_ORDER = tuple(f.name for f in sidebar())
FACETS = tuple(f.name for f in REGISTRY)  # URL parameters and chips follow the registry's order
SORT_LABELS = {"relevance": "เกี่ยวข้องที่สุด", "newest": "ใหม่ที่สุด", "oldest": "เก่าที่สุด"}
DEFAULT_LIMIT = SearchRequest().limit
SECTION_LABELS = {"resolution": "มติที่ประชุม", "agenda": "ระเบียบวาระ", "attendance": "รายชื่อผู้ประชุม"}  # issue 14
PAGE_SIZES = (10, 20, 50)  # the choices offered; any limit up to MAX_LIMIT still works by URL
TAGS_SHOWN = 8  # tags on a result before the rest fold under "+n"
FACET_SHOWN = 8  # values of a facet shown before the rest fold under "อื่น ๆ อีก n รายการ"


# Thai letters, marks and digits: kept as they are in a link's query (see ``query_string``)
_NOT_THAI = re.compile(r"[^\u0e01-\u0e5b]+")


def _quote_keeping_thai(value: str, safe: str = "", encoding: str | None = None, errors: str | None = None) -> str:
    return _NOT_THAI.sub(lambda m: quote_plus(m.group(), safe=safe), value)


def query_string(pairs: list[tuple[str, str]]) -> str:
    """``urlencode(pairs)`` leaving Thai script as it is: the query of an IRI.

    Every facet, page and document link repeats the whole search; percent-encoded, a Thai
    character takes 9 bytes, as UTF-8 3, so a 1,000-character query made a results page
    of 3 MB (docs/reliability.md §17).  A browser sends the letters percent-encoded as UTF-8
    (the page's encoding) when it follows the link, so the request is the same.  Everything
    else (spaces, quotes, ``&``, other scripts, invisible characters) is encoded as before.
    """
    return urlencode(pairs, quote_via=_quote_keeping_thai)


def hit_anchor(doc_id: str) -> str:
    """The id of a document's result on the search page, so "back to results" lands on it."""
    return f"hit-{doc_id}"


def thai_date(iso: str | None) -> str:
    """``2024-01-10`` → ``10 ม.ค. 2567`` (Buddhist Era, Arabic digits, the one style used site-wide)."""
    if not iso:
        return "ไม่ระบุวันที่"
    try:
        y, m, d = (int(x) for x in iso[:10].split("-"))
        return f"{d} {MONTHS_ABBR[m - 1]} {to_buddhist_era(y)}"
    except (ValueError, IndexError):
        return iso


def thai_month(ym: str) -> str:
    """``2024-01`` → ``ม.ค. 2567``."""
    try:
        y, m = (int(x) for x in ym.split("-")[:2])
        return f"{MONTHS_ABBR[m - 1]} {to_buddhist_era(y)}"
    except (ValueError, IndexError):
        return ym


MONTHS_EN = i18n.MONTHS_EN


def english_date(iso: str | None) -> str:
    """``2024-01-10`` → ``10 Jan 2024 (B.E. 2567)``: the English interface's dates, the B.E. year kept
    beside the common-era one because the documents themselves cite B.E."""
    if not iso:
        return "Date unknown"
    try:
        y, m, d = (int(x) for x in iso[:10].split("-"))
        return f"{d} {MONTHS_EN[m - 1]} {y} (B.E. {to_buddhist_era(y)})"
    except (ValueError, IndexError):
        return iso


def shown_date(iso: str | None) -> str:
    """A date as the current interface language shows it (Thai: ``10 ม.ค. 2567``)."""
    return english_date(iso) if i18n.current() == "en" else thai_date(iso)


def shown_month(ym: str) -> str:
    """A month as the current interface language shows it (``ม.ค. 2567`` / ``Jan 2024``)."""
    return i18n.english_month(ym) if i18n.current() == "en" else thai_month(ym)


def be_iso(iso: str | None) -> str:
    """``2024-01-10`` → ``2567-01-10``: an ISO date with its year in B.E., as the date inputs show it."""
    if not iso or not iso[:4].isdigit():
        return ""
    return f"{to_buddhist_era(int(iso[:4]))}{iso[4:10]}"


def be_year(iso: str | None) -> str | None:
    """The Buddhist-Era year of an ISO date, or None."""
    if not iso or not iso[:4].isdigit():
        return None
    return str(to_buddhist_era(int(iso[:4])))


def safe_url(url: str | None) -> str | None:
    """Only http(s) links become hrefs: a document's ``javascript:`` url is shown as text."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def plan_title(no: int | str) -> str:
    """The full Thai title of plan ``no``."""
    for p in taxonomy.plans():
        if str(p["no"]) == str(no):
            return p["title"]
    return str(no)


@dataclass
class State:
    """The canonical URL parameters of one search, and links to its neighbours."""

    req: SearchRequest

    def params(self) -> list[tuple[str, str]]:
        """The search as URL pairs (page excluded), in a stable order."""
        r = self.req
        pairs: list[tuple[str, str]] = []
        if r.q:
            pairs.append(("q", r.q))
        for facet in FACETS:
            pairs += [(facet, v) for v in r.selected(facet)]
        if r.date_from:
            pairs.append(("from", r.date_from))
        if r.date_to:
            pairs.append(("to", r.date_to))
        if r.sort != "relevance":
            pairs.append(("sort", r.sort))
        if r.limit != DEFAULT_LIMIT:
            pairs.append(("limit", str(r.limit)))
        if r.section:  # issue 14: ?section= stays in every link of the search
            pairs.append(("section", r.section))
        return pairs

    def _url(self, pairs: list[tuple[str, str]], endpoint: str = "pages.search") -> str:
        base = url_for(endpoint)
        return f"{base}?{query_string(pairs)}" if pairs else base

    def url(self, endpoint: str = "pages.search", page: int | None = None) -> str:
        """This search (at ``page``) on the page or export ``endpoint``."""
        pairs = self.params()
        if page and page > 1:
            pairs.append(("page", str(page)))
        return self._url(pairs, endpoint)

    def doc_url(self, doc_id: str) -> str:
        """A document page that remembers this search (query, filters, sort, page) for "back to results"."""
        pairs = self.params()
        if self.req.page > 1:
            pairs.append(("page", str(self.req.page)))
        base = url_for("pages.document", doc_id=doc_id)
        return f"{base}?{query_string(pairs)}" if pairs else base

    def back_url(self, doc_id: str | None = None) -> str:
        """The results page this search was on, at the result ``doc_id`` when it is given."""
        url = self.url(page=self.req.page)
        return f"{url}#{quote(hit_anchor(doc_id))}" if doc_id else url

    def sort_in_effect(self) -> str:
        """The order results really have: without a query there is no relevance, they come newest first."""
        if not self.req.q and self.req.sort == "relevance":
            return "newest"
        return self.req.sort

    def sort_choices(self) -> list[tuple[str, str, bool]]:
        """The orders worth offering as (value sent, label, selected): relevance only when there is
        a query to be relevant to.  Without one, the default order is shown as what it is (newest
        first) but still sent as the default, so a query typed on the front page ranks by relevance."""
        shown = self.sort_in_effect()
        default_is_newest = not self.req.q and self.req.sort == "relevance"
        return [
            ("relevance" if k == "newest" and default_is_newest else k, i18n.translate(v), k == shown)
            for k, v in SORT_LABELS.items() if self.req.q or k != "relevance"
        ]

    def page_sizes(self) -> list[int]:
        """Page sizes offered, including a non-standard one typed into the URL."""
        return sorted(set(PAGE_SIZES) | {self.req.limit})

    def export_url(self, endpoint: str) -> str:
        """Exports take the filters and sort, never the paging; from the English interface they
        say ``lang=en`` (English headers and labels) whether the choice came by URL or cookie."""
        pairs = [(k, v) for k, v in self.params() if k != "limit"]
        return self._url(pairs + [("lang", "en")] if i18n.current() == "en" else pairs, endpoint)

    def toggle(self, facet: str, value: str) -> str:
        """Add ``value`` to the facet's selection, or remove it if selected (back to page 1)."""
        pairs = self.params()
        if (facet, value) in pairs:
            pairs.remove((facet, value))
        else:
            pairs.append((facet, value))
        return self._url(pairs)

    def add(self, facet: str, value: str) -> str:
        """Filter by ``value`` as well (a tag on a result); no-op if already selected."""
        pairs = self.params()
        if (facet, value) not in pairs:
            pairs.append((facet, value))
        return self._url(pairs)

    def overview_url(self) -> str:
        """The overview charts of this search."""
        return self._url([(k, v) for k, v in self.params() if k not in ("sort", "limit")], "pages.overview")

    def without(self, name: str, value: str | None = None, endpoint: str = "pages.search") -> str:
        """Drop one value (or every value) of parameter ``name``."""
        return self._url([(k, v) for k, v in self.params() if not (k == name and (value is None or v == value))], endpoint)

    def without_filter(self, facet: str, value: str, endpoint: str = "pages.search") -> str:
        """A chip's removal link: the value dropped and, when query words asked for it (ภาคเหนือ,
        พ.ศ. 2567), those words quoted so the query searches them as text instead (issue 15)."""
        q = quote_filter_words(self.req.q, facet, value) if self.req.q else ""
        pairs = [(k, q if k == "q" else v) for k, v in self.params() if not (k == facet and str(v) == value)]
        return self._url([(k, v) for k, v in pairs if k != "q" or v], endpoint)

    def with_query(self, q: str) -> str:
        """The same filters with another query (a 'did you mean' link)."""
        return self._url([("q", q)] + [(k, v) for k, v in self.params() if k != "q"])

    def clear_all(self) -> str:
        """Every filter removed; the query and sort stay."""
        return self._url([(k, v) for k, v in self.params() if k in ("q", "sort", "limit")])

    def chips(self, endpoint: str = "pages.search") -> list[dict[str, str]]:
        """The active filters as removable chips: facet title, value label and the remove link
        (to ``endpoint``: the overview's chips keep the reader on the overview)."""
        out: list[dict[str, str]] = []
        for facet in FACETS:
            for v in self.req.selected(facet):
                out.append({
                    "facet": i18n.facet_title(facet, FACET_TITLES[facet]),
                    "label": i18n.value_label(facet, v),
                    "url": self.without_filter(facet, str(v), endpoint),
                })
        if self.req.date_from:
            out.append({"facet": i18n.translate("ตั้งแต่"), "label": shown_date(self.req.date_from), "url": self.without("from", endpoint=endpoint)})
        if self.req.date_to:
            out.append({"facet": i18n.translate("ถึง"), "label": shown_date(self.req.date_to), "url": self.without("to", endpoint=endpoint)})
        if self.req.section:  # issue 14: searching inside one kind of meeting section
            out.append({"facet": i18n.translate("เฉพาะส่วน"), "label": i18n.translate(SECTION_LABELS[self.req.section]), "url": self.without("section", endpoint=endpoint)})
        return out

    def has_filters(self) -> bool:
        r = self.req
        return any(r.selected(f) for f in FACETS) or bool(r.date_from or r.date_to or r.section)


@dataclass(frozen=True)
class Span:
    """Which results a page shows ("แสดง 11–20 จาก 23") and whether the page is past the end."""

    first: int
    last: int
    total: int
    pages: int
    beyond: bool  # the page asked for is after the last page


def span(req: SearchRequest, total: int, pages: int) -> Span:
    """The range of results on page ``req.page`` of ``total``."""
    first = (req.page - 1) * req.limit + 1
    last = min(total, req.page * req.limit)
    return Span(first, last, total, pages, beyond=total > 0 and first > total)


def page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to show: first, last and ``width`` either side of the current one; None is a gap."""
    shown = sorted({1, pages, *range(max(1, page - width), min(pages, page + width) + 1)})
    out: list[int | None] = []
    prev = 0
    for n in shown:
        if n - prev > 1:
            out.append(None)
        out.append(n)
        prev = n
    return out


def register_filters(app: Flask) -> None:
    """Template filters and globals shared by every page (and the interface language)."""
    i18n.init_app(app)
    app.add_template_filter(shown_date, "thai_date")  # issue 15: English dates in the English interface
    app.add_template_filter(shown_month, "thai_month")
    app.add_template_filter(be_year, "be_year")
    app.add_template_filter(be_iso, "be_iso")
    app.add_template_filter(safe_url, "safe_url")
    app.add_template_filter(thai_wbr, "wbr")
    app.add_template_filter(thai_wbr_html, "wbr_html")
    app.add_template_global(taxonomy.label, "label")
    app.add_template_global(plan_title, "plan_title")
    app.add_template_global(hit_anchor, "hit_anchor")
    app.add_template_global(FACET_TITLES, "FACET_TITLES")
    app.add_template_global(SORT_LABELS, "SORT_LABELS")
    app.add_template_global(TAGS_SHOWN, "TAGS_SHOWN")
    app.add_template_global(FACET_SHOWN, "FACET_SHOWN")
