"""Highlighting and snippets that are right for Thai.

Matches are found in the *normalized* text (the form the index saw), then
mapped back to the original characters, so ๓ in a document is highlighted for
a query typed 3, and a sub-word match marks exactly the matched characters.
A mark never starts or ends inside a character cluster, and a snippet is cut
at spaces, never through a cluster.  The snippet is the best passage anywhere
in the document, however long it is.
"""
from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

from kb.analysis import is_unit_boundary, normalize, normalize_with_offsets, quick_fold
from kb.thai.script import is_combining_mark

SNIPPET_CHARS = 260


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the ORIGINAL text
    end: int
    needle: int  # index of the needle that matched


def find_spans(text: str, needles: list[str]) -> list[Span]:
    """Non-overlapping occurrences of the (normalized) needles in ``text``.

    Longer needles win over the shorter ones they contain (the whole phrase is
    marked rather than its words one by one).
    """
    needles = [n for n in needles if n.strip()]
    if not needles or not text:
        return []
    norm, offsets = normalize_with_offsets(text)
    if norm != normalize(text):  # cannot map exactly: highlight nothing rather than wrongly
        return []
    order = sorted(range(len(needles)), key=lambda i: -len(needles[i]))
    taken = bytearray(len(norm) + 1)
    found: list[tuple[int, int, int]] = []
    for i in order:
        needle = needles[i]
        for m in re.finditer(re.escape(needle), norm):
            s, e = m.start(), m.end()
            if not (is_unit_boundary(norm, s) and is_unit_boundary(norm, e)):
                continue
            if any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
            found.append((s, e, i))
    spans = []
    for s, e, i in sorted(found):
        start = offsets[s]
        end = offsets[e - 1] + 1
        # include the combining marks that belong to the last character
        while end < len(text) and _is_mark(text[end]):
            end += 1
        spans.append(Span(start, end, i))
    return _merge_adjacent(text, spans)


_is_mark = is_combining_mark


def _merge_adjacent(text: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for sp in spans:
        if merged and sp.start <= merged[-1].end and sp.start >= merged[-1].start:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, sp.end), last.needle)
        else:
            merged.append(sp)
    return merged


def mark(text: str, spans: list[Span]) -> str:
    """HTML-escape ``text`` and wrap the spans in <mark>."""
    out: list[str] = []
    last = 0
    for sp in spans:
        if sp.start < last:
            continue
        out.append(html.escape(text[last : sp.start]))
        out.append("<mark>" + html.escape(text[sp.start : sp.end]) + "</mark>")
        last = sp.end
    out.append(html.escape(text[last:]))
    return "".join(out)


def highlight(text: str, needles: list[str]) -> str:
    """The whole text, escaped, with every match marked (the document page)."""
    return mark(text, find_spans(text, needles))


def snippet(text: str, needles: list[str], size: int = SNIPPET_CHARS) -> str:
    """The best passage of ``text`` for the needles, escaped and marked.

    Passages are windows starting at spaces or line breaks; the best is the one
    covering the most distinct needles, then the most matches, then the
    earliest.  Without matches, the opening of the text.
    """
    text = text.strip()
    base = 0
    if len(text) > BLOCK_CHARS:
        # find the best region cheaply first: normalizing every block is C-speed,
        # mapping offsets (find_spans) is done only for the winning block
        base, end = _best_block(text, needles)
        region = text[base:end]
        spans = [Span(sp.start + base, sp.end + base, sp.needle) for sp in find_spans(region, needles)]
    else:
        spans = find_spans(text, needles)
    if not spans:
        return ("… " if base else "") + html.escape(_cut(text, base, size)[2])
    best_key, best_start = None, 0
    for i, sp in enumerate(spans):
        start = max(0, sp.start - size // 4)
        window = [s for s in spans[i:] if s.end <= start + size] or [sp]
        key = (len({s.needle for s in window}), len(window), -start)
        if best_key is None or key > best_key:
            best_key, best_start = key, start
    s, e, _ = _cut(text, best_start, size)
    inside = [Span(sp.start - s, sp.end - s, sp.needle) for sp in spans if sp.start >= s and sp.end <= e]
    body = mark(text[s:e], inside)
    return ("… " if s > 0 else "") + body + (" …" if e < len(text) else "")


BLOCK_CHARS = 3000


def _best_block(text: str, needles: list[str]) -> tuple[int, int]:
    """The stretch of about BLOCK_CHARS characters, cut at spaces, with the most
    distinct needles (then the most occurrences, then the earliest).

    Needles are looked for in the text as it is, then in a quick fold of it
    (digits, case, zero-width: offsets unchanged); only when neither finds
    anything is each block fully normalized.
    """
    needles = [n for n in needles if n.strip()]
    blocks: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + BLOCK_CHARS)
        if end < len(text):
            ws = text.rfind(" ", start + BLOCK_CHARS // 2, end)
            end = ws if ws > start else end
        blocks.append((start, end))
        start = end
    for folded in (text, None):  # the text as it is first: most needles occur in it unchanged
        if folded is None:
            folded = quick_fold(text)
            if len(folded) != len(text):
                break
        hits: list[tuple[int, int]] = []  # (offset, needle index)
        for i, n in enumerate(needles):
            pos = folded.find(n)
            while pos != -1:
                hits.append((pos, i))
                pos = folded.find(n, pos + 1)
        if hits:
            starts = [bs for bs, _ in blocks]
            per_block: dict[int, list[int]] = {}
            for p, i in hits:
                per_block.setdefault(bisect.bisect_right(starts, p) - 1, []).append(i)
            best_b = max(per_block, key=lambda b: (len(set(per_block[b])), len(per_block[b]), -b))
            return blocks[best_b]
    best_key, best = None, (0, min(len(text), BLOCK_CHARS))
    for bs, be in blocks:
        norm = normalize(text[bs:be])
        present = [n for n in needles if n in norm]
        if present:
            key = (len(present), sum(norm.count(n) for n in present), -bs)
            if best_key is None or key > best_key:
                best_key, best = key, (bs, be)
    return best


def _cut(text: str, start: int, size: int) -> tuple[int, int, str]:
    """A window of about ``size`` characters, moved to whitespace boundaries."""
    if start > 0:
        ws = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start))
        start = ws + 1 if ws >= 0 and start - ws < 80 else start
        while start < len(text) and _is_mark(text[start]):
            start += 1
    end = min(len(text), start + size)
    if end < len(text):
        ws = max(text.rfind(" ", start + size // 2, end), text.rfind("\n", start + size // 2, end))
        if ws > start:
            end = ws
        while end < len(text) and _is_mark(text[end]):
            end += 1
    return start, end, " ".join(text[start:end].split())
