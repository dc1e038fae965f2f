"""Standing lines repeated across many releases, which are about no topic.

A government's standing policy line ("…จัดระเบียบสังคม ปราบปรามผู้มีอิทธิพล
และการป้องกันแก้ไขปัญหายาเสพติด"), an agency's motto or a reporting template is
pasted into releases about anything; the subject it names is not what the
release covers.  Which lines are boilerplate is learned from the corpus, not
written by hand: a topic term's *window* (its space-separated chunk with the
``WINDOW_BEFORE`` chunks before and ``WINDOW_AFTER`` after it, on its line,
whitespace removed) found verbatim in many ThaiGov releases whose titles are
mostly *not* about the term's topic is a standing line
(kb/taxonomy/boilerplate.json, made by ``benchmarks/mine_topic_terms.py
--boilerplate``).  A term in such a window counts for nothing (kb.extract.topic_hits).
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

from kb.extract.lexicon import key

WINDOW_BEFORE = 2
WINDOW_AFTER = 0


def term_window(whole: str, start: int, end: int) -> str:
    """The key of the words around the term at [start, end): its chunk, the
    ``WINDOW_BEFORE`` chunks before it and ``WINDOW_AFTER`` after it, within its line."""
    line_start = whole.rfind("\n", 0, start) + 1
    line_end = whole.find("\n", end)
    line_end = len(whole) if line_end < 0 else line_end
    left = whole[line_start:start].split()
    if left and not whole[start - 1].isspace():
        before = left[-1 - WINDOW_BEFORE :]  # the term's own chunk starts before it
    else:
        before = left[len(left) - WINDOW_BEFORE :] if len(left) > WINDOW_BEFORE else left
    right = whole[end:line_end].split()
    if right and not whole[end].isspace():
        after = right[: 1 + WINDOW_AFTER]
    else:
        after = right[:WINDOW_AFTER]
    return key("".join(before) + whole[start:end] + "".join(after))


@cache
def boilerplate_windows() -> dict[str, frozenset[str]]:
    """Per topic, the keys of its standing-line windows; empty when the data file is absent."""
    source = resources.files("kb.taxonomy").joinpath("boilerplate.json")
    if not source.is_file():
        return {}
    out: dict[str, set[str]] = {}
    for row in json.loads(source.read_text(encoding="utf-8"))["windows"]:
        out.setdefault(row["topic"], set()).add(row["key"])
    return {t: frozenset(keys) for t, keys in out.items()}


def in_standing_line(whole: str, start: int, end: int, topic: str) -> bool:
    """True if the term of ``topic`` at [start, end) stands in a line the corpus repeats
    in releases mostly about something else."""
    windows = boilerplate_windows().get(topic)
    return bool(windows) and term_window(whole, start, end) in windows
