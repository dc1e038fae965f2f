"""Metadata extraction on the second blind set: 64 ThaiGov security releases labelled from a written guide.

The set (tests/labels/blind2_thaigov.json) was drawn by a fixed hash outside every other labelled set
(tests/labels/select_blind2.py re-derives it), labelled from docs/labelling.md by two people independently
before any rule of the session changed, and adjudicated by the guide.  It was scored blind twice (0.870 / 0.741 on topics both times) and then
released for development (branch topics5, 2026-12-07): its releases, labels and errors may now be read, and
it is a fold of benchmarks/fit_topics.py (--with-blind2).  Since it is a development set now, its scores carry
a floor like dev's (a fall below it is a regression); the blind check is the third blind set's.  The file must
also be well-formed and the selection reproduce its ids.  The texts are read at run time from the shared data
folder; without it the tests skip.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
from functools import cache
from pathlib import Path

from test_extract_blind import EXACT_FIELDS, SET_FIELDS, _read_and_extract, differences, print_scores, score, source_of

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "labels" / "blind2_thaigov.json"
SELECTOR = REPO / "tests" / "labels" / "select_blind2.py"
TAXONOMY = REPO / "kb" / "taxonomy"


@cache
def _label_set() -> dict:
    return json.loads(LABELS.read_text(encoding="utf-8"))


def _source() -> Path:
    return source_of(_label_set(), "the second blind set")


def _selector():
    spec = importlib.util.spec_from_file_location("select_blind2", SELECTOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _vocabulary() -> dict[str, set]:
    """The values each labelled field may take, from the taxonomy."""
    def load(name: str) -> dict:
        return json.loads((TAXONOMY / f"{name}.json").read_text(encoding="utf-8"))
    provinces = load("provinces")["provinces"]
    return {
        "type": {t["key"] for t in load("types")["types"]},
        "plans": set(range(1, len(load("plans")["plans"]) + 1)),
        "provinces": {p["name"] for p in provinces},
        "regions": {r["key"] for r in load("regions")["regions"]},
        "topics": {t["key"] for t in load("topics")["topics"]},
        "agencies": {a["abbr"] for a in load("agencies")["agencies"]},
        "region_of": {p["name"]: p["region"] for p in provinces},
    }


def test_the_labels_are_well_formed_and_use_the_taxonomy():
    labels = _label_set()
    documents = labels["documents"]
    assert len(documents) == labels["size"] >= 60
    vocabulary = _vocabulary()
    for doc_id, expected in documents.items():
        assert set(expected) == {*EXACT_FIELDS, *SET_FIELDS}, doc_id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", expected["date"]), doc_id
        assert expected["type"] in vocabulary["type"], doc_id
        for field in SET_FIELDS:
            values = expected[field]
            assert len(values) == len(set(values)) and set(values) <= vocabulary[field], (doc_id, field, values)
        implied = {vocabulary["region_of"][p] for p in expected["provinces"]}
        assert implied <= set(expected["regions"]), (doc_id, "regions must hold the regions of the provinces")
    for raw in ("raw_a", "raw_b"):
        for doc_id, topics in labels.get(raw, {}).items():
            assert doc_id in documents and set(topics) <= vocabulary["topics"], (raw, doc_id)


def test_the_selection_script_reproduces_the_ids():
    selector = _selector()
    ids = list(_label_set()["documents"])
    assert selector.select_ids(_source(), LABELS.parent, size=_label_set()["size"]) == ids
    taken, _ = selector.taken_by_other_sets(LABELS.parent)
    assert not taken & set(ids), "a release of the second blind set is in another labelled set"
    with gzip.open(_source(), "rt", encoding="utf-8") as handle:
        old_order = sorted((json.loads(line)["id"] for line in handle), key=lambda i: selector.rank(selector.OLD_SALT, i))
    assert not set(old_order[: _label_set()["excluded_blind_ranks"]]) & set(ids)


# Figures when the set was released for development and the topics5 rules were committed
# (min of precision and recall; docs/benchmarks.md): topics 0.960 / 0.889 (0.870 / 0.741 when
# scored blind), provinces 0.979 / 0.989, regions 0.983 / 1.000, agencies 0.986 / 1.000.  Each
# floor sits under the lower figure by about one topic or place (0.03-0.04 for topics here).
FLOOR = {"date": 1.0, "type": 1.0, "plans": 1.0, "provinces": 0.97, "regions": 0.98, "topics": 0.85,
         "agencies": 0.98}


def test_blind2_precision_and_recall_per_field(tmp_path):
    """At or above the floor of each field; ``pytest -s`` shows the table, and
    KB_BLIND2_DIFF=1 lists every difference from the labels."""
    _source()
    wanted = _label_set()["documents"]
    labelled = _read_and_extract(tmp_path, wanted)
    scores = score(labelled)
    print_scores(f"{len(labelled)} releases of the second blind ThaiGov set", scores)
    if os.environ.get("KB_BLIND2_DIFF"):
        for line in differences(labelled):
            print("  " + line)
    assert len(labelled) == len(wanted)
    fallen = {f: s for f, s in scores.items() if min(s[0], s[1]) < FLOOR[f]}
    assert not fallen, f"below the recorded floor {FLOOR}: {fallen}"
