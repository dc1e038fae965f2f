"""The ``Searcher`` facade: query text + filters → a ``SearchResult``.

It ties the rooms together (parse → tiers → filters and facets → ranking →
hits) within one work budget, and never changes the request it is given: the
filters it applied come back as ``SearchResult.request``.
"""
from __future__ import annotations

from dataclasses import replace

from kb import analysis
from kb.facets import facet
from kb.models import Hit, SearchRequest, SearchResult
from kb.notices import Notice
from kb.search.budget import DEFAULT_LIMITS, WorkBudget, WorkLimits
from kb.search.facets import apply_filters, count_facets, passing_count
from kb.search.hits import make_hit
from kb.scan_split import run_parts
from kb.search.params import DEFAULT_PARAMS, RankingParams
from kb.search import sections  # issue 14: ?section=
from kb.search.parsing import ParsedQuery, needles_of, parse
from kb.search.finder import Finder
from kb.search.rewrite import rewrite
from kb.search.tiers import Plan, build_plan
from kb.thai.calendar import to_buddhist_era
from kb.engine import Index, Snapshot

NOTHING_SEARCHABLE = Notice("nothing_searchable", "คำค้นไม่มีตัวอักษรหรือตัวเลขที่ค้นได้ จึงแสดงเอกสารทั้งหมดตามตัวกรอง")
RELAXED = Notice("relaxed", "ไม่พบเอกสารที่มีคำค้นครบทุกคำเพียงพอ จึงแสดงเอกสารที่มีคำค้นส่วนใหญ่ต่อท้าย")
PARTIAL = Notice("partial", "พบคำค้นเป็นคำเต็มในเอกสารไม่มาก จึงแสดงเอกสารที่พบเป็นส่วนหนึ่งของคำอื่นต่อท้าย")
# Matches only inside other words (ตาก in ตากใบ) are shown when fewer documents
# than this hold the query as words; otherwise they count nowhere.
FEW_ALIGNED = 5


class Searcher:
    """Runs searches against one index; safe to share between threads.

    ``params`` and ``limits`` are for benchmarks and experiments
    (``Searcher(index, params=replace(DEFAULT_PARAMS, rerank_pool=100))``).
    """

    def __init__(self, index: Index, params: RankingParams = DEFAULT_PARAMS, limits: WorkLimits = DEFAULT_LIMITS):
        self.index = index
        self.params = params
        self.limits = limits

    def search(self, req: SearchRequest, *, snippets: bool = True, excerpts: int | None = None) -> SearchResult:
        """One page of results.  ``snippets=False``: hits carry no excerpt (counts).
        ``excerpts=n``: only the first n hits get the best passage (``highlight.excerpt``), the
        later ones the cheap one at the query's first verbatim occurrence (an export's rows)."""
        result, _ = self.search_counted(req, snippets=snippets, excerpts=excerpts)
        return result

    def search_counted(
        self, req: SearchRequest, *, snippets: bool = True, excerpts: int | None = None,
    ) -> tuple[SearchResult, WorkBudget]:
        """``search``, and the work it did (for tests and benchmarks)."""
        budget = WorkBudget.start(self.limits)
        snap = self.index.snapshot()
        parsed = parse(req.q, self.params)
        notices = list(parsed.notices)
        if req.q.strip() and parsed.empty and not parsed.excluded and not parsed.years and not parsed.regions and not parsed.subregions:
            notices.append(NOTHING_SEARCHABLE)
        applied = req
        if parsed.years and not req.years:
            applied = replace(req, years=list(parsed.years))
            notices.append(Notice("year_filter", "กรองตามปี " + ", ".join(f"พ.ศ. {to_buddhist_era(y)}" for y in parsed.years), years=list(parsed.years)))
        if parsed.regions and not applied.selected("region4"):  # issue 15: ภาคเหนือ in the security-4 scheme
            applied = replace(applied, filters={**applied.filters, "region4": list(parsed.regions)})
            named = ", ".join(facet("region4").label(r) for r in parsed.regions)
            notices.append(Notice("region_filter", f"กรองตามภาค (4 ภาคตามเขตกองทัพภาค) {named}", regions=list(parsed.regions)))
        if parsed.subregions and not applied.selected("subregion"):  # issue 15: ภาคเหนือตอนล่าง
            applied = replace(applied, filters={**applied.filters, "subregion": list(parsed.subregions)})
            named = ", ".join(facet("subregion").label(r) for r in parsed.subregions)
            notices.append(Notice("subregion_filter", f"กรองตามภาคย่อย {named}", subregions=list(parsed.subregions)))

        meant = rewrite(Finder(self.index, snap, self.params, budget), parsed)
        notices.extend(meant.notices)
        plan = build_plan(self.index, snap, meant.parsed, self.params, budget)
        plan.needles = list(dict.fromkeys(meant.typed + plan.needles))
        partial = self._shown_partial(snap, plan, applied) - meant.literal
        matching = _joined(plan.matching, partial, meant.literal)
        in_section = sections.SectionQuery.of(req.section, parsed, self.params) if req.section else None  # issue 14
        if in_section:  # issue 14: only documents whose query words are inside such a section
            matching = sections.within(self.index, snap, matching, in_section, budget)
        facet_docs, final = apply_filters(snap, matching, applied)
        if partial and not partial.isdisjoint(final):  # only when such a match is listed
            notices.append(PARTIAL)
        # the facet counts (vector work over every match: a quarter of a million documents for
        # a common word at 4× the releases) on a free core while the page is ranked; the same
        # counts whichever thread makes them (``kb.scan_split``)
        hits, facets = run_parts([
            lambda: self._page(snap, plan, final, partial, meant.literal, applied, budget, (snippets, excerpts), in_section),
            lambda: count_facets(snap, facet_docs, applied),
        ])
        # documents holding a rewritten clause as typed (งบประมาน, corrected) are what was typed, not relaxed
        relaxed = not final <= plan.strict and bool(_minus(final - plan.strict, partial, meant.literal)) if not parsed.empty else False
        if relaxed:
            notices.append(RELAXED)
        suggestions = []
        if not parsed.empty and (meant.corrected or len(final) < 3 or not (plan.asks or final & plan.strict)):
            # few results, or keywords that no document holds as typed or all together
            # (a misspelt word falls apart into syllables that many documents hold)
            suggestions = self.suggest(snap, parsed, req.q)
        notices.extend(budget.notices)
        result = SearchResult(applied, len(final), hits, facets, relaxed=relaxed, suggestions=suggestions, notices=notices)
        return result, budget

    def _page(
        self, snap: Snapshot, plan: Plan, final: set[int], partial: set[int], literal: set[int],
        applied: SearchRequest, budget: WorkBudget, excerpts: tuple[bool, int | None],
        in_section: sections.SectionQuery | None,
    ) -> list[Hit]:
        """The hits of the requested page; ``excerpts``: (snippets at all, how many full ones)."""
        snippets, full = excerpts
        start = (applied.page - 1) * applied.limit
        ranked = self._ranked(snap, plan, final, partial, literal, applied, budget)[start : start + applied.limit]
        snap.prefetch(d for d, _ in ranked)  # the page's documents in one request

        def needles(n: int) -> list[str] | None:
            # past the budget, a full excerpt is the opening (no match to look for); the cheap
            # verbatim one is always made: an export's rows must not depend on the machine's load
            if not snippets:
                return None
            return plan.needles if (full is not None and n >= full) or not budget.spent() else []

        hits = [
            make_hit(self.index, snap, docnum, score, needles(n), partial=docnum in partial,
                     verbatim=full is not None and n >= full)
            for n, (docnum, score) in enumerate(ranked)
        ]
        if in_section:  # issue 14: each hit at the section of its best passage
            # (past the deadline a hit keeps its place in the list but is not placed in a section)
            hits = [h if budget.spent() else sections.place_hit(self.index, snap, d, h, in_section,
                                                                snippets and (full is None or n < full))
                    for n, ((d, _), h) in enumerate(zip(ranked, hits))]
        return hits

    def _ranked(
        self, snap: Snapshot, plan: Plan, final: set[int], partial: set[int], literal: set[int],
        applied: SearchRequest, budget: WorkBudget,
    ) -> list[tuple[int, float]]:
        """The first pages in order: documents holding a rewritten clause as typed, the
        other matches, then the partial matches."""
        k = applied.page * applied.limit
        first = final & literal if applied.sort not in ("newest", "oldest") else set()
        ranked = plan.rank(self.index, snap, first, applied.sort, k, budget) if first else []
        if len(ranked) < min(k, len(first)):  # held as typed but by no query word of the index
            seen = {d for d, _ in ranked}
            ranked += [(d, 0.0) for d in sorted(first - seen, key=lambda d: snap.docs[d].id)]
        if applied.sort in ("newest", "oldest"):
            return ranked + plan.rank(self.index, snap, final - first, applied.sort, k - len(ranked), budget)
        words = plan.matching if plan.sentence else plan.strict  # a sentence's matches are tiers 1-3
        ranked += plan.rank(self.index, snap, _minus(final & words, partial, first), applied.sort, k - len(ranked), budget)
        if len(ranked) < k and partial & final:  # after the word matches, before the relaxed ones
            ranked += plan.rank_partial(self.index, snap, (partial & final) - first, k - len(ranked))
        if len(ranked) < k:
            rest = _minus(final - words, partial, first)
            ranked += plan.rank(self.index, snap, rest, applied.sort, k - len(ranked), budget)
        return ranked

    def _shown_partial(self, snap: Snapshot, plan: Plan, applied: SearchRequest) -> set[int]:
        """The partial matches to show: all of them when few documents match otherwise."""
        if not plan.partial:
            return set()
        # the word matches: tiers 1-2 (relaxed ones are not), all tiers of a sentence; counted
        # before the facets' selections (the dates kept), so that a facet's count is what its
        # filter gives: ตาก's province facet had no นราธิวาส, and ?province=นราธิวาส (no word
        # match left) listed the ตากใบ records
        unselected = replace(applied, filters={})
        shown = passing_count(snap, plan.matching if plan.sentence else plan.strict, unselected) < FEW_ALIGNED
        return set(plan.partial) if shown else set()

    def needles(self, q: str) -> list[str]:
        """The strings to highlight for a query (for the document page), as the
        search read it (a misspelt word corrected, unspaced words split)."""
        parsed = parse(q, self.params)
        if parsed.empty:
            return []
        finder = Finder(self.index, self.index.snapshot(), self.params, WorkBudget.start(self.limits))
        meant = rewrite(finder, parsed)
        return list(dict.fromkeys(meant.typed + needles_of(meant.parsed, self.params)))

    def suggest(self, snap: Snapshot, parsed: ParsedQuery, typed: str = "") -> list[str]:
        """'Did you mean': replace unknown words by close words of the index.

        The word is replaced inside the query as typed, so the suggestion keeps what
        else it says (-กัญชา, quotes, OR, พ.ศ. 2566); a word not found there as typed
        gives the clauses joined, as before."""
        out: list[str] = []
        for clause in parsed.clauses:
            text = clause.alternatives[0]
            norm = analysis.normalize(text)
            if self.index.doc_frequency(snap, "words", norm) > 0:
                continue
            for cand in self.index.suggest(snap, "words", norm, maxdist=1 if len(norm) < 5 else 2):
                if cand != norm:
                    if text and text in typed:
                        q = typed.strip().replace(text, cand, 1)
                    else:
                        q = " ".join(cand if c is clause else c.alternatives[0] for c in parsed.clauses)
                    if q not in out:
                        out.append(q)
                    break
        return out[:3]


def _joined(docs: set[int], *others: set[int]) -> set[int]:
    """``docs | others…``: ``docs`` itself when the others are empty (a common word's
    quarter of a million matches at 4× the releases were copied for nothing; the
    sets a search is given are never changed)."""
    others = tuple(o for o in others if o)
    return docs.union(*others) if others else docs


def _minus(docs: set[int], *others: set[int]) -> set[int]:
    """``docs - others…``, ``docs`` itself when the others are empty."""
    others = tuple(o for o in others if o)
    return docs.difference(*others) if others else docs
