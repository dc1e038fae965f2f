"""The matching tiers of one parsed query, built in named steps, and their ranking.

A document can match at three levels, and results are ranked in tiers:

1. **verbatim**: every required clause occurs as it was typed, word-aligned or
   not (exact substring scan), e.g. ค้ามนุษย์ inside การค้ามนุษย์;
2. **every word**: all of the query's words occur, anywhere;
3. **some words**: for a question (three content words or more, or a question
   word: อะไร, ที่ไหน, ...), documents holding at least ``relaxed_share`` of its
   content words; the result says it was relaxed.

A clause of function words only (คืออะไร) is never required when another
clause carries the meaning.  Tier 1 is ranked by its best passage
(``kb.search.scoring``); tiers 2-3 by BM25F blended with more evidence
(``kb.search.blend``).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from itertools import chain
from dataclasses import dataclass, field

import numpy as np

from kb import analysis
from kb import query as kq
from kb.scan_offsets import DocOffsets
from kb.search.blend import BlendEvidence, Weighted, blend, query_pairs
from kb.search.budget import WorkBudget
from kb.search.finder import Finder, word_query
from kb.search.params import RankingParams
from kb.search.parsing import Chunk, ParsedQuery, as_word, chunk, expand, expand_weighted, needles_of, question_words, stopwords
from kb.search.thesaurus import synonym_weight
from kb.search.scoring import Occurrences, PassageScores, bm25_idf
from kb.engine import Index, Snapshot


LONG_SYNONYM_UNITS = 8  # a thesaurus term this long is scanned like what was typed


@dataclass
class ClauseMatch:
    """One clause's alternatives (and their synonyms), analysed and located."""

    quoted: bool
    occurrences: list[Occurrences] = field(default_factory=list)
    verbatim: set[int] = field(default_factory=set)  # documents where an alternative occurs as typed, as a word
    partial: set[int] = field(default_factory=set)  # documents where one occurs only inside other words
    word_lists: list[list[str]] = field(default_factory=list)  # words of each unquoted alternative

    @property
    def functional(self) -> bool:
        """Function words only (the คืออะไร of เครื่องดื่ม คืออะไร)."""
        stop = stopwords()
        return bool(self.word_lists) and all(w in stop for words in self.word_lists for w in words)


@dataclass
class Gathered:
    """Every clause located, with the pieces ranking needs from them."""

    clauses: list[ClauseMatch] = field(default_factory=list)
    phrase_scoring: list[kq.Query] = field(default_factory=list)  # short chunks as phrases (BM25F)
    words: list[str] = field(default_factory=list)  # words of the unquoted alternatives, in order
    own: list[str] = field(default_factory=list)  # ... of the alternatives as typed (no other spelling of them)
    typed: set[str] = field(default_factory=set)  # words of what the user typed
    unscanned: set[str] = field(default_factory=set)  # words of synonyms matched only as words

    def required(self) -> list[ClauseMatch]:
        """The clauses a document must match (function-word clauses only when nothing else is left)."""
        if all(c.functional for c in self.clauses):
            return list(self.clauses)
        return [c for c in self.clauses if not c.functional]


@dataclass
class QueryWords:
    """The query's words that carry meaning, and what kind of query they make."""

    content: list[str]  # function words dropped, unless that is all there is
    df: dict[str, int]  # document frequency of each content word
    telling: list[str]  # content words not in most documents: ranked and relaxed on
    scannable: list[str]  # telling words whose exact occurrences count inside longer words too
    asks: bool  # holds a question word
    sentence: bool  # read as a sentence: tiers 2-3 ranked together, no tier-2 intersection
    question: bool  # three content words or more, or a question word: may be relaxed


@dataclass
class Plan:
    """The docsets of one parsed query, and how to rank them."""

    matching: set[int]  # every document that matches at some tier
    verbatim: set[int]  # tier 1
    strict: set[int]  # tiers 1 and 2
    needles: list[str]
    evidence: BlendEvidence
    params: RankingParams
    passages: PassageScores | None = None  # tier-1 ranking (sub-word layer)
    asks: bool = False
    partial: set[int] = field(default_factory=set)  # matched only inside other words: shown when few others
    sentence: bool = False  # read as a sentence: tiers 2-3 are its matches, ranked together

    def rank_partial(self, index: Index, snap: Snapshot, docs: set[int], k: int) -> list[tuple[int, float]]:
        """The first k of the partial matches (shown after every other match): by
        their word score, then (no word of the query) in document order."""
        ranked = index.top(snap, self.evidence.scoring, docs, k)
        seen = {d for d, _ in ranked}
        ranked += [(d, 0.0) for d in sorted(docs - seen, key=lambda d: snap.docs[d].id)]
        return ranked[:k]

    def rank(self, index: Index, snap: Snapshot, docs: set[int], sort: str, k: int, budget: WorkBudget) -> list[tuple[int, float]]:
        """The first k of ``docs`` in result order."""
        if sort in ("newest", "oldest") or isinstance(self.evidence.scoring, kq.Every):
            return _by_date(snap, docs, sort, k)
        if (self.sentence or self.asks) and self.evidence.blends and not budget.spent():
            # a question's clauses all found as typed say little about the answer (แก้ว of
            # "แก้ว คืออะไร" is in every passage about glass): tiers 1-2 are ranked together by
            # the blend, whose phrase evidence still sees the typed clauses (iApp unchanged;
            # ThaiGov known-item train +0.004; iApp valid with spaces added +0.003); a question
            # typed with OR too, now that the blend is bounded (``WorkLimits.blend_*``)
            ranked = blend(index, snap, self.evidence, docs & self.strict, k, self.params, budget)
            if len(ranked) < k:
                ranked += blend(index, snap, self.evidence, docs - self.strict, k - len(ranked), self.params, budget)
            return ranked
        out: list[tuple[int, float]] = []
        tier1 = docs & self.verbatim
        if self.passages:
            out.extend(self.passages.top(tier1, k, lambda d: snap.docs[d].id, budget))
        else:
            out.extend(index.top(snap, self.evidence.scoring, tier1, k))
        for tier in (docs & (self.strict - self.verbatim), docs - self.strict):
            if len(out) >= k:
                break
            if self.evidence.blends and not budget.spent():
                out.extend(blend(index, snap, self.evidence, tier, k - len(out), self.params, budget))
            else:
                out.extend(index.top(snap, self.evidence.scoring, tier, k - len(out)))
        return out


def _by_date(snap: Snapshot, docs: set[int], sort: str, k: int) -> list[tuple[int, float]]:
    """The first k of ``docs`` by date (ties by id), undated ones last by id: a mask over
    the snapshot's date order, not a sort of the matches (the empty query matches all
    63,241 releases of the ThaiGov corpus: 200 ms sorted in Python a query, now ~10)."""
    dated, undated = _date_order(snap)
    chosen = np.fromiter(docs, dtype=np.int64, count=len(docs))
    # a mask, not ``isin`` (which sorts both sides: its cost grew with the collection)
    size = 1 + max(int(chosen.max()) if len(chosen) else -1, int(dated.max()) if len(dated) else -1,
                   int(undated.max()) if len(undated) else -1)
    held = np.zeros(size, dtype=bool)
    held[chosen] = True
    dated = dated[held[dated]]
    if sort != "oldest":
        dated = dated[::-1]
    first = dated[:k].tolist()
    if len(first) < k:
        first += undated[held[undated]][: k - len(first)].tolist()
    return [(d, 0.0) for d in first]


def _date_order(snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Every document of the snapshot: the dated ones by (date, id), the undated by id;
    once per snapshot (``FacetColumns.date_order``: kept with the columns, not in the memo,
    which dropped it whenever a pass of queries filled it)."""
    return snap.facet_columns().date_order()


def build_plan(index: Index, snap: Snapshot, parsed: ParsedQuery, params: RankingParams, budget: WorkBudget) -> Plan:
    """Locate the query's clauses and words, then derive each tier from them."""
    finder = Finder(index, snap, params, budget)
    excluded = _excluded(finder, parsed, params)
    if parsed.empty:
        everything = set(snap.docs)
        return Plan(everything - excluded, everything, everything, [], BlendEvidence(kq.Every()), params)
    n_docs = max(1, len(snap.docs))
    gathered = _gather(finder, parsed, params, budget)
    required = gathered.required()
    # one clause's set as it is (a copy of a common word's quarter of a million documents
    # at 4× the releases costs ~8 ms, and nothing changes it after ``_gather``)
    verbatim = (set.intersection(*(c.verbatim for c in required)) if len(required) > 1 else required[0].verbatim) if required else set()
    words = _query_words(finder, gathered, params, n_docs)
    strict = set(verbatim) if words.sentence else _strict(finder, required, verbatim)
    scoring = gathered.phrase_scoring + _word_scoring(finder, words, params, n_docs)
    word_scans, inside = _rare_scans(finder, words, params, budget)
    matching = strict | _relaxed(finder, gathered, words, strict, inside, params)
    evidence = BlendEvidence(
        kq.AnyOf(tuple(dict.fromkeys(scoring))),
        word_scans,
        query_pairs(index, snap, parsed) if snap.subword and params.use_pairs else [],
        _located(words, n_docs) if snap.subword and params.locates_words else [],
        analysis.scan_form(" ".join(c.alternatives[0] for c in parsed.clauses)) if params.use_head else b"",
    )
    passages = PassageScores(_without(verbatim, excluded), [c.occurrences for c in gathered.clauses], params) if snap.subword else None
    partial = _partial(required, matching) if required else set()
    return Plan(
        _without(matching, excluded), _without(verbatim, excluded), _without(strict, excluded), needles_of(parsed, params),
        evidence, params, passages, words.asks, _without(partial, excluded), words.sentence,
    )


def _without(docs: set[int], excluded: set[int]) -> set[int]:
    """``docs - excluded``, not copied when nothing is excluded (the plan's sets are never changed)."""
    return docs - excluded if excluded else docs


def _partial(required: list[ClauseMatch], matching: set[int]) -> set[int]:
    """Documents holding every required clause, some only inside other words,
    that match no other way (ตาก only in ตากใบ)."""
    if len(required) == 1:  # its verbatim documents are all in ``matching`` (tier 1): not unioned to be taken out
        return required[0].partial - matching
    return set.intersection(*(c.verbatim | c.partial for c in required)) - matching


def _excluded(finder: Finder, parsed: ParsedQuery, params: RankingParams) -> set[int]:
    """Documents holding any ``-word`` (or one of its synonyms)."""
    excluded: set[int] = set()
    for text in parsed.excluded:
        for form in expand(text):
            excluded |= set(finder.verbatim(chunk(form), as_word=as_word(form, text, params)).positions)
    return excluded


def _gather(finder: Finder, parsed: ParsedQuery, params: RankingParams, budget: WorkBudget) -> Gathered:
    """Analyse and locate every alternative of every clause (and their synonyms).

    When the work budget runs out, the remaining alternatives are left out.
    """
    g = Gathered()
    for clause in parsed.clauses:
        cm = ClauseMatch(clause.quoted)
        for alt in clause.alternatives:
            if budget.spent():
                break
            for n, (form, related) in enumerate(expand_weighted(alt)):
                c = chunk(form)
                if not c.words:
                    continue
                # a thesaurus term counts less than what was typed, and so does a name's spelling in
                # the other script (ranong of ระนอง: rarer, it put 9 English releases in the first ten)
                weight = synonym_weight(params) if related or _other_script(form, alt) else 1.0
                if len(c.words) <= 3:  # longer chunks: the verbatim tier (scan) covers them
                    g.phrase_scoring.append(finder.phrase_query(c, weight))
                # the Thai term an English word stands for is matched as if typed (aligned)
                word_only = as_word(form, alt, params) and not (related and alt.isascii() and not form.isascii())
                if not related:
                    (g.unscanned if word_only else g.typed).update(c.words)
                # a thesaurus term is found as words (no scan) and counts less than what was typed;
                # a long one (an agency's name) as text, like an alias of what was typed
                # a one-letter alternative of an OR (ก OR ข OR … OR ฮ) is found as a word: its
                # scan is a call per occurrence, 2,000,000 of ก and 34 s in 62,895 releases
                lone = len(clause.alternatives) > 1 and len(analysis.units(c.text)) < 2
                if related and not _scanned_synonym(form, alt, params) or lone:
                    occ = finder.as_words(c, weight)
                else:
                    occ = finder.verbatim(c, as_word=word_only)
                    occ = Occurrences(occ.idf * weight, occ.positions, occ.aligned) if weight != 1.0 else occ
                if not related and not word_only:  # a rare clause of several words, as typed
                    occ = _with_whole(finder, c, occ)
                cm.occurrences.append(occ)
                cm.verbatim.update(occ.positions)
                if not word_only:
                    cm.partial.update(d for d in finder.partial(c.text) if d not in cm.verbatim)
                if clause.quoted:
                    continue
                words = list(dict.fromkeys(c.words))[: params.max_words]
                cm.word_lists.append(words)
                if not related:  # a thesaurus term's words do not make the query longer
                    g.words.extend(words)
                if n == 0:  # nor do an alias's (tak of ตาก, สำนักงาน of สมช.): see ``_query_words``
                    g.own.extend(words)
        g.clauses.append(cm)
    return g


def _other_script(form: str, typed: str) -> bool:
    """Is ``form`` (an alias of what was typed) written in the other script: Latin for Thai
    typed (ระนอง → ranong), or Thai for Latin (Tak → ตาก)?"""
    return form.isascii() != analysis.normalize(typed).strip().isascii()


def _scanned_synonym(form: str, typed: str, params: RankingParams) -> bool:
    """Is a thesaurus term to be found as text, inside longer words too, like what was
    typed?  A long one (สำนักงานตำรวจแห่งชาติ: as words, the English name found 9 of
    the 19 documents holding it), and the Thai term an English word stands for, as if
    typed (south → ภาคใต้, inside ชายแดนภาคใต้; china → จีน); a short Thai synonym
    (ประชาชน for ชาวบ้าน) stays a word: cheap and precise."""
    if form.isascii():
        return False
    units = len(analysis.units(form))
    return units >= LONG_SYNONYM_UNITS or typed.isascii()  # word-aligned, as if typed: จีน not in ท่าจีน


def _with_whole(finder: Finder, c: Chunk, occ: Occurrences) -> Occurrences:
    """``occ`` and the documents holding the clause as typed though not word-aligned,
    when it is a rare clause of several words (``Finder.whole_clause``)."""
    whole = finder.whole_clause(c, occ.positions.keys())
    if not whole:
        return occ
    return Occurrences(occ.idf, _merged(whole, occ.positions), occ.aligned)


def _merged(first: dict[int, list[int]], then: Mapping[int, list[int]]) -> Mapping[int, list[int]]:
    """``{**first, **then}``, kept as arrays when ``then`` is a scan's ``DocOffsets`` and
    shares no document with ``first``: a common clause's tens of thousands of documents
    were each made an offset list here (its cost grew with the collection)."""
    if not isinstance(then, DocOffsets) or any(d in then for d in first):
        return {**first, **then}
    lists = list(first.values())
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    docs = np.concatenate([np.fromiter(first, dtype=np.int64, count=len(first)), then.docs.astype(np.int64)])
    offsets = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    return DocOffsets(docs, np.concatenate([counts, then.counts.astype(np.int64)]),
                      np.concatenate([offsets, then.offsets.astype(np.int64)]))


def _query_words(finder: Finder, g: Gathered, params: RankingParams, n_docs: int) -> QueryWords:
    unique = list(dict.fromkeys(g.words))
    content = [w for w in unique if w not in stopwords()] or unique
    # a question (อ่าวน้อยอยู่ในจังหวัดอะไร) is read as a sentence from fewer content words
    asks = not question_words().isdisjoint(unique)
    # counted on the words typed: the other spellings of a name are not more words (ตาก's
    # tak made การค้ามนุษย์ ตาก a question, relaxed to 1,777 of 63,241 releases; the words of
    # สมช.'s full name relaxed สมช. to 14,759 holding สำนักงาน)
    own = list(dict.fromkeys(g.own))
    typed = len([w for w in own if w not in stopwords()] or own)
    sentence = typed >= (params.question_words if asks else params.sentence_words)
    # nor is the number of a name one more keyword (โควิด-19 ภูเก็ต: 19,553 releases "relaxed")
    named = len([w for w in own if w not in stopwords() and not w.replace(".", "").isdigit()])
    # words in most documents say little and cost much: rank and relax on the others
    df = {w: finder.doc_frequency(w) for w in content}
    telling = [w for w in content if df[w] <= params.common_share * n_docs] or content
    # the words whose exact occurrences count, inside longer words too (not a short synonym's)
    scannable = [w for w in telling if w in g.typed or w not in g.unscanned]
    return QueryWords(content, df, telling, scannable, asks, sentence, sentence or named >= 3 or asks)


def _strict(finder: Finder, required: list[ClauseMatch], verbatim: set[int]) -> set[int]:
    """Tiers 1-2: every word of every required clause (or the clause as typed)."""
    sets = []
    for cm in required:
        # ``all_of`` answers a new set: grown in place, not copied (a common word's
        # quarter of a million documents at 4× the releases were copied three times)
        found: set[int] | None = None
        for words in cm.word_lists:
            found = finder.all_of(words) if found is None else found | finder.all_of(words)
        if found is None:
            found = set(cm.verbatim)
        else:
            found |= cm.verbatim
        sets.append(found)
    if not sets:
        return set(verbatim)
    out = sets[0] if len(sets) == 1 else set.intersection(*sets)
    out |= verbatim
    return out


def _word_scoring(finder: Finder, words: QueryWords, params: RankingParams, n_docs: int) -> list[kq.Query]:
    """BM25F over each telling word (and its parts), rarer words weighted up."""
    out: list[kq.Query] = []
    for w in words.telling:
        weight = (bm25_idf(n_docs, words.df[w]) / params.idf_ref) ** params.idf_power
        out.append(word_query(w, params, weight))
        for part in finder.parts(w):
            out.append(word_query(part, params, boost=params.boost_part * weight))
    return out


def _rare_scans(
    finder: Finder, words: QueryWords, params: RankingParams, budget: WorkBudget
) -> tuple[list[tuple[float, dict[int, list[int]]]], dict[str, dict[int, list[int]]]]:
    """The rarest words' exact occurrences (each scan is a pass over the collection)."""
    scans: list[tuple[float, dict[int, list[int]]]] = []
    inside: dict[str, dict[int, list[int]]] = {}  # scanned word → where it occurs, even inside words
    if not (finder.snap.subword and params.use_subword_scores):
        return scans, inside
    rare = sorted(words.scannable, key=words.df.__getitem__)
    for w in rare[: params.max_scanned_words]:
        if len(analysis.units(w)) >= 2 and not budget.spent():
            occ = finder.scanned(w)
            if occ is not None:
                # for ranking, an occurrence inside a compound still counts (มั่นคง in
                # ความมั่นคง); which documents match is decided by the clauses
                scans.append(occ)
                inside[w] = occ[1]
    return scans, inside


def _relaxed(
    finder: Finder, g: Gathered, words: QueryWords, strict: set[int], inside: dict[str, dict[int, list[int]]],
    params: RankingParams,
) -> set[int]:
    """Tier 3: a question's documents holding enough of its words (or a keyword
    query's documents holding any, when none holds every word)."""
    if not words.telling or not (words.question or not strict):
        return set()
    need = max(1, math.ceil(len(words.telling) * params.relaxed_share)) if words.question else 1
    counts: Counter[int] = Counter()
    for w in words.telling:
        # a scanned word counts where it occurs inside a document's longer
        # word too (ตะวันออก in ตะวันออกเฉียงเหนือ; iApp train 2000: +0.001 MRR)
        found = finder.word_docs(w, aligned=not words.sentence)
        if w in inside:  # a keyword counts inside a longer word only where it is a part of it
            found = found | (inside[w].keys() if words.sentence else finder.split(w, inside[w])[0].keys())
        counts.update(found)
    relaxed = {d for d, n in counts.items() if n >= need}
    for cm in g.clauses:
        if cm.quoted:
            relaxed &= cm.verbatim  # quoted phrases stay required
    return relaxed


def _located(words: QueryWords, n_docs: int) -> Weighted:
    """The scannable words' scan forms with their idf (for lead, span and head evidence)."""
    out: Weighted = []
    for w in words.scannable:
        needle = analysis.scan_form(w, is_normalized=True)
        if needle and b"\x1a" not in needle:
            out.append((needle, bm25_idf(n_docs, words.df[w])))
    return out
