"""What the labelling guide (docs/labelling.md) holds whatever a learned topic decision says.

The learned decision (``kb.extract.topic_model``) may drop a topic the hand rules keep, or add one they miss; the
guide rules some cases outright, and ``within_the_guide`` holds the decision to them.  Each hold is the rules' own
reading of one of the guide's tests, so the two never disagree on what the guide states.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kb.extract.topic_hits import topic_scoring

if TYPE_CHECKING:
    from kb.extract.topic_model import RuleReading


def within_the_guide(topics: set[str], reading: RuleReading, title: str, text: str) -> set[str]:
    """The model's topics held to what the labelling guide (docs/labelling.md) rules whatever
    the words say; ``title`` and ``text`` with Thai digits folded, as the rules read them.

    * A release with only a headline is labelled from it (decision 18): the rules' topics.
    * An actor is no subject (decision 4): a topic named only by an agency's name is dropped
      (ศอ.บต. backing an Islamic centre; the words learned that ศอ.บต. means the unrest).
    * A topic the rules keep stays where the guide says the release is about it (``GUIDE_HOLDS``):
      the headline or the lead is about it (the general test), a report dense with topics gives
      it a deliberate sentence (decision 4), a numbered item of its own (decision 3), a sentence
      giving it a measure of its own (clarifications 11 and 21, decision 9).

    The model decides the rest: it may drop a topic the rules keep only where the guide leaves
    the question open (a single sentence in a release about something else), and add one the
    rules miss (a subject without a lexicon term)."""
    if reading.headline_only:
        return set(reading.kept)
    out = topics - reading.actor_only
    undecided = reading.kept - out
    for holds in GUIDE_HOLDS:  # cheapest first; most releases leave nothing undecided
        if not undecided:
            break
        undecided -= holds(reading, title, text)
    return out | (reading.kept - undecided)


def headline_or_lead(reading: RuleReading, title: str = "", text: str = "") -> set[str]:
    """The general test, "the headline or the lead is about it", as the rules read it: a sentence
    of the headline scores the topic, or a pair (a deed beside its setting: a fraud through an app)
    names it in the headline or the lead (kb.extract.topic_pairs, the first ``pair_lead_chars``)."""
    return set(reading.in_title) | {h.topic for h in reading.hits if h.paired}


def dense_with_topics(reading: RuleReading, title: str, text: str) -> set[str]:
    """Decision 4, a threat in a minor role, is a remark in a release, not in a report: in a
    release dense with topics (at least ``dense_release_share`` of its sentences, the headline's
    included, are about some topic, counted as the rules count them) every kept topic holds."""
    from kb.extract.topics import _sentence_count  # the rules' own count (kb.extract.topics imports this module)

    cfg = topic_scoring()
    share = cfg.get("dense_release_share", 0.0)
    # Every line with text holds a sentence at least: too few scoring sentences for that many lines is no report,
    # without counting the sentences themselves.
    if not share or reading.scoring < share * (bool(title.strip()) + len(_TEXT_LINE.findall(text))):
        return set()
    return set(reading.kept) if reading.scoring >= share * _sentence_count(title, text, cfg) else set()


def own_numbered_item(reading: RuleReading, title: str, text: str) -> set[str]:
    """Decision 3: a subject given a numbered item of its own (a ministry-wide instruction)
    counts, as the rules find such items."""
    from kb.extract.topics import _dedicated_items  # the rules' own reading of numbered items

    cfg = topic_scoring()
    return _dedicated_items(f"{title.replace(chr(10), ' ')}\n{text}", reading.hits, cfg)


_TEXT_LINE = re.compile(r"[^\S\n]*\S[^\n]*")  # a line with text (one match a line)


def a_measure_of_its_own(reading: RuleReading, title: str = "", text: str = "") -> set[str]:
    """Clarification 11 (a sentence saying who does or orders what about the topic counts), as the
    rules read it: a strong term in one of the topic's measure frames (goods smuggled in across the
    border, a crossing opened, preparing for a flood), with the points of one sentence at least."""
    from kb.extract.topics import _measured  # the rules' own reading of measures

    return _measured(reading.points, reading.hits, topic_scoring())


# What the guide holds whatever the words say, of the topics the rules keep (``within_the_guide``).
GUIDE_HOLDS = (headline_or_lead, a_measure_of_its_own, own_numbered_item, dense_with_topics)
