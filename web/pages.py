"""The HTML pages: search, document, overview and help.

Each page renders the same objects its JSON twin in ``web.api`` returns
(``SearchResult``, ``Document``, ``kb.search.stats``), so the site is its own API.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from markupsafe import Markup

from kb import taxonomy
from kb.highlight import highlight_all
from kb.models import SECTION_FILTERS, scan_pages
from kb.search.parsing import parse
from kb.search.sections import SectionQuery, best_section
from kb.models import FacetValue, SearchResult
from kb.params import BadParameter, MAX_QUERY_CHARS, parse_search
from kb.search import related
from web import catalog
from web.i18n import translate
from web.outline import anchor, outline, text_with_sections
from web.overview import overview_context
from web.querycheck import check_known
from web.present import SIDEBAR_ORDER, State, be_year, page_window, plan_title, safe_url, span

bp = Blueprint("pages", __name__)

AUTHOR = "สำนักงานสภาความมั่นคงแห่งชาติ"


def province_groups(values: list[FacetValue]) -> list[dict]:
    """Province facet values grouped under their region, regions in taxonomy order."""
    by_region: dict[str, list[FacetValue]] = {}
    for fv in values:
        try:
            region = taxonomy.region_of(fv.value)
        except KeyError:
            region = ""
        by_region.setdefault(region, []).append(fv)
    groups = [
        {"key": r["key"], "label": r["label"], "values": by_region[r["key"]]}
        for r in taxonomy.regions()
        if r["key"] in by_region
    ]
    if "" in by_region:
        groups.append({"key": "other", "label": "อื่น ๆ", "values": by_region[""]})
    return groups


def as_typed(q: str, notices: list[str]) -> str | None:
    """For a corrected query, the same query with each corrected word quoted, so it is searched
    as typed (None when nothing was corrected)."""
    typed = [getattr(n, "params", {}).get("typed") for n in notices if getattr(n, "code", None) == "corrected"]
    literal = q
    for word in filter(None, typed):
        literal = literal.replace(word, f'"{word}"', 1) if word in literal and f'"{word}"' not in literal else literal
    return literal if literal != q else None


def run_search() -> tuple[State, SearchResult]:
    """Validate the query string (BadParameter → 400) and search.

    Links and filter chips follow the search as applied (``result.request``):
    a year typed in the query (น้ำท่วม พ.ศ. 2567) shows as a year filter.
    """
    req = parse_search(request.args.getlist)
    result = catalog().searcher.search(req)
    return State(result.request), result


@bp.get("/")
def search():
    state, result = run_search()
    facets = {name: result.facets.get(name, []) for name in SIDEBAR_ORDER}
    return render_template(
        "search.html",
        # a corrected query offers what was typed; "did you mean" leaves out the correction it shows
        # (SearchResult.suggestions_to_show, as the CLI does)
        as_typed=as_typed(result.request.q, result.notices),
        state=state,
        result=result,
        facets=facets,
        province_groups=province_groups(facets["province"]),
        pages=page_window(result.request.page, result.pages),
        span=span(result.request, result.total, result.pages),
    )


def mark_matches(html: str) -> tuple[Markup, int]:
    """Number every highlighted match so the page can step through them; the first keeps ``first-match``.

    ``html`` comes from ``Excerpt.to_html`` (escaped text plus our own <mark>),
    so every literal ``<mark>`` is ours.
    """
    parts = html.split("<mark>")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        ident = "first-match" if n == 1 else f"match-{n}"
        out.append(f'<mark id="{ident}" class="match" data-match="{n}">{part}')
    return Markup("".join(out)), len(parts) - 1


def search_state() -> State:
    """The search a document page was opened from, for its "back to results" link.

    A document link is still worth opening when its remembered search is no
    longer valid (a plan renumbered, an edited URL): then only the query is kept.
    """
    try:
        return State(parse_search(request.args.getlist))
    except BadParameter:
        q = request.args.get("q", "")[:MAX_QUERY_CHARS].replace("\x00", "")
        return State(parse_search(lambda name: [q] if name == "q" else []))


def _document_text(searcher, doc, q: str, section: str) -> tuple[Markup | None, int, dict | None]:
    """The document's text as HTML with the query's matches numbered (None: no query, plain
    text), how many there are, and for a meeting record anchors at its items and the section
    of kind ``section`` it matched in."""
    needles = searcher.needles(q) if q else []
    pages = scan_pages(doc)  # a scan's page breaks, which its hits link to (#page-3)
    if not doc.sections and not pages:
        html, count = mark_matches(highlight_all(doc.text, needles).to_html()) if needles else (None, 0)
        return html, count, None
    matched = None
    if section in SECTION_FILTERS and doc.sections:  # issue 14: ?section= as the search had it
        matched = best_section(doc, SectionQuery.of(section, parse(q, searcher.params), searcher.params))
    spans = highlight_all(doc.text, needles).spans if needles else []
    marked = text_with_sections(doc.text, doc.sections, spans, matched, pages,
                                lambda n: translate("หน้า {page}", page=n))
    html, count = mark_matches(str(marked))
    return html, count, matched


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    cat = catalog()
    doc = cat.index.document(doc_id)  # looked up in the index only, never opened as a file
    if doc is None:
        abort(404)
    state = search_state()
    q = state.req.q
    text_html, match_count, matched = _document_text(cat.searcher, doc, q, request.args.get("section", ""))
    year = be_year(doc.date)
    citation = f"{AUTHOR}. ({year or 'ม.ป.ป.'}). {doc.title}. สืบค้นจาก {safe_url(doc.url) or 'kb:' + doc.id}"
    return render_template(
        "doc.html",
        doc=doc,
        q=q,
        state=state,
        text_html=text_html,
        match_count=match_count,
        has_match=match_count > 0,
        outline=outline(doc.sections, doc.text),
        matched=matched,
        matched_anchor=anchor(matched) if matched else None,
        plans=[(no, plan_title(no)) for no in doc.plans],
        related=related(cat.index, doc.id, k=5),
        citation=citation,
    )


@bp.get("/stats")
def overview():
    """The charts of the current search (the whole collection when there is none)."""
    state, result = run_search()
    return render_template("stats.html", **overview_context(state, result))


@bp.get("/stats.json")
def overview_json():
    """The overview's JSON twin: the same counts for the same search."""
    check_known(request.args.keys())  # as /api/search: a misspelt name is a 400, not ignored
    state, result = run_search()
    view = overview_context(state, result)
    return jsonify({
        "query": result.request.q,
        "documents": result.total,
        "facets": {name: [fv.to_dict() for fv in values] for name, values in result.facets.items()},
        "months": [{"month": b["month"], "count": b["count"]} for b in view["timeline"]["bars"] if b["count"]],
    })


@bp.get("/help")
def help_page():
    return render_template("help.html")
