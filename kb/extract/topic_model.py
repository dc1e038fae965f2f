"""A learned topic decision for news releases: per topic, a logistic regression over the release's words
and the cues the hand rules compute.

The hand rules (kb.extract.topics) read lexicon hits sentence by sentence; they cannot tell a passing mention
in a release about something else from a deliberate one, nor find a subject the lexicon has no term for.  The
model keeps the rules' reading as cues (their verdict, where and how densely the topic is named) and adds the
release's words, weighted by where they stand (headline, lead, body), so it can learn both.  It is fitted by
benchmarks/fit_topic_model.py on labelled releases only and stored as data (kb/taxonomy/topic_model.json:
weights, the date, the training sets and the figures they gave); inference is a dot product.  When the file
is absent or says ``"use": false`` the rules decide alone.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from operator import mul
from typing import TYPE_CHECKING

import numpy as np

from kb.analysis import analyze, stopwords, words
from kb.extract.topic_guide import headline_or_lead, within_the_guide
from kb.extract.topic_hits import background_terms

import ahocorasick

if TYPE_CHECKING:
    from kb.extract.topic_hits import TopicHit

MODEL_FILE = "topic_model.json"
# How far into the body a word or hit still counts as in the lead: the first lines of
# a ThaiGov release repeat the headline and give the lead paragraph.
LEAD_CHARS = 600
# Scope "index": the lead is the body's first words as the indexer segments them (~600 characters).
LEAD_WORDS = 120
# Where a word stands weighs its count: the headline says what a release is about.
PLACE_WEIGHTS = {"title": 3.0, "lead": 2.0, "body": 1.0}
CUES = ("candidate", "rules_kept", "title_hit", "title_strong", "title_scored", "lead_hit", "points",
        "point_share", "topic_density", "sentences", "hits", "strong_share", "distinct_terms", "first_position",
        "other_topics", "length", "background_share")
# topicfit: a vocabulary entry "a b" is the pair of adjacent words a, b (no word the indexer gives holds a space).
PAIR_SEPARATOR = " "
# model2: the cues again for a topic the rules do not keep ("open:" + cue; 0 where they keep it): adding a topic the
# rules miss is weighed apart from dropping one they keep.
OPEN_PREFIX = "open:"


@dataclass(frozen=True)
class RuleReading:
    """What the hand rules saw in a release, per topic named by a lexicon hit."""

    hits: list[TopicHit]
    kept: set[str]
    points: dict[str, float]
    sentences: dict[str, int]
    in_title: set[str]
    scoring: int
    title_chars: int
    text_chars: int
    actor_only: frozenset[str] = frozenset()  # topics named only by agencies' names (guide 4)
    headline_only: bool = False  # a release whose body says nothing beyond its headline (guide 18)


@dataclass(frozen=True)
class ReleaseWords:
    """A release's words as the indexer segments them (``kb.analysis.analyze`` of the headline and of the body,
    each normalized): ``indexer.prepare`` hands them to ``extract``, so the model's words cost nothing more."""

    title: tuple[str, ...]
    body: tuple[str, ...]


def segment_release(title: str, text: str) -> ReleaseWords:
    """The words the indexer would give: ``extract`` segments itself when it is handed none (normalizing folds
    Thai digits, so folded and raw texts give the same words)."""
    return ReleaseWords(tuple(analyze(title).words), tuple(analyze(text).words))


def indexed_counts(found: ReleaseWords, vocabulary: dict[str, int] | None = None, whole: bool = True) -> dict[str, float]:
    """Scope "index": place-weighted counts of the indexer's words (the lead is the body's first
    ``LEAD_WORDS`` words); only the ``vocabulary``'s when given, else every word but stopwords,
    digits and single letters (what a vocabulary is chosen from).  ``whole`` False: the headline
    and the lead only (scope "index-lead").  The fitting script's counts; the model itself counts
    its vocabulary's words in one pass (``vocabulary_counts``), and a test holds the two equal."""
    lead_end = LEAD_WORDS
    title, lead = Counter(found.title), Counter(found.body[:lead_end])
    body = Counter(found.body) if whole else Counter()
    # topics11: the lead's words too (before, a lead word missing from the headline was dropped in "index-lead")
    if vocabulary is not None:
        keys = (title.keys() | lead.keys() | body.keys()) & vocabulary.keys()
    else:
        stop = stopwords()
        keys = {w for w in title.keys() | lead.keys() | body.keys() if len(w) > 1 and w not in stop and not w.isdigit()}
    get_title, get_lead, get_body = title.get, lead.get, body.get
    weight_title, weight_lead = PLACE_WEIGHTS["title"], PLACE_WEIGHTS["lead"] - (PLACE_WEIGHTS["body"] if whole else 0)
    # body counts the lead once already: the lead adds its extra weight on top
    return {w: weight_title * get_title(w, 0) + weight_lead * get_lead(w, 0) + get_body(w, 0) for w in keys}


def _places(found: ReleaseWords, whole: bool) -> list[tuple[float, tuple[str, ...]]]:
    """The headline's, the lead's and (``whole``) the rest of the body's words, each with its place weight."""
    places = [(PLACE_WEIGHTS["title"], found.title), (PLACE_WEIGHTS["lead"], found.body[:LEAD_WORDS])]
    if whole:
        places.append((PLACE_WEIGHTS["body"], found.body[LEAD_WORDS:]))
    return places


def indexed_pairs(found: ReleaseWords, vocabulary: dict[str, int] | None = None, whole: bool = True
                  ) -> dict[str, float]:
    """topicfit: place-weighted counts of adjacent word pairs ("a b", ``PAIR_SEPARATOR``), a pair within the
    headline, the lead or the rest of the body; only the ``vocabulary``'s when given, else every pair of two
    words that are no digits nor single letters, not both stopwords (what a vocabulary is chosen from)."""
    stop = stopwords()
    counts: dict[str, float] = {}
    for weight, tokens in _places(found, whole):
        for a, b in zip(tokens, tokens[1:]):
            pair = f"{a}{PAIR_SEPARATOR}{b}"
            if vocabulary is not None:
                if pair not in vocabulary:
                    continue
            elif (len(a) < 2 or len(b) < 2 or a.isdigit() or b.isdigit() or (a in stop and b in stop)
                  or PAIR_SEPARATOR in a or PAIR_SEPARATOR in b):
                continue
            counts[pair] = counts.get(pair, 0.0) + weight
    return counts


def vocabulary_counts(found: ReleaseWords, vocabulary: dict[str, int], whole: bool = True,
                      pairs: dict[tuple[str, str], int] | None = None) -> dict[int, float]:
    """``indexed_counts`` of the ``vocabulary``'s words by vocabulary index, in one pass over the indexer's words
    (each looked up once, ``map`` over ``dict.get`` in C): nothing built for the words outside the vocabulary.
    ``pairs`` (topicfit): the vocabulary's word pairs by their two words, counted as ``indexed_pairs``."""
    get = vocabulary.get
    counts: dict[int, float] = {}
    count = counts.get
    places = _places(found, whole)
    for weight, tokens in places:
        for j in map(get, tokens):
            if j is not None:
                counts[j] = count(j, 0.0) + weight
    if pairs:
        get_pair = pairs.get
        for weight, tokens in places:
            for j in map(get_pair, zip(tokens, tokens[1:])):
                if j is not None:
                    counts[j] = count(j, 0.0) + weight
    return counts


def unit_log(counts: dict) -> dict:
    """log(1 + count), the vector scaled to unit length."""
    logged = {w: math.log1p(c) for w, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in logged.values())) or 1.0
    return {w: v / norm for w, v in logged.items()}


def release_words(title: str, text: str, scope: str = "all") -> dict[str, float]:
    """The release's words as features: log(1 + place-weighted count), the vector scaled
    to unit length.  ``scope`` "lead" reads only the headline and the lead, "title" only the
    headline (segmenting costs: the whole release's words would more than double extraction)."""
    counts: Counter = Counter()
    parts = [("title", title)]
    if scope in ("lead", "all"):
        parts.append(("lead", text[:LEAD_CHARS]))
    if scope == "all":
        parts.append(("body", text[LEAD_CHARS:]))
    stop = stopwords()
    for place, part in parts:
        weight = PLACE_WEIGHTS[place]
        for w in words(part):
            if len(w) > 1 and w not in stop and not w.isdigit():
                counts[w] += weight
    return unit_log(counts)


class VocabularyScan:
    """The model's words counted in one Aho–Corasick pass over the release (scope "scan"):
    segmenting a whole release costs more than the rest of its extraction, so the words,
    chosen from segmented training releases, are found as substrings (overlaps included:
    both ยาเสพติด and ยา); the fitting script counts them the same way."""

    def __init__(self, vocabulary: list[str], body: bool = True):
        self.size = len(vocabulary)
        self._body = body  # False: the headline and the lead only (scope "scan-lead")
        self._words = [w.lower() for w in vocabulary]
        self._automaton = ahocorasick.Automaton()
        for i, w in enumerate(self._words):
            self._automaton.add_word(w, i)
        if vocabulary:
            self._automaton.make_automaton()

    def features(self, title: str, text: str) -> dict[int, float]:
        """Per vocabulary index, log(1 + place-weighted count), the vector scaled to unit length."""
        if not self.size:
            return {}
        counts: dict[int, float] = {}
        get = counts.get
        scan = self._automaton.iter
        weights = PLACE_WEIGHTS
        parts = ((weights["title"], title), (weights["lead"], text[:LEAD_CHARS]))
        parts += ((weights["body"], text[LEAD_CHARS:]),) if self._body else ()
        for weight, part in parts:
            for _, i in scan(part.lower()):
                counts[i] = get(i, 0.0) + weight
        return unit_log(counts)


def topic_cues(reading: RuleReading) -> dict[str, dict[str, float]]:
    """Per topic with a hit, its cues by name (``CUES``)."""
    return {topic: dict(zip(CUES, row)) for topic, row in cue_rows(reading).items()}


def cue_rows(reading: RuleReading) -> dict[str, list[float]]:
    """Per topic with a hit, its cues in ``CUES`` order (one pass over the hits)."""
    head_end, body_start = reading.title_chars, reading.title_chars + 1
    body_len = max(1, reading.text_chars)
    total = sum(reading.points.values()) or 1.0
    with_points = {t for t, p in reading.points.items() if p > 0}
    background = background_terms()
    # per topic: hits, strong hits, background hits, a hit in the title, a strong one there, first body offset, terms
    seen: dict[str, list] = {}
    for h in reading.hits:
        row = seen.get(h.topic)
        if row is None:
            row = seen[h.topic] = [0, 0, 0, False, False, None, set()]
        row[0] += 1
        row[1] += h.strong
        row[2] += h.term in background
        if h.start < head_end:
            row[3] = True
            row[4] = row[4] or h.strong
        elif h.start >= body_start and (row[5] is None or h.start - body_start < row[5]):
            row[5] = h.start - body_start
        row[6].add(h.term)
    density, length, log1p = 1000.0 * reading.scoring / body_len, math.log(body_len), math.log1p
    out = {}
    for topic, (n, strong, back, title_hit, title_strong, first, terms) in seen.items():
        points = reading.points.get(topic, 0.0)
        out[topic] = [
            1.0,  # candidate
            float(topic in reading.kept),  # rules_kept
            float(title_hit), float(title_strong),  # title_hit, title_strong
            float(topic in reading.in_title),  # title_scored
            float(first is not None and first < LEAD_CHARS),  # lead_hit
            log1p(points), points / total, density,  # points, point_share, topic_density
            log1p(reading.sentences.get(topic, 0) if points else 0),  # sentences
            log1p(n), strong / n, log1p(len(terms)),  # hits, strong_share, distinct_terms
            first / body_len if first is not None else 1.0,  # first_position
            log1p(len(with_points) - (topic in with_points)),  # other_topics
            length, back / n,  # length, background_share
        ]
    return out


@dataclass(frozen=True)
class TopicModel:
    """Word weights per topic (columns, in ``topics`` order); cues enter standardized."""

    topics: tuple[str, ...]
    vocabulary: dict[str, int]
    word_weights: np.ndarray  # vocabulary × topics
    cue_names: tuple[str, ...]
    cue_mean: np.ndarray
    cue_scale: np.ndarray
    cue_weights: np.ndarray  # per cue, shared by every topic: a passing mention looks alike whatever its topic
    bias: np.ndarray
    threshold: float
    scope: str
    shared_word_weights: np.ndarray  # vocabulary: added to every topic with a hit
    scan: VocabularyScan | None = None  # scope "scan": how the words are found
    add_threshold: float | None = None  # model2: a topic the rules do not keep is added from this (else threshold)
    pairs: dict[tuple[str, str], int] | None = None  # topicfit: the vocabulary's word pairs by their two words

    def word_values(self, title: str, text: str, given: ReleaseWords | None = None) -> tuple[list[int], list[float]]:
        """The vocabulary indices the release holds and their values (log counts, unit length);
        ``given``: the indexer's words (scopes "index", "index-lead"), segmented here when absent.
        Plain lists: a handful of numbers, cheaper in Python than through numpy calls."""
        if not self.scope.startswith("index"):
            found = self._found_features(title, text)  # already unit length
            return list(found), list(found.values())
        counts = vocabulary_counts(given if given is not None else segment_release(title, text), self.vocabulary,
                                   whole=self.scope == "index", pairs=self.pairs)
        logged = list(map(math.log1p, counts.values()))
        norm = math.sqrt(sum(map(mul, logged, logged))) or 1.0
        return list(counts), [v / norm for v in logged]

    def word_features(self, title: str, text: str, given: ReleaseWords | None = None) -> dict[int, float]:
        return dict(zip(*self.word_values(title, text, given)))

    def word_vector(self, title: str, text: str, given: ReleaseWords | None = None) -> np.ndarray:
        """``word_features`` over the whole vocabulary (zeros for the words the release lacks)."""
        x = np.zeros(len(self.vocabulary))
        index, values = self.word_values(title, text, given)
        x[index] = values
        return x

    def _found_features(self, title: str, text: str) -> dict[int, float]:
        """Scopes of older fits: the vocabulary scan ("scan") or the release segmented here."""
        if self.scan is not None:
            return self.scan.features(title, text)
        found = release_words(title, text, self.scope)
        return {self.vocabulary[w]: v for w, v in found.items() if w in self.vocabulary}

    def logits(self, words: np.ndarray | dict[int, float], cues: dict[str, dict[str, float]] | dict[str, list[float]]
               ) -> np.ndarray:
        """Per topic (``topics`` order), the log-odds that the release is about it; ``words`` over the
        whole vocabulary or by index, ``cues`` from ``topic_cues`` or ``cue_rows``."""
        if isinstance(words, np.ndarray):
            index = np.flatnonzero(words)
            return np.array(self._logit_list(index.tolist(), words[index].tolist(), cues))
        return np.array(self._logit_list(list(words), list(words.values()), cues))

    def _logit_list(self, index: list[int], values: list[float], cues: dict) -> list[float]:
        """``logits`` from the release's word indices and values: one product with the rows of the
        words it holds; each topic with a hit adds its cues' and the shared words' part."""
        if index:
            both = np.dot(values, self._word_and_shared_weights.take(index, axis=0)).tolist()
            out, shared = [b + w for b, w in zip(self._base, both)], both[-1]
        else:
            out, shared = list(self._base), 0.0
        if len(self.cue_names):
            weights, where, open_weights = self._scaled_cue_list, self._topic_index, self._scaled_open_cue_list
            kept = self._row_names.index("rules_kept")
            for topic, row in cues.items():
                j = where.get(topic)
                if j is not None:
                    # Words that say what a release with a passing mention is about, whatever the topic.
                    row = row if isinstance(row, list) else [row[c] for c in self._row_names]
                    out[j] += sum(map(mul, row, weights if row[kept] else open_weights)) + shared
        return out

    def __post_init__(self) -> None:
        # A cue constant in training was stored with scale 0 by older fits (rounding 1e-9): it says nothing.
        object.__setattr__(self, "cue_scale", np.where(self.cue_scale > 0, self.cue_scale, 1.0))

    @cached_property
    def _row_names(self) -> tuple[str, ...]:  # the cues a row holds: the stored names less the "open:" copies
        return tuple(c for c in self.cue_names if not c.startswith(OPEN_PREFIX))

    @cached_property
    def _scaled_cue_list(self) -> list[float]:
        """Cue weights over the cues' scales: a row's standardized dot product is row · these - offset
        (a topic the rules keep: its "open:" cues are 0, their part is in the offset)."""
        n = len(self._row_names)
        return (self.cue_weights[:n] / self.cue_scale[:n]).tolist()

    @cached_property
    def _scaled_open_cue_list(self) -> list[float]:
        """For a topic with a hit the rules do not keep, its "open:" cues equal its cues: both weights
        over their scales, summed (a fit without "open:" cues: ``_scaled_cue_list``)."""
        n = len(self._row_names)
        return (np.array(self._scaled_cue_list) + (self.cue_weights[n:] / self.cue_scale[n:] if n < len(
            self.cue_names) else 0.0)).tolist()

    @cached_property
    def _base(self) -> list[float]:
        """Per topic, the log-odds before words and hits: the bias, less the cues' offset (cues are 0
        for a topic with no hit)."""
        offset = float(self.cue_mean @ (self.cue_weights / self.cue_scale)) if len(self.cue_names) else 0.0
        return (self.bias - offset).tolist()

    @cached_property
    def _word_and_shared_weights(self) -> np.ndarray:
        """vocabulary × (topics + 1): the words' weights per topic, and last their shared weight."""
        shared = self.shared_word_weights if len(self.cue_names) else np.zeros(len(self.vocabulary))
        return np.hstack([self.word_weights, shared.reshape(-1, 1)])

    def _open_topics(self, cues: dict, reading: RuleReading) -> set[str]:
        """The topics with a hit whose fate the model decides: not an actor's name, not kept by the rules where
        the headline or the lead is about them (``within_the_guide`` decides those)."""
        if not len(self.cue_names):
            return set()  # a words-only model: a hit gives no topic log-odds of its own
        # A topic the fit does not know (a key added since) is not the model's to decide, as in ``_logit_list``.
        known = cues.keys() & self._topic_index.keys()
        return known - reading.actor_only - (reading.kept & headline_or_lead(reading))

    @cached_property
    def _words_alone_reach(self) -> bool:
        """True if the words alone can take some topic without a hit (never kept) over the add threshold: its
        log-odds before words plus the most any unit-length, non-negative word vector adds (the length of its
        positive word weights).  Else a release without a hit is decided unread."""
        reach = np.array(self._base) + np.sqrt((np.maximum(self.word_weights, 0.0) ** 2).sum(axis=0))
        return bool((reach >= self._add_logit - 1e-9).any())

    @cached_property
    def _columns(self) -> list[list[float]]:
        """Per topic, then the shared weight, the words' weights as a list (``_open_passing``)."""
        return self._word_and_shared_weights.T.tolist()

    @cached_property
    def _topic_index(self) -> dict[str, int]:
        return {t: j for j, t in enumerate(self.topics)}

    @cached_property
    def _threshold_logit(self) -> float:
        return _logit(self.threshold)

    @cached_property
    def _add_logit(self) -> float:  # a topic the rules do not keep is added from ``add_threshold`` (else ``threshold``)
        return _logit(self.threshold if self.add_threshold is None else self.add_threshold)

    def decide(self, title: str, text: str, reading: RuleReading, given: ReleaseWords | None = None) -> set[str]:
        """The topics of a news release (title and text with Thai digits folded; ``given``:
        the indexer's words of the same release, segmented here when absent), held to the
        labelling guide (``within_the_guide``)."""
        if reading.headline_only:
            return set(reading.kept)
        cues = cue_rows(reading) if self._row_names == CUES else topic_cues(reading)
        if self._words_alone_reach:
            z = self._logit_list(*self.word_values(title, text, given), cues)
            keep, add, kept = self._threshold_logit, self._add_logit, reading.kept
            found = {t for t, v in zip(self.topics, z) if v >= (keep if t in kept else add)}
            return within_the_guide(found, reading, title, text)
        # No topic passes on its words alone: only the topics with a hit the guide leaves open can change the
        # decision (nothing to read when there is none), and only their log-odds are computed.
        undecided = self._open_topics(cues, reading)
        found = self._open_passing(undecided, cues, reading, title, text, given) if undecided else set()
        return within_the_guide(found, reading, title, text)

    def _open_passing(self, undecided: set[str], cues: dict, reading: RuleReading, title: str, text: str,
                      given: ReleaseWords | None) -> set[str]:
        """Of the ``undecided`` topics (each with a hit), those over their threshold (``threshold`` if the rules
        keep it, else ``add_threshold``): their ``logits`` alone, in plain Python over the words present."""
        index, values = self.word_values(title, text, given)
        columns = self._columns
        shared = sum(map(mul, values, map(columns[-1].__getitem__, index)))
        out = set()
        for topic in undecided:
            j = self._topic_index[topic]
            row = cues[topic] if isinstance(cues[topic], list) else [cues[topic][c] for c in self._row_names]
            z = self._base[j] + sum(map(mul, values, map(columns[j].__getitem__, index))) + shared
            kept = topic in reading.kept
            weights = self._scaled_cue_list if kept else self._scaled_open_cue_list
            if z + sum(map(mul, row, weights)) >= (self._threshold_logit if kept else self._add_logit):
                out.add(topic)
        return out


def _logit(p: float) -> float:
    return math.log((q := min(max(p, 1e-12), 1 - 1e-12)) / (1 - q))


def model_from_json(data: dict) -> TopicModel:
    """A model from its stored form; a malformed file is a clear error naming it."""
    try:
        topics = tuple(data["topics"])
        vocab = {w: i for i, w in enumerate(data["vocabulary"])}
        scope = data.get("scope", "all")
        cue_names = tuple(data["cues"])
        return TopicModel(
            topics, vocab, np.array(data["word_weights"], dtype=float).reshape(len(vocab), len(topics)),
            cue_names, np.array(data["cue_mean"], dtype=float), np.array(data["cue_scale"], dtype=float),
            np.array(data["cue_weights"], dtype=float).reshape(len(cue_names)),
            np.array(data["bias"], dtype=float), float(data["threshold"]), scope,
            np.array(data.get("shared_word_weights") or [0.0] * len(vocab), dtype=float).reshape(len(vocab)),
            VocabularyScan(list(data["vocabulary"]), body=scope == "scan") if scope.startswith("scan") else None,
            None if data.get("add_threshold") is None else float(data["add_threshold"]),
            {tuple(w.split(PAIR_SEPARATOR)): i for w, i in vocab.items() if PAIR_SEPARATOR in w} or None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"kb/taxonomy/{MODEL_FILE}: not a topic model ({type(exc).__name__}: {exc})") from exc


@cache
def topic_model() -> TopicModel | None:
    """The shipped model, loaded once; None when there is none or it is switched off."""
    path = resources.files("kb.taxonomy").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return model_from_json(data) if data.get("use", False) else None
