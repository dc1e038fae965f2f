"""The bundled corpus meets what a first-time user and the end-to-end tests rely on."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from kb.search import stats
from kb.engine import Index
from tests.webutil import CORPUS

LABELS = {}
for f in sorted((Path(__file__).parent / "labels").glob("corpus_*.json")):
    LABELS.update(json.loads(f.read_text(encoding="utf-8")))


def test_size_and_mix_of_document_types():
    types = Counter(v["type"] for v in LABELS.values())
    assert len(LABELS) >= 80
    assert len(list((CORPUS / "news").glob("*.htm*"))) >= 40
    assert len([p for p in (CORPUS / "meetings").iterdir() if p.suffix in (".txt", ".md")]) >= 20
    assert len(list((CORPUS / "plans").glob("plan-*.md"))) == 17
    assert (CORPUS / "plans" / "nspp-2566-2570.pdf").exists()
    assert types["news"] >= 40 and types["meeting"] >= 20 and types["plan"] >= 18


def test_every_plan_is_referenced_by_at_least_three_documents():
    refs = Counter(p for v in LABELS.values() for p in v["plans"])
    assert all(refs[n] >= 3 for n in range(1, 18)), refs


def test_coverage_of_regions_provinces_topics_and_years():
    assert {r for v in LABELS.values() for r in v["regions"]} == {"north", "northeast", "central", "east", "west", "south"}
    assert len({p for v in LABELS.values() for p in v["provinces"]}) >= 40
    assert len({t for v in LABELS.values() for t in v["topics"]}) == 12
    years = {int(v["date"][:4]) + 543 for v in LABELS.values() if v.get("date")}
    assert {2565, 2566, 2567, 2568} <= years


def test_about_a_third_is_written_with_thai_digits_and_some_files_are_tis620():
    thai_digit_docs = 0
    tis620 = 0
    for path in CORPUS.rglob("*"):
        if path.suffix not in (".html", ".txt", ".md"):
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            tis620 += 1
            text = raw.decode("cp874")
        if len(re.findall("[๐-๙]", text)) > 10:
            thai_digit_docs += 1
    assert tis620 >= 2
    assert thai_digit_docs >= len(LABELS) // 4


def test_indexing_the_corpus_has_no_failures_and_stats_show_the_taxonomy(bundled_index):
    s = stats(Index(bundled_index))  # the fixture asserts the run had no failures
    assert s["documents"] == len(LABELS)
    assert len(s["facets"]["plan"]) == 17
    assert len(s["facets"]["province"]) >= 40
    assert len(s["facets"]["topic"]) == 12
