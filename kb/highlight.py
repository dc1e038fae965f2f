"""Highlighting and snippets that are right for Thai.

Matches are found in the *normalized* text (the form the index saw), then
mapped back to the original characters, so ๓ in a document is highlighted for
a query typed 3, and a sub-word match marks exactly the matched characters.
A mark never starts or ends inside a character cluster, and a snippet is cut
at spaces, never through a cluster.  The snippet is the best passage anywhere
in the document, however long it is.

Results are data (``Span``, ``Excerpt`` from ``kb.models``), never HTML: the
edge makes that (``Excerpt.to_html`` for the API and the pages, the CLI its
own emphasis).  The work is linear in the number of matches,
and a snippet considers at most ``MAX_SNIPPET_MATCHES`` of them: a query of 32
single letters matches a document thousands of times.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from typing import Sequence

from kb.analysis import is_unit_boundary, normalize, normalize_with_offsets, quick_fold, units
from kb.analysis import runs as analysis_runs
from kb.models import Excerpt, Span
from kb.thai.script import is_combining_mark

SNIPPET_CHARS = 260
MAX_SNIPPET_MATCHES = 2000  # matches one snippet's window choice considers (the first ones)
MAX_BLOCK_HITS = 20000  # needle occurrences the block choice of a long document considers
# occurrences one verbatim excerpt looks at (a query of one-letter words matches nearly every
# character of the window; a real passage holds a handful)
MAX_VERBATIM_MARKS = 40


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
        inside: list[tuple[int, int]] = []  # matches only inside other words (ตาก in ตากใบ)
        short = _is_short(needle)
        for m in re.finditer(re.escape(needle), norm):
            s, e = m.start(), m.end()
            if not (is_unit_boundary(norm, s) and is_unit_boundary(norm, e)) or _cuts_number(norm, s, e):
                continue
            if any(taken[s:e]):
                continue
            if short and not _word_at(norm, s, e):
                inside.append((s, e))
                continue
            taken[s:e] = b"\x01" * (e - s)
            found.append((s, e, i))
        if inside and not any(f[2] == i for f in found):
            # the needle is nowhere a word here: mark where it is (a partial match)
            for s, e in inside:
                if not any(taken[s:e]):
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


SHORT_NEEDLE_UNITS = 4  # needles this short are often inside other words (ตาก in ตากใบ, ชา in ชายแดน)
WORD_WINDOW = 40  # characters of context for the word-boundary check
MAX_WORD_CHECKS = 400  # word-boundary checks per needle; past that, matches are marked as they are


def _is_short(needle: str) -> bool:
    runs = analysis_runs(needle)
    return len(runs) == 1 and runs[0].thai and len(units(needle)) <= SHORT_NEEDLE_UNITS


def _word_at(norm: str, s: int, e: int) -> bool:
    """Does norm[s:e] stand as a word (kb.search.align), judged on a window around it?"""
    from kb.search.align import is_aligned_text  # imported late: kb.search imports this module

    lo = max(0, s - WORD_WINDOW)
    window = re.sub(r"\s+", " ", norm[lo : e + WORD_WINDOW])
    shift = len(re.sub(r"\s+", " ", norm[lo:s]))
    return is_aligned_text(window, shift, shift + (e - s))


def _cuts_number(norm: str, s: int, e: int) -> bool:
    """A match that would mark part of a longer number or Latin word (1 inside 17, tak
    inside take), as ``kb.search.align.cuts_number`` judges a match."""
    return (s > 0 and _alnum(norm[s - 1]) and _alnum(norm[s])) or (
        e < len(norm) and _alnum(norm[e]) and _alnum(norm[e - 1])
    )


def _alnum(ch: str) -> bool:
    """A digit (any script) or a Latin letter."""
    return ch.isdigit() or ch.isascii() and ch.isalpha()


def _merge_adjacent(text: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for sp in spans:
        if merged and sp.start <= merged[-1].end and sp.start >= merged[-1].start:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, sp.end), last.needle)
        else:
            merged.append(sp)
    return merged


def highlight_all(text: str, needles: list[str]) -> Excerpt:
    """The whole text with every match (the document page)."""
    return Excerpt(text, find_spans(text, needles))


def excerpt(text: str, needles: list[str], size: int = SNIPPET_CHARS, max_matches: int = MAX_SNIPPET_MATCHES) -> Excerpt:
    """The best passage of ``text`` for the needles, with its matches.

    Passages are windows starting at spaces or line breaks; the best is the one
    covering the most distinct needles, then the most matches, then the
    earliest.  Without matches, the opening of the text.  The passage is
    prefixed ``… `` / suffixed `` …`` where the text goes on.  ``at`` is where its main match
    (of the first needle it shows) begins in ``text`` (None without a match), so a hit can name
    the page it is on.
    """
    skipped = len(text) - len(text.lstrip())
    text = text.strip()
    if not any(n.strip() for n in needles):
        return Excerpt(_cut(text, 0, size)[2])
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
        return Excerpt(("… " if base else "") + _cut(text, base, size)[2])
    s, e, _ = _cut(text, best_window(spans[:max_matches], size), size)
    lead = "… " if s > 0 else ""
    shown = [sp for sp in spans if sp.start >= s and sp.end <= e]
    inside = [Span(sp.start - s + len(lead), sp.end - s + len(lead), sp.needle) for sp in shown]
    # the passage's main match: of the first needle shown (the whole clause before its words)
    at = skipped + (min(shown, key=lambda sp: (sp.needle, sp.start)).start if shown else s)
    return Excerpt(lead + text[s:e] + (" …" if e < len(text) else ""), inside, at)


def verbatim_excerpt(text: str, needles: list[str], size: int = SNIPPET_CHARS) -> Excerpt:
    """A cheap passage for long lists (an export's rows after its first ones): the window at
    the earliest verbatim occurrence of a needle, with the verbatim occurrences in it marked.

    ``str.find`` over the text, nothing normalized and no window choice, so it costs a
    fraction of ``excerpt``: a needle the text writes otherwise (๓ for 3, another order of
    marks) is not found, and without any occurrence the passage is the opening, as
    ``excerpt`` gives.  A mark still never starts or ends inside a character cluster; at most
    ``MAX_VERBATIM_MARKS`` occurrences are looked at, so the work per passage is bounded.
    """
    text = text.strip()
    lowered = text.lower()
    hay = lowered if len(lowered) == len(text) else text  # Latin needles are lower-case
    wanted = [(i, n) for i, n in enumerate(needles) if n.strip()]
    firsts = [at for at in (hay.find(n) for _, n in wanted) if at >= 0]
    if not firsts:
        return Excerpt(_cut(text, 0, size)[2])
    s, e, _ = _cut(text, max(0, min(firsts) - size // 4), size)
    lead = "… " if s > 0 else ""
    found: list[tuple[int, int, int]] = []
    for i, needle in wanted:
        at = hay.find(needle, s, e)
        while at >= 0 and at + len(needle) <= e and len(found) < MAX_VERBATIM_MARKS:
            end = at + len(needle)
            if is_unit_boundary(hay, at) and is_unit_boundary(hay, end):
                found.append((at, end, i))
            at = hay.find(needle, at + 1, e)
    found.sort(key=lambda t: (t[0], t[0] - t[1]))  # by start, the longer first
    spans, last = [], s
    for a, b, i in found:
        if a >= last:
            spans.append(Span(a - s + len(lead), b - s + len(lead), i))
            last = b
    return Excerpt(lead + text[s:e] + (" …" if e < len(text) else ""), spans, min(firsts))


def best_window(spans: Sequence[Span], size: int) -> int:
    """Where the best window of ``size`` characters starts (``size // 4`` before one of the spans).

    The window opened at a span holds it and the spans after it that end
    inside it; the best holds the most distinct needles, then the most spans,
    then starts earliest.  Spans are sorted and non-overlapping, so their
    ends increase too: one sliding pass (two pointers) over them, linear in
    their number.
    """
    inside: Counter[int] = Counter()  # needle → spans of it in the window [i, j)
    best_key, best_start = None, 0
    j = 0
    for i in range(len(spans)):
        sp = spans[i]
        start = max(0, sp.start - size // 4)
        if j <= i:  # the window is empty: it opens afresh at this span
            j = i
            inside.clear()
        while j < len(spans):
            nxt = spans[j]
            if nxt.end > start + size:
                break
            inside[nxt.needle] += 1
            j += 1
        key = (len(inside), j - i, -start) if j > i else (1, 1, -start)  # a span longer than the window alone
        if best_key is None or key > best_key:
            best_key, best_start = key, start
        if j > i:  # the window moves on past this span
            inside[sp.needle] -= 1
            if not inside[sp.needle]:
                del inside[sp.needle]
    return best_start


BLOCK_CHARS = 3000


def _best_block(text: str, needles: list[str]) -> tuple[int, int]:
    """The stretch of about BLOCK_CHARS characters, cut at spaces, with the most
    distinct needles (then the most occurrences, then the earliest).

    Needles are looked for in the text as it is and in a quick fold of it
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
    # The text as it is and its quick fold, both: a query's digits are Arabic in the needles, so
    # "คำเฉพาะหน้าที่073" is found only in the fold of "…๐๗๓", while its words are found in the text
    # as it is, in every block (a 100-page scan showed the earliest page with the words).
    folded = quick_fold(text)
    hits: set[tuple[int, int]] = set()  # (offset, needle index)
    for form in (text, folded) if folded != text and len(folded) == len(text) else (text,):
        for i, n in enumerate(needles):
            pos = form.find(n)
            while pos != -1 and len(hits) < MAX_BLOCK_HITS:
                if not _cuts_number(form, pos, pos + len(n)):  # "ที่ 1" inside "ที่ 17" is no match to show
                    hits.add((pos, i))
                pos = form.find(n, pos + 1)
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
