"""The second training set for topics (tests/labels/train2_thaigov.json) is the fixed hash sample it says it is.

Only what the file claims is checked: its ids are the ones ``select_train2.py`` draws (the first 320 of the
"kb-train-v2:" order outside every other label set), it shares no release with another set, and every label is a
topic key of the taxonomy.  The texts are read at run time from the shared data folder; without it the test skips.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from test_extract_blind import source_of

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "labels"


def _set() -> dict:
    return json.loads((LABELS / "train2_thaigov.json").read_text(encoding="utf-8"))


def _selector():
    spec = importlib.util.spec_from_file_location("select_train2", LABELS / "select_train2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_label_is_a_topic_key_and_every_release_has_a_labeller():
    topics = {t["key"] for t in json.loads((REPO / "kb" / "taxonomy" / "topics.json").read_text(encoding="utf-8"))["topics"]}
    labels = _set()
    assert len(labels["documents"]) == labels["size"] == 320
    for doc_id, entry in labels["documents"].items():
        assert set(entry) == {"topics"} and set(entry["topics"]) <= topics, doc_id
        assert labels["labeller"][doc_id] in {"lt1", "lt2", "lt3", "lt4"}


def test_the_selection_script_reproduces_the_ids_outside_every_other_set():
    labels = _set()
    selector = _selector()
    source = source_of(labels, "the second training set")
    ids = list(labels["documents"])
    assert selector.select_ids(source, LABELS) == ids
    others = set()
    for path in LABELS.glob("*_thaigov.json"):
        if path.name != "train2_thaigov.json":
            others |= set(json.loads(path.read_text(encoding="utf-8"))["documents"])
    assert not others & set(ids)
