"""Publication dates: the first plausible date of a text, in any form Thai writers use.

Thai months (full or abbreviated, from ``kb.thai.calendar``), Buddhist-Era
years (four digits in the one B.E. window, or two as in "ม.ค. 67"), English
dates, ISO dates and day/month/year.
"""
from __future__ import annotations

import re
from datetime import date as _date

from kb.thai.calendar import MONTH_VARIANTS, MONTHS_ABBR, MONTHS_FULL, month_number, to_common_era
from kb.thai.digits import thai_digits_to_arabic

MIN_YEAR, MAX_YEAR = 1990, 2035  # sane publication years for this collection
_MONTHS_EN = {
    m: i
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for m in names
}


def _month_alternation() -> str:
    full = sorted((re.escape(f) for f in [*MONTHS_FULL, *MONTH_VARIANTS]), key=len, reverse=True)
    # Abbreviations are written with or without their final period and with
    # stray spaces around the inner one ("ม.ค.", "ม.ค", "ม. ค.").
    abbrs = []
    for abbr in MONTHS_ABBR:
        first, second = abbr.rstrip(".").split(".")
        abbrs.append(re.escape(first) + r"\.\s?" + re.escape(second) + r"\.?")
    return "|".join(full + abbrs)


_THAI_DATE = re.compile(
    r"(?<!\d)(?P<day>[0-3]?\d)(?:\s*[-–]\s*[0-3]?\d)?\s*(?P<month>" + _month_alternation() + r")\s*"
    r"(?:(?P<era>พ\.\s?ศ\.?|ค\.\s?ศ\.?)\s*)?(?P<year>\d{4}|\d{2})(?!\d)"
)
_EN_DATE = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<day>[0-3]?\d)\s+(?P<month>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})"
    r"|(?P<month2>[A-Za-z]{3,9})\.?\s+(?P<day2>[0-3]?\d),?\s+(?P<year2>\d{4}))(?![A-Za-z0-9])"
)
_ISO_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<![\d/.])(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>\d{4})(?![\d/])")


def _gregorian(year: int, era: str | None = None) -> int:
    """A written year as Gregorian: four-digit years in the B.E. window convert
    (``kb.thai.calendar``); two-digit years are B.E. (67 → 2567); ค.ศ. says C.E."""
    if year < 100:
        year += 2500
    if era and era.startswith("ค"):
        return year
    return to_common_era(year)


def _iso(year: int, month: int, day: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return None


def _thai_date_iso(m: re.Match[str]) -> str | None:
    return _iso(_gregorian(int(m["year"]), m["era"]), month_number(m["month"]), int(m["day"]))


def _en_date_iso(m: re.Match[str]) -> str | None:
    month = _MONTHS_EN.get((m["month"] or m["month2"]).lower())
    return _iso(int(m["year"] or m["year2"]), month, int(m["day"] or m["day2"])) if month else None


def _numbers_date_iso(m: re.Match[str]) -> str | None:
    return _iso(_gregorian(int(m["year"])), int(m["month"]), int(m["day"]))


_DATE_FORMS = (
    (_THAI_DATE, _thai_date_iso),
    (_EN_DATE, _en_date_iso),
    (_ISO_DATE, _numbers_date_iso),
    (_NUMERIC_DATE, _numbers_date_iso),
)
# Every date form starts where a run of ASCII digits or ASCII letters starts, or
# at a non-ASCII digit (each form's lookbehind forbids a digit, or an ASCII
# letter or digit, before it).  Trying the forms only there, in text order,
# finds the same matches as scanning the text with each form, and lets the scan
# stop at the first date instead of running four patterns over the whole text.
_DATE_START = re.compile(r"[0-9]+|[A-Za-z]+|\d")


def first_date(folded: str) -> str | None:
    """``parse_date`` of a text whose Thai digits are already folded: the date of
    the leftmost valid match of any form (on a tie, the smallest ISO string).
    As with ``finditer``, a form resumes after its last match."""
    text = folded
    resume = [0] * len(_DATE_FORMS)
    for run in _DATE_START.finditer(text):
        pos = run.start()
        found = None
        for i, (pattern, to_iso) in enumerate(_DATE_FORMS):
            if pos < resume[i]:
                continue
            m = pattern.match(text, pos)
            if m:
                resume[i] = m.end()
                iso = to_iso(m)
                if iso and (found is None or iso < found):
                    found = iso
        if found:
            return found
    return None


# "วันพุธที่ " before the date of a dateline
_WEEKDAY = re.compile(r"\s*(?:วัน[\u0e01-\u0e4e]{1,12}?ที่\s*)?")


def dateline(folded: str) -> str | None:
    """The date of a release's dateline — a first line that holds a date and
    nothing else ("วันพุธที่ 7 กุมภาพันธ์ 2567") — or None.  It is when the text
    was published; a date in the title is often the event's or a deadline."""
    line = folded.lstrip().split("\n", 1)[0].strip()
    if not line or len(line) > 60:
        return None
    start = _WEEKDAY.match(line).end()
    for pattern, to_iso in _DATE_FORMS:
        m = pattern.fullmatch(line, start)
        if m:
            return to_iso(m)
    return None


def parse_date(text: str) -> str | None:
    """The first date in reading order, as ISO ``YYYY-MM-DD`` (Gregorian), or None.

    Understands Thai and Arabic digits, full and abbreviated Thai months, B.E.
    years (four digits, or two as in "ม.ค. 67"), Gregorian years, ISO dates and
    day/month/year.  Dates outside 1990–2035 are ignored as implausible for a
    publication date (they are usually a law's year or a typo).
    """
    if not text:
        return None
    return first_date(thai_digits_to_arabic(text))
