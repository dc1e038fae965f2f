"""Search: query text + filters → a ``SearchResult`` (hits, facets, snippets).

How a query is understood
-------------------------
The query is split into clauses at spaces; ``"..."`` keeps a phrase together,
``-word`` excludes, ``OR`` joins alternatives.  Every chunk of text is run
through ``kb.analysis.analyze`` — the very function that indexed the documents.

A document can match a chunk at three levels, and results are ranked in tiers:

1. **verbatim** — every clause occurs as it was typed, word-aligned or not
   (exact substring scan), e.g. ค้ามนุษย์ inside การค้ามนุษย์;
2. **every word** — all of the query's words occur, anywhere;
3. **some words** — for a question (three content words or more, or a
   question word: อะไร, ที่ไหน, ...), documents holding at least a fifth of
   its content words; the result says it was relaxed.

A clause of function words only (คืออะไร) is never required when another
clause carries the meaning.  Tier 1 is ranked by its best passage; tiers 2-3
by BM25F over words and titles (rarer words weighted up), blended with BM25
over the rarest words' exact occurrences and over adjacent query words found
side by side in a candidate; query words a candidate opens with (its
subject) or holds close together weigh more, the more so when the query holds
the candidate's opening name as it is; a word-aligned match scores above a
sub-word one.

Facets are counted in memory over the matching documents: each facet as if
its own selection were removed, so a user can widen a choice.
"""
from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Callable

from kb import analysis, highlight, taxonomy
from kb import query as kq
from kb.models import FACETS, FacetValue, Hit, SearchRequest, SearchResult
from kb.engine import Index, IndexedDoc, Snapshot
from kb.textscan import TextScan

MAX_CLAUSES = 32
MAX_WORDS = 64

# boosts: verbatim phrase ≫ title words > body words > parts of a compound query word
BOOST_PHRASE = 3.0
BOOST_TITLE = 0.5  # on top of the body: measured best on iApp (0.5: 0.934, 1.0: 0.924, 2.0: 0.91)
BOOST_PART = 0.5
# a question keeps documents holding at least this share of its content words
# (iApp train, all 5,761 questions: 1/3 → 0.2: +0.0006 MRR, +0.002 found; 0.5: -0.01)
RELAXED_SHARE = 0.2
# from this many content words on, a query is read as a sentence (tiers 2-3 ranked together);
# a question (a query holding a question word) from fewer (iApp train 2000: 4 → 3: +0.0025 MRR)
SENTENCE_WORDS = 4
QUESTION_WORDS = 3
# tiers 2-3: weight of the query words' exact occurrences (sub-word layer) next to BM25F
SUBWORD_WEIGHT = 0.5
RERANK_POOL = 50
# tiers 2-3: weight of adjacent query words found side by side in a candidate
# (iApp train: 0 → 1.0: +0.008 MRR; with IDF_POWER 1.0, 1.0 → 2.0: see below)
PAIR_WEIGHT = 2.0
# tiers 2-3: a query word's weight grows with (idf / IDF_REF) ** IDF_POWER, so one rare
# name outweighs several common words (iApp train: 0 → 0.5: +0.002 MRR; all 5,761 train
# questions, 0.5 & pairs 1.0 → 1.0 & pairs 2.0: 0.9403 → 0.9420, valid 0.9387 → 0.9397)
IDF_POWER = 1.0
IDF_REF = 3.0
# tiers 2-3: a document names its subject first (an encyclopedia article, a news story's
# headline): each query word occurring within its first LEAD_CHARS characters adds
# LEAD_WEIGHT × the word's idf (iApp, all 5,761 train questions: 0 → 30 chars × 2.0:
# 0.9420 → 0.9442, valid 0.9397 → 0.9416; 10-30 chars and 1.0-2.0 all gain ≥ +0.0018,
# 3.0 less, 120 chars less)
LEAD_CHARS = 30
LEAD_WEIGHT = 2.0
# tiers 2-3: a question's words close together in a candidate: the idf sum of the distinct
# query words in its best stretch of SPAN_CHARS characters, × SPAN_WEIGHT (iApp, all 5,761
# train questions, with the lead above: 0 → 250 chars × 2.0: 0.9442 → 0.9453, valid 0.9416 →
# 0.9420; 120 or 500 chars, 1.0-3.0 all gain; the whole document as the stretch gains about
# as much on train, less on valid: much of the gain is the share of query words held at all)
SPAN_CHARS = 250
SPAN_WEIGHT = 2.0
# tiers 2-3: a candidate whose opening name (its text up to the first space: an article's
# subject, a headline's first phrase) occurs as such in the query is about what is asked
# (สมาธิ for สมาธิคืออะไร, not สมาธิสั้น): the idf sum of the query words in that name,
# × HEAD_WEIGHT (iApp, all 5,761 train questions, with lead and span: 0 → 2.0 / 4.0 / 8.0:
# 0.9452 → 0.9481 / 0.9489 / 0.9488; valid 0.9420 → 0.9438 at 4.0 and 8.0)
HEAD_WEIGHT = 4.0
HEAD_CHARS = 80  # the opening name is looked for in this many first characters
MAX_SCANNED_WORDS = 3
# a query word held as a word by at most this many documents is also matched through its parts
PARTS_MAX_DF = 2
# a word in more than this share of the documents is too common to rank or relax on
COMMON_SHARE = 0.3
# A synonym the user did not type is matched only where it stands as a word when
# it is shorter than this many character clusters, or Latin: an abbreviation is
# inside many longer words (ทบ. in ผลกระทบ and ทบทวน, ตร. in ตรวจ, สมช in สมชาย).
# What the user typed is always found inside longer words too.
SYNONYM_SCAN_UNITS = 4


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

    # A year is a filter only when clearly meant: a short keyword query with
    # the year phrase at its start or end (น้ำท่วม พ.ศ. 2567).  Inside a
    # question (กบฏ 26 มีนาคม พ.ศ. 2520 เกิดขึ้นเมื่อใด) it is just words.
    m = _YEAR.search(q)
    if m and len(_YEAR.findall(q)) == 1:
        rest = (q[: m.start()] + " " + q[m.end() :]).split()
        at_edge = not q[: m.start()].strip() or not q[m.end() :].strip()
        if at_edge and len(rest) <= 3:
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


def chunk(text: str) -> Chunk:
    norm = analysis.normalize(text).strip()
    return Chunk(norm, analysis.analyze(norm, is_normalized=True).words)


def _as_word(form: str, typed: str) -> bool:
    """Is ``form``, a synonym of what the user typed, to be matched only as a word?"""
    if form == analysis.normalize(typed).strip():
        return False
    return form.isascii() or len(analysis.units(form)) < SYNONYM_SCAN_UNITS


def word_query(word: str, boost: float = 1.0) -> kq.Query:
    """Documents containing one query word as a word (BM25F over body and title)."""
    return kq.AnyOf((kq.Term("words", word, boost), kq.Term("title", word, BOOST_TITLE * boost)))


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(analysis.stopwords())


@cache
def _question_words() -> frozenset[str]:
    """Words that make a query a question (kb/taxonomy/question_words.txt; also function words)."""
    lines = resources.files("kb.taxonomy").joinpath("question_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(analysis.normalize(w.strip()) for w in lines if w.strip() and not w.startswith("#"))


# --- the search ---------------------------------------------------------------------


class Searcher:
    """Runs searches against one index; safe to share between threads."""

    def __init__(self, index: Index):
        self.index = index

    def search(self, req: SearchRequest) -> SearchResult:
        snap = self.index.snapshot()
        parsed = parse(req.q)
        notices = list(parsed.notices)
        if req.q.strip() and parsed.empty and not parsed.excluded and not parsed.years:
            notices.append("คำค้นไม่มีตัวอักษรหรือตัวเลขที่ค้นได้ จึงแสดงเอกสารทั้งหมดตามตัวกรอง")
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
        if not parsed.empty and (len(final) < 3 or not (plan.asks or final & plan.strict)):
            # few results, or keywords that no document holds as typed or all together
            # (a misspelt word falls apart into syllables that many documents hold)
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
    verbatim: set[int]  # every clause occurs as typed (tier 1)
    strict: set[int]  # every word occurs (tiers 1 and 2)
    scoring: kq.Query  # BM25F over words and titles (tiers 2 and 3)
    needles: list[str]
    verbatim_scores: dict[int, float] = field(default_factory=dict)  # tier 1 ranking (sub-word layer)
    word_scans: list[tuple[float, dict[int, list[int]]]] = field(default_factory=list)  # tiers 2-3 blending
    pairs: list[tuple[bytes, float]] = field(default_factory=list)  # adjacent query words (scan form, idf)
    located: list[tuple[bytes, float]] = field(default_factory=list)  # telling words (scan form, idf)
    asks: bool = False  # the query holds a question word
    form: bytes = b""  # the query's scan form (its clauses joined by spaces)

    @staticmethod
    def needles_of(parsed: ParsedQuery) -> list[str]:
        out: list[str] = []
        for clause in parsed.clauses:
            for alt in clause.alternatives:
                for form in expand(alt):
                    if _as_word(form, alt):
                        continue  # a short synonym: marks inside longer words would mislead (ทบ in ผลกระทบ)
                    out.append(form)
                    out.extend(w for w in chunk(form).words if len(analysis.units(w)) >= 2 or w.isascii())
        return list(dict.fromkeys(n for n in out if n.strip()))

    @classmethod
    def build(cls, index: Index, snap: Snapshot, parsed: ParsedQuery) -> "_Plan":
        everything = set(snap.docs)
        finder = _Finder(index, snap)
        excluded: set[int] = set()
        for text in parsed.excluded:
            for form in expand(text):
                excluded |= set(finder.verbatim(chunk(form), as_word=_as_word(form, text)).positions)
        if parsed.empty:
            return cls(everything - excluded, everything, everything, kq.Every(), [])

        verbatim: set[int] | None = None
        occurrences: list[list[Occurrences]] = []
        quoted_sets: list[set[int]] = []
        clause_words: list[list[list[str]]] = []  # per clause, the words of each alternative
        clause_verbatims: list[set[int]] = []
        all_words: list[str] = []
        unscanned: set[str] = set()  # words of synonyms matched only as words
        typed_words: set[str] = set()
        scoring: list[kq.Query] = []
        for clause in parsed.clauses:
            clause_verbatim: set[int] = set()
            clause_occurrences: list[Occurrences] = []
            alternatives: list[list[str]] = []
            for alt in clause.alternatives:
                for form in expand(alt):
                    c = chunk(form)
                    if not c.words:
                        continue
                    if len(c.words) <= 3:  # longer chunks: the verbatim tier (scan) covers them
                        scoring.append(finder.phrase_query(c))
                    as_word = _as_word(form, alt)
                    (unscanned if as_word else typed_words).update(c.words)
                    occ = finder.verbatim(c, as_word=as_word)
                    clause_occurrences.append(occ)
                    clause_verbatim.update(occ.positions)
                    if clause.quoted:
                        continue
                    words = list(dict.fromkeys(c.words))[:MAX_WORDS]
                    alternatives.append(words)
                    all_words.extend(words)
            if clause.quoted:
                quoted_sets.append(clause_verbatim)
            occurrences.append(clause_occurrences)
            clause_words.append(alternatives)
            clause_verbatims.append(clause_verbatim)

        # a clause of function words only (the คืออะไร of เครื่องดื่ม คืออะไร) is
        # not required when another clause carries the meaning
        stop = _stopwords()
        functional = [
            bool(alts) and all(w in stop for words in alts for w in words) for alts in clause_words
        ]
        required = [i for i, f in enumerate(functional) if not f or all(functional)]
        for i in required:
            verbatim = clause_verbatims[i] if verbatim is None else verbatim & clause_verbatims[i]
        verbatim = verbatim or set()

        # the words that carry meaning (function words dropped, unless that is all there is)
        unique_words = list(dict.fromkeys(all_words))
        content = [w for w in unique_words if w not in _stopwords()] or unique_words
        # a question (อ่าวน้อยอยู่ในจังหวัดอะไร) is read as a sentence from fewer content words
        asks = not _question_words().isdisjoint(unique_words)
        sentence = len(content) >= (QUESTION_WORDS if asks else SENTENCE_WORDS)

        # tier 2: every word of every clause (skipped for a sentence: BM25 alone ranks it)
        strict = set(verbatim)
        if not sentence:
            strict_sets = []
            for i in required:
                found = set(clause_verbatims[i])
                for words in clause_words[i]:
                    found |= finder.all_of(words)
                strict_sets.append(found)
            if strict_sets:
                strict = set.intersection(*strict_sets) | verbatim
        matching = set(strict)

        # words in most documents say little and cost much: rank and relax on the others
        n_docs = max(1, len(snap.docs))
        df = {w: index.doc_frequency(snap, "words", w) for w in content}
        telling = [w for w in content if df[w] <= COMMON_SHARE * n_docs] or content
        # the words whose exact occurrences count, inside longer words too (not a short synonym's)
        scannable = [w for w in telling if w in typed_words or w not in unscanned]
        for w in telling:
            weight = (bm25_idf(n_docs, df[w]) / IDF_REF) ** IDF_POWER
            scoring.append(word_query(w, weight))
            for part in finder.parts(w):
                scoring.append(word_query(part, boost=BOOST_PART * weight))
        # three content words or more, or a question word: a question rather than keywords
        question = len(content) >= 3 or asks
        word_scans = []
        inside: dict[str, dict[int, list[int]]] = {}  # scanned word → where it occurs, even inside words
        if snap.subword and SUBWORD_WEIGHT:
            # the rarest words carry the ranking; each scan costs a pass over the collection
            rare = sorted(scannable, key=df.__getitem__)
            for w in rare[:MAX_SCANNED_WORDS]:
                if len(analysis.units(w)) >= 2:
                    occ = finder.scanned(w)
                    if occ is not None:
                        word_scans.append(occ)
                        inside[w] = occ[1]
        if telling and (question or not strict):
            # a question (or a keyword query with no document holding every word):
            # documents holding enough of its words follow, ranked by BM25
            need = max(1, math.ceil(len(telling) * RELAXED_SHARE)) if question else 1
            counts: Counter[int] = Counter()
            for w in telling:
                # a scanned word counts where it occurs inside a document's longer
                # word too (ตะวันออก in ตะวันออกเฉียงเหนือ; iApp train 2000: +0.001 MRR)
                found = finder.word_docs(w)
                counts.update(found | inside[w].keys() if w in inside else found)
            relaxed = {d for d, n in counts.items() if n >= need}
            for clause_docs in quoted_sets:
                relaxed &= clause_docs  # quoted phrases stay required
            matching |= relaxed
        scoring_q = kq.AnyOf(tuple(dict.fromkeys(scoring)))
        scores = PassageScores(verbatim - excluded, occurrences) if snap.subword else {}
        pairs = _pairs(index, snap, parsed) if snap.subword and PAIR_WEIGHT else []
        located = []
        if snap.subword and (LEAD_WEIGHT or SPAN_WEIGHT or HEAD_WEIGHT):
            for w in scannable:
                needle = analysis.scan_form(w, is_normalized=True)
                if needle and b"\x1a" not in needle:
                    located.append((needle, bm25_idf(n_docs, df[w])))
        return cls(
            matching - excluded,
            verbatim - excluded,
            strict - excluded,
            scoring_q,
            cls.needles_of(parsed),
            scores,
            word_scans,
            pairs,
            located,
            asks,
            analysis.scan_form(" ".join(c.alternatives[0] for c in parsed.clauses)) if HEAD_WEIGHT else b"",
        )

    def rank(self, index: Index, snap: Snapshot, docs: set[int], sort: str, k: int) -> list[tuple[int, float]]:
        """The first k of ``docs`` in result order."""
        if sort in ("newest", "oldest") or isinstance(self.scoring, kq.Every):
            dated = sorted((d for d in docs if snap.docs[d].date), key=lambda d: (snap.docs[d].date, snap.docs[d].id))
            if sort != "oldest":
                dated.reverse()
            undated = sorted((d for d in docs if not snap.docs[d].date), key=lambda d: snap.docs[d].id)
            return [(d, 0.0) for d in (dated + undated)[:k]]
        out: list[tuple[int, float]] = []
        tier1 = docs & self.verbatim
        if self.verbatim_scores:
            out.extend(self.verbatim_scores.top(tier1, k, lambda d: snap.docs[d].id))
        else:
            out.extend(index.top(snap, self.scoring, tier1, k))
        for tier in (docs & (self.strict - self.verbatim), docs - self.strict):
            if len(out) >= k:
                break
            if self.word_scans or self.pairs or self.located:
                out.extend(self._blend(index, snap, tier, k - len(out)))
            else:
                out.extend(index.top(snap, self.scoring, tier, k - len(out)))
        return out

    def _blend(self, index: Index, snap: Snapshot, tier: set[int], k: int) -> list[tuple[int, float]]:
        """BM25F over words plus BM25 over the query words' exact occurrences
        (sub-word layer): a query word hidden inside a document's compound
        (มั่นคง in ความมั่นคง) still counts; and adjacent query words found
        side by side in a candidate (``_pairs``) add their own BM25, and so
        do the query words a candidate opens with, those close together in it
        (``_lead_and_span_scores``) and those of its opening name when the
        query holds that name (``_head_scores``)."""
        if not tier:
            return []
        scan = snap.scan()
        sub: Counter[int] = Counter()
        for idf, positions in self.word_scans:
            for d, offs in positions.items():
                if d in tier:
                    sub[d] += idf * bm25_tf(len(offs))
        pool = dict(index.top(snap, self.scoring, tier, max(k, RERANK_POOL)))
        for d, _ in sub.most_common(max(k, RERANK_POOL)):
            pool.setdefault(d, 0.0)
        candidates = _candidates(scan, list(pool))
        near = _pair_scores(candidates, self.pairs) if self.pairs else {}
        lead, span = _lead_and_span_scores(candidates, self.located) if self.located else ({}, {})
        head = _head_scores(candidates, self.form, self.located) if self.form and self.located else {}
        blended = sorted(
            (
                (
                    d,
                    s
                    + SUBWORD_WEIGHT * sub.get(d, 0.0)
                    + PAIR_WEIGHT * near.get(d, 0.0)
                    + LEAD_WEIGHT * lead.get(d, 0.0)
                    + SPAN_WEIGHT * span.get(d, 0.0)
                    + HEAD_WEIGHT * head.get(d, 0.0),
                )
                for d, s in pool.items()
            ),
            key=lambda x: (-x[1], x[0]),
        )
        return blended[:k]


def _pairs(index: Index, snap: Snapshot, parsed: ParsedQuery) -> list[tuple[bytes, float]]:
    """Adjacent query words as one string (scan form), weighted by the rarer word's idf.

    Side by side in a document, two query words are evidence that BM25 over
    single words cannot see: ปลา|ตาเหลือก|ยาว names one fish, and the
    document holding ตาเหลือกยาว is about it.  Words next to each other across
    a space in the query are looked for with a space between them.
    """
    n_docs = max(1, len(snap.docs))
    stop = _stopwords()
    located: list[tuple[str, int, int]] = []  # word, start, end in the joined clause text
    text = ""
    for clause in parsed.clauses:
        norm = analysis.normalize(clause.alternatives[0]).strip()
        if text:
            text += " "
        cursor = len(text)
        text += norm
        for w in chunk(norm).words:
            i = text.find(w, cursor)
            if i < 0:
                continue
            located.append((w, i, i + len(w)))
            cursor = i + len(w)
    out: dict[bytes, float] = {}
    for (a, sa, _), (b, _, eb) in zip(located, located[1:]):
        if a in stop and b in stop:
            continue
        needle = analysis.scan_form(text[sa:eb], is_normalized=True)
        if not needle or b"\x1a" in needle:
            continue
        weight = max(bm25_idf(n_docs, index.doc_frequency(snap, "words", w)) for w in (a, b) if w not in stop)
        out[needle] = max(out.get(needle, 0.0), weight)
    return list(out.items())


def _candidates(scan: TextScan, docs: list[int]) -> TextScan:
    """A scan of a few candidate documents only (their forms copied out of the collection's)."""
    forms = []
    for d in docs:
        k = bisect.bisect_left(scan.docnums, d)
        if k < len(scan.docnums) and scan.docnums[k] == d:
            forms.append((d, scan.buffer[scan.starts[k] : scan.starts[k] + scan.lengths[d]]))
    return TextScan(forms, pair_index=False)


def _pair_scores(candidates: TextScan, pairs: list[tuple[bytes, float]]) -> dict[int, float]:
    """BM25 over the pairs' occurrences in a few candidate documents.

    Only the candidates' scan forms are searched (a few dozen documents, not
    the collection, see ``_candidates``), so this costs no scan of the index.
    """
    out: Counter[int] = Counter()
    for needle, weight in pairs:
        for d, offsets in candidates.positions(needle).items():
            out[d] += weight * bm25_tf(len(offsets))
    return out


def _head_scores(candidates: TextScan, form: bytes, located: list[tuple[bytes, float]]) -> dict[int, float]:
    """Per candidate whose opening name (its scan form up to the first space) occurs
    in the query's scan form: the idf sum of the query words in that name."""
    out: dict[int, float] = {}
    for i, d in enumerate(candidates.docnums):
        start = candidates.starts[i]
        name = candidates.buffer[start : start + min(candidates.lengths[d], HEAD_CHARS)].split(b" ")[0]
        if len(name) >= 4 and name in form:  # four bytes: no lone syllable (ดาว, ปี) counts as a name
            out[d] = sum(idf for needle, idf in located if needle in name)
    return out


def _lead_and_span_scores(
    candidates: TextScan, located: list[tuple[bytes, float]]
) -> tuple[dict[int, float], dict[int, float]]:
    """Where the query words occur in a few candidates: per candidate, the idf
    sum of the words it opens with (within its first ``LEAD_CHARS``), and of the
    distinct words in its best stretch of ``SPAN_CHARS`` characters."""
    found: dict[int, list[tuple[int, int]]] = {}  # docnum → (offset, word) of every occurrence
    for j, (needle, _) in enumerate(located):
        for d, offsets in candidates.positions(needle).items():
            found.setdefault(d, []).extend((o, j) for o in offsets)
    lead: dict[int, float] = {}
    span: dict[int, float] = {}
    for d, events in found.items():
        events.sort()
        first: dict[int, int] = {}
        for o, j in events:
            first.setdefault(j, o)
        lead[d] = sum(located[j][1] for j, o in first.items() if o < LEAD_CHARS)
        # sliding window over the occurrences: distinct words within SPAN_CHARS of the last
        inside: Counter[int] = Counter()
        best = current = 0.0
        lo = 0
        for o, j in events:
            inside[j] += 1
            if inside[j] == 1:
                current += located[j][1]
            while events[lo][0] < o - SPAN_CHARS:
                jj = events[lo][1]
                inside[jj] -= 1
                if not inside[jj]:
                    current -= located[jj][1]
                lo += 1
            best = max(best, current)
        span[d] = best
    return lead, span


@dataclass
class Occurrences:
    """A query chunk's verbatim occurrences (sub-word layer) in the index."""

    idf: float
    positions: dict[int, list[int]]  # docnum → offsets in the document's scan form
    aligned: set[int]  # documents where it also occurs word-aligned

    def weight(self, docnum: int) -> float:
        # a word-aligned occurrence ranks above a sub-word one
        return self.idf * (2.0 if docnum in self.aligned else 1.0)


PASSAGE = 800  # characters: long documents are ranked by their best passage
# BM25's tf saturation for the sub-word layer's occurrence counts.  They are not
# normalised by document length (B = 0): BM25F over words, which they are added
# to, is already, and long documents penalised twice ranked worse (iApp train
# 2000: B 0.75 → 0: +0.0025 MRR; valid +0.005)
K1 = 1.2


def bm25_idf(n_docs: int, df: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_tf(tf: int, length_norm: float = 1.0) -> float:
    """BM25's saturating term-frequency factor (``length_norm`` = 1 - B + B·len/avg)."""
    return tf * (K1 + 1) / (tf + K1 * length_norm)


class PassageScores:
    """Tier-1 scores of the verbatim documents, computed only as far as ranking needs.

    ``passage_score`` costs a pass over a document's occurrences; a common
    chunk occurs in thousands of documents, of which a page shows ten.  Each
    document's score is bounded from above by its whole-document evidence
    (no window holds more occurrences than the document: 1.1 × the sum of
    each clause's best ``w · bm25_tf(tf)``), so documents are scored in order
    of that bound until no unscored one can enter the first k.  The result
    is exactly the full sort's.
    """

    def __init__(self, docs: set[int], clauses: list[list[Occurrences]]):
        self.docs = docs
        self.clauses = clauses
        self.scores: dict[int, float] = {}

    def __bool__(self) -> bool:
        return bool(self.docs)

    def bound(self, docnum: int) -> float:
        total = 0.0
        for alternatives in self.clauses:
            best = 0.0
            for occ in alternatives:
                offsets = occ.positions.get(docnum)
                if offsets:
                    best = max(best, occ.weight(docnum) * bm25_tf(len(offsets)))
            total += best
        return 1.1 * total + 1e-9

    def get(self, docnum: int, default: float = 0.0) -> float:
        if docnum not in self.docs:
            return default
        score = self.scores.get(docnum)
        if score is None:
            score = self.scores[docnum] = passage_score(docnum, self.clauses)
        return score

    def top(self, docs: set[int], k: int, doc_id: Callable[[int], str]) -> list[tuple[int, float]]:
        """The first k of ``docs`` by (score descending, document id)."""
        if k <= 0:
            return []
        by_bound = sorted(((self.bound(d), d) for d in docs), key=lambda bd: -bd[0])
        best: list[float] = []  # min-heap of the k best scores so far
        scored: list[tuple[int, float]] = []
        for upper, d in by_bound:
            if len(best) >= k and upper < best[0]:
                break  # no document left can reach the first k (ties included)
            score = self.get(d)
            scored.append((d, score))
            if len(best) < k:
                heapq.heappush(best, score)
            elif score > best[0]:
                heapq.heapreplace(best, score)
        scored.sort(key=lambda ds: (-ds[1], doc_id(ds[0])))
        return scored[:k]


def passage_score(docnum: int, clauses: list[list[Occurrences]]) -> float:
    """Tier-1 score: the best passage's BM25 over the query's chunks.

    Passages are fixed windows (two overlapping tilings), so a long plan
    document or set of minutes is judged by the part that matches, and chunks
    that occur close together outrank the same chunks scattered apart.  A
    little of the whole-document evidence breaks ties.
    """
    windows: Counter[tuple[int, int]] = Counter()
    whole = 0.0
    for alternatives in clauses:
        best: dict[tuple[int, int], float] = {}
        best_whole = 0.0
        for occ in alternatives:
            offsets = occ.positions.get(docnum)
            if not offsets:
                continue
            w = occ.weight(docnum)
            tally: Counter[tuple[int, int]] = Counter()
            for p in offsets:
                tally[(0, p // PASSAGE)] += 1
                tally[(1, (p + PASSAGE // 2) // PASSAGE)] += 1
            for key, tf in tally.items():
                score = w * bm25_tf(tf)
                if score > best.get(key, 0.0):
                    best[key] = score
            tf = len(offsets)
            best_whole = max(best_whole, w * bm25_tf(tf))
        windows.update(best)
        whole += best_whole
    return (max(windows.values()) if windows else 0.0) + 0.1 * whole


class _Finder:
    """Docsets of one snapshot, memoized there (pages and facet clicks repeat them)."""

    def __init__(self, index: Index, snap: Snapshot):
        self.index = index
        self.snap = snap
        self.memo = snap.memo

    def docs(self, q: kq.Query) -> set[int]:
        key = ("docs", q)
        found = self.memo.get(key)
        if found is None:
            found = self._remember(key, self.index.docset(self.snap, q))
        return found

    def phrase_query(self, c: Chunk) -> kq.Query:
        words = tuple(c.words)
        return kq.AnyOf((kq.Phrase("words", words, BOOST_PHRASE), kq.Phrase("title", words, BOOST_PHRASE * BOOST_TITLE)))

    def verbatim(self, c: Chunk, as_word: bool = False) -> "Occurrences":
        """Where the chunk occurs as typed: documents, positions, and which are word-aligned.

        ``as_word``: only documents holding it word-aligned count (a short synonym).
        """
        if not c.words:
            return Occurrences(0.0, {}, set())
        aligned = self.docs(self.phrase_query(c))
        found = self.scanned(c.text) if self.snap.subword else None
        if found is None:
            return Occurrences(1.0, {d: [] for d in aligned}, aligned)
        idf, positions = found
        if as_word:
            positions = {d: offsets for d, offsets in positions.items() if d in aligned}
            positions.update((d, []) for d in aligned if d not in positions)
        return Occurrences(idf, positions, aligned)

    def scanned(self, normalized: str) -> tuple[float, dict[int, list[int]]] | None:
        """(idf, docnum → offsets) of a text's exact occurrences; None if it cannot be scanned."""
        needle = analysis.scan_form(normalized, is_normalized=True)
        if b"\x1a" in needle or not needle:
            return None
        key = ("scan", needle)
        found = self.memo.get(key)
        if found is None:
            scan = self.snap.scan()
            positions = scan.positions(needle)
            n = max(1, len(scan))
            found = self._remember(key, (bm25_idf(n, max(1, len(positions))), positions))
        return found

    def parts(self, word: str) -> list[str]:
        """The index words a compound query word is made of (ทางวิทยาศาสตร์ → วิทยาศาสตร์).

        The query side may join words the documents keep apart; greedy longest
        matches of at least two clusters against the index vocabulary, function
        words dropped.
        """
        key = ("parts", word)
        found = self.memo.get(key)
        if found is not None:
            return found
        us = analysis.units(word)
        out: list[str] = []
        # only a compound the documents (almost) never hold as a word needs taking apart
        rare = self.index.doc_frequency(self.snap, "words", word) <= PARTS_MAX_DF
        if rare and len(us) >= 4 and analysis.runs(word) and analysis.runs(word)[0].thai:
            i = 0
            while i < len(us) - 1:
                for j in range(len(us), i + 1, -1):
                    piece = "".join(us[i:j])
                    if piece != word and self.index.doc_frequency(self.snap, "words", piece) > 0:
                        if piece not in _stopwords():
                            out.append(piece)
                        i = j
                        break
                else:
                    i += 1
        return self._remember(key, out)

    def all_of(self, words: list[str]) -> set[int]:
        """Documents holding every word (function words skipped when there are others)."""
        content = [w for w in words if w not in _stopwords()] or words
        if len(content) == 1:
            return self.docs(word_query(content[0]))
        return self.docs(kq.AllOf(tuple(word_query(w) for w in content)))

    def word_docs(self, word: str) -> set[int]:
        """Documents holding a query word as a word, or all the parts it is made of."""
        found = self.docs(word_query(word))
        parts = self.parts(word)
        if parts:
            found = found | set.intersection(*(self.docs(word_query(p)) for p in parts))
        return found

    def _remember(self, key, value):
        if len(self.memo) > 512:
            self.memo.clear()
        self.memo[key] = value
        return value


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
