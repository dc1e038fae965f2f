"""Bounded work per query: a deadline and counters, checked between steps.

A 156-character query (``ก OR ข OR … OR ฮ``) once held a server worker for half
a minute.  Limits on the query's size (``RankingParams.max_clauses``) bound how
much it may ask for; this budget bounds how long answering may take: the
search checks it between tiers and inside its candidate loops, and when it is
spent answers with what it has and a Thai notice, never with minutes of work.
The counters make the bound testable without timing anything.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from kb.notices import Notice

OVER_BUDGET_NOTICE = Notice("over_budget", "คำค้นนี้ใช้เวลาค้นนานเกินกำหนด จึงแสดงผลเท่าที่ค้นได้ (ลำดับอาจไม่สมบูรณ์)")
SCANS_NOTICE = Notice("scans_limited", "คำค้นมีหลายส่วนเกินไป ส่วนหลัง ๆ จึงค้นเฉพาะคำที่ตรงทั้งคำ")


@dataclass(frozen=True)
class WorkLimits:
    """How much one search may do."""

    seconds: float = 4.0  # wall time before the search answers with what it has
    max_scans: int = 32  # sub-word scans (a pass over the collection each) per query
    snippet_matches: int = 2000  # matches one snippet considers
    # the blend of tiers 2-3 measures at most twice this many candidates (the best by BM25F
    # and the best by the rare words' exact occurrences), each on at most this many query
    # words and word pairs (the rarest): an OR query of 44 letters asks for 44 one-letter
    # words, each found thousands of times in every candidate
    blend_candidates: int = 200
    blend_words: int = 16


DEFAULT_LIMITS = WorkLimits()


@dataclass
class WorkBudget:
    """The work one search has done, and whether it may do more."""

    limits: WorkLimits = DEFAULT_LIMITS
    deadline: float = 0.0
    scans: int = 0  # sub-word scans asked for (memoized ones included)
    scored: int = 0  # tier-1 documents given a passage score
    blended: int = 0  # the most candidates one blend call measured
    blend_words: int = 0  # the most query words and pairs one blend call looked for in its candidates
    exhausted: bool = False  # the deadline passed: the answer is capped
    notices: list[str] = field(default_factory=list)
    # this search's sub-word scans (needle → (idf, occurrences)), kept for its whole length:
    # ``Finder.partial`` and ``inside_only`` read a scan the search made earlier, and the
    # snapshot's memo may have dropped it meanwhile (the answer then depended on the memo)
    scans_made: dict = field(default_factory=dict)
    # this search's docsets read from the memo or made (key → set): the memo keeps a large
    # set packed as an array and makes a new set at every read (a common word's quarter of a
    # million documents at 4× the releases, read three or four times a search)
    docsets_seen: dict = field(default_factory=dict)
    # this search's ``Finder.verbatim`` answers ((chunk, as_word) → (its scan, answer)): the
    # rewrite and the plan both ask, and each answer intersected a common word's documents
    verbatim_seen: dict = field(default_factory=dict)

    @classmethod
    def start(cls, limits: WorkLimits = DEFAULT_LIMITS) -> "WorkBudget":
        return cls(limits, time.monotonic() + limits.seconds)

    def spent(self) -> bool:
        """Is the time up?  (Remembered: once spent, every later check agrees.)"""
        if not self.exhausted and time.monotonic() > self.deadline:
            self.exhausted = True
            self.notices.append(OVER_BUDGET_NOTICE)
        return self.exhausted

    def may_scan(self) -> bool:
        """May the query scan the collection once more?  Counts the scan if so."""
        if self.scans >= self.limits.max_scans:
            if SCANS_NOTICE not in self.notices:
                self.notices.append(SCANS_NOTICE)
            return False
        if self.spent():
            return False
        self.scans += 1
        return True
