"""The indexing speed-ups (issue 12) change how outputs are made, never the outputs.

kb's segment writer must write the files Whoosh's own writer writes, for new
documents and for merged segments; ``postings`` must encode what a plain
position list encodes; ``normalize``'s shortcut around NFKC must give NFKC's
string.  (``benchmarks/check_index_outputs.py`` runs the same comparisons,
old code against new, on thousands of ThaiGov releases.)
"""
from __future__ import annotations

import pickle
import random
import sys
import unicodedata
from pathlib import Path

import pytest
from whoosh import index, writing
from whoosh.reading import SegmentReader
from whoosh.system import pack_uint

from indexer import readers
from indexer.prepare import PrepareTask, prepare
from kb.engine import whoosh_codec, whoosh_writer
from kb.engine.metadata import meta_bytes
import kb.thai.normalize  # noqa: F401 - the module, whose name ``kb.thai`` rebinds to its function

NORMALIZE = sys.modules["kb.thai.normalize"]
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def prepared():
    docs = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix.lower() not in (".txt", ".html", ".md"):
            continue
        for raw in readers.read(path):
            if hasattr(raw, "reason"):
                continue
            out = prepare(PrepareTask(raw, path.name, "h", True))
            if not hasattr(out, "reason"):
                docs.append(out)
    assert len(docs) >= 40
    return docs


def _segment_files(folder: Path) -> list[dict[str, bytes]]:
    ix = index.open_dir(str(folder))
    out = []
    for seg in ix._segments():
        storage = seg.open_compound_file(ix.storage) if seg.is_compound() else ix.storage
        out.append({n.replace(seg.segment_id(), "SEG"): storage.open_file(n).read()
                    for n in storage.list() if seg.segment_id() in n})
    return out


def _write(folder: Path, make_writer, docs, *, merge_after: int | None = None) -> list[dict[str, bytes]]:
    """``docs`` through writers from ``make_writer``: in two commits and then one merge
    of both segments (Whoosh's ``add_reader`` path) when ``merge_after`` is set."""
    folder.mkdir()
    ix = index.create_in(str(folder), whoosh_codec.make_schema())
    batches = [docs] if merge_after is None else [docs[:merge_after], docs[merge_after:]]
    for batch in batches:
        w = make_writer(ix)
        for p in batch:
            w.add_document(id=p.doc.id, title=p.title, words=p.body, source=p.doc.source or "",
                           meta=meta_bytes(p.doc), scan=p.scan, doc=p.doc.to_dict())
        w.commit(merge=False)
    if merge_after is not None:
        w = make_writer(ix)
        for seg in ix._segments():
            reader = SegmentReader(ix.storage, ix.schema, seg)
            w.add_reader(reader)
            reader.close()
        w.commit(mergetype=lambda writer, segments: [])
    return _segment_files(folder)


def _whoosh(ix):
    return writing.SegmentWriter(ix, limitmb=256, codec=whoosh_codec.codec())


def _kb(ix):
    return whoosh_writer.SegmentWriter(ix, limitmb=256)


def test_kb_segment_writer_writes_whooshs_files(tmp_path, prepared):
    theirs = _write(tmp_path / "whoosh", _whoosh, prepared)
    ours = _write(tmp_path / "kb", _kb, prepared)
    assert len(ours) == 1 and set(ours[0]) == set(theirs[0])
    assert [name for name in theirs[0] if theirs[0][name] != ours[0][name]] == []


def test_kb_segment_writer_merges_into_whooshs_files(tmp_path, prepared):
    theirs = _write(tmp_path / "whoosh", _whoosh, prepared, merge_after=len(prepared) // 3)
    ours = _write(tmp_path / "kb", _kb, prepared, merge_after=len(prepared) // 3)
    assert len(ours) == 1 and ours == theirs


def test_small_pool_spills_to_disk_in_the_same_order(tmp_path, prepared):
    # a pool limit far below one commit's postings: Whoosh's sorted runs are merged back
    theirs = _write(tmp_path / "whoosh", lambda ix: writing.SegmentWriter(ix, limitmb=0.05, codec=whoosh_codec.codec()),
                    prepared)
    ours = _write(tmp_path / "kb", lambda ix: whoosh_writer.SegmentWriter(ix, limitmb=0.05), prepared)
    assert ours == theirs


def _plain_postings(terms: list[str]) -> list[tuple]:
    positions: dict[str, list[int]] = {}
    for pos, term in enumerate(terms):
        positions.setdefault(term, []).append(pos)
    return [(t.encode("utf-8"), len(p), float(len(p)),
             pack_uint(len(p)) + pickle.dumps([p[0]] + [b - a for a, b in zip(p, p[1:])], 2))
            for t, p in positions.items()]


def test_postings_encode_what_a_position_list_encodes():
    rnd = random.Random(12)
    vocabulary = ["การ", "ความมั่นคง", "ชายแดน", "a", "2567", "ยาเสพติด", "ที่", "ของ"]
    for _ in range(300):
        terms = [rnd.choice(vocabulary[: rnd.randint(1, len(vocabulary))]) for _ in range(rnd.randint(0, 400))]
        assert whoosh_codec.postings(terms).items == _plain_postings(terms)


def test_nfkc_shortcut_gives_nfkc():
    rnd = random.Random(7)
    # the three shortcut characters beside combining marks, other compatibility characters,
    # Hangul jamo that compose, and plain Thai
    alphabet = ["\u0e33", "\u00a0", "\u2026", "\u0e4d", "\u0e32", "\u0e48", "\u0e49", "\u0301", "\u0323", "a", " ",
                ".", "\u0e01", "\uff21", "\u00e9", "e", "\u1100", "\u1161", "\ufb01", "\u2460"]
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 10)))
        assert NORMALIZE._nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)


def test_postings_arrays_made_while_writing_equal_those_read_back(tmp_path, prepared):
    import shutil

    from kb.engine import arrays, whoosh as whoosh_engine

    root = tmp_path / "ix"
    writer = whoosh_engine.IndexWriter(root, rebuild=True, settings={"subword": True})
    half = len(prepared) // 2
    for i, p in enumerate(prepared):
        writer.add(p.doc, p.body, p.title, p.scan, new=True)
        if i + 1 == half:
            writer.commit()  # two segments
    writer.commit()
    cache = writer.gen / arrays.CACHE_DIR
    made = {p.relative_to(cache): p.read_bytes() for p in sorted(cache.rglob("*.npy"))}
    assert len({p.parts[0] for p in made}) == 2  # written at each commit, before close()
    shutil.rmtree(cache)
    writer.close()  # finds none: reads every segment back
    read_back = {p.relative_to(cache): p.read_bytes() for p in sorted(cache.rglob("*.npy"))}
    assert set(made) == set(read_back)
    assert [str(name) for name in made if made[name] != read_back[name]] == []
