"""Sentences of a line, as topic extraction judges them.

Thai marks the end of a clause with a space or a line break, but a space also
separates the items of a list, names and numbers.  Topic extraction
(kb.extract.topics) weighs evidence sentence by sentence, so where a sentence
ends decides whether a threat is named in a statement or in a list; it is here,
apart from the scoring, because the scoring also needs the number of sentences
of a whole release.
"""
from __future__ import annotations

import re

from kb.extract.lexicon import SPACE

LINE = re.compile(r"[^\n]+")
# "(3) การส่งกลับ...", "3) ...": a numbered item, which after เช่น/ได้แก่ stays in the list.
_ENUMERATOR = re.compile(r"\(?\d{1,2}\)")
_CHUNK = re.compile(r"\S+")


def line_sentences(
    whole: str, line_start: int, line_end: int, cfg: dict, until: int | None = None
) -> list[tuple[int, int]]:
    """(start, end) spans in ``whole`` of the sentences of one of its lines.

    Thai marks sentence and clause ends with a space or a line break, but a space
    also separates list items, names and numbers.  A line is a unit (a paragraph,
    a heading, an agenda item, the title); inside a line, space-separated chunks
    are merged until a sentence holds at least ``min_chars`` characters, so that
    a sentence is a clause with its subject rather than a lone name; a chunk that
    starts with a digit or a ``glue`` word (และ, หรือ, ซึ่ง ...), or follows a
    number, always continues the sentence before it ("แผนความมั่นคงที่ 11
    การป้องกัน...", "... และผู้ลักลอบ"); after an enumeration word (เช่น,
    ได้แก่) short chunks are list items and stay in the sentence.  With ``until``,
    the sentences after the one that holds that offset are left out.
    """
    min_chars, glue = cfg["sentence_min_chars"], tuple(cfg["sentence_glue"])
    markers, item_chars = tuple(cfg["list_markers"]), cfg["list_item_max_chars"]
    # Offsets are ``whole``'s (no copy of the line), and the chunks are read one by one:
    # with ``until``, most of a long line is never scanned (issue 12).
    chunks = _CHUNK.finditer(whole, line_start, line_end)
    first = next(chunks, None)
    if first is None:
        return []
    # A marker without spaces lies inside one chunk, so "the sentence so far holds
    # a marker" is "one of its chunks does"; one with spaces needs the slow test.
    spaced = any(SPACE.search(m) for m in markers)
    listing = spaced or any(whole.find(m, line_start, line_end) >= 0 for m in markers)
    out: list[tuple[int, int]] = []
    start, end = first.span()
    last = start  # where the chunk added last starts
    in_list = False
    for chunk in chunks:
        c_start, c_end = chunk.span()
        if listing and not in_list:
            if spaced:
                in_list = any(whole.startswith(m, start, line_end) or whole.find(m, start, end) >= 0 for m in markers)
            else:  # the chunk added last is the one the sentence has not been tested for
                in_list = any(whole.find(m, last, end) >= 0 for m in markers)
        if (
            end - start >= min_chars
            and not whole[end - 1].isdigit()
            and not (whole[c_start].isdigit() or whole.startswith(glue, c_start, line_end))
            and not (in_list and (c_end - c_start <= item_chars or _ENUMERATOR.fullmatch(whole, last, end)))
        ):
            out.append((start, end))
            if until is not None and end > until:
                return out
            start, in_list = c_start, False
        last, end = c_start, c_end
    out.append((start, end))
    return out


# "1) ...", "2. ...", "(3) ...": an item number at the start of a line or after a space,
# not a decimal ("1.5 ล้าน") nor a date or a count ("13 ก.พ.", "ครั้งที่ 1/2566").
_ITEM_MARK = re.compile(r"(?<!\S)\(?(\d{1,2})[.)](?![\d.])\s*")
# The period or bracket that ends an item number: re skips to these two characters in C,
# where the lookbehind that opens ``_ITEM_MARK`` made it try every offset of a text.
_MARK_END = re.compile(r"[.)](?<=\d.)(?![\d.])")


def _item_marks(whole: str) -> list[re.Match[str]]:
    """``_ITEM_MARK.finditer(whole)``, tried only at the one to three offsets before a
    ``_MARK_END``: a mark starts there or nowhere.  No mark can start inside another
    (a bracket or a digit after a bracket or a digit, never after a space), so the marks
    found one by one are finditer's."""
    starts = sorted({p for end in _MARK_END.finditer(whole) for p in range(max(0, end.start() - 3), end.start())})
    return [m for m in map(lambda p: _ITEM_MARK.match(whole, p), starts) if m]


def numbered_items(whole: str, max_gap: int) -> list[tuple[int, int, int]]:
    """(start, text start, end) in ``whole`` of the items of numbered enumerations:
    the item number starts at ``start``, the item's own words at ``text start``.

    An item runs from its number to the next item number or the end of its line.
    A number counts as an item number only when the number before or after it is
    also found within ``max_gap`` characters: "1) ... 2) ..." is an enumeration,
    a lone "3." is not.  Ministry-wide instructions are written this way, one
    numbered item per subject (topic extraction, kb.extract.topics).
    """
    marks = [(int(m.group(1)), m.start(), m.end()) for m in _item_marks(whole)]
    starts: dict[int, list[int]] = {}
    for n, start, _ in marks:
        starts.setdefault(n, []).append(start)
    out = []
    for i, (n, start, body) in enumerate(marks):
        if not any(abs(s - start) <= max_gap for d in (-1, 1) for s in starts.get(n + d, ())):
            continue
        end = whole.find("\n", body)
        end = len(whole) if end < 0 else end
        if i + 1 < len(marks) and marks[i + 1][1] < end:
            end = marks[i + 1][1]
        out.append((start, body, end))
    return out
