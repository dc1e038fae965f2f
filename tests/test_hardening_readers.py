"""Hardening at the reader boundary (issue 18 items 1, 4, 7, 12) and the reader registry.

Every hostile input is built here at test time: PDFs are written byte by byte
(a ToUnicode map that yields a lone surrogate, 2,000 pages of no-op operators),
gzip bombs are made of repeated gzip members, so the repository holds no
opaque files and each case says exactly what it is made of.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from indexer import readers
from indexer.readers import (
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    Budget,
    ReaderSpec,
    clean_text,
    is_bulk,
    read,
    unreadable_reason,
)
from indexer.readers import pdf as pdf_reader
from indexer.readers.lines import LineLimits, bounded_lines
from indexer.readers.registry import READER_MODULES
from kb.models import Failure, RawDocument

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MIB = 1024 * 1024
BODY_TH = "ที่ประชุมหารือเรื่องการป้องกันยาเสพติดตามแนวชายแดนภาคเหนือ"


def kb(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real ``kb`` command, with a strict UTF-8 stdout (a lone surrogate would kill it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([PYTHON, "-m", "kb.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def documents(items) -> list[RawDocument]:
    return [item for item in items if isinstance(item, RawDocument)]


def failures(items) -> list[Failure]:
    return [item for item in items if isinstance(item, Failure)]


# --------------------------------------------------------------------------- PDFs by hand


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF whose object i+1 has the body objects[i]; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_stream(data: bytes, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
    extra = b" /Filter /FlateDecode" if flate else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_with_pages(contents: list[int], streams: list[bytes], extra: list[bytes] = ()) -> bytes:
    """Pages whose content is object number contents[i]; ``streams`` become objects 4..;
    object 3 is a Helvetica font with the ToUnicode map in ``extra`` (if any)."""
    first_page = 4 + len(streams) + len(extra)
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(contents)))
    to_unicode = b" /ToUnicode %d 0 R" % (4 + len(streams)) if extra else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica%s >>" % to_unicode,
        *streams,
        *extra,
    ]
    for content in contents:
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content)
    return pdf_bytes(objects)


def surrogate_pdf() -> bytes:
    """One page "Plan BAB ..." whose font's ToUnicode map turns the code of A into U+D800."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"1 beginbfchar <41> <D800> endbfchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end")
    content = b"BT /F1 24 Tf 72 700 Td (Plan BAB security policy) Tj ET"
    return pdf_with_pages([4], [pdf_stream(content)], [pdf_stream(cmap)])


def no_op_bomb_pdf(pages: int = 2000, operators: int = 900_000) -> bytes:
    """A small file whose every page points at one stream of ``operators`` no-op ``n`` operators."""
    content = b"BT /F1 12 Tf 72 700 Td (bomb) Tj ET\n" + b"n\n" * operators
    return pdf_with_pages([4] * pages, [pdf_stream(content, flate=True)])


# --------------------------------------------------------------------------- registry


def test_every_reader_module_declares_itself_and_suffixes_come_from_the_declarations() -> None:
    specs = [__import__(f"indexer.readers.{name}", fromlist=["READER"]).READER
             for name in READER_MODULES]
    assert all(isinstance(spec, ReaderSpec) for spec in specs)
    assert readers.SUFFIXES == tuple(s for spec in specs for s in spec.suffixes)
    assert [spec.name for spec in specs if spec.bulk] == ["jsonl"]
    assert all(spec.seconds > 0 for spec in specs)


def test_is_bulk_and_size_limits_follow_the_declarations(tmp_path: Path) -> None:
    assert is_bulk(Path("dump.JSONL.gz")) and is_bulk(Path("a.jsonl"))
    assert not is_bulk(Path("a.pdf")) and not is_bulk(Path("a.gz"))
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(17 * MIB)  # sparse: no disk spent
    assert "file too large (17.0 MB; the limit is 16 MB)" == unreadable_reason(big)
    big_pdf = big.rename(tmp_path / "big.pdf")
    assert unreadable_reason(big_pdf) is None  # a PDF may be big because of its images
    bulk = big_pdf.rename(tmp_path / "big.jsonl")
    assert unreadable_reason(bulk) is None  # streamed under per-line limits
    os.mkfifo(tmp_path / "pipe.txt")
    assert "not a regular file" in unreadable_reason(tmp_path / "pipe.txt")


def test_asking_about_a_text_file_loads_no_pdf_or_html_library() -> None:
    code = ("import sys; from pathlib import Path; from indexer.readers import reader_for, read;"
            "assert reader_for(Path('a.txt')) is not None;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pypdf', 'bs4', 'lxml')))")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- item 1: valid text


def test_clean_text_replaces_lone_surrogates_and_removes_xml_illegal_controls() -> None:
    dirty = "a\ud800b\udfffc\x00d\x01\x08e\x1b\x1ff\ufffe\uffffg\tkeep\nlines\r\x0cpage"
    clean = clean_text(dirty)
    assert clean == "a\ufffdb\ufffdcdefg\tkeep\nlines\r\npage"
    clean.encode("utf-8")  # strict: raises on any surrogate left


def test_pdf_whose_tounicode_map_yields_a_lone_surrogate_reads_as_valid_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(surrogate_pdf())
    (doc,) = list(read(path))
    assert isinstance(doc, RawDocument), doc
    assert "B\ufffdB security policy" in doc.text
    (doc.title + doc.text).encode("utf-8")


def test_txt_and_html_with_control_bytes_read_without_them(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(f"หัวข้อ\x01ข่าว\n{BODY_TH}\x1b ต่อ\x7f".encode())
    (tmp_path / "b.html").write_bytes(
        f"<html><head><title>ข่าว\x02หนึ่ง</title></head><body><p>{BODY_TH}\x03 &#1; &#xD800;</p>"
        "</body></html>".encode())
    for name in ("a.txt", "b.html"):
        (doc,) = list(read(tmp_path / name))
        assert isinstance(doc, RawDocument), doc
        for value in (doc.title, doc.text):
            assert clean_text(value) == value, repr(value)
            value.encode("utf-8")


def test_jsonl_surrogate_escapes_in_fields_are_repaired_but_a_bad_id_fails_its_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join([
        '{"id": "a", "title": "x\\ud800y", "text": "ข่าว \\udc00 หนึ่ง", "url": "http://a/\\ud800"}',
        '{"id": "b\\ud800", "text": "ข่าวสอง"}',
        '{"id": "c\\u0001", "text": "ข่าวสาม"}',
        '{"id": "d", "text": "ข่าวสี่"}',
    ]), encoding="utf-8")
    items = list(read(path))
    assert [d.id for d in documents(items)] == ["a", "d"]
    first = documents(items)[0]
    assert (first.title, first.text, first.url) == ("x\ufffdy", "ข่าว \ufffd หนึ่ง", "http://a/\ufffd")
    assert [(f.source, f.reason) for f in failures(items)] == [
        (f"{path}:2", "line 2: field 'id' is not valid Unicode (lone surrogate)"),
        (f"{path}:3", "line 3: field 'id' holds a control character"),
    ]


# --------------------------------------------------------------------------- item 4: one line fails


def test_any_bad_value_in_one_jsonl_line_fails_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join([
        '{"id": 1, "text": "ข่าวหนึ่ง"}',
        '{"id": 2, "text": "ข่าวสอง", "views": ' + "9" * 5000 + "}",  # over int's digit limit
        '{"id": "' + "x" * 600 + '", "text": "ข่าวสาม"}',
        '{"id": 4, "text": "ข่าวสี่"}',
    ]), encoding="utf-8")
    items = list(read(path))
    assert [d.id for d in documents(items)] == ["1", "4"]
    assert [f.source for f in failures(items)] == [f"{path}:2", f"{path}:3"]
    assert "broken JSON" in failures(items)[0].reason
    assert "too long" in failures(items)[1].reason


# --------------------------------------------------------------------------- item 12: field caps


def test_every_stored_field_is_capped_at_the_reader_boundary(tmp_path: Path) -> None:
    title = "หัวข้อ " * 550_000  # 3.85 M characters
    (tmp_path / "page.html").write_text(
        f"<html><head><title>{title}</title></head><body><p>{BODY_TH}</p></body></html>", "utf-8")
    (tmp_path / "dump.jsonl").write_text(json.dumps({
        "id": "r1", "title": title, "text": BODY_TH, "url": "https://x.go.th/" + "a" * 5000,
        "date": "2567-01-01" * 50, "type": "news" * 100}, ensure_ascii=False) + "\n", "utf-8")
    for name in ("page.html", "dump.jsonl"):
        (doc,) = list(read(tmp_path / name))
        assert isinstance(doc, RawDocument), doc
        assert 0 < len(doc.title) <= MAX_TITLE_CHARS and doc.title.endswith("…")
        assert doc.url is None or len(doc.url) <= MAX_URL_CHARS
    assert (doc.url, doc.date_hint, doc.type_hint) == (None, None, None)


# --------------------------------------------------------------------------- item 7: time and memory


def test_pdf_of_2000_pages_of_no_op_operators_fails_alone_and_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(no_op_bomb_pdf())
    assert path.stat().st_size < 400_000
    started = time.monotonic()
    (failure,) = list(read(path))
    assert time.monotonic() - started < 30
    assert isinstance(failure, Failure)
    assert "page content over the 1 MB limit" in failure.reason


def test_pdf_reading_stops_at_its_time_budget(tmp_path: Path) -> None:
    # Pages under the content limit that are still slow to parse: each its own stream.
    streams = [pdf_stream(b"BT /F1 12 Tf 72 700 Td (p%d) Tj ET\n" % i + b"n\n" * 400_000, flate=True)
               for i in range(8)]
    path = tmp_path / "slow.pdf"
    path.write_bytes(pdf_with_pages(list(range(4, 12)), streams))
    started = time.monotonic()
    (failure,) = list(pdf_reader.read(path, budget=Budget(0.5)))
    assert time.monotonic() - started < 8
    assert isinstance(failure, Failure)
    assert failure.reason == "reading took longer than the 0.5 s budget for one file"


def test_budget_does_not_count_time_the_caller_spends_between_records() -> None:
    budget = Budget(0.2)
    with budget.paused():
        time.sleep(0.3)
    budget.check()  # the pause is not the reader's time
    assert budget.spent < 0.2


def test_bounded_lines_split_across_chunks_and_skip_an_overlong_line_without_keeping_it() -> None:
    data = b"first\n" + b"x" * 200_000 + b"\n\n  \n" + b"y" * 70_000 + b"\nlast"
    lines = list(bounded_lines(io.BytesIO(data), Budget(10), LineLimits(line_bytes=100_000)))
    assert [(line.number, line.data[:5] if line.data else None, line.length) for line in lines] == [
        (1, b"first", 5), (2, None, 200_000), (5, b"yyyyy", 70_000), (6, b"last", 4)]


def gzip_members(*parts: tuple[bytes, int]) -> bytes:
    """Concatenated gzip members: each (block, times) compressed once and repeated."""
    out = bytearray()
    for block, times in parts:
        out += gzip.compress(block, 9) * times
    return bytes(out)


def test_jsonl_gz_expanding_to_blank_lines_fails_quickly(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl.gz"
    path.write_bytes(gzip_members((b"\n" * (16 * MIB), 13)))  # 208 MB of blank lines
    assert path.stat().st_size < 400_000
    started = time.monotonic()
    items = list(read(path))
    assert time.monotonic() - started < 10
    assert [f.reason for f in items] == ["more than 100,000 blank lines (stopped at line 100,001)"]


def test_jsonl_gz_with_a_1_gb_line_fails_that_line_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl.gz"
    path.write_bytes(gzip_members(
        (b'{"id": "huge", "text": "', 1), (b"a" * (16 * MIB), 64), (b'"}\n', 1),
        (json.dumps({"id": "after", "text": BODY_TH}).encode() + b"\n", 1)))
    assert path.stat().st_size < 2 * MIB
    # the peak of this process's own memory (VmHWM): ru_maxrss survives exec, so a child
    # forked from a large pytest process (the whole suite) would report the parent's size
    code = (
        "import json, resource, sys; from indexer.readers import read;"
        "peak_mb = lambda: next((int(l.split()[1]) / 1024 for l in open('/proc/self/status')"
        " if l.startswith('VmHWM:')), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024);"
        "items = [(type(i).__name__, getattr(i, 'id', None), getattr(i, 'reason', None))"
        " for i in read(sys.argv[1])];"
        "print(json.dumps({'items': items,"
        " 'rss_mb': peak_mb()}))"
    )
    out = subprocess.run([PYTHON, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["rss_mb"] < 500, result
    assert result["items"] == [
        ["Failure", None, "line 1: longer than the 16 MB limit for one record (1,073,741,850 bytes)"],
        ["RawDocument", "after", None],
    ]


# --------------------------------------------------------------------------- the whole run


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """One real ``kb index`` over a folder of every hostile reader input, next to good files."""
    folder = tmp_path_factory.mktemp("hostile-readers")
    index = tmp_path_factory.mktemp("hostile-readers-index") / "index"
    (folder / "surrogate.pdf").write_bytes(surrogate_pdf())
    (folder / "bomb.pdf").write_bytes(no_op_bomb_pdf())
    (folder / "control.txt").write_bytes(f"ข่าว\x01ควบคุม\n{BODY_TH}\x1b".encode())
    (folder / "control.html").write_bytes(
        f"<html><head><title>ข่าว\x02เว็บ</title></head><body><p>{BODY_TH}\x03</p></body></html>".encode())
    (folder / "good.txt").write_text(f"ข่าวปกติ\n{BODY_TH}", "utf-8")
    (folder / "dump.jsonl").write_text("\n".join([
        '{"id": "j1", "title": "t\\ud800", "text": "ข่าว \\udc00 ชายแดน"}',
        '{"id": "j2\\ud800", "text": "ข่าวสอง"}',
        json.dumps({"id": "j3", "title": "ยาว " * 1_100_000, "text": BODY_TH}, ensure_ascii=False),
        '{"id": "j4", "text": "ข่าวหลังบรรทัดเสีย"}',
    ]), encoding="utf-8")
    started = time.monotonic()
    proc = kb("index", str(folder), "--index", str(index), "--json", "--no-progress", timeout=240)
    return proc, json.loads(proc.stdout or "{}"), index, folder, time.monotonic() - started


def test_one_hostile_file_or_line_fails_alone_and_the_run_commits_the_rest(hostile_run) -> None:
    proc, report, _, folder, seconds = hostile_run
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    failed = {f["source"]: f["reason"] for f in report["failures"]}
    assert set(failed) == {str(folder / "bomb.pdf"), f"{folder / 'dump.jsonl'}:2"}, failed
    assert report["added"] == 7
    assert seconds < 120


def test_after_a_hostile_run_every_page_api_export_and_feed_answers(hostile_run) -> None:
    from web import create_app

    index = hostile_run[2]
    client = create_app({"INDEX_DIR": str(index)}).test_client()
    listing = client.get("/api/search?limit=100")
    assert listing.status_code == 200
    ids = {hit["id"] for hit in listing.get_json()["hits"]}
    assert ids == {"surrogate.pdf", "control.txt", "control.html", "good.txt", "j1", "j3", "j4"}
    home = client.get("/")
    assert home.status_code == 200 and len(home.data) < 300_000  # a 4.4 M-character title is capped
    for url in ("/stats", "/export.json", "/api/stats"):
        assert client.get(url).status_code == 200, url
    rows = list(csv.reader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))
    assert len(rows) == 8
    ET.fromstring(client.get("/feed.atom").data)  # well-formed XML
    for doc_id in ids:
        assert client.get(f"/doc/{doc_id}").status_code == 200, doc_id
        stored = client.get(f"/api/documents/{doc_id}").get_json()
        assert len(stored["title"]) <= MAX_TITLE_CHARS
    assert "\ufffd" in client.get("/api/documents/surrogate.pdf").get_json()["text"]


def test_after_a_hostile_run_the_cli_prints_json_on_a_strict_utf8_stdout(hostile_run) -> None:
    proc = kb("search", "", "--json", "--limit", "100", "--index", str(hostile_run[2]))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(json.loads(proc.stdout)["hits"]) == 7
