"""The Typesense rows are made in the indexer's workers (issue 16, branch ``tsidx``).

The writer declares the prepared form ``"rows"``; ``prepare`` calls its
``prepared_rows`` and the writer only joins the bytes and imports them.  These
tests hold the rows to what the writer used to send (the same fields, values
and stored document), check that they travel as UTF-8 (the client escaped Thai
as ``\\uXXXX``, twice the bytes), that a text UTF-8 cannot carry still indexes,
that documents indexed through the worker pool read back as the Whoosh engine
holds them, and that a row Typesense refuses fails the commit naming the
document.  Real 3-node cluster (``tests/typesense_util.py``) where one is needed.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.prepare import PrepareTask, prepare
from kb import analysis
from kb.engine import IndexWriteFailed, open_index, open_writer
from kb.engine.metadata import meta_bytes
from kb.engine.typesense_rows import TypesenseRows, packed_rows, prepared_rows, scan_bytes, stored_document, typesense_id
from kb.engine.typesense_terms import encode_text
from kb.models import Document, RawDocument
from tests import typesense_util

typesense = pytest.importorskip("kb.engine.typesense")


def _raw(n: int, text: str = "") -> RawDocument:
    return RawDocument(title=f"แผนป้องกันยาเสพติด ฉบับที่ {n}", id=f"rows/{n}",
                       text=text or f"จังหวัดเชียงรายจัดประชุมการค้ามนุษย์ \"ชายแดน\" ครั้งที่ {n}\nพ.ศ. 2566 มาตรการ\tใหม่",
                       source=f"src/rows-{n}.txt")


def _old_rows(doc: Document, body, title, scan: bytes, seq: int) -> list[dict]:
    """What the writer sent before the rows moved to the workers (its ``add`` and ``_import``)."""
    tsid = typesense_id(doc.id)
    main = {"id": tsid, "kid": doc.id, "title": encode_text(title.words), "words": encode_text(body.words),
            "meta": meta_bytes(doc).decode("utf-8"), "wlen": len(body.words), "tlen": len(title.words), "seq": seq}
    return [main, {"id": tsid, "doc": json.dumps(doc.to_dict(), ensure_ascii=False)},
            {"id": tsid, "scan": scan.decode("latin-1")}]


def test_the_writer_declares_rows_and_a_new_collection_is_packed():
    assert typesense.TypesenseWriter.prepared_forms == {"scan", "rows"}
    config = typesense_util.cluster().config(typesense_util.fresh_collection())
    writer = open_writer(Path("-"), config)
    assert writer.settings["layout"] == "ts-3" and writer.packed and writer.prepared_rows is packed_rows
    writer.abort()


def test_a_kb_that_reads_only_plain_values_refuses_a_packed_collection(monkeypatch):
    """An older kb's check (layout ts-2 only) meets a ts-3 collection: the clear
    "run `kb index --full`" refusal, never a packed value decoded as JSON."""
    from kb.engine import IndexMissing

    config = typesense_util.cluster().config(typesense_util.fresh_collection())
    writer = open_writer(Path("-"), config)
    d = Document(id="p/1", title="ก", text="ชายแดน", content_hash="h")
    writer.add(d, analysis.analyze(d.text), analysis.analyze(d.title), analysis.scan_form(d.text), new=True)
    writer.close()
    monkeypatch.setattr(typesense, "LAYOUTS_READ", ("ts-2",))
    with pytest.raises(IndexMissing, match="kb index --full"):
        open_index(Path("-"), config).snapshot()


def test_packed_rows_hold_the_same_document_and_scan_form_in_fewer_bytes():
    for n in range(3):
        raw = _raw(n, text=_raw(n).text * 20)
        p = prepare(PrepareTask(raw, raw.id, "h", True, postings=False))
        plain, packed = prepared_rows(p.doc, p.body, p.title, p.scan), packed_rows(p.doc, p.body, p.title, p.scan)
        assert packed.main == plain.main
        assert stored_document(json.loads(packed.doc)["doc"], True) == p.doc.to_dict()
        assert stored_document(json.loads(plain.doc)["doc"], False) == p.doc.to_dict()
        assert scan_bytes(json.loads(packed.scan)["scan"], True) == p.scan == scan_bytes(json.loads(plain.scan)["scan"], False)
        assert len(packed.doc) + len(packed.scan) < 0.5 * (len(plain.doc) + len(plain.scan))
    assert scan_bytes("", True) == b"" and json.loads(packed_rows(p.doc, p.body, p.title, b"").scan)["scan"] == ""


def test_rows_made_in_prepare_equal_what_the_writer_sent():
    for n in range(5):
        raw = _raw(n)
        task = PrepareTask(raw, raw.id, f"h{n}", True, postings=False)
        plain = prepare(task)
        slim = prepare(PrepareTask(raw, raw.id, f"h{n}", True, postings=False, rows=prepared_rows))
        assert isinstance(slim.stored, TypesenseRows) and slim.body is None and slim.title is None
        assert slim.doc.text == "" and slim.doc.title == "" and slim.doc.id == plain.doc.id
        rows = slim.stored
        got = [json.loads(rows.main_row(7)), json.loads(rows.doc), json.loads(rows.scan)]
        assert got == _old_rows(plain.doc, plain.body, plain.title, plain.scan, 7)
        assert json.loads(got[1]["doc"]) == plain.doc.to_dict()


def test_rows_travel_as_utf8_not_escapes():
    raw = _raw(1, text=_raw(1).text * 20)  # a release's length: its Thai text outweighs the metadata
    doc = prepare(PrepareTask(raw, raw.id, "h", True, postings=False)).doc
    rows = prepared_rows(doc, analysis.analyze(doc.text), analysis.analyze(doc.title), analysis.scan_form(doc.text))
    assert "จังหวัดเชียงราย".encode("utf-8") in rows.doc and b"\\u0e" not in rows.doc
    escaped = json.dumps({"id": typesense_id(doc.id), "doc": json.dumps(doc.to_dict(), ensure_ascii=False)}).encode()
    assert len(rows.doc) < 0.6 * len(escaped)
    assert b"\\u00" not in rows.scan


def test_a_text_utf8_cannot_carry_still_makes_a_valid_row():
    raw = _raw(2, text="ข้อความ \ud800 ที่เสีย ชายแดน")
    doc = prepare(PrepareTask(raw, raw.id, "h", True, postings=False)).doc
    for make, packed in ((prepared_rows, False), (packed_rows, True)):
        rows = make(doc, analysis.analyze(doc.text), analysis.analyze(doc.title), b"")
        rows.doc.decode("utf-8")  # valid UTF-8 (the escapes kept)
        assert stored_document(json.loads(rows.doc)["doc"], packed)["text"] == doc.text


def _records(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            raw = _raw(i)
            f.write(json.dumps({"id": f"rec-{i}", "title": raw.title, "text": raw.text + f" เลข{i}"}, ensure_ascii=False) + "\n")


def test_documents_written_through_the_worker_pool_read_back_as_the_embedded_engine_holds_them(tmp_path):
    """Enough documents for the pool (from the third window of 64): the rows cross a process boundary."""
    from indexer import pipeline
    from kb.engine import Index

    source = tmp_path / "records.jsonl"
    _records(source, 260)
    config = typesense_util.cluster().config(typesense_util.fresh_collection())
    report = pipeline.run([source], tmp_path / "lock", progress=False, engine=config, procs=2)
    assert report.added == 260 and not report.failures
    whoosh = pipeline.run([source], tmp_path / "whoosh", progress=False, procs=2)
    assert whoosh.added == 260
    ts_index, wh_index = open_index(Path("-"), config), Index(tmp_path / "whoosh")
    snap = ts_index.snapshot()
    assert set(snap.by_id) == {f"rec-{i}" for i in range(260)}
    for i in (0, 130, 259):
        assert ts_index.document(f"rec-{i}") == wh_index.document(f"rec-{i}")
    assert snap.scan_forms() and all(form for _, form in snap.scan_forms())


def test_a_row_typesense_refuses_fails_the_commit_naming_the_document():
    config = typesense_util.cluster().config(typesense_util.fresh_collection())
    writer = open_writer(Path("-"), config)
    good = prepared_rows(Document(id="good", title="ก", text="ข", content_hash="h"),
                         analysis.analyze("ข"), analysis.analyze("ก"), b"")
    bad = TypesenseRows(kid="bad/1", main=b'{"id":"x1","kid":"bad/1","wlen":"not a number"', doc=good.doc.replace(b"good", b"bad"),
                        scan=good.scan)
    writer.add(Document(id="bad/1", title="", text=""), None, None, stored=bad)
    with pytest.raises(IndexWriteFailed, match="bad/1"):
        writer.commit()
    writer.abort()


def test_a_collection_an_older_kb_wrote_plain_is_read_and_written_on_plain():
    """Before packing, the side values were plain (layout ts-2): such a collection keeps
    working, and an incremental run adds plain rows to it instead of rebuilding."""
    config = typesense_util.cluster().config(typesense_util.fresh_collection())
    old = open_writer(Path("-"), config)
    old.settings["layout"] = "ts-2"  # what an older kb wrote with its commits
    old.packed, old.prepared_rows = False, prepared_rows
    docs = [Document(id=f"old/{i}", title=f"เอกสาร {i}", text=f"ชายแดน การค้ามนุษย์ ฉบับที่ {i}", content_hash=f"h{i}") for i in range(3)]
    for d in docs[:2]:
        old.add(d, analysis.analyze(d.text), analysis.analyze(d.title), analysis.scan_form(d.title + "\n" + d.text), new=True)
    old.close()
    new = open_writer(Path("-"), config)
    assert not new.rebuild and not new.packed and new.prepared_rows is prepared_rows
    d = docs[2]
    new.add(d, analysis.analyze(d.text), analysis.analyze(d.title), analysis.scan_form(d.title + "\n" + d.text), new=True)
    new.close()
    index = open_index(Path("-"), config)
    snap = index.snapshot()
    assert not snap.packed and set(snap.by_id) == {d.id for d in docs}
    for d in docs:
        assert index.document(d.id).text == d.text
    assert sorted(form for _, form in snap.scan_forms()) == sorted(analysis.scan_form(d.title + "\n" + d.text) for d in docs)
