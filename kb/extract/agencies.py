"""Agencies a text names: สมช., กอ.รมน., ศรชล., ปปส. … by abbreviation, full name or alias.

The names are data (kb/taxonomy/agencies.json), blockers included; the topic
extractor also needs the full names alone, to tell a term inside an agency's
name (ศูนย์อำนวยการป้องกันและปราบปรามยาเสพติด) from a statement about the topic.
"""
from __future__ import annotations

from functools import cache

from kb import taxonomy
from kb.extract.lexicon import Lexicon
from kb.thai.digits import thai_digits_to_arabic


@cache
def _agency_lexicon() -> Lexicon:
    entries: list[tuple[str, str | None]] = []
    for a in taxonomy.agencies():
        entries += [(a["abbr"], a["abbr"]), (a["name"], a["abbr"])] + [(x, a["abbr"]) for x in a["aliases"]]
    entries += [(b, None) for b in taxonomy.agency_blockers()]
    return Lexicon(entries)


@cache
def agency_name_lexicon() -> Lexicon:
    """The agencies' full names only (abbreviations and aliases left out)."""
    return Lexicon((a["name"], a["abbr"]) for a in taxonomy.agencies())


def agencies_in(folded: str) -> list[str]:
    """``find_agencies`` of a text whose Thai digits are already folded."""
    return list(dict.fromkeys(m.value for m in _agency_lexicon().find(folded)))


def find_agencies(text: str) -> list[str]:
    """Canonical abbreviations of the agencies a text names by abbreviation or full
    name, in order of first mention."""
    return agencies_in(thai_digits_to_arabic(text))
