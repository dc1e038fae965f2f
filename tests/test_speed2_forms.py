"""Engines declare the prepared forms they read (issue 16): the indexer makes only those.

A Typesense writer reads the words, not Whoosh's encoded postings; fed the
``Analysis`` it must build the very fields it built from the postings, and the
pipeline must hand each engine the forms it declares.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer import readers
from indexer.batches import BatchWriter
from indexer.prepare import PrepareTask, prepare
from kb.analysis import Analysis
from kb.engine import IndexWriter, Postings
from kb.engine.base import EngineWriter
from test_index_speed import _segment_files  # the segment files of an index, by role

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _raws(limit: int = 40):
    out = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix.lower() in (".txt", ".html", ".md"):
            out.extend(r for r in readers.read(path) if not hasattr(r, "reason"))
        if len(out) >= limit:
            break
    return out[:limit]


def test_whoosh_reads_postings_and_scan_typesense_words_and_scan():
    assert IndexWriter.prepared_forms == {"postings", "scan", "stored"}
    assert EngineWriter.prepared_forms == {"postings", "scan"}
    typesense = pytest.importorskip("kb.engine.typesense")
    assert typesense.TypesenseWriter.prepared_forms == {"scan", "rows"}  # rows: tests/test_tsidx_rows.py


def test_typesense_fields_from_words_equal_fields_from_postings():
    typesense = pytest.importorskip("kb.engine.typesense")
    raws = _raws()
    assert raws, "the bundled corpus holds documents"
    for raw in raws:
        encoded = prepare(PrepareTask(raw, raw.id, "h", True))
        plain = prepare(PrepareTask(raw, raw.id, "h", True, postings=False))
        assert isinstance(encoded.body, Postings) and isinstance(plain.body, Analysis)
        assert isinstance(plain.title, Analysis)
        assert plain.scan == encoded.scan and plain.doc.to_dict() == encoded.doc.to_dict()
        for a, b in ((plain.body, encoded.body), (plain.title, encoded.title)):
            assert typesense.field_codes(a) == typesense.field_codes(b)


class _Recorder:
    """A writer that records what it was given (the pipeline's side of the contract)."""

    def __init__(self, forms: frozenset[str], subword: bool = True):
        self.prepared_forms, self.subword, self.pending, self.added = forms, subword, 0, []

    def add(self, doc, body, title, scan=b"", *, new=False):
        self.added.append((body, title, scan))
        self.pending += 1

    def commit(self):
        self.pending = 0


class _Inline:
    def submit(self, tasks):
        results = [prepare(t) for t in tasks]
        return type("Done", (), {"get": lambda self: results})()


@pytest.mark.parametrize(
    "forms, body_type, has_scan",
    [(frozenset({"postings", "scan"}), Postings, True), (frozenset({"scan"}), Analysis, True), (frozenset(), Analysis, False)],
)
def test_pipeline_hands_each_engine_its_forms(forms, body_type, has_scan):
    from indexer.changes import Change
    from indexer.report import Report

    writer = _Recorder(forms)
    batches = BatchWriter(writer, _Inline(), Report(), 1000, 1000.0)
    for raw in _raws(5):
        batches.add(Change(raw=raw, doc_id=raw.id, content_hash="h", is_update=False))
    batches.finish()
    assert len(writer.added) == 5
    for body, title, scan in writer.added:
        assert isinstance(body, body_type) and isinstance(title, body_type)
        assert bool(scan) == has_scan


@pytest.mark.parametrize("merge", [False, True])
def test_stored_form_made_by_workers_writes_the_same_segment_files(tmp_path, merge):
    """The stored column from ``stored_form`` (a worker's pickle and zlib) is byte for byte
    what the writer made from the whole document, for new and merged segments."""
    from whoosh import index

    from kb.engine import whoosh_codec, whoosh_writer
    from kb.engine.metadata import meta_bytes

    raws = _raws(60)
    plain = [prepare(PrepareTask(r, f"doc/{i}", "h", True)) for i, r in enumerate(raws)]
    slim = [prepare(PrepareTask(r, f"doc/{i}", "h", True, stored=True)) for i, r in enumerate(raws)]
    assert all(p.doc.text == "" and p.stored is not None for p in slim)
    out = {}
    for label, docs in (("plain", plain), ("stored", slim)):
        folder = tmp_path / label
        folder.mkdir()
        ix = index.create_in(str(folder), whoosh_codec.make_schema())
        for batch in (docs[:25], docs[25:]):
            w = whoosh_writer.SegmentWriter(ix, limitmb=256)
            for p in batch:
                w.add_document(id=p.doc.id, title=p.title, words=p.body, source=p.doc.source or "",
                               meta=p.stored.meta if p.stored else meta_bytes(p.doc), scan=p.scan,
                               doc=p.stored or p.doc.to_dict())
            w.commit(merge=False)
        if merge:
            w = whoosh_writer.SegmentWriter(ix, limitmb=256)
            w.commit(optimize=True)
        out[label] = _segment_files(folder)
        with index.open_dir(str(folder)).searcher() as s:
            fields = [s.stored_fields(n) for n in range(s.doc_count_all())]
            stored = {f["id"]: f["doc"] for f in fields}
        assert stored == {p.doc.id: p.doc.to_dict() for p in plain}
    assert [[n for n in a if a[n] != b.get(n)] for a, b in zip(out["stored"], out["plain"])] == [[] for _ in out["plain"]]
    assert out["stored"] == out["plain"]


def test_index_writer_takes_the_stored_form(tmp_path):
    from kb import analysis
    from kb.engine import Index

    raws = _raws(10)
    w = IndexWriter(tmp_path / "ix", rebuild=True, settings={"analysis": analysis.signature(), "subword": True})
    for i, r in enumerate(raws):
        p = prepare(PrepareTask(r, f"doc/{i}", "h", True, stored=True))
        w.add(p.doc, p.body, p.title, p.scan, new=True, stored=p.stored)
    w.close()
    ix = Index(tmp_path / "ix")
    for i, r in enumerate(raws):
        want = prepare(PrepareTask(r, f"doc/{i}", "h", True)).doc
        assert want.text and ix.document(f"doc/{i}") == want


def test_pool_workers_store_the_bytes_the_writer_made(tmp_path, monkeypatch):
    """Through the worker pool, documents cross a process boundary: the stored form made
    in a worker must be the bytes the writer made from the received document (pickling
    interns attribute names, so a "meeting" type and the ``meeting`` attribute are one
    string in the worker and two in the writer).  Meeting records repeated with new ids
    make the run long enough for the pool."""
    import json

    from indexer import pipeline
    from kb.engine import generations

    raws = [r for r in _raws(200) if "meeting" in str(r.source)] or _raws(20)
    source = tmp_path / "records.jsonl"
    with open(source, "w", encoding="utf-8") as f:
        for i in range(320):
            r = raws[i % len(raws)]
            f.write(json.dumps({"id": f"m{i}", "title": r.title, "text": r.text, "type": "meeting"}, ensure_ascii=False) + "\n")
    built = {}
    for label, forms in (("stored", IndexWriter.prepared_forms), ("plain", frozenset({"postings", "scan"}))):
        monkeypatch.setattr(IndexWriter, "prepared_forms", forms)
        report = pipeline.run([source], tmp_path / label, full=True, progress=False, procs=2)
        assert report.added == 320 and not report.failures
        built[label] = _segment_files(generations.current_generation(tmp_path / label))
    assert built["stored"] == built["plain"]
