"""A learned topic decision for news releases: per topic, a logistic regression
over the release's words and the cues the hand rules compute.

The hand rules (kb.extract.topics) read lexicon hits sentence by sentence; they
cannot tell a passing mention in a release about something else from a
deliberate one, nor find a subject the lexicon has no term for.  The model
keeps the rules' reading as cues (their verdict, where and how densely the
topic is named) and adds the release's words, weighted by where they stand
(headline, lead, body), so it can learn both.  It is fitted by
benchmarks/fit_topic_model.py on labelled releases only and stored as data
(kb/taxonomy/topic_model.json: weights, the date, the training sets and the
figures they gave); inference is a dot product.  When the file is absent or
says ``"use": false`` the rules decide alone.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from kb.analysis import analyze, stopwords, words
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
    """A release's words as the indexer segments them (``kb.analysis.analyze`` of the
    headline and of the body, each normalized): ``indexer.prepare`` hands them to ``extract``
    so that the model's words cost nothing more at indexing time."""

    title: tuple[str, ...]
    body: tuple[str, ...]


def segment_release(title: str, text: str) -> ReleaseWords:
    """The words the indexer would give: ``extract`` segments itself when it is handed none
    (normalizing folds Thai digits, so folded and raw texts give the same words)."""
    return ReleaseWords(tuple(analyze(title).words), tuple(analyze(text).words))


def indexed_counts(found: ReleaseWords, vocabulary: dict[str, int] | None = None, whole: bool = True) -> dict[str, float]:
    """Scope "index": place-weighted counts of the indexer's words (the lead is the body's first
    ``LEAD_WORDS`` words); only the ``vocabulary``'s when given, else every word but stopwords,
    digits and single letters (what a vocabulary is chosen from).  Counting runs in C (Counter);
    the Python loop is over the words kept, which is what keeps the model within the cost budget."""
    lead_end = LEAD_WORDS
    title, lead = Counter(found.title), Counter(found.body[:lead_end])
    body = Counter(found.body) if whole else Counter()
    if vocabulary is not None:
        keys = (title.keys() | body.keys()) & vocabulary.keys()  # set work in C; the loop below is short
    else:
        stop = stopwords()
        keys = {w for w in title.keys() | body.keys() if len(w) > 1 and w not in stop and not w.isdigit()}
    get_title, get_lead, get_body = title.get, lead.get, body.get
    weight_title, weight_lead = PLACE_WEIGHTS["title"], PLACE_WEIGHTS["lead"] - (PLACE_WEIGHTS["body"] if whole else 0)
    # body counts the lead once already: the lead adds its extra weight on top
    return {w: weight_title * get_title(w, 0) + weight_lead * get_lead(w, 0) + get_body(w, 0) for w in keys}


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
    """Per topic with a hit, its cues (``CUES``)."""
    head_end, body_start = reading.title_chars, reading.title_chars + 1
    body_len = max(1, reading.text_chars)
    total = sum(reading.points.values()) or 1.0
    with_points = {t for t, p in reading.points.items() if p > 0}
    background = background_terms()
    out = {}
    for topic in {h.topic for h in reading.hits}:
        mine = [h for h in reading.hits if h.topic == topic]
        body = [h.start - body_start for h in mine if h.start >= body_start]
        points = reading.points.get(topic, 0.0)
        out[topic] = {
            "candidate": 1.0,
            "rules_kept": float(topic in reading.kept),
            "title_hit": float(any(h.start < head_end for h in mine)),
            "title_strong": float(any(h.strong for h in mine if h.start < head_end)),
            "title_scored": float(topic in reading.in_title),
            "lead_hit": float(any(b < LEAD_CHARS for b in body)),
            "points": math.log1p(points),
            "point_share": points / total,
            "topic_density": 1000.0 * reading.scoring / body_len,
            "sentences": math.log1p(reading.sentences.get(topic, 0) if points else 0),
            "hits": math.log1p(len(mine)),
            "strong_share": sum(h.strong for h in mine) / len(mine),
            "distinct_terms": math.log1p(len({h.term for h in mine})),
            "first_position": min(body) / body_len if body else 1.0,
            "other_topics": math.log1p(len(with_points - {topic})),
            "length": math.log(body_len),
            "background_share": sum(h.term in background for h in mine) / len(mine),
        }
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

    def word_features(self, title: str, text: str, given: ReleaseWords | None = None) -> dict[int, float]:
        """Per vocabulary index, the release's value (``given``: the indexer's words, scope "index")."""
        if self.scan is not None:
            return self.scan.features(title, text)
        if self.scope.startswith("index"):
            counts = indexed_counts(given if given is not None else segment_release(title, text), self.vocabulary,
                                    whole=self.scope == "index")
            if not counts:
                return {}
            values = np.log1p(np.fromiter(counts.values(), dtype=float, count=len(counts)))
            values /= math.sqrt(float(values @ values))
            return dict(zip(map(self.vocabulary.__getitem__, counts), values.tolist()))
        else:
            found = release_words(title, text, self.scope)
        return {self.vocabulary[w]: v for w, v in found.items() if w in self.vocabulary}

    def probabilities(self, word_features: dict[int, float], cues: dict[str, dict[str, float]]) -> dict[str, float]:
        """Per topic, the probability that the release is about it."""
        logits = self.bias.copy()
        if word_features:
            index = np.fromiter(word_features.keys(), dtype=np.intp, count=len(word_features))
            values = np.fromiter(word_features.values(), dtype=float, count=len(word_features))
            logits += values @ self.word_weights[index]
            if len(self.cue_names) and cues:
                # Words that say what a release with a passing mention is about, whatever the topic.
                release_kind = float(values @ self.shared_word_weights[index])
                logits += release_kind * np.array([float(t in cues) for t in self.topics])
        if len(self.cue_names):
            # Cues are 0 for a topic with no hit; a topic with hits gets its own row.
            logits += self._no_hit
            for j, topic in enumerate(self.topics):
                if topic in cues:
                    row = (np.array([cues[topic][c] for c in self.cue_names]) - self.cue_mean) / self.cue_scale
                    logits[j] += float(row @ self.cue_weights) - self._no_hit
        return {t: float(p) for t, p in zip(self.topics, 1 / (1 + np.exp(-logits)))}

    def __post_init__(self) -> None:
        # A cue constant in training was stored with scale 0 by older fits (rounding 1e-9): it says nothing.
        object.__setattr__(self, "cue_scale", np.where(self.cue_scale > 0, self.cue_scale, 1.0))

    @cached_property
    def _no_hit(self) -> float:
        return float(((0.0 - self.cue_mean) / self.cue_scale) @ self.cue_weights)

    def decide(self, title: str, text: str, reading: RuleReading, given: ReleaseWords | None = None) -> set[str]:
        """The topics of a news release (title and text with Thai digits folded; ``given``:
        the indexer's words of the same release, segmented here when absent)."""
        if reading.headline_only:
            return set(reading.kept)
        p = self.probabilities(self.word_features(title, text, given), topic_cues(reading))
        return within_the_guide({t for t, v in p.items() if v >= self.threshold}, reading)


def within_the_guide(topics: set[str], reading: RuleReading) -> set[str]:
    """The model's topics less those the labelling guide rules out whatever the words say:
    a topic named only by an agency's name is an actor (decision 4: ศอ.บต. backing an
    Islamic centre; the scan finds ศอ.บต. and the words learned it means the unrest)."""
    return topics - reading.actor_only


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
