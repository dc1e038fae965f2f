"""The writer's merge policy: segments of a useful size are kept as they are
(a full build no longer rewrites two thirds of the corpus mid-run), while
small segments, too many segments and segments mostly deleted are merged.

The thresholds are lowered for the test (they are the policy's parameters,
not what is tested); the writer, Whoosh and the documents are real.
"""
from __future__ import annotations

import pytest
from whoosh import index as whoosh_index

from kb import analysis
from kb.engine import generations as gens
from kb.engine import open_index, whoosh_codec
from kb.engine.whoosh import IndexWriter
from kb.models import Document


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch):
    monkeypatch.setattr(whoosh_codec, "SMALL_SEGMENT_DOCS", 3)
    monkeypatch.setattr(whoosh_codec, "MAX_SMALL_SEGMENTS", 2)
    monkeypatch.setattr(whoosh_codec, "MAX_SEGMENTS", 4)


def _add(writer: IndexWriter, n: int, start: int) -> None:
    for i in range(start, start + n):
        text = f"การประชุมครั้งที่ {i} เรื่องความมั่นคงชายแดน"
        d = Document(id=f"d{i}", title=f"ประชุม {i}", text=text, content_hash=f"h{i}", source=f"src/d{i}")
        writer.add(d, analysis.analyze(text), analysis.analyze(d.title), analysis.scan_form(text), new=True)


def _segment_sizes(root) -> list[int]:
    ix = whoosh_index.open_dir(str(gens.current_generation(root)))
    return sorted(s.doc_count_all() for s in ix._segments())


def _ids(root) -> set[str]:
    snap = open_index(root).snapshot()
    return {snap.docs[d].id for d in snap.docs}


def test_segments_of_a_useful_size_are_kept_until_there_are_too_many(tmp_path):
    root = tmp_path / "ix"
    writer = IndexWriter(root, rebuild=True)
    for batch in range(4):
        _add(writer, 5, batch * 5)
        writer.commit()
    assert _segment_sizes(root) == [5, 5, 5, 5]  # Whoosh's default would have merged by now
    _add(writer, 5, 20)
    writer.commit()
    assert _segment_sizes(root) == [5, 5, 5, 5, 5]
    _add(writer, 5, 25)
    writer.commit()  # five kept ones are more than 4: the smallest half joins the new segment
    sizes = _segment_sizes(root)
    assert len(sizes) == 4 and sum(sizes) == 30
    writer.close()
    assert _ids(root) == {f"d{i}" for i in range(30)}


def test_small_segments_and_mostly_deleted_ones_are_merged(tmp_path):
    root = tmp_path / "ix"
    writer = IndexWriter(root, rebuild=True)
    _add(writer, 5, 0)
    writer.commit()
    for i in range(5, 8):  # three one-document runs: small segments tolerated (up to 2 before each commit)
        _add(writer, 1, i)
        writer.commit()
    assert _segment_sizes(root) == [1, 1, 1, 5]
    _add(writer, 1, 8)
    writer.commit()  # three small ones before it: merged with it
    assert _segment_sizes(root) == [4, 5]
    for i in range(4):
        writer.delete(f"d{i}")
    writer.commit()  # the first segment is mostly deleted: rewritten without them
    assert _segment_sizes(root) == [1, 4]
    writer.close()
    assert _ids(root) == {"d4", "d5", "d6", "d7", "d8"}
