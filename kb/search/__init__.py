"""Search: query text + filters → a ``SearchResult`` (hits, facets, excerpts).

One room per concern, each depending only on the ones before it:

- ``params``: the tuned ranking numbers (``RankingParams``), with their provenance;
- ``budget``: the work one query may do (``WorkLimits``, ``WorkBudget``);
- ``parsing``: query syntax, year filters, synonyms, analysed chunks;
- ``scoring``: BM25 pieces and tier-1 passage scores;
- ``finder``: memoized docsets and sub-word scans of a snapshot;
- ``blend``: tiers 2-3 evidence blended into BM25F;
- ``tiers``: the matching tiers of a query, built in named steps, and their ranking;
- ``facets``: filters and facet counts;
- ``hits``, ``overview``: result lines; related documents, stats, months;
- ``sections``: ``?section=``, matches kept inside one kind of meeting section (issue 14);
- ``searcher``: the ``Searcher`` facade.

``docs/design.md`` ("Search rooms") tells how they fit.
"""
from __future__ import annotations

from kb.search.budget import DEFAULT_LIMITS, WorkBudget, WorkLimits
from kb.search.overview import months, related, stats
from kb.search.params import DEFAULT_PARAMS, RankingParams
from kb.search.parsing import Clause, ParsedQuery, expand, parse
from kb.search.searcher import Searcher

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_PARAMS",
    "Clause",
    "ParsedQuery",
    "RankingParams",
    "Searcher",
    "WorkBudget",
    "WorkLimits",
    "expand",
    "months",
    "parse",
    "related",
    "stats",
]
