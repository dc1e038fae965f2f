"""Shared helpers for the tests: real indexes built once per session, a live server.

The bundled corpus is indexed with the real pipeline (no mocks of Whoosh or
PyThaiNLP); a second tiny index holds hostile documents (markup in titles and
bodies, a ``javascript:`` url) for the escaping tests.  ``LiveServer`` is the
real app under waitress on a free loopback port.

Import this module only as ``tests.webutil`` (``tests/conftest.py`` makes that
work under any runner): imported under two names it would be two modules with
two caches, and the corpus would be indexed twice.
"""
from __future__ import annotations

import atexit
import http.client
import json
import shutil
import tempfile
import threading
from functools import cache
from pathlib import Path
from urllib.parse import quote

if __name__ != "tests.webutil":  # pragma: no cover - a wrong import line in a test
    raise ImportError(f"import the test helpers as tests.webutil, not {__name__} (one module, one index cache)")

from indexer import pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"

HOSTILE_TITLE = '<script>alert("title")</script> การค้ามนุษย์ชายแดน'
HOSTILE_DOC = f"""---
title: {HOSTILE_TITLE}
date: 2024-02-01
url: javascript:alert(1)
type: news
---
{HOSTILE_TITLE}

เมื่อวันที่ 1 กุมภาพันธ์ 2567 ที่จังหวัดตาก มีการประชุมเรื่องการค้ามนุษย์ <img src=x onerror=alert(2)> และ <script>alert(3)</script> ตามแผนความมั่นคงที่ 3
"""


def _tmpdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path


@cache
def corpus_index() -> Path:
    """An index of the bundled corpus (built on first use)."""
    index_dir = _tmpdir("kb-web-index-") / "index"
    report = pipeline.run([CORPUS], index_dir, progress=False)
    assert not report.failures, report.failures
    return index_dir


@cache
def hostile_index() -> Path:
    """An index of one document whose title and body carry markup and a javascript: url."""
    base = _tmpdir("kb-web-hostile-")
    docs = base / "docs"
    docs.mkdir()
    (docs / "hostile.md").write_text(HOSTILE_DOC, encoding="utf-8")
    index_dir = base / "index"
    pipeline.run([docs], index_dir, progress=False)
    return index_dir


class LiveServer:
    """The real app under waitress on a free loopback port, in a thread."""

    def __init__(self, index_dir: Path, threads: int = 8, **config):
        from web import create_app
        from web.edge import create_server  # what ``kb serve`` runs

        self.app = create_app({"INDEX_DIR": str(index_dir), **config})
        self.server = create_server(self.app, host="127.0.0.1", port=0, threads=threads, ident="kb-test")
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:  # close() from the test thread ends waitress's select loop this way
            pass

    def get(self, path: str, timeout: float = 30, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        """GET a raw path (sent exactly as given: no client-side normalisation); extra headers as given."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest("GET", path, skip_host=bool(headers and "Host" in headers), skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def search(self, q: str) -> dict:
        """``/api/search?q=`` answered 200, as JSON."""
        status, _, body = self.get(f"/api/search?q={quote(q)}")
        assert status == 200, body[:300]
        return json.loads(body)

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=5)
