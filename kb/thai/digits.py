"""Thai digits (๐–๙) and the invisible characters that travel with Thai text.

Each fold is one function with an honest name; ``kb.thai.normalize`` composes
them.  All are ``str.replace`` loops over the few characters present: on Thai
text that is ~20× faster than ``str.translate``'s per-character lookups
(measured), and it keeps the one-for-one folds length-preserving.
"""
from __future__ import annotations

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
THAI_DIGIT_RANGE = "\u0e50-\u0e59"  # THAI_DIGITS as a regex class body
# Zero-width space/non-joiner/joiner, word joiner, BOM and soft hyphen: they
# split words invisibly (a copy-paste from a web page is full of them).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

_DIGIT_PAIRS = tuple(zip(THAI_DIGITS, "0123456789"))


def _replace_each(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for char, replacement in pairs:
        if char in text:
            text = text.replace(char, replacement)
    return text


def thai_digits_to_arabic(text: str) -> str:
    """Thai digits → Arabic ones, character for character (offsets stay valid)."""
    return _replace_each(text, _DIGIT_PAIRS)


def remove_invisible(text: str) -> str:
    """Drop zero-width characters and soft hyphens."""
    return _replace_each(text, tuple((c, "") for c in INVISIBLE))


def invisible_to_spaces(text: str) -> str:
    """Zero-width characters and soft hyphens → spaces (length-preserving)."""
    return _replace_each(text, tuple((c, " ") for c in INVISIBLE))


def fold_digits_and_invisible(text: str) -> str:
    """``thai_digits_to_arabic`` then ``remove_invisible``: the digit step of normalization."""
    return remove_invisible(thai_digits_to_arabic(text))

