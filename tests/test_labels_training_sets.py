"""The training sets (tests/labels/train2_thaigov.json and train3_thaigov.json: topics; train4_thaigov.json and
train5_thaigov.json: topics, provinces and regions; train6_thaigov.json, train7_thaigov.json: every field) are the fixed hash samples they say they are.

Only what each file claims is checked: its ids are the ones its ``select_trainN.py`` draws (the first N of its own
salt's order outside every set that existed when it was drawn), it shares no release with another set, every label is
a value of the taxonomy and every release names its labeller.  The texts are read at run time from the shared
data folder; without it the selection test skips.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from blind_sets import selection_module
from test_extract_blind import source_of
from test_extract_blind2 import _vocabulary

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "labels"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# name, size, labellers, fields labelled
SETS = [("train2", 320, {"lt1", "lt2", "lt3", "lt4"}, {"topics"}),
        ("train3", 640, {"lt5", "lt6", "lt7", "lt8"}, {"topics"}),
        ("train4", 480, {"lt9", "lt10", "lt11"}, {"topics", "provinces", "regions"}),
        ("train5", 480, {"lt12", "lt13", "lt14"}, {"topics", "provinces", "regions"}),
        ("train6", 384, {f"lt{k}" for k in range(15, 21)},
         {"date", "type", "plans", "provinces", "regions", "agencies", "topics"}),
        ("train7", 512, {f"lt{k}" for k in range(21, 29)},
         {"date", "type", "plans", "provinces", "regions", "agencies", "topics"})]


def _set(name: str) -> dict:
    return json.loads((LABELS / f"{name}_thaigov.json").read_text(encoding="utf-8"))


def _selector(name: str):
    return selection_module(name)


@pytest.mark.parametrize("name, size, labellers, fields", SETS)
def test_every_label_is_in_the_taxonomy_and_every_release_has_a_labeller(name, size, labellers, fields):
    vocabulary = _vocabulary()
    labels = _set(name)
    assert len(labels["documents"]) == labels["size"] == size
    assert set(labels["excluded_sets"]) == {f"{n}_thaigov" for n in _selector(name).EXCLUDED}
    for doc_id, entry in labels["documents"].items():
        assert set(entry) == fields, doc_id
        for field in fields - {"date", "type"}:
            assert set(entry[field]) <= vocabulary[field], (doc_id, field)
        if "date" in fields:
            assert DATE.fullmatch(entry["date"]), doc_id
            assert entry["type"] in vocabulary["type"], doc_id
        assert labels["labeller"][doc_id] in labellers


@pytest.mark.parametrize("name, size, labellers, fields", SETS)
def test_the_selection_script_reproduces_the_ids_outside_every_other_set(name, size, labellers, fields):
    labels = _set(name)
    source = source_of(labels, f"the training set {name}")
    ids = list(labels["documents"])
    assert _selector(name).select_ids(source, LABELS) == ids
    others = set()
    for path in LABELS.glob("*_thaigov.json"):
        if path.name != f"{name}_thaigov.json":
            others |= set(json.loads(path.read_text(encoding="utf-8"))["documents"])
    assert not others & set(ids)
