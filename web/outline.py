"""A meeting record on its document page: the outline of agenda items with their
resolutions, and the text with an anchor at each item (``#sec-3-1``) and the
section a search matched in highlighted (issue 14).

The sections come from ``Document.sections`` (offsets into the text, made at
extraction); the query's matches are the highlighter's spans, so the page marks
what search matched.  Output is HTML built from escaped text only.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from markupsafe import Markup

from kb.models import Span, section_anchor as anchor


@dataclass
class OutlineEntry:
    """An agenda item or sub-item, the resolutions recorded under it, and its sub-items."""

    number: str
    title: str
    anchor: str
    resolutions: list[str] = field(default_factory=list)
    children: list["OutlineEntry"] = field(default_factory=list)


def outline(sections: list[dict], text: str) -> list[OutlineEntry]:
    """The agenda items in order, sub-items under their item, each with its resolutions' text."""
    items: list[OutlineEntry] = []
    by_number: dict[str, OutlineEntry] = {}
    for s in sections:
        number = s.get("number")
        if s.get("kind") != "agenda" or not number or number in by_number:
            continue
        entry = OutlineEntry(number, s.get("title") or "", anchor(s))
        by_number[number] = entry
        parent = by_number.get(number.split(".")[0]) if "." in number else None
        (parent.children if parent else items).append(entry)
    for s in sections:
        entry = by_number.get(s.get("number") or "")
        if s.get("kind") == "resolution" and entry is not None:
            entry.resolutions.append(" ".join(text[s["start"]:s["end"]].split())[:300])
    return items


def text_with_sections(text: str, sections: list[dict], spans: list[Span], matched: dict | None,
                       pages: list[int] = (), page_label=None) -> Markup:
    """The text as HTML: ``<mark>`` around the spans, an empty anchor element at the start of
    each section that has one, and the matched section inside ``<span class="section-match">``
    pieces (cut at the marks, so the elements always nest).  ``pages`` (where each page of a
    scan starts) adds a page mark ``id="page-3"`` at each, labelled ``page_label(3)``."""
    anchors: dict[int, str] = {}
    for s in sections:
        name = anchor(s)
        if s.get("kind") in ("agenda", "attendance") and name not in anchors.values():
            anchors.setdefault(s["start"], name)
    breaks: dict[int, list[int]] = {}  # offset -> the pages starting there (a blank page shares one)
    for number, start in enumerate(pages, start=1):
        breaks.setdefault(min(start, len(text)), []).append(number)
    lo, hi = (matched["start"], matched["end"]) if matched else (-1, -1)
    cuts = sorted({0, len(text), *anchors, *breaks, *(p for sp in spans for p in (sp.start, sp.end)),
                   *((lo, hi) if matched else ())})
    marked = sorted((sp.start, sp.end) for sp in spans)
    out: list[str] = []
    k = 0
    for a, b in zip(cuts, cuts[1:]):
        out.extend(_page_marks(breaks.get(a, ()), page_label))
        if a in anchors:
            out.append(f'<span class="sec-anchor" id="{anchors[a]}"></span>')
        while k < len(marked) and marked[k][1] <= a:
            k += 1
        piece = html.escape(text[a:b])
        if k < len(marked) and marked[k][0] <= a < marked[k][1]:
            piece = f"<mark>{piece}</mark>"
        if lo <= a < hi:
            piece = f'<span class="section-match">{piece}</span>'
        out.append(piece)
    out.extend(_page_marks(breaks.get(len(text), ()) if text else (), page_label))  # blank pages at the end
    return Markup("".join(out))


def _page_marks(numbers, page_label) -> list[str]:
    label = page_label or (lambda n: f"หน้า {n}")
    return [f'<span class="page-mark" id="page-{n}" data-page="{html.escape(label(n))}"></span>' for n in numbers]
