"""What tiers 2-3 know about each candidate, as named numbers, and the learned weights that rank them.

Ranking used to add hand-tuned multiples of each piece of evidence to the
BM25F score, each multiple swept on iApp train.  The sum is now a linear model:
``candidate_features`` measures every candidate of the pool on the same named
features, and ``BlendWeights`` (fitted by ``benchmarks/fit_ranking.py`` on
training questions only, chosen on held-out ones, stored as data in
``weights.json`` with the date, the data and the figures they gave) weighs
them.  Keeping the features separate from the weights lets the fit script
measure a pool once and try thousands of weightings on it.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from kb import query as kq

# The features, in the order of a candidate's row.  ``docs/design.md``
# ("Ranking: features and learned weights") says what each one measures.
FEATURES = ("bm25f", "words", "text", "subword", "pairs", "lead", "span", "head", "coverage", "missing")


@dataclass(frozen=True)
class BlendWeights:
    """One weight per feature (a linear model), with where the weights came from."""

    bm25f: float = 1.0
    words: float = 0.0
    text: float = 0.0
    subword: float = 0.5
    pairs: float = 2.0
    lead: float = 2.0
    span: float = 2.0
    head: float = 4.0
    coverage: float = 0.0
    missing: float = 0.0
    provenance: str = field(default="", compare=False)

    def vector(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in FEATURES)

    def score(self, row: tuple[float, ...]) -> float:
        return sum(w * x for w, x in zip(self.vector(), row))

    @classmethod
    def from_vector(cls, vector: tuple[float, ...] | list[float], provenance: str = "") -> "BlendWeights":
        return cls(**dict(zip(FEATURES, (float(x) for x in vector))), provenance=provenance)


@lru_cache(maxsize=1)
def learned_weights() -> BlendWeights:
    """The weights shipped in ``kb/search/weights.json`` (package data).

    A missing or damaged file is a broken install, said so by name rather
    than ranked silently with other numbers.
    """
    try:
        raw = json.loads(resources.files("kb.search").joinpath("weights.json").read_text(encoding="utf-8"))
        values = raw["weights"]
        unknown = set(values) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}")
        return BlendWeights(**{k: float(v) for k, v in values.items()}, provenance=_provenance(raw))
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise RuntimeError(f"kb/search/weights.json: cannot read the ranking weights ({exc})") from exc


def _provenance(raw: dict) -> str:
    return f"{raw.get('date', '?')}: {raw.get('trained_on', '?')}"


@dataclass
class CandidateRows:
    """A pool of candidates and one feature row per candidate (``FEATURES`` order)."""

    docs: list[int]
    rows: list[tuple[float, ...]]

    def ranked(self, weights: BlendWeights, k: int) -> list[tuple[int, float]]:
        scored = sorted(((d, weights.score(r)) for d, r in zip(self.docs, self.rows)), key=lambda x: (-x[1], x[0]))
        return scored[:k]


def plain_words(scoring: kq.Query) -> kq.Query | None:
    """The word terms of a scoring query, unboosted: BM25 over words alone
    (no phrases, no titles, no idf powers), the baseline's own evidence."""
    terms: dict[str, None] = {}
    stack = [scoring]
    while stack:
        q = stack.pop()
        if isinstance(q, (kq.AnyOf, kq.AllOf)):
            stack.extend(reversed(q.queries))
        elif isinstance(q, kq.Term) and q.field == "words":
            terms.setdefault(q.text)
    if not terms:
        return None
    return kq.AnyOf(tuple(kq.Term("words", t) for t in terms))


def coverage_scores(found: dict[int, Counter[int]], idfs: list[float]) -> tuple[dict[int, float], dict[int, float]]:
    """Per candidate: the share of the query words' idf it holds, and the idf of
    the telling words it lacks (the ``missing`` feature is its negative, so that
    every weight is ≥ 0: more evidence never ranks a candidate lower) (a document without the query's rarest word is
    rarely its answer, however often it repeats the common ones)."""
    total = sum(idfs) or 1.0
    share: dict[int, float] = {}
    missing: dict[int, float] = {}
    for d, held in found.items():
        got = sum(idfs[j] for j in held)
        share[d] = got / total
        missing[d] = total - got
    return share, missing
