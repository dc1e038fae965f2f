"""Thai month names and the Buddhist Era (พ.ศ.), with ONE window for telling eras apart.

A four-digit year in a Thai text is Buddhist Era when it falls in
``BE_YEAR_WINDOW`` (2400–2700: B.E. 2400 is 1857 CE, far before any document
of this collection, and C.E. 2400+ is far after); anything else is taken as
Common Era.  Every parser (extraction, query years, parameters) uses this one
rule, so "ปี 2567" and "?year=2567" mean the same year everywhere.
"""
from __future__ import annotations

BE_OFFSET = 543
BE_YEAR_WINDOW = range(2400, 2701)

MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
# Misspellings common enough in official texts to be read as the month.
MONTH_VARIANTS = {"กรกฏาคม": 7}

_BY_NAME = {
    **{name: i for i, name in enumerate(MONTHS_FULL, start=1)},
    **MONTH_VARIANTS,
    **{abbr: i for i, abbr in enumerate(MONTHS_ABBR, start=1)},
}


def month_number(name: str) -> int | None:
    """1–12 for a full Thai month name (or a known variant) or its abbreviation.

    Whitespace inside is ignored and an abbreviation's final period is optional
    ("ม. ค", "ม.ค." → 1); anything else is None.
    """
    compact = "".join(name.split())
    if compact in _BY_NAME:
        return _BY_NAME[compact]
    return _BY_NAME.get(compact + ".") if compact + "." in MONTHS_ABBR else None


def is_buddhist_era(year: int) -> bool:
    """True if a written four-digit year is read as Buddhist Era."""
    return year in BE_YEAR_WINDOW


def to_common_era(year: int) -> int:
    """A written year as Common Era: B.E. years (the window) convert, others stay."""
    return year - BE_OFFSET if year in BE_YEAR_WINDOW else year


def to_buddhist_era(year: int) -> int:
    """A Common-Era year as Buddhist Era (2024 → 2567)."""
    return year + BE_OFFSET

