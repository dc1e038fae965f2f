"""Agencies a text names: สมช., กอ.รมน., ศรชล., ปปส. … by abbreviation, full name or alias.

The names are data (kb/taxonomy/agencies.json), blockers included, with the forms
extraction alone matches (a council's or a former name; a minister's title and the
ministry's short name, รมว.กลาโหม).  A short dotless Thai alias counts only where it
ends a word of the segmenter (ดีอี is not inside ดีอีกด้วย); a name or alias right after a law's or a procedure's
word (พระราชบัญญัติศุลกากร, พิธีการศุลกากร) names no agency.  The topic
extractor also needs the full names alone, to tell a term inside an agency's
name (ศูนย์อำนวยการป้องกันและปราบปรามยาเสพติด) from a statement about the topic.

Thai has no spaces, so an abbreviation glued to the letters before it is
either inside another agency's longer abbreviation (กปภ. is not ปภ., มทบ.32 is
not ทบ.) or after a word (ร่วมกับปภ.จังหวัด, จากปภ.).  The longer
abbreviations are mined from the corpus (agency_longer_abbreviations.json,
benchmarks/mine_agency_abbreviations.py); where one is glued to a word, the
words on either side decide which reading holds.
"""
from __future__ import annotations

from functools import cache

from kb import taxonomy
from kb.extract.lexicon import THAI_CHAR, Lexicon, Match, text_before
from kb.thai.digits import thai_digits_to_arabic
from kb.thai.segmenter import known_words, segment, word_boundaries

# The value a longer abbreviation carries in the lexicon, before the form itself.
_LONGER = "\x00longer:"
# How far back a glued word is read (the longest Thai words are shorter).
_WORD_WINDOW = 30
# The longest alias whose end is checked against the segmenter's words.
_SHORT_ALIAS = 4


@cache
def _agency_lexicon() -> Lexicon:
    entries: list[tuple[str, str | None]] = []
    for a in taxonomy.agencies():
        entries += [(a["abbr"], a["abbr"]), (a["name"], a["abbr"])] + [(x, a["abbr"]) for x in a["aliases"]]
        entries += [(x, a["abbr"]) for x in [*a.get("forms", []), *_titled(a.get("short", []))]]
    entries += [(b, None) for b in taxonomy.agency_blockers()]
    entries += [(f, _LONGER + f) for f in _inner_agency()]
    return Lexicon(entries)


def _titled(shorts: list[str]) -> list[str]:
    """A ministry's short names after each minister's or head's title, glued and spaced."""
    titles = taxonomy.agency_context()["minister_titles"]
    return [f"{t}{gap}{s}" for s in shorts for t in titles for gap in ("", " ")]


@cache
def _whole_word_aliases() -> frozenset[str]:
    """Short Thai aliases with no period (ดีอี, ศรชล): the letters after one may make a word with its
    last letters, so it counts only where it ends a word of the segmenter (a long one, ศุลกากร,
    ตรวจคนเข้าเมือง, is not checked: segmenting after every mention of it cost 1 % of extraction)."""
    return frozenset(
        x for a in taxonomy.agencies() for x in a["aliases"] if "." not in x and THAI_CHAR.match(x) and len(x) <= _SHORT_ALIAS
    )


def _ends_a_word(text: str, end: int, start: int) -> bool:
    """True if the segmenter cuts a word at ``end``: the match from ``start`` up to the next space (at
    most ``_WORD_WINDOW`` letters on) is segmented, the match taken to start a word (ดีอีกด้วย reads
    ดี|อีกด้วย, ศุลกากรสะเดา ศุลกากร|สะเดา)."""
    if end >= len(text) or not THAI_CHAR.match(text[end]):
        return True
    right, stop = end, min(len(text), end + _WORD_WINDOW)
    while right < stop and not text[right].isspace():
        right += 1
    bounds = word_boundaries(text[start:right])
    return bounds is None or end - start in bounds


@cache
def _not_after() -> tuple[str, ...]:
    return tuple(taxonomy.agency_context()["not_after"])


def _names_agency(text: str, m: Match) -> bool:
    """True unless the match is a dotless alias inside other words or part of a law's or a procedure's name."""
    if text[m.start : m.end] in _whole_word_aliases() and not _ends_a_word(text, m.end, m.start):
        return False
    return not text_before(text, m.start).endswith(_not_after())


@cache
def _inner_agency() -> dict[str, tuple[int, str]]:
    """Each longer abbreviation → (letters before the agency inside it, that agency)."""
    surfaces = sorted(
        ((s, a["abbr"]) for a in taxonomy.agencies() for s in [a["abbr"], *a["aliases"]]),
        key=lambda pair: -len(pair[0]),
    )
    inner: dict[str, tuple[int, str]] = {}
    for form in taxonomy.agency_longer_abbreviations():
        for surface, abbr in surfaces:
            if form.endswith(surface) and len(form) > len(surface):
                inner[form] = (len(form) - len(surface), abbr)
                break
    return inner


@cache
def agency_name_lexicon() -> Lexicon:
    """The agencies' full names only (abbreviations and aliases left out)."""
    return Lexicon((a["name"], a["abbr"]) for a in taxonomy.agencies())


def _cost(run: str) -> int:
    """How badly a Thai run reads as words: one per word, one more per word the
    dictionary lacks (a stray letter: ร่วมกับ|ก)."""
    if not run:
        return 0
    words = segment(run)
    known = known_words()
    return len(words) + sum(w not in known for w in words)


def _starts_a_word(text: str, start: int, prefix: int) -> bool:
    """True if a longer abbreviation at ``start`` is one (it starts a word), False if its
    first ``prefix`` letters end the word before it and the agency inside starts a word.

    The two readings of the Thai run before it are compared: ร่วมกับ|กปภ. beats
    ร่วมกับ|ก|ปภ. (a stray letter), จากก|ปภ. reads จา|กก, worse than จาก|กปภ.; จาก|ปภ.
    ties with จา|กปภ. and a tie goes to the agency, the letters' reading as a word.
    """
    if start == 0 or not THAI_CHAR.match(text[start - 1]):
        return True
    run_start = start
    while run_start > max(0, start - _WORD_WINDOW) and THAI_CHAR.match(text[run_start - 1]):
        run_start -= 1
    return _cost(text[run_start:start]) < _cost(text[run_start : start + prefix])


def _glued_reading(text: str, m: Match) -> str | None:
    """The agency a longer abbreviation at ``m`` names: None where it (or a shorter
    longer form inside it: บกปภ. holds กปภ.) starts a word, else the agency inside."""
    form = m.value[len(_LONGER) :]
    prefix, inner = _inner_agency()[form]
    for skip in range(prefix):
        if form[skip:] in _inner_agency() and _starts_a_word(text, m.start + skip, prefix - skip):
            return None
    return inner


def agencies_in(folded: str) -> list[str]:
    """``find_agencies`` of a text whose Thai digits are already folded."""
    found: list[str | None] = [
        _glued_reading(folded, m) if m.value.startswith(_LONGER) else m.value if _names_agency(folded, m) else None
        for m in _agency_lexicon().find(folded)
    ]
    return list(dict.fromkeys(a for a in found if a is not None))


def find_agencies(text: str) -> list[str]:
    """Canonical abbreviations of the agencies a text names by abbreviation or full
    name, in order of first mention."""
    return agencies_in(thai_digits_to_arabic(text))
