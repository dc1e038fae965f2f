"""Search: query text + filters → a ``SearchResult`` (hits, facets, snippets).

How a query is understood
-------------------------
The query is split into clauses at spaces; ``"..."`` keeps a phrase together,
``-word`` excludes, ``OR`` joins alternatives.  Every chunk of text is run
through ``kb.analysis.analyze`` — the very function that indexed the documents.

A document can match a chunk at three levels, and results are ranked in tiers:

1. **verbatim** — the chunk occurs as it was typed, word-aligned or not
   (sub-word bigram phrase), e.g. ค้ามนุษย์ inside การค้ามนุษย์;
2. **every word** — all of the query's words occur, anywhere;
3. **most words** — for a sentence-like query, documents holding at least half
   of its content words (minimum-should-match, not a cliff); the result says
   it was relaxed.

Within a tier, BM25F over words, titles and sub-word phrases decides; a
word-aligned match scores above a sub-word one.

Facets are counted in memory over the matching documents: each facet as if
its own selection were removed, so a user can widen a choice.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from kb import analysis, highlight, taxonomy
from kb import query as kq
from kb.models import FACETS, FacetValue, Hit, SearchRequest, SearchResult
from kb.store import Index, IndexedDoc, Snapshot

MAX_CLAUSES = 32
MAX_WORDS = 64

# boosts: verbatim phrase ≫ title words > body words > sub-word bigram phrase
BOOST_PHRASE = 3.0
BOOST_TITLE = 2.0
BOOST_SUB = 0.6


# --- parsing ---------------------------------------------------------------------


@dataclass
class Clause:
    """One required part of the query: any of its alternatives may match."""

    alternatives: list[str]
    quoted: bool = False


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.clauses


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_YEAR = re.compile(r"(?:(?<=\s)|^)(พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|ปี)\s*([0-9๐-๙]{4})(?=\s|$)")


def parse(q: str) -> ParsedQuery:
    """Query text → clauses.  Never fails: stray operators and quotes are literal."""
    parsed = ParsedQuery()
    q = q.replace("\u201c", '"').replace("\u201d", '"')

    def take_year(m: re.Match) -> str:
        digits = analysis.thai_to_arabic_digits(m.group(2))
        year = int(digits)
        era = m.group(1)
        if era.startswith("ค"):
            parsed.years.append(year)
        elif 2400 <= year <= 2700:
            parsed.years.append(year - 543)
        elif 1900 <= year <= 2100:
            parsed.years.append(year)
        else:
            return m.group(0)
        return " "

    q = _YEAR.sub(take_year, q)
    if q.count('"') % 2:  # unbalanced: the quote is just a character
        q = q.replace('"', " ")
    pending_or = False
    for m in _TOKEN.finditer(q):
        negated = bool(m.group(1))
        if m.group(2) is not None:
            text, quoted = m.group(2).strip(), True
        else:
            text, quoted = m.group(3), False
            if text in ("OR", "|", "หรือ") and parsed.clauses:
                pending_or = True
                continue
            if text.startswith("-") and len(text) > 1:
                negated, text = True, text[1:]
        if not analysis.runs(analysis.normalize(text)):
            continue  # punctuation only
        if negated:
            parsed.excluded.append(text)
            pending_or = False
            continue
        if pending_or and parsed.clauses:
            parsed.clauses[-1].alternatives.append(text)
        else:
            parsed.clauses.append(Clause([text], quoted))
        pending_or = False
    if len(parsed.clauses) > MAX_CLAUSES:
        parsed.clauses = parsed.clauses[:MAX_CLAUSES]
        parsed.notices.append(f"คำค้นยาวเกินไป ใช้เพียง {MAX_CLAUSES} ส่วนแรก")
    for c in parsed.clauses:
        if len(c.alternatives) > MAX_CLAUSES:
            c.alternatives = c.alternatives[:MAX_CLAUSES]
            parsed.notices.append(f"ใช้ทางเลือก OR เพียง {MAX_CLAUSES} คำแรก")
    return parsed


# --- synonyms --------------------------------------------------------------------


@cache
def _synonym_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in taxonomy.synonyms():
        forms = tuple(dict.fromkeys(analysis.normalize(g) for g in group if g.strip()))
        for f in forms:
            table[f] = forms
    return table


def expand(text: str) -> list[str]:
    """The text and its data-driven synonyms (กทม. → กรุงเทพมหานคร, สมช. → สำนักงานสภาความมั่นคงแห่งชาติ)."""
    norm = analysis.normalize(text).strip()
    return list(_synonym_table().get(norm, (norm,)))


# --- building queries ---------------------------------------------------------------


@dataclass
class Chunk:
    """One piece of query text, analysed."""

    text: str  # normalized
    words: list[str]
    sub_phrases: list[tuple[str, ...]]  # one bigram phrase per Thai run with ≥ 2 clusters
    latin: list[str]


def chunk(text: str) -> Chunk:
    norm = analysis.normalize(text)
    a = analysis.analyze(norm, is_normalized=True)
    subs: list[tuple[str, ...]] = []
    latin: list[str] = []
    for run in analysis.runs(norm):
        if run.thai:
            us = analysis.units(run.text)
            if len(us) >= 2:
                subs.append(tuple(x + y for x, y in zip(us, us[1:])))
        else:
            latin.append(run.text)
    return Chunk(norm.strip(), a.words, subs, latin)


def verbatim_query(c: Chunk, subword: bool = True) -> kq.Query:
    """Documents containing the chunk as typed (modulo normalization)."""
    word_phrase = kq.AnyOf(
        (kq.Phrase("words", tuple(c.words), BOOST_PHRASE), kq.Phrase("title", tuple(c.words), BOOST_PHRASE * BOOST_TITLE))
    )
    if not c.sub_phrases or not subword:
        return word_phrase
    parts = [kq.Phrase("sub", p, BOOST_SUB) for p in c.sub_phrases] + [kq.Term("words", w) for w in c.latin]
    return kq.AnyOf((word_phrase, parts[0] if len(parts) == 1 else kq.AllOf(tuple(parts))))


def word_query(word: str, subword: bool = True) -> kq.Query:
    """Documents containing one query word, word-aligned or inside a longer word."""
    alts: list[kq.Query] = [kq.Term("words", word), kq.Term("title", word, BOOST_TITLE)]
    if subword and analysis.runs(word) and analysis.runs(word)[0].thai:
        us = analysis.units(word)
        if len(us) >= 2:
            alts.append(kq.Phrase("sub", tuple(x + y for x, y in zip(us, us[1:])), BOOST_SUB))
    return kq.AnyOf(tuple(alts))


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(analysis.stopwords())


# --- the search ---------------------------------------------------------------------


class Searcher:
    """Runs searches against one index; safe to share between threads."""

    def __init__(self, index: Index):
        self.index = index

    def search(self, req: SearchRequest) -> SearchResult:
        snap = self.index.snapshot()
        parsed = parse(req.q)
        notices = list(parsed.notices)
        if parsed.years and not req.years:
            req.years = parsed.years
            notices.append("กรองตามปี " + ", ".join(f"พ.ศ. {y + 543}" for y in parsed.years))

        plan = _Plan.build(self.index, snap, parsed)
        matched = plan.matching
        facet_docs, final = _filter(snap, matched, req)
        facets = _count_facets(snap, facet_docs, req)

        start = (req.page - 1) * req.limit
        ranked = plan.rank(self.index, snap, final, req.sort, start + req.limit)
        page = ranked[start : start + req.limit]
        hits = [self._hit(snap, docnum, score, plan.needles) for docnum, score in page]
        relaxed = bool(final - plan.strict) if not parsed.empty else False
        if relaxed:
            notices.append("ไม่พบเอกสารที่มีคำค้นครบทุกคำเพียงพอ จึงแสดงเอกสารที่มีคำค้นส่วนใหญ่ต่อท้าย")
        suggestions = []
        if not parsed.empty and len(final) < 3:
            suggestions = self.suggest(snap, parsed)
        return SearchResult(req, len(final), hits, facets, relaxed=relaxed, suggestions=suggestions, notices=notices)

    def _hit(self, snap: Snapshot, docnum: int, score: float, needles: list[str]) -> Hit:
        doc = self.index.document_at(snap, docnum)
        return Hit(
            id=doc.id,
            title=doc.title,
            date=doc.date,
            type=doc.type,
            url=doc.url,
            plans=doc.plans,
            provinces=doc.provinces,
            regions=doc.regions,
            topics=doc.topics,
            score=round(float(score), 4),
            snippet=highlight.snippet(doc.text, needles),
        )

    def needles(self, q: str) -> list[str]:
        """The strings to highlight for a query (for the document page)."""
        return _Plan.needles_of(parse(q))

    def suggest(self, snap: Snapshot, parsed: ParsedQuery) -> list[str]:
        """'Did you mean': replace unknown words by close words of the index."""
        out: list[str] = []
        for clause in parsed.clauses:
            text = clause.alternatives[0]
            norm = analysis.normalize(text)
            if self.index.doc_frequency(snap, "words", norm) > 0:
                continue
            for cand in self.index.suggest(snap, "words", norm, maxdist=1 if len(norm) < 5 else 2):
                if cand != norm:
                    q = " ".join(cand if c is clause else c.alternatives[0] for c in parsed.clauses)
                    if q not in out:
                        out.append(q)
                    break
        return out[:3]


@dataclass
class _Plan:
    """The docsets of one parsed query, and how to rank them."""

    matching: set[int]  # every document that matches at some tier
    verbatim: set[int]
    strict: set[int]  # every word (tiers 1 and 2)
    scoring: kq.Query
    needles: list[str]

    @staticmethod
    def needles_of(parsed: ParsedQuery) -> list[str]:
        out: list[str] = []
        for clause in parsed.clauses:
            for alt in clause.alternatives:
                for form in expand(alt):
                    out.append(form)
                    out.extend(w for w in chunk(form).words if len(analysis.units(w)) >= 2 or w.isascii())
        return list(dict.fromkeys(n for n in out if n.strip()))

    @classmethod
    def build(cls, index: Index, snap: Snapshot, parsed: ParsedQuery) -> "_Plan":
        everything = set(snap.docs)
        if parsed.empty:
            excluded = cls._excluded(index, snap, parsed)
            return cls(everything - excluded, everything, everything, kq.Every(), [])
        cache: dict[kq.Query, set[int]] = {}

        def docs(q: kq.Query) -> set[int]:
            if q not in cache:
                cache[q] = index.docset(snap, q)
            return cache[q]

        verbatim: set[int] | None = None
        strict: set[int] | None = None
        content_words: list[str] = []
        scoring: list[kq.Query] = []
        for clause in parsed.clauses:
            clause_verbatim: set[int] = set()
            clause_strict: set[int] = set()
            for alt in clause.alternatives:
                for form in expand(alt):
                    c = chunk(form)
                    if not c.words:
                        continue
                    vq = verbatim_query(c, snap.subword)
                    scoring.append(vq)
                    v = docs(vq)
                    clause_verbatim |= v
                    if clause.quoted:
                        clause_strict |= v
                        continue
                    words = [w for w in dict.fromkeys(c.words)]
                    w_sets = []
                    for w in words[:MAX_WORDS]:
                        wq = word_query(w, snap.subword)
                        scoring.append(wq)
                        w_sets.append(docs(wq))
                        if w not in _stopwords() and not w.isspace():
                            content_words.append(w)
                    clause_strict |= v | (set.intersection(*w_sets) if w_sets else set())
            verbatim = clause_verbatim if verbatim is None else verbatim & clause_verbatim
            strict = clause_strict if strict is None else strict & clause_strict
        verbatim = verbatim or set()
        strict = (strict or set()) | verbatim
        matching = set(strict)
        unique_words = list(dict.fromkeys(content_words))
        if len(unique_words) >= 3 and not any(c.quoted for c in parsed.clauses):
            need = math.ceil(len(unique_words) / 2)
            counts: Counter[int] = Counter()
            for w in unique_words:
                counts.update(docs(word_query(w, snap.subword)))
            matching |= {d for d, n in counts.items() if n >= need}
        excluded = cls._excluded(index, snap, parsed)
        scoring_q = kq.AnyOf(tuple(dict.fromkeys(scoring)))
        return cls(matching - excluded, verbatim - excluded, strict - excluded, scoring_q, cls.needles_of(parsed))

    @staticmethod
    def _excluded(index: Index, snap: Snapshot, parsed: ParsedQuery) -> set[int]:
        out: set[int] = set()
        for text in parsed.excluded:
            for form in expand(text):
                c = chunk(form)
                if c.words:
                    out |= index.docset(snap, verbatim_query(c, snap.subword))
        return out

    def rank(self, index: Index, snap: Snapshot, docs: set[int], sort: str, k: int) -> list[tuple[int, float]]:
        """The first k of ``docs`` in result order."""
        if sort in ("newest", "oldest") or isinstance(self.scoring, kq.Every):
            dated = sorted((d for d in docs if snap.docs[d].date), key=lambda d: (snap.docs[d].date, snap.docs[d].id))
            if sort != "oldest":
                dated.reverse()
            undated = sorted((d for d in docs if not snap.docs[d].date), key=lambda d: snap.docs[d].id)
            ordered = dated + undated
            return [(d, 0.0) for d in ordered[:k]]
        out: list[tuple[int, float]] = []
        for tier in (docs & self.verbatim, docs & (self.strict - self.verbatim), docs - self.strict):
            if len(out) >= k:
                break
            out.extend(index.top(snap, self.scoring, tier, k - len(out)))
        return out


# --- filters and facets ---------------------------------------------------------------


def _selection(req: SearchRequest) -> dict[str, set[str]]:
    sel = {f: set(req.selected(f)) for f in FACETS}
    return {f: v for f, v in sel.items() if v}


def _filter(snap: Snapshot, docs: set[int], req: SearchRequest) -> tuple[dict[int, str | None], set[int]]:
    """Apply filters.  Returns, for facet counting, each candidate document with
    the one facet it fails (None: passes all), and the set passing every filter.
    """
    sel = _selection(req)
    lo, hi = req.date_from, req.date_to
    status: dict[int, str | None] = {}
    final: set[int] = set()
    for d in docs:
        meta = snap.docs.get(d)
        if meta is None:
            continue
        if lo and (not meta.date or meta.date < lo):
            continue
        if hi and (not meta.date or meta.date > hi):
            continue
        failed: str | None = None
        ok = True
        for facet, wanted in sel.items():
            if wanted.isdisjoint(meta.facet_values(facet)):
                if failed is not None:
                    ok = False
                    break
                failed = facet
        if not ok:
            continue
        status[d] = failed
        if failed is None:
            final.add(d)
    return status, final


def _count_facets(snap: Snapshot, status: dict[int, str | None], req: SearchRequest) -> dict[str, list[FacetValue]]:
    counts: dict[str, Counter[str]] = {f: Counter() for f in FACETS}
    for d, failed in status.items():
        meta: IndexedDoc = snap.docs[d]
        if failed is None:
            for f in FACETS:
                counts[f].update(meta.facet_values(f))
        else:
            counts[failed].update(meta.facet_values(failed))
    out: dict[str, list[FacetValue]] = {}
    for f in FACETS:
        selected = set(req.selected(f))
        for v in selected:
            counts[f].setdefault(v, 0)
        values = [
            FacetValue(value=v, label=taxonomy.label(f, v), count=n, selected=v in selected)
            for v, n in counts[f].items()
        ]
        values.sort(key=_facet_order(f))
        out[f] = values
    return out


def _facet_order(facet: str):
    if facet == "plan":
        return lambda fv: int(fv.value)
    if facet == "year":
        return lambda fv: -int(fv.value)
    return lambda fv: (-fv.count, fv.label)


def related(index: Index, doc_id: str, k: int = 5) -> list[Hit]:
    """More like this: documents sharing the most distinctive words of ``doc_id``."""
    snap = index.snapshot()
    docnum = snap.by_id.get(doc_id)
    if docnum is None:
        return []
    doc = index.document_at(snap, docnum)
    counts = Counter(w for w in analysis.words(doc.title + "\n" + doc.text[:20000]) if len(w) > 1 and w not in _stopwords())
    n = max(1, len(snap.docs))
    weighted = []
    for w, tf in counts.items():
        df = index.doc_frequency(snap, "words", w)
        if 1 < df < 0.5 * n or (df == 1 and n < 3):
            weighted.append((tf * math.log(n / df), w))
    terms = [w for _, w in sorted(weighted, reverse=True)[:25]]
    if not terms:
        return []
    q = kq.AnyOf(tuple(kq.Term("words", w) for w in terms))
    within = set(snap.docs) - {docnum}
    searcher = Searcher(index)
    return [searcher._hit(snap, d, score, []) for d, score in index.top(snap, q, within, k)]


def stats(index: Index) -> dict:
    """Every facet with every value and its count, over the whole index."""
    snap = index.snapshot()
    status = {d: None for d in snap.docs}
    facets = _count_facets(snap, status, SearchRequest())
    return {"documents": len(snap.docs), "facets": {f: [v.to_dict() for v in vals] for f, vals in facets.items()}}


def months(index: Index) -> list[tuple[str, int]]:
    """Documents per month (YYYY-MM, count), for the timeline."""
    snap = index.snapshot()
    c = Counter(m.date[:7] for m in snap.docs.values() if m.date)
    return sorted(c.items())
