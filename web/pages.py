"""The HTML pages: search, document, overview and help.

Each page renders the same objects its JSON twin in ``web.api`` returns
(``SearchResult``, ``Document``, ``kb.search.stats``), so the site is its own API.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup

from kb import taxonomy
from kb.highlight import highlight_all
from kb.models import SECTION_FILTERS
from kb.search.parsing import parse
from kb.search.sections import SectionQuery, best_section
from kb.models import FacetValue, SearchResult
from kb.params import MAX_QUERY_CHARS, parse_search
from kb.search import months, related, stats
from web import catalog
from web.charts import bar_rows, province_map, timeline
from web.outline import anchor, outline, text_with_sections
from web.present import SIDEBAR_ORDER, State, be_year, page_window, plan_title, safe_url

bp = Blueprint("pages", __name__)

AUTHOR = "สำนักงานสภาความมั่นคงแห่งชาติ"
TOP_PROVINCES = 25


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
        state=state,
        result=result,
        facets=facets,
        province_groups=province_groups(facets["province"]),
        pages=page_window(result.request.page, result.pages),
    )


def mark_first(html: str) -> Markup:
    """Give the first highlighted match an id so the page can scroll to it.

    ``html`` comes from ``Excerpt.to_html`` (escaped text plus our own <mark>),
    so the first literal ``<mark>`` is ours.
    """
    return Markup(html.replace("<mark>", '<mark id="first-match">', 1))


def _document_text(searcher, doc, q: str, section: str) -> tuple[Markup | None, dict | None]:
    """The document's text as HTML with the query's matches (None: no query, plain text), and
    for a meeting record anchors at its items and the section of kind ``section`` it matched in."""
    needles = searcher.needles(q) if q else []
    if not doc.sections:
        return (mark_first(highlight_all(doc.text, needles).to_html()) if needles else None), None
    matched = None
    if section in SECTION_FILTERS:  # issue 14: ?section= as the search had it
        matched = best_section(doc, SectionQuery.of(section, parse(q, searcher.params), searcher.params))
    spans = highlight_all(doc.text, needles).spans if needles else []
    return mark_first(str(text_with_sections(doc.text, doc.sections, spans, matched))), matched


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    cat = catalog()
    doc = cat.index.document(doc_id)  # looked up in the index only, never opened as a file
    if doc is None:
        abort(404)
    q = request.args.get("q", "")[:MAX_QUERY_CHARS].strip()
    text_html, matched = _document_text(cat.searcher, doc, q, request.args.get("section", ""))
    year = be_year(doc.date)
    citation = f"{AUTHOR}. ({year or 'ม.ป.ป.'}). {doc.title}. สืบค้นจาก {safe_url(doc.url) or 'kb:' + doc.id}"
    return render_template(
        "doc.html",
        doc=doc,
        q=q,
        text_html=text_html,
        has_match=bool(text_html and 'id="first-match"' in text_html),
        outline=outline(doc.sections, doc.text),
        matched=matched,
        matched_anchor=anchor(matched) if matched else None,
        plans=[(no, plan_title(no)) for no in doc.plans],
        related=related(cat.index, doc.id, k=5),
        citation=citation,
    )


@bp.get("/stats")
def overview():
    cat = catalog()
    summary = stats(cat.index)
    facets = summary["facets"]
    counts = {name: {v["value"]: v["count"] for v in values} for name, values in facets.items()}
    plan_rows = [
        {"value": str(p["no"]), "label": f"{p['no']}. {p['short']}", "title": p["title"], "count": counts["plan"].get(str(p["no"]), 0)}
        for p in taxonomy.plans()
    ]
    topic_rows = [
        {"value": t["key"], "label": t["label"], "title": t["label"], "count": counts["topic"].get(t["key"], 0)}
        for t in taxonomy.topics()
    ]
    # the map shows all 77; the bar list keeps to the busiest so the page stays short
    province_rows = [
        {"value": v["value"], "label": v["label"], "title": v["label"], "count": v["count"]}
        for v in facets["province"][:TOP_PROVINCES]
    ]
    type_rows = [
        {"value": t["key"], "label": t["label"], "title": t["label"], "count": counts["type"].get(t["key"], 0)}
        for t in taxonomy.doc_types()
    ]
    return render_template(
        "stats.html",
        documents=summary["documents"],
        plans=bar_rows(plan_rows),
        topics=bar_rows(topic_rows),
        provinces=bar_rows(province_rows),
        province_count=len(facets["province"]),
        types=bar_rows(type_rows),
        timeline=timeline(months(cat.index)),
        map=province_map(counts["province"]),
    )


@bp.get("/help")
def help_page():
    return render_template("help.html")
