"""A matching document as a result line: its stored fields and, if asked, its excerpt."""
from __future__ import annotations

from kb import highlight
from kb.facets import document_facets
from kb.models import Excerpt, Hit
from kb.engine import Index, Snapshot


def make_hit(
    index: Index, snap: Snapshot, docnum: int, score: float, needles: list[str] | None, partial: bool = False,
    verbatim: bool = False,
) -> Hit:
    """``needles`` None: no excerpt (callers that never show one); ``verbatim``: the cheap
    excerpt at the needles' first verbatim occurrence (``highlight.verbatim_excerpt``)."""
    doc = index.document_at(snap, docnum)
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
        excerpt=Excerpt() if needles is None else (highlight.verbatim_excerpt if verbatim else highlight.excerpt)(doc.text, needles),
        facets=document_facets(doc),
        partial=partial,
        ocr=bool(doc.ocr),  # issue 14: the result line marks OCR'd documents
    )
