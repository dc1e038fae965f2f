"""Issue 18 probed again with fresh eyes (qa_harden, 2026-12-07): the hostile queries,
ids, headers and indexing cases that still broke a request or a run, one test per
defect, each seen failing on the code before its fix.

Every input is built here at test time; searches run on the session index of the
bundled corpus with the real engine.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb.engine import Index
from kb.search.budget import WorkBudget
from kb.search.finder import Finder
from kb.search.params import DEFAULT_PARAMS
from kb.search.parsing import chunk
from kb.search import rewrite
from indexer.readers.text import parse_text

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


class CountingFinder(Finder):
    """The real finder, counting the index-word lookups made through it."""

    lookups = 0

    def doc_frequency(self, word: str) -> int:
        self.lookups += 1
        return super().doc_frequency(word)


@pytest.fixture(scope="module")
def finder(bundled_index: Path) -> CountingFinder:
    index = Index(bundled_index)
    return CountingFinder(index, index.snapshot(), DEFAULT_PARAMS, WorkBudget.start())


def test_joining_words_of_a_long_unspaced_clause_is_linear(finder):
    """999 × ก typed without a space (under the 1,000-character cap) once held a server
    thread for 10–30 s on 89 documents: the words of the clause were joined back into
    terms over every span, n²/2 lookups of strings up to n long.  A known term is at most
    a few words, so the lookups grow linearly with the words."""
    words = chunk("ก" * 999).words
    assert len(words) > 300
    finder.lookups = 0
    terms = rewrite._terms(finder, words)
    assert "".join(terms) == "".join(words)
    assert finder.lookups <= 10 * len(words), finder.lookups


def test_joining_still_finds_the_longest_known_term(finder):
    """The bound keeps what the joining is for: five segments of one thesaurus term
    (บัญชี|รับ|โอนเงิน|ผิดกฎหมาย) among other words come back as that term."""
    typed = "ข่าว" + "บัญชีรับโอนเงินผิดกฎหมาย" + "ชายแดน"
    terms = rewrite._terms(finder, chunk(typed).words)
    assert "บัญชีรับโอนเงินผิดกฎหมาย" in terms


# --------------------------------------------------------------------------- the Markdown reader

# Lines that made the Markdown reader's regular expressions scan the rest of the line once
# per marker (quadratic): at 96 KB a line of ``*a `` took 89 s, 16,000 spaces in a heading 7 s,
# and the reader's 30 s budget is checked only before and after the parse.
MARKDOWN_BOMBS = {
    "emphasis": "*a " * 40_000,
    "underscore": "_a " * 40_000,
    "bold": "**a " * 30_000,
    "strike": "~~a " * 30_000,
    "links": "[a" * 60_000,
    "images": "![a](" * 25_000,
    "angle urls": "<http://" * 15_000,
    "heading": "## a" + " \t" * 40_000 + "b",
}


def test_markdown_lines_built_to_backtrack_are_read_in_linear_time(tmp_path):
    """One .md file of such lines (about 1 MB, each over 100 KB) and the reader gives its
    document: on the code before, the child was still parsing when killed (hours of work)."""
    path = tmp_path / "bombs.md"
    path.write_text("# ชื่อเรื่องทดสอบ\n\n" + "\n\n".join(MARKDOWN_BOMBS.values()) + "\n\nคำท้ายเอกสาร\n", encoding="utf-8")
    code = ("import json, sys; from pathlib import Path; from indexer.readers import read;"
            "items = list(read(Path(sys.argv[1])));"
            "print(json.dumps([[type(i).__name__, getattr(i, 'title', ''), len(getattr(i, 'text', ''))] for i in items]))")
    try:
        out = subprocess.run([PYTHON, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the Markdown reader was still parsing 1 MB after two minutes")
    assert out.returncode == 0, out.stderr
    [[kind, title, size]] = json.loads(out.stdout)
    assert (kind, title) == ("RawDocument", "ชื่อเรื่องทดสอบ")
    assert size > 500_000


@pytest.mark.parametrize(("line", "flat"), [
    ("*a* **b** __c__ _d_ ~~e~~ [l](u) ![i](s) [r][x] <http://x.th> `c`", "a b c d e l i r http://x.th c"),
    ("## หัวข้อ ##", "หัวข้อ"), ("# ##", "##"), ("#######  x", "####### x"), ("  ### t ###  ", "t"),
    ("a*b*c", "a*b*c"), ("*ข้อ 1* และ *2", "ข้อ 1 และ *2"), ("x***b**", "x*b"), ("**a***", "a*"),
    ("* item *em*", "* item em"), ("[a](http://x/(b))", "a)"),
])
def test_markdown_flattening_is_unchanged_by_the_linear_patterns(line, flat):
    """The same flat text as before for every construct (and for all 34 .md and 18 .txt files
    of the corpus and shared data, compared by hand when the patterns changed)."""
    doc = parse_text("ชื่อ\n\n" + line, markdown=True)
    assert doc.text == flat


# --------------------------------------------------------------------------- the HTML reader


def test_an_html_page_of_nested_title_wrappers_is_read_in_linear_time(tmp_path):
    """30,000 nested ``<div class="title">`` around one long line (750 KB): each wrapper's
    text was asked for in turn (quadratic: 20,000 took 168 s, then failed its 60 s budget,
    which is checked only after the parse).  Now it is read, titled from the page's <title>."""
    n = 30_000
    page = tmp_path / "titles.html"
    page.write_text("<html><head><title>หัวเรื่องของหน้า</title></head><body>" + '<div class="title">' * n
                    + "ข้อความยาว " * 60 + "</div>" * n + "</body></html>", encoding="utf-8")
    code = ("import json, sys; from pathlib import Path; from indexer.readers import read;"
            "print(json.dumps([[type(i).__name__, getattr(i, 'title', ''), getattr(i, 'reason', '')] for i in read(Path(sys.argv[1]))]))")
    try:
        out = subprocess.run([PYTHON, "-c", code, str(page)], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the HTML reader was still reading a 750 KB page after two minutes")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [["RawDocument", "หัวเรื่องของหน้า", ""]]


def test_the_measured_text_length_is_get_texts_length():
    """The one-pass measure the title search now relies on equals ``get_text(" ", strip=True)``
    for every element of a page mixing text, whitespace, links, comments and ruby."""
    from bs4 import BeautifulSoup, Tag
    from bs4.element import PreformattedString
    from indexer.readers import html as html_reader

    soup = BeautifulSoup("<body><div class='title'> a <b>bb</b>\n<i> </i>c<!-- x --></div>"
                         "<p>ข่าว  <a href=x>ลิงก์ </a></p><ruby>漢<rt>kan</rt></ruby><div></div></body>", "lxml")
    for node in soup.find_all(string=lambda s: isinstance(s, PreformattedString)):
        node.extract()  # as the reader does before measuring
    spans = html_reader._measure(soup.body, set())
    checked = 0
    for tag in soup.body.find_all(True):
        if tag.interesting_string_types == Tag.MAIN_CONTENT_STRING_TYPES:
            assert max(spans[id(tag)].shown - 1, 0) == len(tag.get_text(" ", strip=True)), tag
            checked += 1
    assert checked >= 6


# --------------------------------------------------------------------------- waitress's own answers

RAW_REQUESTS = {
    "raw UTF-8 in the path": b"GET /doc/\xe0\xb9\x84 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "raw Latin-1 in the query": b"GET /api/search?q=\xff HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "a control byte in a header": b"GET / HTTP/1.1\r\nHost: localhost\r\nCookie: \x01\x02=x\r\nConnection: close\r\n\r\n",
    "a header line without a colon": b"GET / HTTP/1.1\r\nHost: localhost\r\nfoo\r\nConnection: close\r\n\r\n",
    "a lower-case method": b"get / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
}


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str]]:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    return int(head[0].split()[1]), headers


def test_requests_waitress_refuses_itself_get_a_400_with_the_security_headers(bundled_index, live_server):
    """Waitress answers these before the app (or the edge) sees them; its plain 400 had no
    CSP, nosniff or frame rules, breaking the promise of security headers on every response."""
    server = live_server(bundled_index, threads=2)
    for label, request in RAW_REQUESTS.items():
        status, headers = raw_exchange(server.port, request)
        assert status == 400, label
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), (label, headers)
        assert headers.get("x-content-type-options") == "nosniff", label


# --------------------------------------------------------------------------- the CLI


def test_a_query_holding_bytes_the_terminal_cannot_decode_is_searched_not_a_traceback(bundled_index):
    """``kb search $'ชาย\\xe0'``: the stray byte reaches ``sys.argv`` as a lone surrogate and the
    search died in the engine (``UnicodeEncodeError``, a traceback, exit 1).  It is searched as the
    site searches malformed UTF-8: the byte becomes U+FFFD."""
    query = "ชาย".encode() + b"\xe0"
    out = subprocess.run([PYTHON, "-m", "kb.cli", "search", query, "--index", str(bundled_index), "--json"],
                         capture_output=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    assert out.returncode == 0, out.stderr.decode(errors="replace")[-600:]
    assert b"Traceback" not in out.stderr
    assert json.loads(out.stdout)["query"] == "ชาย\ufffd"


# --------------------------------------------------------------------------- a file changing while read


def test_a_file_rewritten_between_its_hash_and_its_read_fails_and_never_sticks(tmp_path, monkeypatch):
    """A writer rewrites news.txt (version A → B) after kb hashed it and before the reader
    opened it; then the writer puts A back.  Before: B's text was stored under A's hash, so
    every later run found the file "unchanged" and the index kept B for good.  Now the file
    fails that run with its reason (the other files commit), and the next run reads A."""
    from indexer import pipeline, readers
    from kb.models import SearchRequest
    from kb.search import Searcher

    folder, index_dir = tmp_path / "docs", tmp_path / "index"
    folder.mkdir()
    news = folder / "news.txt"
    version_a, version_b = "ข่าวฉบับแรก\n\nเนื้อหา alphaversion", "ข่าวฉบับแก้\n\nเนื้อหา betaversion ที่ยาวกว่าเดิม"
    news.write_text(version_a, encoding="utf-8")
    (folder / "other.txt").write_text("ข่าวอื่น\n\nเนื้อหา othermarker", encoding="utf-8")
    real_read = readers.read

    def read_as_a_writer_strikes(path):  # the concurrent writer, at the moment of reading
        if Path(path) == news:
            news.write_text(version_b, encoding="utf-8")
        return real_read(path)

    monkeypatch.setattr(readers, "read", read_as_a_writer_strikes)
    report = pipeline.run([folder], index_dir, progress=False, procs=1)
    monkeypatch.setattr(readers, "read", real_read)
    assert [(Path(f.source).name, f.reason) for f in report.failures] == [
        ("news.txt", "the file changed while it was being read; run kb index again once it is complete")]
    news.write_text(version_a, encoding="utf-8")  # the writer puts A back
    pipeline.run([folder], index_dir, progress=False, procs=1)

    searcher = Searcher(Index(index_dir))
    assert [h.id for h in searcher.search(SearchRequest(q="othermarker")).hits] == ["other.txt"]
    assert [h.id for h in searcher.search(SearchRequest(q="alphaversion")).hits] == ["news.txt"]
    assert searcher.search(SearchRequest(q="betaversion")).total == 0


# --------------------------------------------------------------------------- ?section= within the budget


class CountingIndex(Index):
    """The real index, counting the stored documents read through it."""

    reads = 0

    def document_at(self, snap, docnum):
        self.reads += 1
        return super().document_at(snap, docnum)


def test_a_section_search_past_its_deadline_reads_no_more_records(bundled_index):
    """``?section=`` runs the highlighter over every matching record (the 44-letter OR query:
    0.1–0.2 s a record, 5–7 s for the 24 records of the bundled corpus under load, beyond the
    4 s budget, and linear in the records of a larger corpus).  Past the deadline no further
    record is read: the answer is capped and says so."""
    from kb.models import SearchRequest
    from kb.search import Searcher, parse, sections
    from kb.search.budget import DEFAULT_LIMITS, OVER_BUDGET_NOTICE

    index = CountingIndex(bundled_index)
    snap = index.snapshot()
    expected = Searcher(index).search(SearchRequest(q="มติ", section="resolution")).total
    query = sections.SectionQuery.of("resolution", parse("มติ", DEFAULT_PARAMS), DEFAULT_PARAMS)
    every = set(range(index.doc_count()))
    assert len(sections.within(index, snap, every, query, WorkBudget.start())) == expected > 0
    index.reads = 0
    spent = WorkBudget(DEFAULT_LIMITS, deadline=0.0)  # its deadline long past
    assert sections.within(index, snap, every, query, spent) == set()
    assert index.reads == 0
    assert OVER_BUDGET_NOTICE in spent.notices
