"""Exports of the current result set: CSV for spreadsheets, JSON, and an Atom feed.

They take the same parameters as the search page (validated by
``kb.params.parse_search``) but ignore its paging: the CSV and JSON carry every
match up to ``MAX_EXPORT_ROWS``, the feed the newest ``FEED_ENTRIES``.
"""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timezone

from flask import Blueprint, Response, jsonify, request, url_for

from kb import taxonomy
from kb.models import SearchResult
from kb.params import MAX_RESULT_WINDOW, parse_search
from web import catalog

bp = Blueprint("exports", __name__)

MAX_EXPORT_ROWS = MAX_RESULT_WINDOW
FEED_ENTRIES = 20
CSV_COLUMNS = ("id", "title", "date", "type", "url", "plans", "provinces", "regions", "topics")
ATOM_NS = "http://www.w3.org/2005/Atom"
_TAG = re.compile(r"<[^>]+>")
# control characters are not allowed in XML 1.0
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def all_matches(sort: str | None = None, limit: int = MAX_EXPORT_ROWS) -> SearchResult:
    """The whole result set of the request's search (first page, large limit)."""
    req = parse_search(request.args.getlist)
    req = replace(req, page=1, limit=limit, sort=sort or req.sort)
    return catalog().searcher.search(req)


def spreadsheet_cell(value: str) -> str:
    """Neutralise formula injection: a cell starting with = + - @ is shown as text in Excel."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


@bp.get("/export.csv")
def export_csv():
    result = all_matches()
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel then reads the file as UTF-8 and shows Thai
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for h in result.hits:
        writer.writerow([
            spreadsheet_cell(h.id), spreadsheet_cell(h.title), h.date or "", h.type, spreadsheet_cell(h.url or ""),
            ";".join(str(p) for p in h.plans), ";".join(h.provinces), ";".join(h.regions), ";".join(h.topics),
        ])
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="kb-export.csv"'},
    )


@bp.get("/export.json")
def export_json():
    return jsonify(all_matches().to_dict())


def _xml_text(s: str) -> str:
    return _XML_BAD.sub("", s)


def _plain(snippet_html: str) -> str:
    """A snippet without our <mark> tags, unescaped once (ElementTree escapes it again)."""
    import html

    return html.unescape(_TAG.sub("", snippet_html))


@bp.get("/feed.atom")
def feed():
    result = all_matches(sort="newest", limit=FEED_ENTRIES)
    ET.register_namespace("", ATOM_NS)
    a = lambda tag: f"{{{ATOM_NS}}}{tag}"  # noqa: E731 - a namespaced tag name
    root = ET.Element(a("feed"))
    title = "kb: เอกสารด้านความมั่นคง" + (f" — {result.query}" if result.query else "")
    ET.SubElement(root, a("title")).text = _xml_text(title)
    search_url = request.url_root.rstrip("/") + url_for("pages.search") + (
        "?" + request.query_string.decode("latin-1") if request.query_string else "")
    ET.SubElement(root, a("id")).text = _xml_text(request.url)
    ET.SubElement(root, a("link"), rel="self", href=_xml_text(request.url))
    ET.SubElement(root, a("link"), rel="alternate", type="text/html", href=_xml_text(search_url))
    newest = max((h.date for h in result.hits if h.date), default=None)
    ET.SubElement(root, a("updated")).text = (
        f"{newest}T00:00:00Z" if newest else datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    author = ET.SubElement(root, a("author"))
    ET.SubElement(author, a("name")).text = "สำนักงานสภาความมั่นคงแห่งชาติ"
    for h in result.hits:
        entry = ET.SubElement(root, a("entry"))
        link = request.url_root.rstrip("/") + url_for("pages.document", doc_id=h.id)
        ET.SubElement(entry, a("title")).text = _xml_text(h.title)
        ET.SubElement(entry, a("id")).text = _xml_text(link)
        ET.SubElement(entry, a("link"), rel="alternate", href=_xml_text(link))
        ET.SubElement(entry, a("updated")).text = f"{h.date}T00:00:00Z" if h.date else "1970-01-01T00:00:00Z"
        ET.SubElement(entry, a("summary")).text = _xml_text(_plain(h.snippet))
        for facet, values in (("type", [h.type]), ("plan", h.plans), ("province", h.provinces), ("topic", h.topics)):
            for v in values:
                ET.SubElement(entry, a("category"), term=_xml_text(f"{facet}:{v}"),
                              label=_xml_text(taxonomy.label(facet, str(v))))
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")
