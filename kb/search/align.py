"""Is an exact occurrence a word of the text, or only a piece of another word?

The sub-word layer (``kb.textscan``) finds a query anywhere: ค้ามนุษย์ inside
การค้ามนุษย์ (wanted), but also ตาก inside ตากใบ, ภาค across สภา|ความ and จีน
inside ท่าจีน (not wanted).  An occurrence is *aligned* when it starts and ends
on a boundary of the finest segmentation of the text around it:

1. the segmenter's words (``kb.thai.segmenter``, the index's own cut) of a
   window of the document's scan form around the occurrence;
2. compound parts: a word is also cut where it splits into the fewest
   dictionary words (ภาค|ใต้, ความ|มั่นคง, but ประชา|ชน: ชา is not a part of
   ประชาชน).  A domain term that the segmenter keeps whole only because it is
   in kb's dictionary (การค้ามนุษย์) is split down to its finest parts
   (การ|ค้า|มนุษย์), so ค้ามนุษย์ in it is a word;
3. but never inside a *name* the segmenter cuts into ordinary words (ตากใบ =
   ตาก|ใบ, ท่าจีน = ท่า|จีน): the taxonomy's trap phrases and
   ``kb/taxonomy/compounds.json``, data, not code.

Digits and Latin letters are never cut: a number or a Latin word is one word.
"""
from __future__ import annotations

import re
from functools import cache

from kb import analysis, taxonomy
from kb.thai import segmenter
from kb.thai.script import SCAN_CODEC, THAI_RUN_CLASS

WINDOW = 40  # characters of context on each side: newmm's cut settles well within this
MAX_PIECES = 8  # a compound split into more pieces than this is not a compound
_THAI_RUN = re.compile(f"[{THAI_RUN_CLASS}]+")
_OTHER_RUN = re.compile(r"[0-9a-z\u00c0-\u024f]+")


@cache
def _lexicon() -> frozenset[str]:
    """PyThaiNLP's words: a word of the language, never taken apart (ประชาชน is not ประ|ชา|ชน)."""
    words = (analysis.normalize(w.strip()) for w in segmenter.base_words().splitlines())
    return frozenset(w for w in words if len(w) >= 2)


@cache
def _base_words() -> frozenset[str]:
    """The words a compound may be made of: the lexicon and the domain terms."""
    return _lexicon() | frozenset(analysis.normalize(t) for t in taxonomy.dictionary_terms())


@cache
def _names(regions: bool = True) -> tuple[re.Pattern, ...]:
    """Names that are one word to a reader though the segmenter cuts them
    (``regions``: with the words a region word hides in, ภูมิภาค, ตะวันออกกลาง)."""
    names = set(taxonomy.compound_names())
    for p in taxonomy.provinces():
        names.update(p.get("exclude", []))
    if regions:
        names.update(taxonomy.region_exclusions())
    forms = sorted({analysis.normalize(n).replace(" ", "") for n in names if n.strip()}, key=len, reverse=True)
    return tuple(re.compile("|".join(re.escape(f) for f in forms[i : i + 200])) for i in range(0, len(forms), 200))


@cache
def names() -> frozenset[str]:
    """The names of ``_names`` (normalized, no spaces): one word to a reader, whatever the cut
    (ตากใบ, แม่สอด, เผยแพร่)."""
    found = set(taxonomy.compound_names()) | set(taxonomy.region_exclusions())
    for p in taxonomy.provinces():
        found.update(p.get("exclude", []))
    return frozenset(analysis.normalize(n).replace(" ", "") for n in found if n.strip())


@cache
def split_points(word: str, finest: bool = True) -> frozenset[int]:
    """``_split_points``, remembered (the same words recur in every document);
    ``finest=False``: the main parts only (ภาค|ใต้, ความ|มั่นคง, ประชา|ชน)."""
    return frozenset(_split_points(word, 3 if finest else 1, _base_words() if finest else _lexicon()))


def _split_points(word: str, depth: int, words: frozenset[str]) -> set[int]:
    """Where ``word`` splits into its parts: the split into the fewest dictionary
    words of two clusters or more (not the word itself), each part split again.

    The fewest pieces keep the parts meaningful (การค้า|มนุษย์, never
    ก|ารค้า...); splitting each part again reaches the finest cut
    (การ|ค้า|มนุษย์).
    """
    if depth == 0:
        return set()
    marks = [i for i in range(len(word) + 1) if analysis.is_unit_boundary(word, i)]
    n = len(word)
    best: dict[int, tuple[int, int]] = {0: (0, -1)}  # offset → (pieces, previous offset)
    for i in marks:
        if i not in best:
            continue
        for j in marks:
            if j <= i or (i, j) == (0, n) or len(analysis.units(word[i:j])) < 2 or word[i:j] not in words:
                continue
            if j not in best or best[j][0] > best[i][0] + 1:
                best[j] = (best[i][0] + 1, i)
    if n not in best or best[n][0] > MAX_PIECES:
        return set()
    cuts: list[int] = []
    j = n
    while j > 0:
        j = best[j][1]
        cuts.append(j)
    cuts = sorted(cuts) + [n]
    out = set(cuts[1:-1])
    for a, b in zip(cuts, cuts[1:]):
        out.update(a + k for k in _split_points(word[a:b], depth - 1, words))
    return out


def _tokens(text: str) -> list[tuple[int, str]]:
    """(offset, word) of every Thai word of ``text``, as the segmenter cuts them."""
    out: list[tuple[int, str]] = []
    for m in _THAI_RUN.finditer(text):
        pos = m.start()
        for word in segmenter.segment(m.group()):
            out.append((pos, word))
            pos += len(word)
    return out


def _is_boundary(tokens: list[tuple[int, str]], offset: int) -> bool:
    """Is ``offset`` a boundary of the finest segmentation (outside Thai words, or at
    a word's edge, or between two parts of a compound word)?"""
    for start, word in tokens:
        end = start + len(word)
        if start < offset < end:
            # a domain compound (การค้ามนุษย์, kept whole for the index) is cut to its
            # finest parts; a word of the language only into its main parts
            return len(analysis.units(word)) >= 3 and (offset - start) in split_points(word, word not in _lexicon())
        if start >= offset:
            break
    return True


def boundaries(text: str) -> set[int]:
    """The offsets of ``text`` (normalized, spaces collapsed) where a word starts or ends."""
    tokens = _tokens(text)
    cuts = {i for i in range(len(text) + 1) if _is_boundary(tokens, i)}
    for m in _OTHER_RUN.finditer(text):  # a number or a Latin word is not cut
        cuts -= set(range(m.start() + 1, m.end()))
    return cuts


def _inside_name(text: str, start: int, end: int, regions: bool = True) -> bool:
    for pattern in _names(regions):
        for m in pattern.finditer(text):
            if m.start() < start < m.end() or m.start() < end < m.end():
                return True
    return False


def is_aligned_text(text: str, start: int, end: int) -> bool:
    """Does ``text[start:end]`` start and end on word boundaries of ``text``?"""
    if _cuts_number(text, start, end):
        return False
    tokens = _tokens(text)
    return _is_boundary(tokens, start) and _is_boundary(tokens, end) and not _inside_name(text, start, end)


def _cuts_number(text: str, start: int, end: int) -> bool:
    """A digit run or a Latin word is never matched in part."""
    before = text[start - 1 : start]
    after = text[end : end + 1]
    first, last = text[start : start + 1], text[end - 1 : end]
    return bool(
        (before and _OTHER_RUN.fullmatch(before) and _OTHER_RUN.fullmatch(first))
        or (after and _OTHER_RUN.fullmatch(after) and _OTHER_RUN.fullmatch(last))
    )


def _window(form: bytes, offset: int, length: int) -> tuple[str, int]:
    """The text around an occurrence of a scan form, and the occurrence's start in it."""
    lo = max(0, offset - WINDOW)
    hi = min(len(form), offset + length + WINDOW)
    window = form[lo:hi].decode(SCAN_CODEC, errors="replace")
    # a window edge may cut a word: start and end it at spaces when there are some
    left = window.find(" ", 0, offset - lo)
    right = window.rfind(" ", offset - lo + length)
    cut_lo = left + 1 if left >= 0 and lo > 0 else 0
    cut_hi = right if right >= 0 and hi < len(form) else len(window)
    return window[cut_lo:cut_hi], offset - lo - cut_lo


def is_aligned(form: bytes, offset: int, length: int) -> bool:
    """Is the occurrence at ``offset`` (``length`` bytes) of a scan form word-aligned?"""
    text, start = _window(form, offset, length)
    return is_aligned_text(text, start, start + length)


def cuts_number(form: bytes, offset: int, length: int) -> bool:
    """Does the occurrence at ``offset`` of a scan form begin or end inside a number
    or a Latin word (1 in 17)?  Bytes only (ASCII is itself in the scan codec): it
    runs on every occurrence of a digit query."""
    end = offset + length
    return (
        offset > 0 and _alnum(form[offset - 1]) and _alnum(form[offset])
        or end < len(form) and _alnum(form[end]) and _alnum(form[end - 1])
    )


def _alnum(byte: int) -> bool:
    return 48 <= byte <= 57 or 97 <= byte <= 122 or 65 <= byte <= 90


def is_whole_span(form: bytes, offset: int, length: int) -> bool:
    """May an occurrence of a clause of several words count though not word-aligned?

    A span copied from a document (ภูมิภาค|ทุกคน → ภาคทุก) often starts or ends
    inside a word; it still finds its document, but never by cutting a number
    (ที่ 1 in ที่ 17) or a proper name (จังหวัดตาก in จังหวัดตากใบ; a common word
    such as ภูมิภาค may be cut).
    """
    text, start = _window(form, offset, length)
    end = start + length
    return not _cuts_number(text, start, end) and not _inside_name(text, start, end, regions=False)
