"""Query words that became filters, and how a chip's removal link keeps such a filter removed.

A short query's year phrase (น้ำท่วม พ.ศ. 2567) or region word (ยาเสพติด ภาคเหนือ,
ภาคเหนือตอนล่าง) is applied as a filter and shown as a chip.  Dropping only the
filter parameter would let the query bring it straight back, so the removal
link also quotes those words: quoted, they are searched as text and never taken
as a filter again.  Which words did it is asked of the searcher's own parser
(``kb.search.parsing.parse``), never guessed here.
"""
from __future__ import annotations

import re

from kb.search.parsing import ParsedQuery, parse

# a year phrase as the query parser reads one (พ.ศ. 2567, ค.ศ.2024, ปี ๒๕๖๗); parse() confirms each
_YEAR_PHRASE = re.compile(r"(?:พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|ปี)\s*[0-9๐-๙]{4}")
TAKEN = {"year": "years", "region4": "regions", "subregion": "subregions"}  # facet → ParsedQuery list


def taken(parsed: ParsedQuery, facet: str) -> list[str]:
    """The values of ``facet`` the query text asks to filter on (as strings)."""
    return [str(v) for v in getattr(parsed, TAKEN[facet], [])] if facet in TAKEN else []


def _quote_where(q: str, pattern: re.Pattern, makes_value) -> str:
    return pattern.sub(lambda m: f'"{m.group(0)}"' if makes_value(m.group(0)) else m.group(0), q)


def quote_filter_words(q: str, facet: str, value: str) -> str:
    """``q`` with the words that ask for ``facet=value`` quoted (``q`` itself when none do).

    Quotes stop every region word of the query from being taken, so region words
    that were filters and no longer are leave the text too: their filters stay as
    URL parameters, and the query means what it meant.
    """
    before = parse(q)
    if value not in taken(before, facet):
        return q
    if facet == "year":
        quoted = _quote_where(q, _YEAR_PHRASE, lambda words: value in taken(parse(words), "year"))
    else:
        quoted = _quote_where(q, re.compile(r'(?<!")[^\s"]+(?!")'), lambda word: value in taken(parse(word), facet))
    after = parse(quoted)
    lost = {f: set(taken(before, f)) - set(taken(after, f)) - {value} for f in ("region4", "subregion")}
    kept = [t for t in quoted.split(" ") if not any(set(taken(parse(t), f)) & values for f, values in lost.items())]
    return " ".join(kept)
