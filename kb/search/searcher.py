"""The ``Searcher`` facade: query text + filters → a ``SearchResult``.

It ties the rooms together (parse → tiers → filters and facets → ranking →
hits) within one work budget, and never changes the request it is given: the
filters it applied come back as ``SearchResult.request``.
"""
from __future__ import annotations

from dataclasses import replace

from kb import analysis
from kb.models import SearchRequest, SearchResult
from kb.search.budget import DEFAULT_LIMITS, WorkBudget, WorkLimits
from kb.search.facets import apply_filters, count_facets
from kb.search.hits import make_hit
from kb.search.params import DEFAULT_PARAMS, RankingParams
from kb.search import sections  # issue 14: ?section=
from kb.search.parsing import ParsedQuery, needles_of, parse
from kb.search.tiers import build_plan
from kb.thai.calendar import to_buddhist_era
from kb.engine import Index, Snapshot

NOTHING_SEARCHABLE = "คำค้นไม่มีตัวอักษรหรือตัวเลขที่ค้นได้ จึงแสดงเอกสารทั้งหมดตามตัวกรอง"
RELAXED = "ไม่พบเอกสารที่มีคำค้นครบทุกคำเพียงพอ จึงแสดงเอกสารที่มีคำค้นส่วนใหญ่ต่อท้าย"


class Searcher:
    """Runs searches against one index; safe to share between threads.

    ``params`` and ``limits`` are for benchmarks and experiments
    (``Searcher(index, params=replace(DEFAULT_PARAMS, pair_weight=1.0))``).
    """

    def __init__(self, index: Index, params: RankingParams = DEFAULT_PARAMS, limits: WorkLimits = DEFAULT_LIMITS):
        self.index = index
        self.params = params
        self.limits = limits

    def search(self, req: SearchRequest, *, snippets: bool = True) -> SearchResult:
        """One page of results.  ``snippets=False``: hits carry no excerpt (exports, counts)."""
        result, _ = self.search_counted(req, snippets=snippets)
        return result

    def search_counted(self, req: SearchRequest, *, snippets: bool = True) -> tuple[SearchResult, WorkBudget]:
        """``search``, and the work it did (for tests and benchmarks)."""
        budget = WorkBudget.start(self.limits)
        snap = self.index.snapshot()
        parsed = parse(req.q, self.params)
        notices = list(parsed.notices)
        if req.q.strip() and parsed.empty and not parsed.excluded and not parsed.years:
            notices.append(NOTHING_SEARCHABLE)
        applied = req
        if parsed.years and not req.years:
            applied = replace(req, years=list(parsed.years))
            notices.append("กรองตามปี " + ", ".join(f"พ.ศ. {to_buddhist_era(y)}" for y in parsed.years))

        plan = build_plan(self.index, snap, parsed, self.params, budget)
        matching = plan.matching
        in_section = sections.SectionQuery.of(req.section, parsed, self.params) if req.section else None  # issue 14
        if in_section:  # issue 14: only documents whose query words are inside such a section
            matching = sections.within(self.index, snap, matching, in_section)
        facet_docs, final = apply_filters(snap, matching, applied)
        facets = count_facets(snap, facet_docs, applied)

        start = (applied.page - 1) * applied.limit
        ranked = plan.rank(self.index, snap, final, applied.sort, start + applied.limit, budget)
        hits = [
            # past the budget, a hit's excerpt is its opening (no match to look for)
            make_hit(self.index, snap, docnum, score, None if not snippets else [] if budget.spent() else plan.needles)
            for docnum, score in ranked[start : start + applied.limit]
        ]
        if in_section:  # issue 14: each hit at the section of its best passage
            hits = [sections.place_hit(self.index, snap, d, h, in_section, snippets)
                    for (d, _), h in zip(ranked[start : start + applied.limit], hits)]
        relaxed = bool(final - plan.strict) if not parsed.empty else False
        if relaxed:
            notices.append(RELAXED)
        suggestions = []
        if not parsed.empty and (len(final) < 3 or not (plan.asks or final & plan.strict)):
            # few results, or keywords that no document holds as typed or all together
            # (a misspelt word falls apart into syllables that many documents hold)
            suggestions = self.suggest(snap, parsed)
        notices.extend(budget.notices)
        result = SearchResult(applied, len(final), hits, facets, relaxed=relaxed, suggestions=suggestions, notices=notices)
        return result, budget

    def needles(self, q: str) -> list[str]:
        """The strings to highlight for a query (for the document page)."""
        return needles_of(parse(q, self.params), self.params)

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
