"""Metadata extraction: what a Thai security-policy text is about, and when it was published.

A reader gives a ``RawDocument`` (title, text, hints); this module turns it into a
``Document`` with the fields users filter on: publication date, document type, the
plans of the National Security Policy and Plan it references, provinces, regions,
topics and agencies.  All vocabularies come from ``kb.taxonomy`` (data files), so
the rules here are about *context* — when a word found in a text really names a
province or a plan — never about particular words.

Two ideas carry most of the precision:

* **Longest match first, blockers included.**  Every lexicon (province names and
  aliases, region phrases, topic terms, agency names) is matched as one
  leftmost-longest alternation that also holds its *blockers*: longer phrases that
  contain a name but mean something else (เผยแพร่ contains แพร่, น่านน้ำ contains
  น่าน, ภูมิภาคตะวันออกกลาง contains ภาคตะวันออก).  A blocker consumes its text,
  so the shorter name inside it is never seen.
* **Whole words, and context for trap names.**  A bare province name counts only
  when it starts and ends on a word boundary of PyThaiNLP's ``nlpo3`` segmentation
  (so สงขลา inside สงขลานครินทร์ does not count); names that are ordinary words
  too (เลย, แพร่, ตาก, น่าน, ตรัง, ร้อยเอ็ด) also need a จังหวัด/จ. prefix, an อำเภอ
  suffix, or a place in a list of other provinces.

Thai digits are turned into Arabic ones first; the mapping is one character for
one character, so match offsets stay valid in the original text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from functools import cache, lru_cache
from typing import Iterable, Iterator

from pythainlp.tokenize import word_tokenize

from kb import taxonomy
from kb.models import DOC_TYPES, Document, RawDocument

__all__ = [
    "extract",
    "parse_date",
    "find_plans",
    "find_provinces",
    "find_regions",
    "find_topics",
    "find_agencies",
    "detect_type",
    "thai_digits_to_arabic",
]

_THAI_DIGIT_PAIRS = tuple(zip("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")
MIN_YEAR, MAX_YEAR = 1990, 2035  # sane publication years for this collection


def thai_digits_to_arabic(s: str) -> str:
    """Replace Thai digits (๐–๙) by Arabic ones, character for character."""
    # Ten str.replace passes run in C and beat str.translate's per-character
    # dictionary lookups by two orders of magnitude on long texts.
    for thai, arabic in _THAI_DIGIT_PAIRS:
        if thai in s:
            s = s.replace(thai, arabic)
    return s


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    value: str


def _key(surface: str) -> str:
    """A surface without its whitespace, lower-cased (str.split's whitespace is re's \\s)."""
    return "".join(surface.split()).lower()


def _latin_pattern(term: str) -> str:
    """Regex for a term written in Latin letters: any whitespace where it has a
    space, word boundaries around it (Thai words have none, Latin ones do)."""
    body = r"\s*".join(re.escape(p) for p in term.split())
    if re.match(r"[A-Za-z0-9]", term):
        body = r"(?<![A-Za-z0-9])" + body
    if re.search(r"[A-Za-z0-9]$", term):
        body = body + r"(?![A-Za-z0-9])"
    return body


def _trie_pattern(terms: Iterable[str]) -> str:
    """One regex for many Thai terms, factored as a trie.

    Python's ``re`` tries alternatives one by one at every position; a trie makes
    that one walk per position, which is what keeps matching hundreds of terms
    over a long release cheap.  A term may end where a longer one goes on; the
    longer branch is tried first, so the longest term wins.  A space in a term
    matches any (or no) whitespace.
    """
    trie: dict = {}
    for term in terms:
        node = trie
        for atom in re.findall(r"\s+|.", term.strip()):
            node = node.setdefault(r"\s*" if atom.isspace() else re.escape(atom), {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [atom + build(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class _Search:
    """``pattern.search(text, pos)`` for increasing ``pos``, trying ``pattern.match``
    only at ``starts``: sorted offsets that include every offset where a match can
    start.  Each offset is tried at most once."""

    __slots__ = ("_pattern", "_text", "_starts", "_next")

    def __init__(self, pattern: re.Pattern[str], text: str, starts: list[int]):
        self._pattern, self._text, self._starts, self._next = pattern, text, starts, 0

    def search(self, pos: int) -> re.Match[str] | None:
        starts, i, n = self._starts, self._next, len(self._starts)
        while i < n:
            start = starts[i]
            i += 1
            if start >= pos:
                m = self._pattern.match(self._text, start)
                if m:
                    self._next = i
                    return m
        self._next = i
        return None


class _Lexicon:
    """A leftmost-longest matcher over (surface → value) pairs.

    A surface mapped to ``None`` is a blocker: it is matched (so it consumes its
    text) but never reported.

    The matches are those of one regex alternation ("thai trie|latin terms")
    scanned over the text; how they are found is about speed only.  The Thai
    and Latin surfaces are two patterns, searched side by side and merged as
    the alternation would be (the Thai one wins a tie).  Alone, the Thai trie
    starts with a set of first letters that ``re`` skips to in C (one Latin
    alternative in the same pattern made it try a full match at every offset,
    three times slower); the Latin pattern is tried only where a run of ASCII
    letters or digits starts, as a Latin term must.
    """

    _MEMO_MAX = 4096

    def __init__(self, entries: Iterable[tuple[str, str | None]]):
        entries = list(entries)
        self._values: dict[str, str | None] = {}
        for surface, value in entries:
            surface = surface.strip()
            if surface:
                # A real value wins over a blocker of the same spelling.
                if self._values.get(_key(surface)) is None:
                    self._values[_key(surface)] = value
        surfaces = {surface.strip() for surface, _ in entries if surface.strip()}
        latin = sorted((s for s in surfaces if s.isascii()), key=lambda s: (-len(s), s))
        thai = sorted(s for s in surfaces if not s.isascii())
        self._thai = re.compile(_trie_pattern(thai)) if thai else None
        self._latin = None
        if latin:
            # The lookahead lets the Latin alternatives fail at once on Thai text.
            self._latin = re.compile("(?=[A-Za-z0-9])(?i:" + "|".join(_latin_pattern(s) for s in latin) + ")")
        # First characters a Latin match can start with, in both cases (ASCII
        # only: the lookahead demands it).
        self._latin_first = frozenset(c for s in latin for c in (s[0].lower(), s[0].upper()))
        self._latin_digit_first = any(c.isdigit() for c in self._latin_first)
        self._memo: dict[str, str | None] = {}

    def _value(self, surface: str) -> str | None:
        value = self._memo.get(surface, _MISSING)
        if value is _MISSING:
            value = self._values.get(_key(surface))
            if len(self._memo) < self._MEMO_MAX:
                self._memo[surface] = value
        return value

    def _latin_search(self, text: str) -> _Search:
        first = self._latin_first
        letters, alnum = _ascii_run_starts(text)
        runs = alnum if self._latin_digit_first else letters
        return _Search(self._latin, text, [p for p in runs if text[p] in first])

    def _raw_matches(self, text: str) -> Iterator[re.Match[str]]:
        if self._latin is None:
            if self._thai is not None:
                yield from self._thai.finditer(text)
            return
        latin = self._latin_search(text)
        if self._thai is None:
            m = latin.search(0)
            while m:
                yield m
                m = latin.search(m.end())
            return
        # The leftmost match wins, the Thai one on a tie; after a match, a
        # search whose next match began inside it is redone from its end.
        thai = self._thai
        t, l = thai.search(text), latin.search(0)
        while t or l:
            m = t if t and (l is None or t.start() <= l.start()) else l
            yield m
            pos = m.end()
            if t is not None and (t is m or t.start() < pos):
                t = thai.search(text, pos)
            if l is not None and (l is m or l.start() < pos):
                l = latin.search(pos)

    def find(self, text: str) -> Iterator[_Match]:
        for m in self._raw_matches(text):
            value = self._value(m.group())
            if value is not None:
                yield _Match(m.start(), m.end(), value)


_MISSING = object()
_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
_LETTER_RUN = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=4)
def _ascii_run_starts(text: str) -> tuple[list[int], list[int]]:
    """Offsets where runs of ASCII letters, and of ASCII letters and digits,
    start (shared by the lexicons that scan the same text).  A Latin term starts
    with a letter or digit that no ASCII letter or digit precedes, so at one of
    the latter; a letter-only term also at one of the former."""
    return [m.start() for m in _LETTER_RUN.finditer(text)], [m.start() for m in _ASCII_RUN.finditer(text)]


_SPACE = re.compile(r"\s")


@lru_cache(maxsize=4096)
def _chunk_boundaries(chunk: str) -> frozenset[int] | None:
    """Offsets where nlpo3 puts a word boundary inside one space-free chunk (None
    if the tokens do not reassemble it, in which case callers accept the match)."""
    tokens = word_tokenize(chunk, engine="nlpo3", keep_whitespace=True)
    if "".join(tokens) != chunk:
        return None
    offsets = {0}
    pos = 0
    for token in tokens:
        pos += len(token)
        offsets.add(pos)
    return frozenset(offsets)


def _is_whole_word(text: str, start: int, end: int) -> bool:
    """True if [start, end) starts and ends on nlpo3 word boundaries.

    Only the whitespace-delimited chunk around the match is segmented: whitespace
    is always a word boundary, so the answer is the same as segmenting the whole
    text, at a fraction of the cost (segmentation was half of extraction time).
    """
    if not _THAI_CHAR.match(text[start:end] or " "):
        return True  # Latin names are already bounded by the regex
    left = start
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    m = _SPACE.search(text, end)
    right = m.start() if m else len(text)
    bounds = _chunk_boundaries(text[left:right])
    return bounds is None or (start - left in bounds and end - left in bounds)


def _before(text: str, start: int, width: int = 24) -> str:
    """The text just before an offset, with at most one run of spaces removed at its end."""
    return text[max(0, start - width) : start].rstrip()


def _after(text: str, end: int, width: int = 24) -> str:
    return text[end : end + width].lstrip()


# --------------------------------------------------------------------------- dates

_MONTHS_FULL = {
    "มกราคม": 1, "กุมภาพันธ์": 2, "มีนาคม": 3, "เมษายน": 4, "พฤษภาคม": 5, "มิถุนายน": 6,
    "กรกฎาคม": 7, "กรกฏาคม": 7, "สิงหาคม": 8, "กันยายน": 9, "ตุลาคม": 10, "พฤศจิกายน": 11,
    "ธันวาคม": 12,
}
_MONTHS_ABBR = {
    "ม.ค.": 1, "ก.พ.": 2, "มี.ค.": 3, "เม.ย.": 4, "พ.ค.": 5, "มิ.ย.": 6,
    "ก.ค.": 7, "ส.ค.": 8, "ก.ย.": 9, "ต.ค.": 10, "พ.ย.": 11, "ธ.ค.": 12,
}
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
    forms = list(_MONTHS_FULL)
    # Abbreviations are written with or without their final period and with
    # stray spaces around the inner one ("ม.ค.", "ม.ค", "ม. ค.").
    for abbr in _MONTHS_ABBR:
        first, second = abbr.rstrip(".").split(".")
        forms.append(re.escape(first) + r"\.\s?" + re.escape(second) + r"\.?")
    full = sorted((re.escape(f) for f in _MONTHS_FULL), key=len, reverse=True)
    abbrs = forms[len(_MONTHS_FULL) :]
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
    """A written year as Gregorian: 4-digit B.E. years are > 2400; 2-digit years are B.E. (67 → 2567)."""
    if year < 100:
        year += 2500
    if era and era.startswith("ค"):
        return year
    return year - 543 if year > 2400 else year


def _iso(year: int, month: int, day: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return None


def _thai_month(name: str) -> int:
    compact = re.sub(r"\s", "", name)
    if compact in _MONTHS_FULL:
        return _MONTHS_FULL[compact]
    return _MONTHS_ABBR[compact.rstrip(".") + "."]


def _thai_date_iso(m: re.Match[str]) -> str | None:
    return _iso(_gregorian(int(m["year"]), m["era"]), _thai_month(m["month"]), int(m["day"]))


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


def _first_date(text: str) -> str | None:
    """The date of the leftmost valid match of any form (on a tie, the smallest
    ISO string).  As with ``finditer``, a form resumes after its last match."""
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


def parse_date(text: str) -> str | None:
    """The first date in reading order, as ISO ``YYYY-MM-DD`` (Gregorian), or None.

    Understands Thai and Arabic digits, full and abbreviated Thai months, B.E.
    years (four digits, or two as in "ม.ค. 67"), Gregorian years, ISO dates and
    day/month/year.  Dates outside 1990–2035 are ignored as implausible for a
    publication date (they are usually a law's year or a typo).
    """
    if not text:
        return None
    normalized = thai_digits_to_arabic(text)
    return _first_date(normalized)


# --------------------------------------------------------------------------- provinces


@cache
def _province_lexicon() -> _Lexicon:
    entries: list[tuple[str, str | None]] = []
    for p in taxonomy.provinces():
        entries += [(p["name"], p["name"])] + [(a, p["name"]) for a in p["aliases"]]
        entries += [(x, None) for x in p["exclude"]]
    return _Lexicon(entries)


@cache
def _trap_provinces() -> frozenset[str]:
    return frozenset(p["name"] for p in taxonomy.provinces() if p["trap"])


def _ends_with_any(s: str, words: Iterable[str]) -> bool:
    return any(s.endswith(w) for w in words)


def _is_separator_gap(gap: str, separators: list[str]) -> bool:
    """True if the text between two province names only joins them in a list."""
    rest = re.sub(r"\s+", "", gap)
    while rest:
        for sep in sorted(separators, key=len, reverse=True):
            if rest.startswith(sep):
                rest = rest[len(sep) :]
                break
        else:
            return False
    return True


def find_provinces(text: str) -> list[str]:
    """Canonical names of the provinces a text mentions, in order of first mention.

    A name counts when it is a whole word and is not right after a word that makes
    it something else (a road: ถนนพิษณุโลก; a person: นายชุมพร).  A trap name —
    one that is also an ordinary word — further needs explicit context: จังหวัด/จ.
    before it, อำเภอ/อ. after it, or a place in a list of provinces ("หนองคาย เลย
    และบึงกาฬ").
    """
    t = thai_digits_to_arabic(text)
    ctx = taxonomy.province_context()
    traps = _trap_provinces()
    matches = [m for m in _province_lexicon().find(t) if _is_whole_word(t, m.start, m.end)]
    matches = [m for m in matches if not _ends_with_any(_before(t, m.start), ctx["reject_before"])]
    accepted = [False] * len(matches)
    for i, m in enumerate(matches):
        if m.value not in traps:
            accepted[i] = True
        elif _ends_with_any(_before(t, m.start), ctx["markers_before"]) or any(
            _after(t, m.end).startswith(w) for w in ctx["markers_after"]
        ):
            accepted[i] = True
    # Lists: a trap name next to an accepted province, joined only by commas,
    # spaces, และ/หรือ, is part of the list.  Repeat so a list of traps chains.
    changed = True
    while changed:
        changed = False
        for i, m in enumerate(matches):
            if accepted[i]:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(matches) and accepted[j]:
                    left, right = (matches[j], m) if j < i else (m, matches[j])
                    if _is_separator_gap(t[left.end : right.start], ctx["list_separators"]):
                        accepted[i] = changed = True
                        break
    return list(dict.fromkeys(m.value for m, ok in zip(matches, accepted) if ok))


# --------------------------------------------------------------------------- regions


@cache
def _region_lexicon() -> _Lexicon:
    entries: list[tuple[str, str | None]] = []
    for r in taxonomy.regions():
        entries += [(r["label"], r["key"])] + [(p, r["key"]) for p in r["phrases"]]
    entries += [(x, None) for x in taxonomy.region_exclusions()]
    return _Lexicon(entries)


def find_regions(text: str, provinces: Iterable[str]) -> list[str]:
    """Region keys of the given provinces plus the regions a text names
    (ภาคเหนือ, ภาคอีสาน, จังหวัดชายแดนภาคใต้ ...), in the taxonomy's region order."""
    known = {p["name"] for p in taxonomy.provinces()}
    found = {taxonomy.region_of(p) for p in provinces if p in known}
    found |= {m.value for m in _region_lexicon().find(thai_digits_to_arabic(text))}
    return [r["key"] for r in taxonomy.regions() if r["key"] in found]


# --------------------------------------------------------------------------- topics


@cache
def _topic_lexicon() -> _Lexicon:
    """One matcher for every topic term; a value lists the "topic|strong" /
    "topic|weak" readings of a spelling, joined by ";": a term may name two
    topics (ลักลอบข้ามแดน is border and migration).  Blockers (exclude lists)
    are per topic, in ``_topic_blockers``, so that one topic's blocker does not
    hide another topic's term.
    """
    readings: dict[str, list[str]] = {}
    surfaces: list[tuple[str, str]] = []
    for t in taxonomy.topics():
        for kind in ("strong", "weak"):
            for surface in t[kind]:
                found = readings.setdefault(_key(surface), [])
                if f"{t['key']}|{kind}" not in found:
                    found.append(f"{t['key']}|{kind}")
                surfaces.append((surface, _key(surface)))
    entries = [(surface, ";".join(readings[key])) for surface, key in surfaces]
    return _Lexicon(entries)


@cache
def _topic_blockers() -> dict[str, _Lexicon]:
    return {t["key"]: _Lexicon((x, x) for x in t["exclude"]) for t in taxonomy.topics() if t["exclude"]}


@cache
def _topic_scoring() -> dict:
    return taxonomy.topic_scoring()


@cache
def _agency_prefix_pattern() -> re.Pattern[str]:
    prefixes = sorted(_topic_scoring()["agency_prefixes"], key=len, reverse=True)
    return re.compile(r"[(\[]?(?:" + "|".join(re.escape(p) for p in prefixes) + ")")


@cache
def _agency_name_lexicon() -> _Lexicon:
    return _Lexicon((a["name"], a["abbr"]) for a in taxonomy.agencies())


def _inside_agency_name(text: str, start: int, end: int, agency_spans: list[tuple[int, int]]) -> bool:
    """True if the term at [start, end) is part of an agency or office name.

    Inside a full agency name, unless the term is the whole name
    (กระทรวงการต่างประเทศ, listed as a term on purpose) and the agency is not
    one item of a list of agencies; glued (no space) to an agency word before it
    (ศูนย์อำนวยการป้องกันและปราบปรามยาเสพติดจังหวัด..., ผู้กำกับการตรวจคนเข้าเมือง...)
    with no statement verb in between ("...รายงานว่าจุดผ่านแดน..."); or an
    abbreviation right after an agency word ("สำนักงาน ปปส.", "ศูนย์ ปภ. เขต 9").
    """
    cfg = _topic_scoring()
    for i, (a, b) in enumerate(agency_spans):
        if a <= start < b:
            if (a, b) != (start, end):
                return True
            near = [agency_spans[j] for j in (i - 1, i + 1) if 0 <= j < len(agency_spans)]
            return any(
                _is_separator_gap(text[min(b, d) : max(a, c)], cfg["agency_list_separators"]) for c, d in near
            )
    # Back to the last space before the term, at most ``agency_prefix_reach`` characters.
    before = text[max(0, start - cfg["agency_prefix_reach"]) : start]
    if not before.strip():
        return False
    if before[-1].isspace():
        word = before.rsplit(None, 1)[-1]
        return "." in text[start:end] and any(word.endswith(p) for p in cfg["agency_prefixes"])
    left = start - len(before.rsplit(None, 1)[-1])
    m = _agency_prefix_pattern().match(text, left, start)
    return bool(m) and not any(v in text[m.end() : start] for v in cfg["agency_name_breakers"])


@cache
def _attendee_line_pattern() -> re.Pattern[str]:
    """A line that only lists who attended: optional numbering, then a role word
    (ผู้แทน..., ผู้อำนวยการ...).  Its agency names are not what the text is about."""
    openers = sorted(_topic_scoring()["attendee_line_openers"], key=len, reverse=True)
    return re.compile(r"\s*(?:\d{1,2}[.)]\s*|[-•]\s*)?(?:" + "|".join(map(re.escape, openers)) + ")")


@cache
def _time_frame_pattern() -> re.Pattern[str] | None:
    """Text that ends right before a term when the term dates something rather than
    names a subject: a time word (ก่อน, หลัง ...), maybe a filler (สถานการณ์ ...)."""
    cfg = _topic_scoring()
    words, fillers = cfg["time_frame_words"], cfg["time_frame_fillers"]
    if not words:
        return None
    def alternation(xs: list[str]) -> str:
        return "|".join(map(re.escape, sorted(xs, key=len, reverse=True)))

    filler = f"(?:{alternation(fillers)})?" if fillers else ""
    return re.compile(f"(?:{alternation(words)}){filler}\\s?$")


@dataclass(frozen=True)
class _TopicHit:
    start: int
    end: int
    topic: str
    strong: bool
    term: str  # the matched surface, whitespace removed: distinct terms are distinct keys


def _topic_hits(whole: str) -> list[_TopicHit]:
    """Every topic term occurrence that is not inside one of its topic's exclude
    phrases nor inside an agency or office name, in text order."""
    raw = list(_topic_lexicon().find(whole))
    if not raw:
        return []
    raw = [_Match(m.start, m.end, value) for m in raw for value in m.value.split(";")]
    named = {m.value.split("|")[0] for m in raw}
    blocked: dict[str, list[tuple[int, int]]] = {
        k: [(b.start, b.end) for b in lex.find(whole)] for k, lex in _topic_blockers().items() if k in named
    }
    agency_spans = [(m.start, m.end) for m in _agency_name_lexicon().find(whole)]
    # A plan cited by its title names a topic in passing: its terms are weak there.
    demote = _topic_scoring()["plan_title_terms_weak"]
    title_spans = [(m.start, m.end) for m in _plan_title_lexicon().find(whole)] if demote else []
    attendee = _attendee_line_pattern()
    attendee_spans = [
        (line.start(), line.end()) for line in _LINE.finditer(whole)
        if line.end() - line.start() <= _topic_scoring()["attendee_line_max_chars"] and attendee.match(line.group())
        and not any(v in line.group() for v in _topic_scoring()["statement_verbs"])
    ]
    time_frame = _time_frame_pattern()
    hits = []
    for m in raw:
        if any(a <= m.start < b for a, b in attendee_spans):
            continue
        key, strength = m.value.split("|")
        if any(a < m.end and m.start < b for a, b in blocked.get(key, ())):
            continue
        if _inside_agency_name(whole, m.start, m.end, agency_spans):
            continue
        strong = strength == "strong" and not (demote and any(a <= m.start < b for a, b in title_spans))
        if strong and time_frame is not None and time_frame.search(whole, max(0, m.start - 40), m.start):
            strong = False  # "ก่อนโรคระบาด", "หลังสถานการณ์โควิด": a time, not a subject
        hits.append(_TopicHit(m.start, m.end, key, strong, _key(whole[m.start : m.end])))
    return hits


_LINE = re.compile(r"[^\n]+")
_PLAN_CITATION = re.compile(r"(?:และ|หรือ)?\s*แผน\s*(?:ความมั่นคง)?\s*ฯ?\s*ที่\s*\d")
# "(3) การส่งกลับ...", "3) ...": a numbered item, which after เช่น/ได้แก่ stays in the list.
_ENUMERATOR = re.compile(r"\(?\d{1,2}\)")
_CHUNK = re.compile(r"\S+")


def _line_sentences(
    whole: str, line_start: int, line_end: int, cfg: dict, until: int | None = None
) -> list[tuple[int, int]]:
    """(start, end) spans in ``whole`` of the sentences of one of its lines.

    Thai marks sentence and clause ends with a space or a line break, but a space
    also separates list items, names and numbers.  A line is a unit (a paragraph,
    a heading, an agenda item, the title); inside a line, space-separated chunks
    are merged until a sentence holds at least ``min_chars`` characters, so that
    a sentence is a clause with its subject rather than a lone name; a chunk that
    starts with a digit or a ``glue`` word (และ, หรือ, ซึ่ง ...), or follows a
    number, always continues the sentence before it ("แผนความมั่นคงที่ 11
    การป้องกัน...", "... และผู้ลักลอบ"); after an enumeration word (เช่น,
    ได้แก่) short chunks are list items and stay in the sentence.  With ``until``,
    the sentences after the one that holds that offset are left out.
    """
    min_chars, glue = cfg["sentence_min_chars"], tuple(cfg["sentence_glue"])
    markers, item_chars = tuple(cfg["list_markers"]), cfg["list_item_max_chars"]
    text = whole[line_start:line_end]
    chunks = [(m.start(), m.end()) for m in _CHUNK.finditer(text)]
    if not chunks:
        return []
    # A marker without spaces lies inside one chunk, so "the sentence so far holds
    # a marker" is "one of its chunks does"; one with spaces needs the slow test.
    if any(_SPACE.search(m) for m in markers):
        has_marker = None
    elif any(m in text for m in markers):
        has_marker = [any(m in text[a:b] for m in markers) for a, b in chunks]
    else:
        has_marker = [False] * len(chunks)
    out: list[tuple[int, int]] = []
    start, end = chunks[0]
    in_list = False
    for k in range(1, len(chunks)):
        c_start, c_end = chunks[k]
        if has_marker is None:
            in_list = in_list or any(text.startswith(m, start) or m in text[start:end] for m in markers)
        else:
            # The chunk added last (k - 1) is the one the sentence has not been tested for.
            in_list = in_list or has_marker[k - 1]
        if (
            end - start >= min_chars
            and not text[end - 1].isdigit()
            and not (text[c_start].isdigit() or text.startswith(glue, c_start))
            and not (in_list and (c_end - c_start <= item_chars or _ENUMERATOR.fullmatch(text, *chunks[k - 1])))
        ):
            out.append((line_start + start, line_start + end))
            if until is not None and line_start + end > until:
                return out
            start, in_list = c_start, False
        end = c_end
    out.append((line_start + start, line_start + end))
    return out


def _hit_line_sentences(whole: str, hits: list[_TopicHit], cfg: dict) -> Iterator[tuple[int, int]]:
    """The sentences of the lines that hold a hit, in text order: the others
    cannot score, and most lines of a long text hold none."""
    i, n = 0, len(hits)
    while i < n:
        start = hits[i].start
        line_start = whole.rfind("\n", 0, start) + 1
        line_end = whole.find("\n", start)
        if line_end < 0:
            line_end = len(whole)
        while i < n and hits[i].start < line_end:
            i += 1
        # Sentences after the line's last hit cannot score.
        yield from _line_sentences(whole, line_start, line_end, cfg, until=hits[i - 1].start)


def _sentence_evidence(sentence: str, hits: list[_TopicHit], cfg: dict, offset: int = 0) -> dict[str, float]:
    """How much one sentence (at ``offset`` in the text) is about each topic it
    names, from its term hits.

    A sentence with a strong term of a topic and another term of it
    (``min_distinct_terms`` different terms) is about the topic and scores
    ``rich_points``; two terms that touch (ลักลอบลำเลียงยาเสพติด) are one
    mention, not a second term.  A strong term alone scores ``single_points``
    when the sentence names at most ``max_other_topics`` other topics, and
    ``shared_points`` when it names one more (a sentence on two subjects); after
    an enumeration word (เช่น, ได้แก่ ...: ``list_markers``) it is one example
    among others and scores nothing.  Weak terms alone need
    ``weak_only_distinct_terms`` different ones (``single_points``).  A list of
    threats is about none of them: terms of ``list_min_topics`` topics or more,
    or of two or more after an enumeration word, unless the topic has
    ``list_min_distinct_terms`` different terms of its own.  A sentence that
    refers the reader to another plan ("ดำเนินการร่วมกับแผนความมั่นคงที่ 3 ...":
    ``cross_reference_markers``) cites that plan's subject in passing and is
    about nothing.  In a short document (``short_doc``) the other topics around
    a strong term do not matter: the whole text is one subject.
    """
    if any(marker in _key(sentence) for marker in cfg["cross_reference_markers"]):
        return {}
    mentions: dict[str, list[str]] = {}
    strong: dict[str, bool] = {}
    first_at: dict[str, int] = {}
    last_end: dict[str, int] = {}
    for h in hits:
        found = mentions.setdefault(h.topic, [])
        if found and last_end[h.topic] == h.start:
            found[-1] += h.term  # touching terms: one mention
        else:
            found.append(h.term)
        last_end[h.topic] = h.end
        first_at.setdefault(h.topic, h.start)
        strong[h.topic] = strong.get(h.topic, False) or h.strong
    others = len(mentions) - 1
    markers_at = [i for i in (sentence.find(m) for m in cfg["list_markers"]) if i >= 0]
    listed_from = offset + min(markers_at) if markers_at else None
    is_list = others + 1 >= cfg["list_min_topics"] or (others >= 1 and listed_from is not None)
    out: dict[str, float] = {}
    for topic, found in mentions.items():
        terms = len(set(found))
        if not strong[topic]:
            if not is_list and terms >= cfg["weak_only_distinct_terms"]:
                out[topic] = cfg["single_points"]
        elif is_list:
            if terms >= cfg["list_min_distinct_terms"]:
                out[topic] = cfg["rich_points"]
        elif terms >= cfg["min_distinct_terms"]:
            out[topic] = cfg["rich_points"]
        elif listed_from is not None and first_at[topic] >= listed_from:
            continue
        elif others <= cfg["max_other_topics"] or cfg.get("short_doc"):
            out[topic] = cfg["single_points"]
        elif others == cfg["max_other_topics"] + 1:
            out[topic] = cfg["shared_points"]
    return out


def _topic_evidence(title: str, text: str) -> dict[str, float]:
    """Per topic, the summed evidence of the sentences about it (the title first)."""
    cfg = _topic_scoring()
    if len(text) <= cfg["short_doc_chars"]:
        cfg = {**cfg, "short_doc": True}
    head = thai_digits_to_arabic(title).replace("\n", " ")
    whole = f"{head}\n{thai_digits_to_arabic(text)}"
    hits = _topic_hits(whole)
    scores: dict[str, float] = {}
    if not hits:
        return scores
    i = 0
    pointing_until = -1  # end of a line that refers the reader to other plans
    for start, end in _hit_line_sentences(whole, hits, cfg):
        while i < len(hits) and hits[i].start < start:
            i += 1
        j = i
        while j < len(hits) and hits[j].start < end:
            j += 1
        if any(marker in _key(whole[start:end]) for marker in cfg["cross_reference_markers"]):
            line_end = whole.find("\n", start)
            pointing_until = line_end if line_end >= 0 else len(whole)
        elif start < pointing_until:
            # The pointer goes on to the end of its line: through the plans it lists
            # ("... คาบเกี่ยวกับแผนความมั่นคงที่ 6 ... | แผนความมั่นคงที่ 7 ... และแผนความมั่นคงที่ 8")
            # and through what the shared work is ("... คู่กับแผนความมั่นคงที่ 11 ...
            # | ในส่วนการแลกเปลี่ยนข่าวสาร โดยแยก...ออกจากการก่อการร้ายสากล").
            i = j
            continue
        if j > i:
            weight = cfg["title_weight"] if start < len(head) else 1.0
            for topic, points in _sentence_evidence(whole[start:end], hits[i:j], cfg, start).items():
                scores[topic] = scores.get(topic, 0.0) + weight * points
        i = j
    return scores


def find_topics(text: str, title: str = "") -> list[str]:
    """Topic keys a document substantially covers, in taxonomy order.

    Labels record a topic when a document dedicates a sentence or more to it, so
    the unit of evidence is a sentence about the topic (see ``_sentence_evidence``),
    not a term count: a threat named inside a list of threats, an agency named
    among the attendees, a word used in passing next to another subject do not
    make a sentence about it.  A topic needs ``need_points`` (one sentence about
    it); a long text (over ``long_doc_chars``) needs ``long_doc_points``, since
    it has room for a passing sentence on almost anything.
    All numbers live in topics.json "scoring".
    """
    cfg = _topic_scoring()
    scores = _topic_evidence(title, text)
    if len(text) <= cfg["short_doc_chars"]:
        need = cfg["single_points"]
    elif len(text) > cfg["long_doc_chars"]:
        need = cfg["long_doc_points"]
    else:
        need = cfg["need_points"]
    return [t["key"] for t in taxonomy.topics() if scores.get(t["key"], 0.0) >= need - 1e-9]


# --------------------------------------------------------------------------- agencies


@cache
def _agency_lexicon() -> _Lexicon:
    entries: list[tuple[str, str | None]] = []
    for a in taxonomy.agencies():
        entries += [(a["abbr"], a["abbr"]), (a["name"], a["abbr"])] + [(x, a["abbr"]) for x in a["aliases"]]
    entries += [(b, None) for b in taxonomy.agency_blockers()]
    return _Lexicon(entries)


def find_agencies(text: str) -> list[str]:
    """Canonical abbreviations of the agencies a text names by abbreviation or full
    name, in order of first mention."""
    return list(dict.fromkeys(m.value for m in _agency_lexicon().find(thai_digits_to_arabic(text))))


# --------------------------------------------------------------------------- plans

# แผน is written once, outside the alternatives, so that ``re`` searches for it as a literal.
_PLAN_ANCHOR = re.compile(r"แผน(?:\s*ความมั่นคง(?:แห่งชาติ)?\s*ฯ?\s*ที่|\s*ฯ\s*ที่|(?P<weak>ที่))")
_PLAN_NUMBERS = re.compile(
    r"\s*(?P<first>\d{1,2})(?!\d)(?![/:.]\d)"
    r"(?P<rest>(?:\s*(?:,\s*(?:และ|หรือ)?|และ|หรือ|-|–|—|ถึง)\s*(?:ที่\s*)?\d{1,2}(?!\d)(?![/:.]\d))*)"
)
# "แผนที่ 3 มิติ" is a 3-D map, not plan 3.
_NOT_A_PLAN_AFTER = re.compile(r"\s*(?:มิติ|D\b|:|ฉบับ)")
_PLAN_STEP = re.compile(r"\s*(?P<sep>,\s*(?:และ|หรือ)?|และ|หรือ|-|–|—|ถึง)\s*(?:ที่\s*)?(?P<no>\d{1,2})")
_RANGE_SEPARATORS = ("-", "–", "—", "ถึง")
_PLAN_WORD_BEFORE = re.compile(r"แผน(?:ความมั่นคง)?\s*ฯ?(?:\s*ที่\s*\d{1,2})?\s*(?:เรื่อง|ว่าด้วย)?$")
_PLAN_LEAD_IN = re.compile(r"(?:แผน(?:ความมั่นคง)?ฯ?|ว่าด้วย|เรื่อง|และ)$")
_ENUMERATOR_BEFORE = re.compile(r"(?:^|\s)\(?(?P<n>\d{1,2})[.)]?$")
# Between two titles of a list: spaces, commas, และ, numbering, a lead agency in brackets.
_TITLE_LIST_GAP = re.compile(r"(?:\s|,|และ|\(?\d{1,2}[.)]|\([^()]{1,25}(?:\([^()]{0,12}\))?[^()]{0,5}\))*")


@cache
def _plan_title_lexicon() -> _Lexicon:
    entries: list[tuple[str, str | None]] = []
    for p in taxonomy.plans():
        for title in [p["title"], *p.get("alt_titles", [])]:
            # Whitespace-insensitive: PDF extraction and editors break titles anywhere.
            entries.append((" ".join(_key(title)), str(p["no"])))
        entries += [(" ".join(_key(x)), None) for x in p.get("exclude", [])]
    return _Lexicon(entries)


@cache
def _plan_context_pattern() -> re.Pattern[str] | None:
    """The context markers as one pattern that lets whitespace in between any two
    letters, or None when a marker has cased letters (then only the lower-cased,
    whitespace-free text compares like ``_key``)."""
    markers = [_key(m) for m in taxonomy.plan_context()["context_markers"]]
    if any(m != m.upper() or m != m.lower() for m in markers):
        return None
    if not markers:
        return re.compile(r"(?!)")
    return re.compile("|".join(r"\s*".join(map(re.escape, m)) for m in markers))


def _has_plan_context(text: str) -> bool:
    pattern = _plan_context_pattern()
    if pattern is not None:
        return pattern.search(text) is not None
    compact = _key(text)
    return any(_key(m) in compact for m in taxonomy.plan_context()["context_markers"])


def _numbers_after_anchor(text: str, pos: int) -> list[int]:
    m = _PLAN_NUMBERS.match(text, pos)
    if not m or _NOT_A_PLAN_AFTER.match(text, m.end()):
        return []
    numbers = [int(m["first"])]
    for step in _PLAN_STEP.finditer(m["rest"]):
        n = int(step["no"])
        if step["sep"].strip() in _RANGE_SEPARATORS and numbers and numbers[-1] < n:
            numbers += list(range(numbers[-1] + 1, n + 1))
        else:
            numbers.append(n)
    return numbers


@cache
def _generic_titles() -> frozenset[str]:
    return frozenset(str(p["no"]) for p in taxonomy.plans() if p.get("generic_title"))


def _title_starts_cleanly(text: str, start: int) -> bool:
    """A title glued to the word before it is part of a longer phrase
    (ผู้บัญชาการป้องกัน..., ในการป้องกัน...), unless that word is แผน/ว่าด้วย."""
    if start == 0 or not _THAI_CHAR.match(text[start - 1]):
        return True
    return bool(_PLAN_LEAD_IN.search(text, 0, start))


def _numbered_as_plan(before: str, no: int) -> bool:
    """True if a title is numbered as that plan in a list ("8) การป้องกัน ปราบปราม...");
    lists of the four capacity plans (14–17) often restart at 1."""
    m = _ENUMERATOR_BEFORE.search(before)
    return bool(m) and int(m["n"]) in (no, no - 13)


def _plans_documented(title: str, plans: list[int]) -> list[int]:
    """The plans a plan document is the document of: those its title names, or
    every plan it references when its title is the policy's own."""
    if _policy_title_pattern().search(thai_digits_to_arabic(title)):
        return plans
    return find_plans(title)


@cache
def _policy_title_pattern() -> re.Pattern[str]:
    # the policy's name without its years, any spacing
    name = taxonomy.policy_title().split("(")[0]
    return re.compile(r"\s*".join(re.escape(p) for p in name.split()))


def _with_plan_topics(topics: list[str], plans: list[int]) -> list[str]:
    """A plan document covers its plans' subjects (plans.json "topic"), in taxonomy order."""
    keys = set(topics) | {p["topic"] for p in taxonomy.plans() if p["no"] in plans and p.get("topic")}
    return [t["key"] for t in taxonomy.topics() if t["key"] in keys]


def find_plans(text: str) -> list[int]:
    """Numbers (1–17) of the plans a text references, sorted.

    By number: after แผนความมั่นคงที่ / แผนฯ ที่ (lists and ranges too: "ที่ 3
    และ 5", "ที่ 1-4"), and after a bare แผนที่ only when the text is about the
    security policy (แผนที่ is also "map").  By title: right after the word แผน
    anywhere; in a text about the policy, a distinctive title anywhere, and a
    title that is also an everyday phrase (การป้องกันและบรรเทาสาธารณภัย) only
    when numbered or listed with other plan titles.
    """
    t = thai_digits_to_arabic(text)
    context = _has_plan_context(t)
    found: set[int] = set()
    for anchor in _PLAN_ANCHOR.finditer(t):
        if anchor["weak"] and not context:
            continue
        found.update(_numbers_after_anchor(t, anchor.end()))
    titles = [m for m in _plan_title_lexicon().find(t) if _title_starts_cleanly(t, m.start)]
    accepted = []
    for m in titles:
        before = _before(t, m.start, 60)
        accepted.append(
            bool(_PLAN_WORD_BEFORE.search(before))
            or context
            and (m.value not in _generic_titles() or _numbered_as_plan(before, int(m.value)))
        )
    # A generic title listed next to an accepted one is part of the same list.
    changed = context
    while changed:
        changed = False
        for i, m in enumerate(titles):
            if accepted[i]:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(titles) and accepted[j]:
                    left, right = (titles[j], m) if j < i else (m, titles[j])
                    if _TITLE_LIST_GAP.fullmatch(t, left.end, right.start):
                        accepted[i] = changed = True
                        break
    found.update(int(m.value) for m, ok in zip(titles, accepted) if ok)
    return sorted(n for n in found if 1 <= n <= 17)


# --------------------------------------------------------------------------- type


def detect_type(title: str, text: str, has_date: bool) -> str:
    """news / meeting / plan / other from title and text cues (see types.json)."""
    cues = taxonomy.type_cues()
    head = title.strip()
    if any(head.startswith(p) for p in cues["plan_title_prefixes"]):
        return "plan"
    if any(term in head for term in cues["meeting_title_terms"]):
        return "meeting"
    if any(term in text for term in cues["meeting_agenda_terms"]) and any(
        term in text for term in cues["meeting_attendance_terms"]
    ):
        return "meeting"
    if has_date or any(marker in head + "\n" + text for marker in cues["news_markers"]):
        return "news"
    return "other"


# --------------------------------------------------------------------------- document


def extract(raw: RawDocument, doc_id: str) -> Document:
    """Build the indexed ``Document`` from what a reader found.

    The publication date is the reader's date hint when it parses, else the first
    date in the title and text; the type is the reader's hint when it is one of
    the known types, else read from cues.  ``content_hash`` is the pipeline's job.
    """
    title = (raw.title or "").strip()
    text = (raw.text or "").strip()
    whole = f"{title}\n{text}"
    date = parse_date(raw.date_hint or "") or parse_date(whole)
    doc_type = raw.type_hint if raw.type_hint in DOC_TYPES else detect_type(title, text, date is not None)
    provinces = find_provinces(whole)
    plans = find_plans(whole)
    topics = find_topics(text, title)
    if doc_type == "plan":
        topics = _with_plan_topics(topics, _plans_documented(title, plans))
    return Document(
        id=doc_id,
        title=title,
        text=text,
        date=date,
        type=doc_type,
        url=raw.url,
        plans=plans,
        provinces=provinces,
        regions=find_regions(whole, provinces),
        topics=topics,
        agencies=find_agencies(whole),
        source=raw.source,
    )
