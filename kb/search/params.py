"""The tuned numbers of search, in one frozen object, each with where it came from.

Every ranking experiment used to be a source edit of a module constant; now a
benchmark builds ``Searcher(index, params=replace(DEFAULT_PARAMS, rerank_pool=100))``;
the blend's weights are learned (``kb.search.features``, ``weights.json``).
Figures are MRR on the iApp Wiki QA questions (``benchmarks/bench_quality.py``)
unless said otherwise; "train 2000" is a 2,000-question sample of train, "all"
is all 5,761 train questions; valid/test are held out.  Git history of
``kb/search.py`` (before it became this package) holds the measuring commits.

A weight is never a feature switch: each optional piece of evidence has its own
``use_*`` flag, so setting a weight to 0 still computes it (and shows it adds
nothing) while switching it off skips its work.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kb.search.features import BlendWeights, learned_weights


@dataclass(frozen=True)
class RankingParams:
    """How a parsed query is matched and ranked (tiers, boosts, blend weights)."""

    # --- query size (not tuned: bounds on the work one query may ask for) ---
    max_clauses: int = 32  # clauses kept, and OR-alternatives kept per clause
    max_alternatives: int = 64  # OR-alternatives kept over the whole query (each is a docset and a scan)
    max_words: int = 64  # words kept per alternative

    # --- BM25F boosts: verbatim phrase ≫ title words > body words > parts of a compound ---
    boost_phrase: float = 3.0  # first ranking (4bf1694), not swept
    # on top of the body; iApp: 0.5: 0.934, 1.0: 0.924, 2.0: 0.91 (173b531)
    boost_title: float = 0.5
    boost_part: float = 0.5  # compound query words through their parts (173b531), not swept

    # --- tiers ---
    # a question keeps documents holding at least this share of its content words
    # (all train: 1/3 → 0.2: +0.0006 MRR, +0.002 found; 0.5: -0.01; cfd01e6)
    relaxed_share: float = 0.2
    # from this many content words on, a query is read as a sentence (tiers 2-3 ranked together)
    sentence_words: int = 4  # 173b531
    # a query holding a question word from fewer (train 2000: 4 → 3: +0.0025 MRR; c4144a3)
    question_words: int = 3
    # a word in more than this share of the documents is too common to rank or relax on
    # (a latency rule with no measurable MRR cost; 16bc1bc)
    common_share: float = 0.3
    # a query word held as a word by at most this many documents is also matched through its parts (16bc1bc)
    parts_max_df: int = 2
    # a synonym the user did not type is matched only as a word when shorter than this many
    # character clusters, or Latin (ทบ. in ผลกระทบ: กองทัพบก matched 2,907 of 10,000 releases, now 75; 4454358)
    synonym_scan_units: int = 4

    # --- tier 1: verbatim chunks ranked by their best passage ---
    passage_chars: int = 800  # two overlapping tilings of this size (4bf1694)
    # BM25 tf saturation of the sub-word layer's counts, without length normalisation
    # (B = 0; train 2000: B 0.75 → 0: +0.0025 MRR, valid +0.005; d8c2cd6)
    k1: float = 1.2

    # --- tiers 2-3: evidence measured per candidate, weighed by a learned linear model ---
    # The hand-swept multiples of each piece of evidence (subword 0.5, pairs 2.0, lead 2.0,
    # span 2.0, head 4.0; commits 173b531-99e545b) are now ``blend_weights``, fitted on
    # iApp train by benchmarks/fit_ranking.py and shipped as data (kb/search/weights.json).
    blend_weights: BlendWeights = field(default_factory=learned_weights)
    use_subword_scores: bool = True
    max_scanned_words: int = 3  # rare words' exact occurrences; each scan is a pass over the collection (16bc1bc)
    rerank_pool: int = 50  # candidates re-scored by the blend
    use_pairs: bool = True  # adjacent query words side by side in a candidate (25f03b8)
    # a word's weight in BM25F grows with (idf / idf_ref) ** idf_power, so one rare name outweighs
    # several common words (train: 0 → 0.5: +0.002 MRR; 0.5 → 1.0: 6c39347)
    idf_power: float = 1.0
    idf_ref: float = 3.0
    use_lead: bool = True
    # query words within a candidate's first lead_chars (10-30 chars all gained, 120 less; d883e29)
    lead_chars: int = 30
    use_span: bool = True
    # idf sum of the distinct query words in a candidate's best stretch of span_chars (120-500 all gain; 8e91335)
    span_chars: int = 250
    use_head: bool = True
    # a candidate whose opening name (text up to its first space, within head_chars) occurs
    # as such in the query: idf sum of the query words in it (99e545b)
    head_chars: int = 80

    @property
    def locates_words(self) -> bool:
        """Does any evidence need where the query words occur in a candidate?"""
        return self.use_lead or self.use_span or self.use_head


DEFAULT_PARAMS = RankingParams()
