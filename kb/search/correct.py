"""Typo tolerance: a query word no document holds is read as the frequent index
word it most likely meant (ยาเสพติต → ยาเสพติด, งบประมาน → งบประมาณ).

Candidates are one edit away (the engine's own corrector over the word
lexicon) or one common Thai spelling variant away: letters that sound alike
(ณ/น, ศ/ษ/ส, ร/ล, ต/ด, ท/ธ, พ/ภ ...), sara am for ั + ม (กำพูชา → กัมพูชา),
ไ/ใ, and a tone mark or thanthakhat missing or extra.  The candidate held by
the most documents wins, and only if it is held by clearly more documents
than what was typed: a rare but real word is never "corrected".
"""
from __future__ import annotations

from dataclasses import dataclass

from kb import analysis
from kb.search.finder import Finder
from kb.thai.script import TONE_MARKS

# Letters a Thai writer confuses because they sound alike (each group is interchangeable).
SOUND_ALIKE = ("ณน", "ศษส", "รล", "ตดฏฎ", "ทธฒฑถฐ", "พภ", "ขคฆ", "ชฌ", "ยญ", "ซส", "ผพ", "ฝฟ", "ไใ")
MARKS_TO_ADD = TONE_MARKS + "\u0e4c"  # tone marks and thanthakhat (์)
MIN_DOCS = 3  # a correction must be held (as a word) by at least this many documents
LEAD = 3  # ... and by this many times more documents than the typed word


@dataclass(frozen=True)
class Correction:
    typed: str  # normalized
    meant: str
    docs: int  # documents holding ``meant`` as a word


def variants(word: str) -> set[str]:
    """Strings one common Thai spelling variant away from ``word``."""
    out: set[str] = set()
    for i, ch in enumerate(word):
        for group in SOUND_ALIKE:
            if ch in group:
                out.update(word[:i] + other + word[i + 1 :] for other in group if other != ch)
        if ch in MARKS_TO_ADD:  # an extra tone mark
            out.add(word[:i] + word[i + 1 :])
        if ch == "\u0e33":  # sara am for ั + ม
            out.add(word[:i] + "\u0e31\u0e21" + word[i + 1 :])
    for i in range(1, len(word) + 1):  # a missing tone mark or thanthakhat
        out.update(word[:i] + m + word[i:] for m in MARKS_TO_ADD)
    out.update(word.replace("\u0e31\u0e21", "\u0e33", 1) for _ in (0,) if "\u0e31\u0e21" in word)
    out.discard(word)
    return {analysis.normalize(v) for v in out}


def correct(finder: Finder, typed: str, literal_docs: int) -> Correction | None:
    """The word ``typed`` most likely meant, or None (``literal_docs``: documents
    holding ``typed`` as a word)."""
    norm = analysis.normalize(typed).strip()
    if any(ch.isdigit() for ch in norm):  # a number is never a misspelling (2504 is not 2554)
        return None
    if len(analysis.units(norm)) < 3 or not analysis.runs(norm) or len(analysis.runs(norm)) != 1:
        return None
    own = max(literal_docs, finder.doc_frequency(norm))
    candidates = variants(norm) if analysis.runs(norm)[0].thai else set()
    candidates.update(finder.index.suggest(finder.snap, "words", norm, maxdist=1))
    best: Correction | None = None
    for cand in candidates:
        if cand == norm:
            continue
        df = finder.doc_frequency(cand)
        if df >= max(MIN_DOCS, LEAD * (own + 1) if own else MIN_DOCS) and (best is None or df > best.docs):
            best = Correction(norm, cand, df)
    return best
