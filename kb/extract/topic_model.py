"""A learned decision on which candidate topics a news release covers.

Hand thresholds written from one set of releases did not carry over to the
next (issue 13): whether one sentence on a threat makes it a subject depends on
where it stands (title, lead), how much of the release it fills and how dense
the release is with any topic at all.  So each candidate topic (a topic with a
lexicon hit that survives the context rules of ``kb.extract.topics``) gets a
row of such cues, and a small logistic regression, fitted on labelled releases
by ``benchmarks/fit_topics.py``, turns the row into a probability.  The weights
are data (``kb/taxonomy/topic_model.json``, with the date and the figures they
gave); without that file the hand rules decide, as before.

The cues reuse what topic extraction computes anyway (the hits and the
sentence evidence), so the decision adds a few dozen multiplications per
candidate and no model loading per document.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kb import taxonomy
from kb.extract import topics as rules
from kb.extract.sentences import LINE

MODEL_FILE = "topic_model.json"
# How far into the body a hit still counts as in the lead: the first lines of a
# ThaiGov release repeat the headline and give the lead paragraph.
LEAD_CHARS = 600

FEATURES: tuple[str, ...] = (
    "rules_kept",  # the hand rules keep the topic (kb.extract.topics.kept_by_rules)
    "title_hit",  # a hit of the topic in the title
    "title_strong",  # a strong term of the topic in the title
    "title_foreground",  # a strong term in the title that is no era backdrop (COVID-19 ...)
    "title_scored",  # the title is a sentence about the topic (the rules' evidence)
    "lead_hit",  # a hit in the first LEAD_CHARS characters of the body
    "points",  # log(1 + the rules' summed sentence points)
    "sentences",  # log(1 + sentences about the topic)
    "hits",  # log(1 + hits of the topic)
    "strong_share",  # share of the hits that are strong terms
    "distinct_terms",  # log(1 + distinct terms of the topic)
    "line_share",  # share of the body's lines that hold a hit of the topic
    "first_position",  # where the first hit stands in the body (0 = start, 1 = end)
    "point_share",  # the topic's points over all topics' points (the main subject)
    "topic_density",  # sentences about any topic per 1,000 characters of body
    "other_topics",  # log(1 + other candidates with points)
    "length",  # log(characters of the body)
    "background_share",  # share of the hits that are era backdrop terms (COVID-19 ...)
)


@dataclass(frozen=True)
class TopicModel:
    """Standardized logistic regression weights: a row ``x`` scores
    ``bias + topic_bias[topic] + sum(w * (x - mean) / scale)``; kept when the
    probability reaches ``threshold``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    topic_bias: dict[str, float]
    threshold: float

    def probability(self, topic: str, row: dict[str, float]) -> float:
        z = self.bias + self.topic_bias.get(topic, 0.0)
        for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights):
            z += w * (row.get(name, 0.0) - m) / s
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def model_from_dict(data: dict) -> TopicModel:
    """The model stored in a weights file (see ``benchmarks/fit_topics.py``); a
    ValueError naming the file and the reason when it is not one."""
    try:
        names = tuple(data["features"])
        model = TopicModel(
            features=names,
            mean=tuple(float(x) for x in data["mean"]),
            scale=tuple(float(x) or 1.0 for x in data["scale"]),
            weights=tuple(float(x) for x in data["weights"]),
            bias=float(data["bias"]),
            topic_bias={k: float(v) for k, v in data.get("topic_bias", {}).items()},
            threshold=float(data["threshold"]),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"kb/taxonomy/{MODEL_FILE}: not a topic model ({type(e).__name__}: {e})") from None
    unknown = set(names) - set(FEATURES)
    if unknown:
        raise ValueError(f"kb/taxonomy/{MODEL_FILE}: unknown features {sorted(unknown)}")
    if not len(names) == len(model.mean) == len(model.scale) == len(model.weights):
        raise ValueError(f"kb/taxonomy/{MODEL_FILE}: features, mean, scale and weights differ in length")
    if not 0.0 < model.threshold < 1.0:
        raise ValueError(f"kb/taxonomy/{MODEL_FILE}: threshold {model.threshold} is not a probability")
    return model


@cache
def topic_model() -> TopicModel | None:
    """The fitted model shipped with the taxonomy, or None when there is none."""
    path = resources.files(taxonomy.__name__).joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"kb/taxonomy/{MODEL_FILE}: not JSON ({e})") from None
    return model_from_dict(data)


def candidate_rows(folded_title: str, folded_text: str) -> dict[str, dict[str, float]]:
    """Per candidate topic, its row of cues (``FEATURES``); Thai digits already folded."""
    head = folded_title.replace("\n", " ")
    whole = f"{head}\n{folded_text}"
    hits = rules.topic_hits(whole)
    if not hits:
        return {}
    found = rules.topic_evidence(folded_title, folded_text, hits)
    body_start = len(head) + 1
    body_len = max(1, len(folded_text))
    lines = list(LINE.finditer(folded_text))
    background = rules.background_terms()
    total_points = sum(found.points.values()) or 1.0
    with_points = {t for t, p in found.points.items() if p > 0}
    kept = rules.kept_by_rules(found, folded_title, folded_text, release=True)
    per_topic: dict[str, list] = {}
    for h in hits:
        per_topic.setdefault(h.topic, []).append(h)
    rows = {}
    for topic, mine in per_topic.items():
        body_hits = [h for h in mine if h.start >= body_start]
        hit_lines = {_line_of(lines, h.start - body_start) for h in body_hits}
        points = found.points.get(topic, 0.0)
        rows[topic] = {
            "rules_kept": float(topic in kept),
            "title_hit": float(any(h.start < len(head) for h in mine)),
            "title_strong": float(any(h.start < len(head) and h.strong for h in mine)),
            "title_foreground": float(any(h.start < len(head) and h.strong and h.term not in background for h in mine)),
            "title_scored": float(topic in found.in_title),
            "lead_hit": float(any(h.start - body_start < LEAD_CHARS for h in body_hits)),
            "points": math.log1p(points),
            "sentences": math.log1p(found.sentences.get(topic, 0) if points else 0),
            "hits": math.log1p(len(mine)),
            "strong_share": sum(h.strong for h in mine) / len(mine),
            "distinct_terms": math.log1p(len({h.term for h in mine})),
            "line_share": len(hit_lines) / max(1, len(lines)),
            "first_position": (min(h.start for h in body_hits) - body_start) / body_len if body_hits else 1.0,
            "point_share": points / total_points,
            "topic_density": 1000.0 * found.scoring / body_len,
            "other_topics": math.log1p(len(with_points - {topic})),
            "length": math.log(body_len),
            "background_share": sum(h.term in background for h in mine) / len(mine),
        }
    return rows


def _line_of(lines: list, offset: int) -> int:
    """Index of the line holding ``offset`` (a binary search: lines are in order)."""
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines[mid].end() <= offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def decide(rows: dict[str, dict[str, float]], model: TopicModel) -> set[str]:
    """The candidate topics whose probability reaches the model's threshold."""
    return {t for t, row in rows.items() if model.probability(t, row) >= model.threshold}
