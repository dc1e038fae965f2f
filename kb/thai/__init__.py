"""kb.thai: the one place that knows Thai script.

Index, queries, extraction, readers, highlighting and the site ask here:

* ``kb.thai.script``     character classes, combining marks, TIS-620/cp874 bytes
* ``kb.thai.digits``     Thai digits, invisible characters
* ``kb.thai.calendar``   month names, Buddhist Era ↔ Common Era (one year window)
* ``kb.thai.normalize``  normalization rules, with source offsets
* ``kb.thai.pdf_repair`` Thai-script repairs of PDF-extracted text
* ``kb.thai.segmenter``  the one word segmenter (nlpo3 + domain dictionary)
* ``kb.thai.dictionary`` the segmenter's word list file, stored safely

The names below are the light ones (pure Python, no segmenter); import
``kb.thai.segmenter`` where words are needed, which loads nlpo3.
"""
from kb.thai.calendar import (
    BE_OFFSET,
    BE_YEAR_WINDOW,
    MONTHS_ABBR,
    MONTHS_FULL,
    is_buddhist_era,
    month_number,
    to_buddhist_era,
    to_common_era,
)
from kb.thai.digits import THAI_DIGITS, thai_digits_to_arabic
from kb.thai.normalize import normalize, normalize_with_offsets, quick_fold
from kb.thai.script import COMBINING_MARKS, is_combining_mark

__all__ = [
    "BE_OFFSET",
    "BE_YEAR_WINDOW",
    "COMBINING_MARKS",
    "MONTHS_ABBR",
    "MONTHS_FULL",
    "THAI_DIGITS",
    "is_buddhist_era",
    "is_combining_mark",
    "month_number",
    "normalize",
    "normalize_with_offsets",
    "quick_fold",
    "thai_digits_to_arabic",
    "to_buddhist_era",
    "to_common_era",
]
