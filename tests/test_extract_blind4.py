"""Metadata extraction on the fourth blind set: 64 ThaiGov security releases labelled from the written guide.

The second and third blind sets were scored and are now used for development, so this set takes their place as the
held-out measure of issue 13's "extraction that generalizes".  It was drawn by a fixed hash outside every other
labelled set, blind2 and blind3 included (tests/labels/select_blind4.py re-derives it), labelled from
docs/labelling.md (version 1.3) by two people independently before any rule of the session changed, and
adjudicated by the guide.  As for the earlier blind sets, its scores are printed, never asserted: a floor here
would be a target to tune against.  What is asserted is that the file is well-formed, that the selection
reproduces its ids, and that the adjudication record accounts for every topic on which the labellers differ.  The
texts are read at run time from the shared data folder; without it the tests skip.  Run ``pytest -k "not score"``
to check the set without running the extractor on it.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
import sys
from functools import cache
from pathlib import Path

from test_extract_blind import _read_and_extract, differences, print_scores, score, source_of
from test_extract_blind2 import _vocabulary, test_the_labels_are_well_formed_and_use_the_taxonomy as _well_formed

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "labels" / "blind4_thaigov.json"
ADJUDICATION = REPO / "tests" / "labels" / "blind4_adjudication.json"
SELECTOR = REPO / "tests" / "labels" / "select_blind4.py"


@cache
def _label_set() -> dict:
    return json.loads(LABELS.read_text(encoding="utf-8"))


def _source() -> Path:
    return source_of(_label_set(), "the fourth blind set")


def _selector():
    sys.path.insert(0, str(SELECTOR.parent))  # select_blind4 imports the shared rule from select_blind2
    spec = importlib.util.spec_from_file_location("select_blind4", SELECTOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_labels_are_well_formed_and_use_the_taxonomy(monkeypatch):
    import test_extract_blind2
    monkeypatch.setattr(test_extract_blind2, "_label_set", _label_set)
    _well_formed()
    labels = _label_set()
    assert labels["salt"] == "kb-blind-v4:"
    assert set(labels["raw_a"]) == set(labels["documents"]), "labeller A's own topics are kept for every release"
    excluded = {f"{name}_thaigov" for name in _selector().EXCLUDED}
    assert set(labels["excluded_sets"]) == excluded, "the file names every set its selection leaves out"


def test_every_topic_disagreement_is_adjudicated_by_the_guide():
    labels = _label_set()
    raw_a, raw_b = labels.get("raw_a", {}), labels.get("raw_b")
    if raw_b is None:
        return  # labeller B's topics were not merged: 'topics' is A's own (the file's _doc says so)
    assert set(raw_b) == set(labels["documents"])
    decided = {(e["id"], e["topic"]): e for e in json.loads(ADJUDICATION.read_text(encoding="utf-8"))["entries"]}
    topics = _vocabulary()["topics"]
    for doc_id, expected in labels["documents"].items():
        a, b = set(raw_a[doc_id]), set(raw_b[doc_id])
        for topic in a ^ b:
            entry = decided.get((doc_id, topic))
            assert entry is not None, (doc_id, topic, "disagreement without an adjudication entry")
            assert entry["decision"] in ("label", "reject") and entry["reason"], (doc_id, topic)
            assert (topic in expected["topics"]) == (entry["decision"] == "label"), (doc_id, topic)
        assert set(expected["topics"]) - (a ^ b) == a & b, (doc_id, "topics both labellers agree on stay as they are")
        assert set(expected["topics"]) <= topics


def test_the_selection_script_reproduces_the_ids():
    selector = _selector()
    labels = _label_set()
    ids = list(labels["documents"])
    assert selector.select_ids(_source(), LABELS.parent, size=labels["size"]) == ids
    taken, _ = selector.rule.taken_by_other_sets(LABELS.parent, selector.EXCLUDED)
    assert not taken & set(ids), "a release of the fourth blind set is in another labelled set"
    with gzip.open(_source(), "rt", encoding="utf-8") as handle:
        old_order = sorted((json.loads(line)["id"] for line in handle),
                           key=lambda i: selector.rule.rank(selector.rule.OLD_SALT, i))
    assert not set(old_order[: labels["excluded_blind_ranks"]]) & set(ids)


def test_blind4_scores_per_field(tmp_path):
    """Printed, not asserted (see the module docstring); ``pytest -s`` shows the table."""
    _source()
    wanted = _label_set()["documents"]
    labelled = _read_and_extract(tmp_path, wanted)
    print_scores(f"{len(labelled)} releases of the fourth blind ThaiGov set", score(labelled))
    if os.environ.get("KB_BLIND4_DIFF"):
        # Off by default: reading the misses of a blind set invites writing rules for them.
        for line in differences(labelled):
            print("  " + line)
    assert len(labelled) == len(wanted)
