"""Topics a headline shows to be in passing (kb.extract.topic_hits calls this).

A topic's ``passing_headline`` words (kb/taxonomy/topics.json) name a kind of release
in which the topic, when the headline does not name it, is talk or a stated purpose,
not the subject: a courtesy call (เยี่ยมคำนับ, ให้การต้อนรับ) thanking a guest for
vaccines, a sufficiency-farming plot praised for preventing floods and drought.
"""
from __future__ import annotations

from functools import cache
from typing import Protocol, Sequence, TypeVar

from kb import taxonomy


class _Hit(Protocol):
    start: int
    topic: str


H = TypeVar("H", bound=_Hit)


@cache
def passing_headline_words() -> dict[str, tuple[str, ...]]:
    """Per topic key, the headline words of its kinds of release that name it in passing."""
    return {t["key"]: tuple(t["passing_headline"]["words"]) for t in taxonomy.topics() if t.get("passing_headline")}


def without_passing_headline_topics(whole: str, hits: Sequence[H]) -> list[H]:
    """``hits`` less every hit of a topic whose ``passing_headline`` words the headline (the
    first line of ``whole``) holds while it names the topic by no term: the visit's talk or
    the project's purpose is no subject of the release (guide decisions 4, 9, 27;
    clarification 11)."""
    rules = passing_headline_words()
    if not rules:
        return list(hits)
    head_end = whole.find("\n") if "\n" in whole else len(whole)
    head = whole[:head_end]
    drop = {
        topic for topic, words in rules.items()
        if any(w in head for w in words) and not any(h.topic == topic and h.start < head_end for h in hits)
    }
    return [h for h in hits if h.topic not in drop] if drop else list(hits)
