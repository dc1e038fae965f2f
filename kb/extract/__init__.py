"""Metadata extraction: what a Thai security-policy text is about, and when it was published.

A reader gives a ``RawDocument`` (title, text, hints); ``extract`` turns it into a
``Document`` with the fields users filter on, one module per field:

* ``dates``     publication date (Thai, English, ISO and numeric forms; B.E. years)
* ``doctype``   news / meeting / plan / other
* ``plans``     the plans of the National Security Policy and Plan it references
* ``places``    provinces and regions
* ``topics``    the subjects it substantially covers
* ``agencies``  the agencies it names
* ``meeting``   a meeting record's heading and sections (agenda, resolutions, attendance)

All vocabularies come from ``kb.taxonomy`` (data files), so the rules are about
*context* — when a word found in a text really names a province or a plan —
never about particular words.  The field modules share ``lexicon``: longest
match first with blockers, and "whole word" by the same segmenter as the index
(``kb.thai.segmenter``).

Thai digits are turned into Arabic ones once per document, before any field
looks at it; the mapping is one character for one character, so match offsets
stay valid in the original text.  Each public ``find_*`` folds its own input;
the ``*_in`` variants take text already folded.
"""
from __future__ import annotations

from kb.extract.agencies import agencies_in, find_agencies
from kb.extract.dates import dateline, first_date, parse_date
from kb.extract.doctype import detect_type
from kb.extract.meeting import analyze_record, looks_like_minutes
from kb.extract.places import find_provinces, find_regions, provinces_in, regions_in
from kb.extract.plans import find_plans, plans_documented, plans_in, with_plan_topics
from kb.extract.topic_model import ReleaseWords
from kb.extract.topics import find_topics, topics_in
from kb.models import DOC_TYPES, Document, RawDocument
from kb.thai.digits import thai_digits_to_arabic

__all__ = [
    "extract",
    "ReleaseWords",
    "parse_date",
    "find_plans",
    "find_provinces",
    "find_regions",
    "find_topics",
    "find_agencies",
    "detect_type",
    "thai_digits_to_arabic",
]


def extract(raw: RawDocument, doc_id: str, words: ReleaseWords | None = None) -> Document:
    """Build the indexed ``Document`` from what a reader found.

    The publication date is the reader's date hint when it parses, else the
    text's dateline (a first line that is only a date), else the first date in
    the title and text; the type is the reader's hint when it is one of
    the known types, else read from cues.  ``content_hash`` is the pipeline's job.
    ``words``: the release's words as the indexer segments them (``indexer.prepare``), read
    by the learned topic decision; absent, it segments them itself, with the same result.
    """
    title = (raw.title or "").strip()
    text = (raw.text or "").strip()
    folded_title, folded_text = thai_digits_to_arabic(title), thai_digits_to_arabic(text)
    whole = f"{folded_title}\n{folded_text}"
    date = parse_date(raw.date_hint or "") or dateline(folded_text) or first_date(whole)
    doc_type = raw.type_hint if raw.type_hint in DOC_TYPES else detect_type(title, text, date is not None)
    provinces = provinces_in(whole)
    plans = plans_in(whole)
    topics = topics_in(folded_text, folded_title, release=doc_type == "news", given=words)
    if doc_type == "plan":
        topics = with_plan_topics(topics, plans_documented(folded_title, plans))
    meeting, sections = analyze_record(title, text) if looks_like_minutes(text) else (None, [])
    return Document(
        id=doc_id,
        title=title,
        text=text,
        date=date,
        type=doc_type,
        url=raw.url,
        plans=plans,
        provinces=provinces,
        regions=regions_in(whole, provinces),
        topics=topics,
        agencies=agencies_in(whole),
        source=raw.source,
        access=raw.access or "public",  # access (issue 17): checked and defaulted by indexer.changes
        ocr=raw.ocr,
        meeting=meeting,
        sections=sections,
        pages=_page_starts(raw, text),
    )


def _page_starts(raw: RawDocument, text: str) -> list[int]:
    """The reader's page starts as offsets into ``text`` (the raw text with its ends stripped)."""
    skipped = len(raw.text or "") - len((raw.text or "").lstrip())
    return [min(len(text), max(0, start - skipped)) for start in raw.pages or ()]
