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
    text = whole[line_start:line_end]
    chunks = [(m.start(), m.end()) for m in _CHUNK.finditer(text)]
    if not chunks:
        return []
    # A marker without spaces lies inside one chunk, so "the sentence so far holds
    # a marker" is "one of its chunks does"; one with spaces needs the slow test.
    if any(SPACE.search(m) for m in markers):
        has_marker = None
    elif any(m in text for m in markers):
        has_marker = [any(m in text[a:b] for m in markers) for a, b in chunks]
    else:
        has_marker = [False] * len(chunks)
    out: list[tuple[int, int]] = []
    start, end = chunks[0]
    in_list = False
    for k in range(1, len(chunks)):
        c_start, c_end = chunks[k]
        if has_marker is None:
            in_list = in_list or any(text.startswith(m, start) or m in text[start:end] for m in markers)
        else:
            # The chunk added last (k - 1) is the one the sentence has not been tested for.
            in_list = in_list or has_marker[k - 1]
        if (
            end - start >= min_chars
            and not text[end - 1].isdigit()
            and not (text[c_start].isdigit() or text.startswith(glue, c_start))
            and not (in_list and (c_end - c_start <= item_chars or _ENUMERATOR.fullmatch(text, *chunks[k - 1])))
        ):
            out.append((line_start + start, line_start + end))
            if until is not None and line_start + end > until:
                return out
            start, in_list = c_start, False
        end = c_end
    out.append((line_start + start, line_start + end))
    return out




# "1) ...", "2. ...", "(3) ...": an item number at the start of a line or after a space,
# not a decimal ("1.5 ล้าน") nor a date or a count ("13 ก.พ.", "ครั้งที่ 1/2566").
_ITEM_MARK = re.compile(r"(?<!\S)\(?(\d{1,2})[.)](?![\d.])\s*")


def numbered_items(whole: str, max_gap: int) -> list[tuple[int, int, int]]:
    """(start, text start, end) in ``whole`` of the items of numbered enumerations:
    the item number starts at ``start``, the item's own words at ``text start``.

    An item runs from its number to the next item number or the end of its line.
    A number counts as an item number only when the number before or after it is
    also found within ``max_gap`` characters: "1) ... 2) ..." is an enumeration,
    a lone "3." is not.  Ministry-wide instructions are written this way, one
    numbered item per subject (topic extraction, kb.extract.topics).
    """
    marks = [(int(m.group(1)), m.start(), m.end()) for m in _ITEM_MARK.finditer(whole)]
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
