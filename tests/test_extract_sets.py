"""Metadata extraction on the development and held-out ThaiGov sets (issue 13).

Beside the blind set (tests/test_extract_blind.py) two more samples of 60
security releases each, drawn by fixed hashes and disjoint from the blind set
and from the old development sample: the *development* set, from which the
rules of 2026-12-07 were written, and the *held-out* set, labelled at the same
time, before any rule changed, and never read while writing rules.  Only ids
and labels are stored; the texts are read at run time through the JSONL reader,
and the tests skip without the shared data.
"""
from __future__ import annotations

import gzip
import json
import os
from functools import cache
from pathlib import Path

import pytest

from test_extract_blind import (
    EXACT_FIELDS,
    SET_FIELDS,
    _label_set as _blind_labels,
    _rank,
    _read_and_extract,
    _source,
    differences,
    print_scores,
    score,
)

LABELS = Path(__file__).resolve().parent / "labels"
SETS = ("dev_thaigov", "heldout_thaigov")
# What the extractor reached when these rules were committed (min of precision and
# recall; docs/benchmarks.md): a fall below it is a regression.
# Topics: 0.929 / 0.929 (dev) and 0.760 / 0.905 (held-out) with the rules of the labelling
# guide, on the labels relabelled by it (branch topics3, 2026-12-07; was 0.793 / 0.920 and
# 0.654 / 0.944); each floor is the lower figure rounded down, so one more wrong topic
# (0.03-0.05 here) fails it.  Branch topics4 (mined terms, weak headline terms backed by a
# body sentence): dev 0.931 / 0.964, held-out 0.731 / 0.905 (one false topic more).
# Branch topics7 (fitted on train2): held-out 0.760 / 0.905 (the standing crackdown line no trafficking topic).
# Branch topics5 (pairs, actors, headline-only releases, written from blind2): unchanged.
FLOOR = {
    "dev_thaigov": {"date": 1.0, "type": 1.0, "plans": 1.0, "provinces": 0.97, "regions": 0.98,
                    "topics": 0.92, "agencies": 0.97},
    "heldout_thaigov": {"date": 1.0, "type": 1.0, "plans": 1.0, "provinces": 0.97, "regions": 0.98,
                        "topics": 0.74, "agencies": 0.98},
}


# Releases of the plan strata with a wrong plan when these rules were committed: the
# held-out set's one (a minister handing out disaster policy read as plan 9) went with
# the general rule of 2026-12-07 (an everyday title after นโยบายด้าน needs the policy cited).
WRONG_PLANS_FLOOR = {"dev_thaigov": 0, "heldout_thaigov": 0}


@cache
def _labels(name: str) -> dict:
    return json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _all_ids() -> tuple[str, ...]:
    with gzip.open(_source(), "rt", encoding="utf-8") as handle:
        return tuple(json.loads(line)["id"] for line in handle)


def _excluded() -> set[str]:
    """The blind set, the old development sample and the plan stratum: never in these sets."""
    blind = _blind_labels()
    ids = _all_ids()
    first = sorted(ids, key=lambda i: _rank(blind["salt"], i))[: _labels("dev_thaigov")["excluded_blind_ranks"]]
    return set(first) | set(blind["plan_stratum"]["plans"])


def test_the_sets_are_their_fixed_hash_samples_and_disjoint():
    taken = _excluded()
    assert set(_blind_labels()["documents"]) <= taken
    for name in SETS:
        labels = _labels(name)
        ids = list(labels["documents"])
        assert len(ids) == labels["size"] >= 60
        for doc_id, expected in labels["documents"].items():
            assert set(expected) == {*EXACT_FIELDS, *SET_FIELDS}, (name, doc_id)
        order = [i for i in sorted(_all_ids(), key=lambda i: _rank(labels["salt"], i)) if i not in taken]
        assert ids == order[: labels["size"]], f"{name}: not the first releases by its hash"
        taken |= set(ids)


@pytest.mark.parametrize("name", SETS)
def test_precision_and_recall_per_field(name, tmp_path):
    _source()
    labelled = _read_and_extract(tmp_path, _labels(name)["documents"])
    scores = score(labelled)
    print_scores(f"{len(labelled)} releases of {name}", scores)
    if name == "dev_thaigov" and os.environ.get("KB_DEV_DIFF"):
        # Only the development set's misses are for reading; the held-out set measures.
        for line in differences(labelled):
            print("  " + line)
    floor = FLOOR[name]
    fallen = {f: s for f, s in scores.items() if min(s[0], s[1]) < floor[f]}
    assert not fallen, f"below the recorded floor {floor}: {fallen}"


@pytest.mark.parametrize("name", SETS)
def test_plan_titles_in_everyday_releases_tag_no_plan(name, tmp_path):
    """The plan strata (see their _doc): plan titles inside agency names, laws,
    other plans and everyday phrases.  Wrong plans are listed for the dev set only."""
    _source()
    stratum = _labels(name)["plan_stratum"]["plans"]
    wrong = {doc_id: doc.plans for doc_id, doc, want in _read_and_extract(tmp_path, stratum) if doc.plans != want}
    print(f"\n{name} plan stratum: {len(wrong)} of {len(stratum)} releases with a wrong plan")
    if name == "dev_thaigov":
        for doc_id, plans in wrong.items():
            print(f"  {doc_id}: {plans}")
    assert len(stratum) >= 20 and len(wrong) <= WRONG_PLANS_FLOOR[name], f"{len(wrong)} releases with wrong plans"
