"""Thai script facts: which characters are letters, which combine, and their TIS-620 bytes.

Every other module that needs to know "is this a combining mark" or "which
bytes are Thai vowels in cp874" asks here, so the answer cannot differ between
the index, the highlighter, the readers and the sub-word scanner.
"""
from __future__ import annotations

import re

# --- characters ---------------------------------------------------------------

CONSONANTS = "\u0e01-\u0e2e"  # ก..ฮ, as a regex class body
SARA_AM = "\u0e33"
NIKHAHIT = "\u0e4d"
SARA_AA = "\u0e32"
SARA_E = "\u0e40"
SARA_AE = "\u0e41"
# Vowel signs written above or below a consonant (mai han-akat, sara i..phinthu).
VOWEL_SIGNS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
MAITAIKHU = "\u0e47"
TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"  # mai ek, mai tho, mai tri, mai chattawa
THANTHAKHAT = "\u0e4c"
# The combining marks: vowel signs, maitaikhu, tone marks, thanthakhat,
# nikhahit and yamakkan (U+0E31, U+0E34–U+0E3A, U+0E47–U+0E4E).  Sara am
# (U+0E33) is a spacing vowel, not one of them.
COMBINING_MARKS = VOWEL_SIGNS + MAITAIKHU + TONE_MARKS + THANTHAKHAT + NIKHAHIT + "\u0e4e"
MARKS_CLASS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"  # COMBINING_MARKS as a regex class body
LEADING_VOWELS = "\u0e40\u0e41\u0e42\u0e43\u0e44"  # เ แ โ ใ ไ: written before their consonant
THAI_BLOCK = "\u0e00-\u0e7f"
# What a Thai word run is made of (letters, vowels, marks, ฯ and ๆ; not digits).
THAI_RUN_CLASS = "\u0e01-\u0e3a\u0e40-\u0e4e"

_COMBINING = frozenset(COMBINING_MARKS)


def without_a_tone_mark(text: str) -> list[str]:
    """``text`` with one of its tone marks left out, each mark in turn: what OCR reads when it
    loses the small mark above a letter (ต่ำ read ตำ, ผู้ read ผู).  Empty without tone marks."""
    return list(dict.fromkeys(text[:i] + text[i + 1 :] for i, ch in enumerate(text) if ch in TONE_MARKS))


def is_combining_mark(ch: str) -> bool:
    """True for a Thai combining mark (a character that sits on the one before it)."""
    return ch in _COMBINING


_LEADING = frozenset(LEADING_VOWELS)


def cuts_a_syllable(text: str, start: int, end: int) -> bool:
    """True if the span [start, end) of ``text`` splits a syllable: a combining mark follows its end
    (ลาว in ศาลาว่าการ), or a leading vowel stands right before its start."""
    if end < len(text) and text[end] in _COMBINING:
        return True
    return start > 0 and text[start - 1] in _LEADING


# A run of Thai letters/marks, or a run of Latin letters and digits (of normalized text).
RUN_PATTERN = re.compile(f"(?P<thai>[{THAI_RUN_CLASS}]+)|(?P<latin>[0-9a-z\u00c0-\u024f]+)")

# --- TIS-620 / cp874 bytes ------------------------------------------------------

SCAN_CODEC = "cp874"  # a superset of TIS-620: one byte per Thai character


def _tis620(chars: str) -> frozenset[int]:
    return frozenset(ch.encode(SCAN_CODEC)[0] for ch in chars)


# TIS-620 byte values of the combining marks (0xD1, 0xD4–0xDA, 0xE7–0xEE) and
# of the leading vowels (0xE0–0xE4): where a sub-word match may not start or end.
TIS620_COMBINING_BYTES = _tis620(COMBINING_MARKS)
TIS620_LEADING_VOWEL_BYTES = _tis620(LEADING_VOWELS)
