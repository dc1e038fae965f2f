"""End-to-end: the real `kb` command and the real HTTP server (waitress) on real indexes.

``kb_runner`` (tests/conftest.py) runs the command in-process; a subprocess is
kept where the process itself is the point: exit codes and ``kb serve``.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.webutil import CORPUS

KB = [sys.executable, "-m", "kb.cli"]


def kb(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KB, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


DOC_A = "รายงานการประชุมคณะกรรมการความมั่นคงจังหวัดตาก\n\nเมื่อวันที่ ๕ มีนาคม ๒๕๖๗ ที่ประชุมหารือเรื่องการค้ามนุษย์ตามแผนความมั่นคงที่ ๗ ครามเขียวหนึ่ง\n"
DOC_B = "# ข่าวการฝึกซ้อมรับมืออุทกภัย\n\nวันที่ 12 ม.ค. 2566 จังหวัดอุบลราชธานีฝึกซ้อมแผนป้องกันน้ำท่วม ครามเขียวสอง\n"
DOC_C = "ประกาศเรื่องการเฝ้าระวังภัยไซเบอร์\n\nวันที่ 3 กันยายน 2565 สมช. แจ้งเตือนภัยหลอกลวงทางออนไลน์ ครามเขียวสาม\n"


def test_index_then_rerun_changes_nothing_and_says_so(tmp_path, kb_runner):
    docs = tmp_path / "docs"
    write(docs, "a.txt", DOC_A)
    write(docs, "b.md", DOC_B)
    first = kb_runner("index", str(docs), "--index", str(tmp_path / "ix"))
    assert first.returncode == 0, first.stderr
    assert "added 2, updated 0, deleted 0, unchanged 0, failed 0" in first.stdout
    again = kb_runner("index", str(docs), "--index", str(tmp_path / "ix"))
    assert again.returncode == 0
    assert "up to date" in again.stdout and "unchanged 2" in again.stdout


def test_incremental_add_update_delete(tmp_path, kb_runner):
    docs = tmp_path / "docs"
    write(docs, "a.txt", DOC_A)
    write(docs, "b.md", DOC_B)
    ix = str(tmp_path / "ix")
    assert kb_runner("index", str(docs), "--index", ix).returncode == 0
    write(docs, "a.txt", DOC_A.replace("ครามเขียวหนึ่ง", "ครามเขียวสี่"))
    (docs / "b.md").unlink()
    write(docs, "sub/c.txt", DOC_C)
    report = kb_runner("index", str(docs), "--index", ix, "--json").json()
    assert (report["added"], report["updated"], report["deleted"], report["unchanged"]) == (1, 1, 1, 0)
    def ids(q: str) -> list[str]:  # quoted: the marker verbatim, no relaxed matches
        return [h["id"] for h in kb_runner("search", f'"{q}"', "--index", ix, "--json").json()["hits"]]

    assert ids("ครามเขียวสี่") == ["a.txt"]
    assert ids("ครามเขียวหนึ่ง") == []
    assert ids("ครามเขียวสอง") == []
    assert ids("ครามเขียวสาม") == ["sub/c.txt"]


def test_failed_file_is_named_on_stderr_exit_1_and_the_rest_is_indexed(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", DOC_A)
    (docs / "junk.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf \x00\x01\x02")
    out = kb("index", str(docs), "--index", str(tmp_path / "ix"))
    assert out.returncode == 1
    assert "junk.pdf" in out.stderr
    assert "added 1" in out.stdout and "failed 1" in out.stdout


def test_usage_errors_exit_2(tmp_path):
    assert kb("index", str(tmp_path / "missing"), "--index", str(tmp_path / "ix")).returncode == 2
    assert kb("search", "x", "--plan", "99", "--index", str(tmp_path / "ix")).returncode == 2
    assert kb("search", "x", "--index", str(tmp_path / "nothing-here")).returncode == 2


def test_index_location_defaults_to_env_variable(tmp_path, temp_corpus, kb_runner):
    env = {"KB_INDEX_DIR": str(tmp_path / "env-ix")}
    assert kb_runner("index", str(temp_corpus), env=env).returncode == 0
    assert (tmp_path / "env-ix" / "CURRENT").exists()
    assert kb_runner("stats", "--json", env=env).json()["documents"] == 3
    hits = kb_runner("search", "zqflood", "--json", env=env).json()["hits"]
    assert [h["id"] for h in hits] == ["news/flood.md"]


def test_stats_json_shape_on_the_bundled_corpus(bundled_index, kb_runner):
    data = kb_runner("stats", "--json", "--index", str(bundled_index)).json()
    assert set(data) == {"documents", "facets"}
    assert set(data["facets"]) == {"plan", "province", "region", "topic", "type", "year", "agency", "committee", "region4", "subregion", "month"}
    assert all({"value", "label", "count"} <= set(v) for vals in data["facets"].values() for v in vals)


def test_human_output_shows_titles_and_buddhist_dates(bundled_index, kb_runner):
    args = ("search", "ค้ามนุษย์", "--index", str(bundled_index), "--limit", "3")
    hits = kb_runner(*args, "--json").json()["hits"]
    out = kb_runner(*args, check_exit=0)
    lines = out.stdout.splitlines()
    assert len(hits) == 3 and "documents" in out.stdout
    for rank, hit in enumerate(hits, start=1):
        assert f"{rank}. {hit['title']}" in lines, (hit["title"], out.stdout[:2000])  # the title, numbered, on its own line
        year, month, day = hit["date"].split("-")
        be_date = f"{int(day)}/{int(month)}/{int(year) + 543}"  # d/m/25xx, the Buddhist Era
        meta = next(line for line in lines if line.strip().startswith(hit["id"] + " "))
        assert be_date in meta, meta


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`kb serve` on a fresh index directory: it must build the bundled corpus itself first."""
    ix = tmp_path_factory.mktemp("serve") / "ix"
    port = free_port()
    proc = subprocess.Popen(
        [*KB, "serve", "--index", str(ix), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KB_CORPUS_DIR": str(CORPUS)},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read())
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("kb serve did not come up")
    yield base, ix
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_serve_builds_the_index_and_is_waitress(server):
    base, ix = server
    with urllib.request.urlopen(base + "/healthz") as resp:
        assert resp.headers["Server"] == "kb"  # waitress's ident, not Werkzeug
        assert json.loads(resp.read())["documents"] >= 80
    assert (ix / "CURRENT").exists()


def test_cli_json_is_exactly_the_api_json(server, kb_runner):
    base, ix = server
    params = [("q", "การค้ามนุษย์"), ("plan", "7"), ("sort", "newest"), ("limit", "5")]
    status, api = get_json(base + "/api/search?" + urllib.parse.urlencode(params))
    assert status == 200
    cli = kb_runner("search", "การค้ามนุษย์", "--plan", "7", "--sort", "newest", "--limit", "5", "--index", str(ix), "--json").json()
    assert cli == api


def test_api_document_and_errors_over_http(server):
    base, _ = server
    status, result = get_json(base + "/api/search?q=" + urllib.parse.quote("ชายแดน"))
    doc_id = result["hits"][0]["id"]
    status, doc = get_json(base + "/api/documents/" + urllib.parse.quote(doc_id))
    assert status == 200 and doc["id"] == doc_id and doc["text"]
    status, err = get_json(base + "/api/search?plan=99")
    assert status == 400 and err["error"]["param"] == "plan"
    status, _ = get_json(base + "/api/documents/no/such/doc.html")
    assert status == 404


def test_serve_on_a_port_in_use_is_one_line_and_exit_2_before_any_build(tmp_path):
    """Was: the index built from the bundled corpus first (seconds, or a whole Typesense
    collection), then waitress's ``OSError: Address already in use`` traceback, exit 1."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        proc = kb("serve", "--index", str(tmp_path / "ix"), "--port", port, timeout=120)
    assert proc.returncode == 2, proc.stderr[-300:]
    assert "Traceback" not in proc.stderr and "--port" in proc.stderr and port in proc.stderr
    assert not (tmp_path / "ix").exists()
