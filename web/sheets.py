"""The result table researchers download (CSV and Excel): one row per document,
labelled for people rather than for programs.

Thai headers and Thai labels by default; ``lang=en`` gives English headers and
the stable codes (``meeting``, ``northeast``) that scripts join on.  Either way
a row carries the date in B.E. beside ISO, the document page's URL and the
snippet a person saw on the results page.  Both the CSV and the .xlsx writer
take their rows from here, so the two files always agree.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

from kb.facets import REGISTRY
from kb.models import Hit
from web.present import thai_date

SHEET_FACETS = tuple(f for f in REGISTRY if f.csv_column)  # one column each, values joined with ";"
# the facet columns of the machine CSV before issue 15; columns of later facets (region4,
# subregion) come after issue 15's own columns, so every older column keeps its position
FIRST_FACET_COLUMNS = ("plans", "provinces", "regions", "topics", "agencies")
_TAG = re.compile(r"<[^>]+>")
_UNSAFE_NAME = re.compile(r"[^0-9A-Za-z\u0e00-\u0e7f]+")
NAME_QUERY_CHARS = 40


@dataclass(frozen=True)
class Column:
    """One column of the export: its header in each language and how a hit fills it."""

    en: str
    th: str
    cell: Callable[[Hit, "SheetContext"], str]


@dataclass(frozen=True)
class SheetContext:
    """What a row needs beyond the hit: the language and how to name a document page."""

    lang: str  # "th" or "en"
    doc_url: Callable[[str], str]

    @property
    def thai(self) -> bool:
        return self.lang != "en"


def plain_snippet(snippet_html: str) -> str:
    """A snippet without our <mark> tags, as text."""
    return html.unescape(_TAG.sub("", snippet_html)).strip()


def _facet_cell(facet_name: str) -> Callable[[Hit, SheetContext], str]:
    facet = next(f for f in REGISTRY if f.name == facet_name)

    def cell(hit: Hit, ctx: SheetContext) -> str:
        values = hit.facets.get(facet.name, [])
        return ";".join(facet.label(v) if ctx.thai else str(v) for v in values)

    return cell


def _type_cell(hit: Hit, ctx: SheetContext) -> str:
    return next(f for f in REGISTRY if f.name == "type").label(hit.type) if ctx.thai else hit.type


# The English headers keep the order and names of the machine CSV before issue 15,
# new columns come after them, so scripts reading by name or position still work.
COLUMNS: tuple[Column, ...] = (
    Column("id", "รหัสเอกสาร", lambda h, c: h.id),
    Column("title", "ชื่อเอกสาร", lambda h, c: h.title),
    Column("date", "วันที่ (ค.ศ. ISO)", lambda h, c: h.date or ""),
    Column("type", "ประเภทเอกสาร", _type_cell),
    Column("url", "ที่มา", lambda h, c: h.url or ""),
    *(Column(f.csv_column or f.name, f.title, _facet_cell(f.name)) for f in SHEET_FACETS if f.csv_column in FIRST_FACET_COLUMNS),
    Column("date_be", "วันที่ (พ.ศ.)", lambda h, c: thai_date(h.date) if h.date else ""),
    Column("page_url", "หน้าเอกสารในคลัง", lambda h, c: c.doc_url(h.id)),
    Column("snippet", "ข้อความที่พบ", lambda h, c: plain_snippet(h.snippet or "")),
    *(Column(f.csv_column or f.name, f.title, _facet_cell(f.name)) for f in SHEET_FACETS if f.csv_column not in FIRST_FACET_COLUMNS),
)


def headers(lang: str) -> list[str]:
    """The header row in ``lang``."""
    return [c.en if lang == "en" else c.th for c in COLUMNS]


def rows(hits: list[Hit], ctx: SheetContext) -> list[list[str]]:
    """One row of cells per hit, in column order."""
    return [[col.cell(h, ctx) for col in COLUMNS] for h in hits]


def export_lang(raw: str | None) -> str:
    """``en`` or the default ``th``; anything else falls back to Thai."""
    return "en" if (raw or "").strip().lower() == "en" else "th"


def file_stem(query: str, today: date | None = None) -> str:
    """``kb-ชายแดน-2026-12-06``: the query (letters and digits only, shortened) and the day."""
    day = (today or date.today()).isoformat()
    words = _UNSAFE_NAME.sub("-", query).strip("-")[:NAME_QUERY_CHARS].strip("-")
    return f"kb-{words}-{day}" if words else f"kb-export-{day}"
