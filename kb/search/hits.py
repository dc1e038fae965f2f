"""A matching document as a result line: its stored fields and, if asked, its excerpt."""
from __future__ import annotations

from kb import highlight
from kb.facets import document_facets
from kb.models import Document, Excerpt, Hit, page_at, scan_pages
from kb.engine import Index, Snapshot


def make_hit(
    index: Index, snap: Snapshot, docnum: int, score: float, needles: list[str] | None, partial: bool = False,
    verbatim: bool = False,
) -> Hit:
    """``needles`` None: no excerpt (callers that never show one); ``verbatim``: the cheap
    excerpt at the needles' first verbatim occurrence (``highlight.verbatim_excerpt``)."""
    doc = index.document_at(snap, docnum)
    excerpt = Excerpt() if needles is None else (highlight.verbatim_excerpt if verbatim else highlight.excerpt)(doc.text, needles)
    return Hit(
        id=doc.id,
        title=doc.title,
        date=doc.date,
        type=doc.type,
        url=doc.url,
        plans=doc.plans,
        provinces=doc.provinces,
        regions=doc.regions,
        topics=doc.topics,
        score=round(float(score), 4),
        excerpt=excerpt,
        facets=document_facets(doc),
        partial=partial,
        ocr=bool(doc.ocr),  # issue 14: the result line marks OCR'd documents
        page=scan_page(doc, excerpt.at),
    )


def scan_page(doc: Document, offset: int | None) -> int | None:
    """The page of a scanned document (one read by OCR, of two pages or more) that ``offset`` of its
    text is on: a researcher goes back to the paper by it. None for other documents."""
    return page_at(scan_pages(doc), offset)
