"""Exports of the current result set: CSV for spreadsheets, JSON, and an Atom feed.

They take the same parameters as the search page (validated by
``kb.params.parse_search``) but ignore its paging: the CSV and JSON carry every
match up to ``MAX_EXPORT_ROWS``, the feed the newest ``FEED_ENTRIES``.  All three
run in the expensive lane (``web.edge``), at most a few at a time.
"""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from kb.facets import atom_categories
from kb.models import SearchResult
from kb.params import MAX_RESULT_WINDOW, parse_search
from web import catalog
from web.querycheck import check_known
from web.sheets import SheetContext, export_lang, file_stem, headers, rows

bp = Blueprint("exports", __name__)

MAX_EXPORT_ROWS = MAX_RESULT_WINDOW
# rows given the results page's excerpt (the best passage, normalized): the first two pages a
# person sees; later rows get the passage at the query's first verbatim occurrence, a fraction
# of the cost (10,000 full excerpts ran into the 4 s search budget; a common short word costs
# 30 ms an excerpt, so even 100 of them took 3 s: docs/reliability.md §17)
EXPORT_EXCERPTS = 20
FEED_ENTRIES = 20
CSV_COLUMNS = tuple(headers("en"))  # the ?lang=en header row (the default is Thai: web.sheets)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATOM_NS = "http://www.w3.org/2005/Atom"
_TAG = re.compile(r"<[^>]+>")
# control characters are not allowed in XML 1.0
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def all_matches(sort: str | None = None, limit: int = MAX_EXPORT_ROWS, snippets: bool = True) -> SearchResult:
    """The whole result set of the request's search (first page, large limit)."""
    req = parse_search(request.args.getlist)
    req = replace(req, page=1, limit=limit, sort=sort or req.sort)
    return catalog().searcher.search(req, snippets=snippets, excerpts=EXPORT_EXCERPTS)


def spreadsheet_cell(value: str) -> str:
    """Neutralise formula injection: a cell starting with = + - @ is shown as text in Excel."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _sheet() -> tuple[list[str], list[list[str]], str]:
    """Header, rows and file stem of the request's whole result set (see ``web.sheets``)."""
    check_known(request.args.keys())  # a misspelt filter would export the whole collection
    result = all_matches()
    lang = export_lang(request.args.get("lang"))
    ctx = SheetContext(lang, lambda doc_id: _site_url(url_for("pages.document", doc_id=doc_id)))
    return headers(lang), rows(result.hits, ctx), file_stem(result.request.q)


def _attachment(stem: str, suffix: str) -> str:
    """A download name with the query and date: ASCII fallback plus RFC 5987 UTF-8 name.

    ``file_stem`` keeps only letters and digits of the query, so no quote,
    slash or CR/LF from the user can reach the header.
    """
    ascii_name = stem if stem.isascii() else "kb-export-" + stem[-10:]
    return f'attachment; filename="{ascii_name}{suffix}"; filename*=UTF-8\'\'{quote(stem + suffix)}'


@bp.get("/export.csv")
def export_csv():
    header, body, stem = _sheet()
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel then reads the file as UTF-8 and shows Thai
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment(stem, ".csv")},
    )


@bp.get("/export.xlsx")
def export_xlsx():
    from openpyxl import Workbook  # imported on use: only this export needs it

    header, body, stem = _sheet()
    book = Workbook()
    sheet = book.active
    sheet.title = "kb"
    sheet.append(header)
    for row in body:
        sheet.append([_xml_text(cell) for cell in row])
    # text, never a formula: a title starting with = stays a title.  One pass at the end: asking
    # for the last row after each append (``sheet[sheet.max_row]``) counted every cell written
    # so far, quadratic (10,000 rows took 67 s)
    for cells in sheet.iter_rows(min_row=2, max_row=len(body) + 1, max_col=len(header)):
        for cell in cells:
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": _attachment(stem, ".xlsx")})


@bp.get("/export.json")
def export_json():
    check_known(request.args.keys())  # as /api/search: a misspelt filter is a 400, not every document
    return jsonify(all_matches().to_dict())


def _xml_text(s: str) -> str:
    return _XML_BAD.sub("", s)


def _plain(snippet_html: str) -> str:
    """A snippet without our <mark> tags, unescaped once (ElementTree escapes it again)."""
    import html

    return html.unescape(_TAG.sub("", snippet_html))


# Without a configured public URL the feed names itself and its entries with
# tag: URIs (RFC 4151), stable whatever Host a client sends, and links relatively.
FEED_TAG = "tag:kb.local,2024:"


def _site_url(path: str) -> str:
    """``path`` on the configured public site (``PUBLIC_URL``), or relative without one.

    Never built from the request's Host header: a client could put any name there.
    """
    base = current_app.config.get("PUBLIC_URL")
    return base + path if base else path


def _feed_id(path: str) -> str:
    base = current_app.config.get("PUBLIC_URL")
    return base + path if base else FEED_TAG + path.lstrip("/")


def _canonical_query() -> str:
    """The request's parameters re-encoded (ASCII, percent-escaped) for ids and links."""
    query = urlencode(list(request.args.items(multi=True)))
    return "?" + query if query else ""


@bp.get("/feed.atom")
def feed():
    result = all_matches(sort="newest", limit=FEED_ENTRIES)
    ET.register_namespace("", ATOM_NS)
    a = lambda tag: f"{{{ATOM_NS}}}{tag}"  # noqa: E731 - a namespaced tag name
    root = ET.Element(a("feed"))
    title = "kb: เอกสารด้านความมั่นคง" + (f" — {result.query}" if result.query else "")
    ET.SubElement(root, a("title")).text = _xml_text(title)
    query = _canonical_query()
    self_path = url_for("exports.feed") + query
    ET.SubElement(root, a("id")).text = _xml_text(_feed_id(self_path))
    ET.SubElement(root, a("link"), rel="self", href=_xml_text(_site_url(self_path)))
    ET.SubElement(root, a("link"), rel="alternate", type="text/html",
                  href=_xml_text(_site_url(url_for("pages.search") + query)))
    newest = max((h.date for h in result.hits if h.date), default=None)
    ET.SubElement(root, a("updated")).text = (
        f"{newest}T00:00:00Z" if newest else datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    author = ET.SubElement(root, a("author"))
    ET.SubElement(author, a("name")).text = "สำนักงานสภาความมั่นคงแห่งชาติ"
    for h in result.hits:
        entry = ET.SubElement(root, a("entry"))
        doc_path = url_for("pages.document", doc_id=h.id)
        ET.SubElement(entry, a("title")).text = _xml_text(h.title)
        ET.SubElement(entry, a("id")).text = _xml_text(_feed_id(doc_path))
        ET.SubElement(entry, a("link"), rel="alternate", href=_xml_text(_site_url(doc_path)))
        ET.SubElement(entry, a("updated")).text = f"{h.date}T00:00:00Z" if h.date else "1970-01-01T00:00:00Z"
        ET.SubElement(entry, a("summary")).text = _xml_text(_plain(h.snippet))
        for facet in atom_categories():
            for v in h.facets.get(facet.name, []):
                ET.SubElement(entry, a("category"), term=_xml_text(f"{facet.name}:{v}"),
                              label=_xml_text(facet.label(v)))
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")
