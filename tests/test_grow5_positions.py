"""Issue 12, 4× growth, fifth step: phrase positions read from arrays beside each
segment (``kb.engine.positions``) give the same positions, phrase matches and scores
as Whoosh's decoding, after incremental runs, deletions and segment merges, and an
index without the files answers the same.

The corpus is generated at test time from a small vocabulary, so words repeat
within and across documents (a phrase's words at many positions, the same word
twice in a row); ``MIN_POSTINGS`` is lowered so that most terms are in the files.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from kb import query as kq
from kb.engine import positions as kpos
from kb.engine.array_search import flat_positions
from kb.engine.whoosh import open_index
from kb.engine.whoosh_codec import term_positions
from tests import webutil

VOCAB = ("การ", "ที่", "และ", "ได้", "มี", "ว่า", "เปิดเผย", "รัฐบาล", "ประเทศ", "ความ", "มั่นคง", "นโยบาย")


def _write_docs(folder: Path, rng: random.Random, names: range) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in names:
        title = " ".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 4)))
        body = " ".join(rng.choice(VOCAB) for _ in range(rng.randint(3, 120)))
        (folder / f"d{i:04d}.txt").write_text(f"{title}\n\n{body} zqdoc{i}\n", encoding="utf-8")


def _phrases(rng: random.Random, n: int) -> list[kq.Phrase]:
    out = []
    for _ in range(n):
        words = tuple(rng.choice(VOCAB) for _ in range(rng.choice([2, 2, 3])))
        if rng.random() < 0.15:
            words = (words[0], words[0])  # the same word twice: ว่า ว่า
        out.append(kq.Phrase(rng.choice(["words", "title"]), words, boost=rng.choice([1.0, 1.5])))
    return out


def _check(snap, rng: random.Random) -> None:
    everything = set(snap.docs)
    for q in _phrases(rng, 40):
        assert snap.matching(q) == snap.whoosh_matching(q), q
        within = everything if rng.random() < 0.5 else set(rng.sample(sorted(everything), max(1, len(everything) // 3)))
        got = snap.top(q, within, 20)
        want = sorted(snap.whoosh_top(q, within, len(within)), key=lambda ds: (-ds[1], ds[0]))[:20]
        assert [d for d, _ in got] == [d for d, _ in want], q
        assert np.allclose([s for _, s in got], [s for _, s in want]), q


def _check_positions(snap) -> int:
    """Each segment's files against Whoosh's decoding, term by term; the terms compared."""
    gen = snap.folder
    compared = 0
    reader = snap.searcher.reader()
    for seg_reader, _ in reader.leaf_readers():
        name = seg_reader.segment().segment_id()
        files = kpos.load_segment(gen, name, seg_reader.doc_count_all(), ("words", "title"))
        assert files is not None, name
        local = np.arange(seg_reader.doc_count_all(), dtype=np.int64)
        for field in ("words", "title"):
            for term in VOCAB:
                found = files[field].find(term.encode("utf-8"), local)
                if found is None:
                    continue
                want = flat_positions(term_positions(seg_reader, field, term, local), local.tolist())
                assert found[0].tolist() == want[0].tolist() and found[1].tolist() == want[1].tolist(), term
                compared += 1
    return compared


@pytest.fixture
def few_postings(monkeypatch):
    monkeypatch.setattr(kpos, "MIN_POSTINGS", 3)


def test_positions_files_answer_as_whoosh_through_runs_merges_and_deletions(tmp_path: Path, few_postings) -> None:
    rng = random.Random(5)
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    _write_docs(corpus, rng, range(60))
    webutil.pipeline.run([corpus], index_dir, progress=False)
    gen = index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    assert (gen / kpos.POS_DIR).is_dir()  # written by the writer, before any reader opens the index
    snap = open_index(index_dir).snapshot()
    assert _check_positions(snap) > 10
    _check(snap, rng)
    # small incremental runs: changed, new and deleted documents, until Whoosh merges segments
    for run in range(10):
        _write_docs(corpus, rng, range(60 + run * 3, 63 + run * 3))
        _write_docs(corpus, rng, range(run * 4, run * 4 + 2))
        (corpus / f"d{run * 5 + 2:04d}.txt").unlink(missing_ok=True)
        webutil.pipeline.run([corpus], index_dir, progress=False)
    snap = open_index(index_dir).snapshot()
    segments = [r.segment().segment_id() for r, _ in snap.searcher.reader().leaf_readers()]
    assert len(segments) < 11  # merged
    assert {p.name for p in (snap.folder / kpos.POS_DIR).iterdir()} == set(segments)  # stale files dropped
    assert _check_positions(snap) > 10
    assert snap.memory()["phrase_positions_on_disk"] > 0
    _check(snap, rng)


def test_an_index_without_the_files_answers_the_same(tmp_path: Path, few_postings, monkeypatch) -> None:
    rng = random.Random(9)
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    _write_docs(corpus, rng, range(80))
    webutil.pipeline.run([corpus], index_dir, progress=False)
    snap = open_index(index_dir).snapshot()
    queries = _phrases(rng, 40)
    with_files = [(snap.matching(q), snap.top(q, set(snap.docs), 10)) for q in queries]
    shutil.rmtree(snap.folder / kpos.POS_DIR)

    def cannot_write(*args, **kwargs):
        raise OSError("read-only")

    monkeypatch.setattr(kpos, "write_segment", cannot_write)
    bare = open_index(index_dir).snapshot()
    assert not (bare.folder / kpos.POS_DIR).exists() and bare.memory()["phrase_positions_on_disk"] == 0
    assert [(bare.matching(q), bare.top(q, set(bare.docs), 10)) for q in queries] == with_files
    monkeypatch.undo()
    monkeypatch.setattr(kpos, "MIN_POSTINGS", 3)
    rebuilt = open_index(index_dir).snapshot()  # made on first need
    assert (rebuilt.folder / kpos.POS_DIR).is_dir() and rebuilt.memory()["phrase_positions_on_disk"] > 0
    assert [(rebuilt.matching(q), rebuilt.top(q, set(rebuilt.docs), 10)) for q in queries] == with_files
