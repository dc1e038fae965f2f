"""Query text → clauses: syntax (phrases, ``-word``, ``OR``), year filters, synonyms.

The query is split into clauses at spaces; ``"..."`` keeps a phrase together,
``-word`` excludes, ``OR`` joins alternatives.  A year phrase is a filter only
in a short keyword query (น้ำท่วม พ.ศ. 2567), not inside a question.  Every
chunk of text is later run through ``kb.analysis.analyze``, the very function
that indexed the documents (``chunk``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from kb import analysis, taxonomy
from kb.notices import Notice
from kb.search import thesaurus
from kb.search.params import DEFAULT_PARAMS, RankingParams
from kb.thai.calendar import is_buddhist_era, to_common_era


@dataclass
class Clause:
    """One required part of the query: any of its alternatives may match."""

    alternatives: list[str]
    quoted: bool = False


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)  # Gregorian years the query asked to filter on
    notices: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)  # security-4 region keys the query asked to filter on
    subregions: list[str] = field(default_factory=list)  # sub-region keys (ภาคเหนือตอนล่าง) likewise

    @property
    def empty(self) -> bool:
        return not self.clauses


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_YEAR = re.compile(r"(?:(?<=\s)|^)(พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|ปี)\s*([0-9๐-๙]{4})(?=\s|$)")
_OR = ("OR", "|", "หรือ")


def parse(q: str, params: RankingParams = DEFAULT_PARAMS) -> ParsedQuery:
    """Query text → clauses.  Never fails: stray operators and quotes are literal."""
    parsed = ParsedQuery()
    q = _take_years(q.replace("\u201c", '"').replace("\u201d", '"'), parsed.years)
    q = _take_regions(q, parsed.regions, parsed.subregions)
    if q.count('"') % 2:  # unbalanced: the quote is just a character
        q = q.replace('"', " ")
    pending_or = False
    for m in _TOKEN.finditer(q):
        negated = bool(m.group(1))
        if m.group(2) is not None:
            text, quoted = m.group(2).strip(), True
        else:
            text, quoted = m.group(3), False
            if text in _OR and parsed.clauses:
                pending_or = True
                continue
            if text.startswith("-") and len(text) > 1:
                negated, text = True, text[1:]
        if not analysis.runs(analysis.normalize(text)):
            continue  # punctuation only
        if negated:
            parsed.excluded.append(text)
        elif pending_or and parsed.clauses:
            parsed.clauses[-1].alternatives.append(text)
        else:
            parsed.clauses.append(Clause([text], quoted))
        pending_or = False
    _cap(parsed, params.max_clauses, params.max_alternatives)
    return parsed


def _take_years(q: str, years: list[int]) -> str:
    """Move a year filter out of the query text into ``years`` (when clearly meant).

    A short keyword query with the year phrase at its start or end (น้ำท่วม
    พ.ศ. 2567) filters; inside a question (กบฏ 26 มีนาคม พ.ศ. 2520
    เกิดขึ้นเมื่อใด) the year is just words.
    """
    m = _YEAR.search(q)
    if not m or len(_YEAR.findall(q)) != 1:
        return q
    rest = (q[: m.start()] + " " + q[m.end() :]).split()
    at_edge = not q[: m.start()].strip() or not q[m.end() :].strip()
    if not at_edge or len(rest) > 3:
        return q

    def take_year(m: re.Match) -> str:
        year = int(analysis.thai_to_arabic_digits(m.group(2)))
        if m.group(1).startswith("ค"):
            years.append(year)
        elif is_buddhist_era(year):
            years.append(to_common_era(year))
        elif 1900 <= year <= 2100:
            years.append(year)
        else:
            return m.group(0)
        return " "

    return _YEAR.sub(take_year, q)


@cache
def _region_words() -> dict[str, str]:
    """Whole-region words (ภาคเหนือ, ภาคอีสาน …) → their key in the security-4 scheme NSC documents use.

    East and West are not regions of that scheme, and sub-regions or border areas
    (ภาคเหนือตอนล่าง, จังหวัดชายแดนภาคใต้) are narrower than a region: those stay words.
    """
    keys = {r["key"] for r in taxonomy.region_schemes()["security-4"]["regions"]}
    words: dict[str, str] = {}
    for region in taxonomy.regions():
        if region["key"] in keys:
            for phrase in region["phrases"]:
                if phrase.startswith("ภาค") and "ตอน" not in phrase and " " not in phrase:
                    words[phrase] = region["key"]
    return words


def _take_regions(q: str, regions: list[str], subregions: list[str]) -> str:
    """Move whole-region words of a short keyword query (ยาเสพติด ภาคเหนือ) into
    ``regions``, a filter in the security-4 scheme, so Tak's drug meetings count as
    northern, and sub-region words (ภาคเหนือตอนล่าง) into ``subregions``; quoted,
    negated or OR queries and longer questions keep them as words."""
    tokens = q.split()
    words, narrower = _region_words(), taxonomy.subregion_phrases()
    found = [t for t in tokens if t in words or t in narrower]
    if not found or '"' in q or any(t in _OR for t in tokens) or len(tokens) - len(found) > 3:
        return q
    regions.extend(dict.fromkeys(words[t] for t in found if t in words))
    subregions.extend(dict.fromkeys(narrower[t] for t in found if t in narrower))
    return " ".join(t for t in tokens if t not in found)


def _cap(parsed: ParsedQuery, most: int, most_alternatives: int) -> None:
    """Keep the first ``most`` clauses and alternatives per clause, and the first
    ``most_alternatives`` alternatives over the query, saying so."""
    if len(parsed.clauses) > most:
        parsed.clauses = parsed.clauses[:most]
        parsed.notices.append(Notice("query_cut", f"คำค้นยาวเกินไป ใช้เพียง {most} ส่วนแรก", most=most))
    for c in parsed.clauses:
        if len(c.alternatives) > most:
            c.alternatives = c.alternatives[:most]
            parsed.notices.append(Notice("or_cut", f"ใช้ทางเลือก OR เพียง {most} คำแรก", most=most))
    left = most_alternatives
    for i, c in enumerate(parsed.clauses):
        if len(c.alternatives) > left:
            c.alternatives = c.alternatives[:left]
            parsed.clauses = [k for k in parsed.clauses[: i + 1] if k.alternatives]
            parsed.notices.append(Notice("alternatives_cut", f"คำค้นมีทางเลือกมากเกินไป ใช้เพียง {most_alternatives} คำแรก", most=most_alternatives))
            break
        left -= len(c.alternatives)


# --- synonyms and analysed chunks ---------------------------------------------------


@cache
def _synonym_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in taxonomy.synonyms():
        forms = tuple(dict.fromkeys(analysis.normalize(g) for g in group if g.strip()))
        for f in forms:
            table[f] = forms
    return table


def expand(text: str) -> list[str]:
    """The text and its data-driven synonyms (กทม. → กรุงเทพมหานคร, สมช. → สำนักงานสภาความมั่นคงแห่งชาติ),
    then its thesaurus terms (น้ำท่วม → อุทกภัย, trafficking → การค้ามนุษย์)."""
    return [form for form, _ in expand_weighted(text)]


def expand_weighted(text: str) -> list[tuple[str, bool]]:
    """``expand``, each form with whether it came from the thesaurus (it then counts less)."""
    norm = analysis.normalize(text).strip()
    same = list(_synonym_table().get(norm, (norm,)))
    if norm in same:  # what was typed comes first
        same.remove(norm)
        same.insert(0, norm)
    out = dict.fromkeys(same, False)
    for form in same:
        for other in thesaurus.related(form):
            out.setdefault(other, True)
            if form.isascii() and not other.isascii():
                # an English name stands for the Thai term: its aliases and its own thesaurus
                # terms too (royal thai police → สำนักงานตำรวจแห่งชาติ → สตช., ตร., ตำรวจ), so
                # both find the same documents
                for alias in _synonym_table().get(other, ()) + tuple(thesaurus.related(other)):
                    out.setdefault(alias, True)
    return list(out.items())


@dataclass
class Chunk:
    """One piece of query text, analysed."""

    text: str  # normalized
    words: list[str]


def chunk(text: str) -> Chunk:
    norm = analysis.normalize(text).strip()
    return Chunk(norm, analysis.analyze(norm, is_normalized=True).words)


def as_word(form: str, typed: str, params: RankingParams = DEFAULT_PARAMS) -> bool:
    """Is ``form``, a synonym of what the user typed, to be matched only as a word?

    An abbreviation is inside many longer words (ทบ. in ผลกระทบ and ทบทวน, ตร.
    in ตรวจ, สมช in สมชาย); what the user typed is always found inside longer
    words too.
    """
    if form == analysis.normalize(typed).strip():
        return False
    return form.isascii() or len(analysis.units(form)) < params.synonym_scan_units


@cache
def stopwords() -> frozenset[str]:
    return frozenset(analysis.stopwords())


@cache
def question_words() -> frozenset[str]:
    """Words that make a query a question (kb/taxonomy/question_words.txt; also function words)."""
    lines = resources.files("kb.taxonomy").joinpath("question_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(analysis.normalize(w.strip()) for w in lines if w.strip() and not w.startswith("#"))


def needles_of(parsed: ParsedQuery, params: RankingParams = DEFAULT_PARAMS) -> list[str]:
    """The strings to highlight for a parsed query: each form as typed or expanded, and its words."""
    out: list[str] = []
    for clause in parsed.clauses:
        for alt in clause.alternatives:
            typed = analysis.normalize(alt).strip()
            for form, related in expand_weighted(alt):
                # a short synonym: marks inside longer words would mislead (ทบ in ผลกระทบ); but a name
                # in the other script is what the documents found hold (Tak → ตาก, สมช. → NSC), and is
                # marked only where it stands as a word (a Latin word is never cut)
                if as_word(form, alt, params) and typed.isascii() == form.isascii():
                    continue
                if related:  # a thesaurus term is marked whole, and never instead of what was typed
                    if typed not in form:
                        out.append(form)
                    continue
                out.append(form)
                # a quoted phrase is marked whole: its words alone are no match of it; so is an alias
                # (สำนักงาน of "สำนักงาน ปปส" is no match of ปปส.)
                if not clause.quoted and form == typed:
                    # its function words only when it holds nothing else (จาก, ใน of a question
                    # are no match of it; คืออะไร alone still marks คือ)
                    words = chunk(form).words
                    words = [w for w in words if w not in stopwords()] or words
                    out.extend(w for w in words if len(analysis.units(w)) >= 2 or w.isascii())
    return list(dict.fromkeys(n for n in out if n.strip()))
