"""Tiers 2-3 ranking: a pool of candidates measured on named features, weighed by learned weights.

Each candidate of the pool is measured on ``kb.search.features.FEATURES`` and
ranked by their learned linear weighting (``RankingParams.blend_weights``):
BM25F of the query's words and phrases; plain BM25 over its words; BM25 over
its units as text; the rarest words' exact occurrences (a word hidden inside a
document's compound, มั่นคง in ความมั่นคง, still counts); adjacent query words
side by side (``pair_scores``); query words the candidate opens with, and those
close together in it (``lead_and_span_scores``); the query words of its
opening name when the query holds that name (``head_scores``); and how much of
the query's idf it holds (``coverage_scores``).  Only the pool is re-scored,
searched in the candidates' own scan forms, never the collection.
"""
from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field, replace

from kb import analysis
from kb import query as kq
from kb.search.budget import WorkBudget
from kb.search.features import CandidateRows, coverage_scores, plain_words
from kb.search.params import RankingParams
from kb.search.parsing import ParsedQuery, chunk, stopwords
from kb.search.scoring import bm25_idf, bm25_tf, occurrence_counts
from kb.engine import Index, Snapshot
from kb.textscan import TextScan

Weighted = list[tuple[bytes, float]]  # (scan form, idf)


@dataclass
class BlendEvidence:
    """What tiers 2-3 are re-scored with, beyond BM25F over ``scoring``."""

    scoring: kq.Query
    word_scans: list[tuple[float, dict[int, list[int]]]] = field(default_factory=list)  # rare words' occurrences
    pairs: Weighted = field(default_factory=list)  # adjacent query words
    located: Weighted = field(default_factory=list)  # telling words (for lead, span, head)
    form: bytes = b""  # the query's scan form (its clauses joined by spaces), for the head

    @property
    def blends(self) -> bool:
        return bool(self.word_scans or self.pairs or self.located)


def blend(
    index: Index, snap: Snapshot, ev: BlendEvidence, tier: set[int], k: int, p: RankingParams,
    budget: WorkBudget | None = None,
) -> list[tuple[int, float]]:
    """The first k of ``tier`` by the learned linear model over the candidates' features.

    Within ``budget``: at most ``WorkLimits.blend_candidates`` candidates are measured
    (past them, the rest of the first k follow by BM25F) and the search's deadline is
    checked between the pool and the features (past it, the pool by BM25F alone).
    """
    if not tier:
        return []
    budget = budget or WorkBudget.start()
    measured = min(max(k, p.rerank_pool), budget.limits.blend_candidates)
    pool = candidate_pool(index, snap, ev, tier, measured, p)
    if budget.spent():
        return sorted(pool.items(), key=lambda x: (-x[1], x[0]))[:k]
    ranked = measure(index, snap, bounded(ev, budget), pool, p, budget).ranked(p.blend_weights, measured)
    if k > len(ranked):  # a deep page: the candidates past those measured, by BM25F
        seen = {d for d, _ in ranked}
        ranked += [(d, s) for d, s in index.top(snap, ev.scoring, tier, k) if d not in seen][: k - len(ranked)]
    return ranked[:k]


def bounded(ev: BlendEvidence, budget: WorkBudget) -> BlendEvidence:
    """``ev`` with at most ``WorkLimits.blend_words`` located words and pairs, the
    rarest kept: each is looked for in every candidate (and counted once in the
    collection), and ``ก OR ข OR … OR ฮ`` asks for 44 letters found everywhere."""
    cap = budget.limits.blend_words
    located, pairs = _rarest(ev.located, cap), _rarest(ev.pairs, cap)
    budget.blend_words = max(budget.blend_words, len(located), len(pairs))
    return replace(ev, located=located, pairs=pairs)


def _rarest(weighted: Weighted, cap: int) -> Weighted:
    """The ``cap`` heaviest of ``weighted``, in their order (all of them when few)."""
    if len(weighted) <= cap:
        return weighted
    keep = set(sorted(range(len(weighted)), key=lambda j: -weighted[j][1])[:cap])
    return [w for j, w in enumerate(weighted) if j in keep]


def candidate_rows(index: Index, snap: Snapshot, ev: BlendEvidence, tier: set[int], k: int, p: RankingParams) -> CandidateRows:
    """The pool of ``tier`` worth re-scoring, each candidate measured on ``FEATURES``
    (unbounded: for fitting; a search calls ``blend``)."""
    return measure(index, snap, ev, candidate_pool(index, snap, ev, tier, max(k, p.rerank_pool), p), p)


def candidate_pool(index: Index, snap: Snapshot, ev: BlendEvidence, tier: set[int], size: int, p: RankingParams) -> dict[int, float]:
    """The best ``size`` of ``tier`` by BM25F and the best by the rare words' exact
    occurrences, each with its BM25F.  The pool does not depend on the weights, so a
    fit can measure it once."""
    sub = _subword(ev, tier, p)
    pool = dict(index.top(snap, ev.scoring, tier, size))
    extra = {d for d, _ in sub.most_common(size)} - pool.keys()
    if extra:  # candidates found by the scans only: their BM25F too (0 when no word matches)
        pool.update(index.top(snap, ev.scoring, extra, len(extra)))
        pool.update((d, 0.0) for d in extra - pool.keys())
    return pool


def _subword(ev: BlendEvidence, tier: set[int], p: RankingParams) -> Counter[int]:
    sub: Counter[int] = Counter()
    for idf, positions in ev.word_scans:
        for d, count in occurrence_counts(positions):  # tail (issue 12): no offset lists made
            if d in tier:
                sub[d] += idf * bm25_tf(count, p.k1)
    return sub


def measure(
    index: Index, snap: Snapshot, ev: BlendEvidence, pool: dict[int, float], p: RankingParams,
    budget: WorkBudget | None = None,
) -> CandidateRows:
    """Every candidate of ``pool`` (docnum → BM25F) measured on ``FEATURES``."""
    docs = sorted(pool)
    if budget is not None:
        budget.blended = max(budget.blended, len(docs))
    sub = _subword(ev, set(docs), p)
    plain = plain_words(ev.scoring)
    words = dict(index.top(snap, plain, set(docs), len(docs))) if plain is not None else {}
    candidates = _candidates(snap.scan(), docs)
    located = substring_weights(snap, ev.located, budget)
    near = pair_scores(candidates, ev.pairs, p) if ev.pairs else {}
    lead, span, _ = lead_and_span_scores(candidates, located, p) if located else ({}, {}, {})
    head = head_scores(candidates, ev.form, located, p) if ev.form and located else {}
    units = finest_units(ev.located, plain)
    if budget is not None:
        units = _rarest(units, budget.limits.blend_words)
    units = substring_weights(snap, units, budget)
    held = held_counts(candidates, units)
    idfs = [idf for _, idf in units]
    share, missing = coverage_scores(held, idfs)
    avg = snap.scan().avg_length
    text = {d: text_bm25(counts, idfs, candidates.lengths[d] / avg) for d, counts in held.items()}
    lacking = sum(idfs)
    rows = [
        (
            pool[d], words.get(d, 0.0), text.get(d, 0.0), sub.get(d, 0.0), near.get(d, 0.0),
            lead.get(d, 0.0) if p.use_lead else 0.0, span.get(d, 0.0) if p.use_span else 0.0,
            head.get(d, 0.0), share.get(d, 0.0), -missing.get(d, lacking),
        )
        for d in docs
    ]
    return CandidateRows(docs, rows)


def finest_units(located: Weighted, plain: kq.Query | None) -> Weighted:
    """The located words, a compound replaced by its parts when the query is also
    matched through them (มาตรการป้องกัน → มาตรการ, ป้องกัน): coverage and text
    BM25 then credit a document that holds the parts apart, as BM25 over finer
    words would, instead of only the rare few holding the compound verbatim."""
    parts: list[bytes] = []
    if isinstance(plain, kq.AnyOf):
        for t in plain.queries:
            if isinstance(t, kq.Term):
                form = analysis.scan_form(t.text, is_normalized=True)
                if form and b"\x1a" not in form:
                    parts.append(form)
    out: dict[bytes, float] = {}
    for needle, idf in located:
        inside = [q for q in parts if q != needle and q in needle]
        for unit in inside or [needle]:
            out[unit] = max(out.get(unit, 0.0), idf)
    return list(out.items())


def held_counts(candidates: TextScan, units: Weighted) -> dict[int, Counter[int]]:
    """Per candidate, how often it holds each unit (indexes into ``units``) as text."""
    held: dict[int, Counter[int]] = {}
    for j, (needle, _) in enumerate(units):
        for d, offsets in candidates.positions(needle).items():
            held.setdefault(d, Counter())[j] = len(offsets)
    return held


def substring_weights(snap: Snapshot, located: Weighted, budget: WorkBudget | None = None) -> Weighted:
    """The located words, each weighed by the rarer of its word idf and its idf as text.

    Lead, span, head and coverage find a word wherever it occurs as text, so a
    word the segmenter kept whole in the query but cuts otherwise in documents
    (มาตรการป้องกัน: rare as a word, in half the collection as text) must not
    count as rare there.  One count per word and snapshot, remembered (a word the
    query already scanned is not counted again); past ``budget``'s deadline a word
    not yet counted is left out.
    """
    n_docs = max(1, len(snap.docs))
    out: Weighted = []
    for needle, idf in located:
        key = ("text-df", needle)
        df = snap.memo.get(key)
        if df is None:
            scanned = snap.memo.get(("scan", needle))  # ``Finder.scanned``'s entry
            # a search never counts a lone letter anew (its text idf is ~0, and the count is a
            # call per occurrence: 34 s for ก in 62,895 releases), nor anything past its deadline
            if scanned is None and budget is not None and (len(needle) == 1 or budget.spent()):
                continue
            df = len(scanned[1]) if scanned is not None else len(snap.scan().positions(needle))
            snap.memo[key] = df
        out.append((needle, min(idf, bm25_idf(n_docs, df))))
    return out


def query_pairs(index: Index, snap: Snapshot, parsed: ParsedQuery) -> Weighted:
    """Adjacent query words as one string (scan form), weighted by the rarer word's idf.

    Side by side in a document, two query words are evidence that BM25 over
    single words cannot see: ปลา|ตาเหลือก|ยาว names one fish, and the
    document holding ตาเหลือกยาว is about it.  Words next to each other across
    a space in the query are looked for with a space between them.
    """
    n_docs = max(1, len(snap.docs))
    stop = stopwords()
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


def pair_scores(candidates: TextScan, pairs: Weighted, p: RankingParams) -> dict[int, float]:
    """BM25 over the pairs' occurrences in a few candidate documents."""
    out: Counter[int] = Counter()
    for needle, weight in pairs:
        for d, offsets in candidates.positions(needle).items():
            out[d] += weight * bm25_tf(len(offsets), p.k1)
    return out


def head_scores(candidates: TextScan, form: bytes, located: Weighted, p: RankingParams) -> dict[int, float]:
    """Per candidate whose opening name (its scan form up to the first space) occurs
    in the query's scan form: the idf sum of the query words in that name."""
    out: dict[int, float] = {}
    for i, d in enumerate(candidates.docnums):
        start = candidates.starts[i]
        name = candidates.buffer[start : start + min(candidates.lengths[d], p.head_chars)].split(b" ")[0]
        if len(name) >= 4 and name in form:  # four bytes: no lone syllable (ดาว, ปี) counts as a name
            out[d] = sum(idf for needle, idf in located if needle in name)
    return out


def lead_and_span_scores(
    candidates: TextScan, located: Weighted, p: RankingParams
) -> tuple[dict[int, float], dict[int, float], dict[int, Counter[int]]]:
    """Where the query words occur in a few candidates: per candidate, the idf
    sum of the words it opens with (within its first ``lead_chars``), of the
    distinct words in its best stretch of ``span_chars`` characters, and how
    often it holds each word (indexes into ``located``)."""
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
        lead[d] = sum(located[j][1] for j, o in first.items() if o < p.lead_chars)
        span[d] = _best_stretch(events, located, p.span_chars)
    return lead, span, {d: Counter(j for _, j in events) for d, events in found.items()}


def text_bm25(held: Counter[int], idfs: list[float], relative_length: float, k1: float = 0.9, b: float = 0.4) -> float:
    """BM25 over the located words' occurrences as text in one candidate, with the
    plain baseline's saturation and length normalisation (k1 0.9, b 0.4: a short
    passage holding the words beats a long one that mentions them in passing)."""
    norm = 1 - b + b * relative_length
    return sum(idfs[j] * bm25_tf(tf, k1, norm) for j, tf in held.items())


def _best_stretch(events: list[tuple[int, int]], located: Weighted, width: int) -> float:
    """Sliding window over sorted (offset, word) events: the best idf sum of the
    distinct words within ``width`` characters of the window's last event."""
    inside: Counter[int] = Counter()
    best = current = 0.0
    lo = 0
    for o, j in events:
        inside[j] += 1
        if inside[j] == 1:
            current += located[j][1]
        while events[lo][0] < o - width:
            jj = events[lo][1]
            inside[jj] -= 1
            if not inside[jj]:
                current -= located[jj][1]
            lo += 1
        best = max(best, current)
    return best
