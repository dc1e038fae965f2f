"""Repairs for Thai text as PDF extractors give it: Thai-script rules, not PDF parsing.

Thai PDFs carry extraction artefacts that would break word segmentation and
search: sara am split into nikhahit + sara aa, tone marks stored before the
vowel they sit on, doubled marks, spaces inserted before combining marks, and
the "shifted" glyph variants of Thai fonts in the Private Use Area
(U+F700–U+F71A).  Each repair is a small function with its own test; the PDF
reader calls ``repair_pdf_text``.  Plain regular expressions: importing this
module loads no segmenter.
"""
from __future__ import annotations

import re

from kb.thai.script import MARKS_CLASS, NIKHAHIT, SARA_AA, SARA_AM, THANTHAKHAT, TONE_MARKS, VOWEL_SIGNS

# Tone marks as PDF producers misplace them; thanthakhat behaves the same way there.
_TONES = TONE_MARKS + THANTHAKHAT

# Thai font glyph variants (shifted left/down, tail-less) that some PDF producers
# expose as Private Use Area code points instead of the real characters.
THAI_PUA = {
    0xF700: "\u0e10", 0xF701: "\u0e34", 0xF702: "\u0e35", 0xF703: "\u0e36", 0xF704: "\u0e37",
    0xF705: "\u0e48", 0xF706: "\u0e49", 0xF707: "\u0e4a", 0xF708: "\u0e4b", 0xF709: "\u0e4c",
    0xF70A: "\u0e48", 0xF70B: "\u0e49", 0xF70C: "\u0e4a", 0xF70D: "\u0e4b", 0xF70E: "\u0e4c",
    0xF70F: "\u0e0d", 0xF710: "\u0e31", 0xF711: "\u0e4d", 0xF712: "\u0e47", 0xF713: "\u0e48",
    0xF714: "\u0e49", 0xF715: "\u0e4a", 0xF716: "\u0e4b", 0xF717: "\u0e4c", 0xF718: "\u0e38",
    0xF719: "\u0e39", 0xF71A: "\u0e3a",
}
_SPACE_BEFORE_MARK = re.compile(rf"[ \t\u00a0\u200b]+(?=[{MARKS_CLASS}{SARA_AM}])")
_SPLIT_SARA_AM = re.compile(rf"{NIKHAHIT}([{_TONES}]?)[ \t]*{SARA_AA}")
_SPLIT_SARA_AM_TONE_BETWEEN = re.compile(rf"{NIKHAHIT}[ \t]*([{_TONES}])[ \t]*{SARA_AA}")
_TONE_BEFORE_VOWEL = re.compile(rf"([{_TONES}])([{VOWEL_SIGNS}])")
_DOUBLED_MARK = re.compile(rf"([{MARKS_CLASS}{SARA_AM}])\1+")


def map_private_use(text: str) -> str:
    """Replace Thai font glyph variants in the Private Use Area by the real characters."""
    return text.translate(THAI_PUA)


def remove_space_before_marks(text: str) -> str:
    """Remove spaces a PDF put before a combining mark or sara am ("ก ั น" → "กัน")."""
    return _SPACE_BEFORE_MARK.sub("", text)


def join_sara_am(text: str) -> str:
    """Nikhahit + sara aa (with a tone mark or a space between) → sara am, as typed.

    "น ้ ํ า" style sequences come out of PDFs as U+0E4D U+0E32; the tone mark,
    if any, goes before sara am (the Unicode order of "น้ำ").
    """
    text = _SPLIT_SARA_AM.sub(f"\\1{SARA_AM}", text)
    return _SPLIT_SARA_AM_TONE_BETWEEN.sub(f"\\1{SARA_AM}", text)


def reorder_tone_marks(text: str) -> str:
    """Put a vowel sign stored after its tone mark back in front of it ("ท่ี" → "ที่")."""
    return _TONE_BEFORE_VOWEL.sub(r"\2\1", text)


def remove_duplicate_marks(text: str) -> str:
    """Collapse a combining mark or sara am repeated by the extractor ("ก่่" → "ก่")."""
    return _DOUBLED_MARK.sub(r"\1", text)


def repair_pdf_text(text: str) -> str:
    """All Thai repairs, in the order that lets each see the previous one's result."""
    text = map_private_use(text)
    text = remove_space_before_marks(text)
    text = join_sara_am(text)
    text = reorder_tone_marks(text)
    return remove_duplicate_marks(text)
