"""A record whose scan lost a tone mark is still found by the words it holds (issue 14's recall).

OCR often drops a tone mark inside a short word (ต่ำ read ตำ, ผู้ read ผู).  Since issue 13's
gibberish rule, a query clause holding a word that no document held (ต่ำกว่า) was matched as
typed only, so the record holding every other word of the query gave no result at all.  The
records here are invented text, indexed by the real pipeline and searched by the real Searcher.
"""
from __future__ import annotations

import pytest

from indexer import pipeline
from kb.engine import Index
from kb.models import SearchRequest
from kb.search import Searcher

# (query as the user types it, the scanned record's words as the OCR read them)
LOST_MARKS = [
    ("ระดับน้ำต่ำกว่าเกณฑ์", "ระดับน้ำตำกว่าเกณฑ์ในอ่างเก็บน้ำห้วยทราย ให้งดส่งน้ำเพื่อการเกษตร"),
    ("ผู้ใหญ่บ้านแจ้งราษฎร", "ที่ประชุมมอบผูใหญ่บ้านแจ้งราษฎรเรื่องการเผาป่า"),
]
OTHERS = {
    "rain": "ปริมาณฝนสะสมเป็นไปตามเกณฑ์ ระดับน้ำในแม่น้ำปกติ",
    "fire": "การเผาป่าในพื้นที่สูงลดลง ที่ประชุมรับทราบ",
    "port": "การตรวจเรือประมงที่ท่าเรือประจำเดือน เจ้าหน้าที่รายงานผล",
    "road": "การซ่อมถนนสายหลักแล้วเสร็จ ราษฎรสัญจรได้ตามปกติ",
}
# more records, so that no query word is in most documents (the tiers neither rank nor relax on those)
FILLER = ["การฝึกอบรมอาสาสมัครป้องกันภัย", "งบประมาณโครงการพัฒนาหมู่บ้าน", "การตรวจสุขภาพแรงงานต่างด้าว",
          "แผนเผชิญเหตุอุทกภัยของอำเภอ", "การแจ้งข่าวทางวิทยุชุมชน", "การจัดระเบียบตลาดนัดชายแดน"]


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> Searcher:
    root = tmp_path_factory.mktemp("ocr-recall")
    (root / "docs").mkdir()
    docs = {**{f"scan{i}": text for i, (_, text) in enumerate(LOST_MARKS)}, **OTHERS}
    docs.update({f"filler{i}": text for i, text in enumerate(FILLER)})
    for doc_id, body in docs.items():
        (root / "docs" / f"{doc_id}.txt").write_text(f"รายงานการประชุม {doc_id}\n\n{body}\n", encoding="utf-8")
    report = pipeline.run([root / "docs"], root / "index", full=True, progress=False)
    assert report.failed == 0, report.failures
    return Searcher(Index(root / "index"))


@pytest.mark.parametrize("i", range(len(LOST_MARKS)))
def test_a_record_missing_one_query_word_is_found_by_the_others(scans, i):
    query, _ = LOST_MARKS[i]
    r = scans.search(SearchRequest(q=query, limit=10))
    assert f"scan{i}.txt" in [h.id for h in r.hits], (query, r.total)
    assert any(n.code == "tone_mark_dropped" for n in r.notices)  # honest: the result says how it matched


def test_junk_syllables_are_still_matched_as_typed(scans):
    """The gibberish rule keeps its purpose: syllables that make no word bring in nothing."""
    for junk in ("กำพูชา", "มิฮริง", "ระดับฮุกจาด"):
        assert scans.search(SearchRequest(q=junk, limit=10)).total == 0, junk
