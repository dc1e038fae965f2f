"""Sentences repeated verbatim across many releases, which are about no topic.

A government's standing policy line ("…จัดระเบียบสังคม ปราบปรามผู้มีอิทธิพล
และการป้องกันแก้ไขปัญหายาเสพติด"), an agency's motto or a reporting template is
pasted into releases about anything; the subject it names is not what the
release covers.  Which sentences are boilerplate is learned from the corpus
(frequency of a normalized sentence across the ThaiGov releases), not written
by hand: kb/taxonomy/boilerplate.json, made by
``benchmarks/mine_topic_terms.py --boilerplate``.  Topic extraction
(kb.extract.topics) skips a body sentence whose key is in it.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

from kb.extract.lexicon import key


@cache
def boilerplate_keys() -> frozenset[str]:
    """Normalized (``lexicon.key``) boilerplate sentences; empty when the data file is absent."""
    source = resources.files("kb.taxonomy").joinpath("boilerplate.json")
    if not source.is_file():
        return frozenset()
    data = json.loads(source.read_text(encoding="utf-8"))
    return frozenset(row["key"] for row in data["sentences"])


def is_boilerplate(sentence: str) -> bool:
    """True if ``sentence`` (any spacing) is one of the corpus's repeated sentences."""
    keys = boilerplate_keys()
    return bool(keys) and key(sentence) in keys
