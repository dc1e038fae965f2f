"""The checks every later blind set shares (blind3, blind4, …): one class, one subclass per set.

A blind set is drawn by a fixed hash outside the sets before it (``tests/labels/select_blindN.py``), labelled
from docs/labelling.md by two people independently before any rule changed, and adjudicated by the guide.  What
is asserted: the file is well-formed and names the sets its selection leaves out, the selection reproduces its
ids, and the adjudication record accounts for every topic on which the labellers differ.  Its scores are printed,
never asserted: a floor would be a target to tune against.  ``KB_BLIND<N>_DIFF=1`` prints the differences, off by
default because reading the misses of a blind set invites writing rules for them.
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

LABELS_DIR = Path(__file__).resolve().parent / "labels"


@cache
def _labels(number: int) -> dict:
    return json.loads((LABELS_DIR / f"blind{number}_thaigov.json").read_text(encoding="utf-8"))


@cache
def selection_module(name: str):
    """``tests/labels/select_<name>.py`` loaded as a module (``name``: "blind4", "train3" ...)."""
    sys.path.insert(0, str(LABELS_DIR))  # the selection scripts import the shared rule from select_blind2
    spec = importlib.util.spec_from_file_location(f"select_{name}", LABELS_DIR / f"select_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _selector(number: int):
    return selection_module(f"blind{number}")


class BlindSetChecks:
    """Subclass as ``TestBlindN`` with NUMBER and ORDINAL ("third", …)."""

    NUMBER: int
    ORDINAL: str

    def labels(self) -> dict:
        return _labels(self.NUMBER)

    def source(self) -> Path:
        return source_of(self.labels(), f"the {self.ORDINAL} blind set")

    def test_the_labels_are_well_formed_and_use_the_taxonomy(self, monkeypatch):
        import test_extract_blind2
        monkeypatch.setattr(test_extract_blind2, "_label_set", self.labels)
        _well_formed()
        labels = self.labels()
        assert labels["salt"] == f"kb-blind-v{self.NUMBER}:"
        assert set(labels["raw_a"]) == set(labels["documents"]), "labeller A's own topics are kept for every release"
        excluded = {f"{name}_thaigov" for name in _selector(self.NUMBER).EXCLUDED}
        assert set(labels["excluded_sets"]) == excluded, "the file names every set its selection leaves out"

    def test_every_topic_disagreement_is_adjudicated_by_the_guide(self):
        labels = self.labels()
        raw_a, raw_b = labels["raw_a"], labels["raw_b"]
        assert set(raw_b) == set(labels["documents"])
        record = LABELS_DIR / f"blind{self.NUMBER}_adjudication.json"
        decided = {(e["id"], e["topic"]): e for e in json.loads(record.read_text(encoding="utf-8"))["entries"]}
        topics = _vocabulary()["topics"]
        for doc_id, expected in labels["documents"].items():
            a, b = set(raw_a[doc_id]), set(raw_b[doc_id])
            for topic in a ^ b:
                entry = decided.get((doc_id, topic))
                assert entry is not None, (doc_id, topic, "disagreement without an adjudication entry")
                assert entry["decision"] in ("label", "reject") and entry["reason"], (doc_id, topic)
                assert (topic in expected["topics"]) == (entry["decision"] == "label"), (doc_id, topic)
            assert set(expected["topics"]) - (a ^ b) == a & b, (doc_id, "topics both labellers agree on stay")
            assert set(expected["topics"]) <= topics

    def test_the_selection_script_reproduces_the_ids(self):
        selector, labels = _selector(self.NUMBER), self.labels()
        ids = list(labels["documents"])
        assert selector.select_ids(self.source(), LABELS_DIR, size=labels["size"]) == ids
        taken, _ = selector.rule.taken_by_other_sets(LABELS_DIR, selector.EXCLUDED)
        assert not taken & set(ids), f"a release of the {self.ORDINAL} blind set is in another labelled set"
        with gzip.open(self.source(), "rt", encoding="utf-8") as handle:
            old_order = sorted((json.loads(line)["id"] for line in handle),
                               key=lambda i: selector.rule.rank(selector.rule.OLD_SALT, i))
        assert not set(old_order[: labels["excluded_blind_ranks"]]) & set(ids)

    def test_scores_per_field(self, tmp_path):
        """Printed, not asserted; ``pytest -s`` shows the table."""
        self.source()
        wanted = self.labels()["documents"]
        labelled = _read_and_extract(tmp_path, wanted)
        print_scores(f"{len(labelled)} releases of the {self.ORDINAL} blind ThaiGov set", score(labelled))
        if os.environ.get(f"KB_BLIND{self.NUMBER}_DIFF"):
            for line in differences(labelled):
                print("  " + line)
        assert len(labelled) == len(wanted)
