"""Shared set-up for the web tests: real indexes, built once per test session.

The bundled corpus is indexed with the real pipeline (no mocks of Whoosh or
PyThaiNLP); a second tiny index holds hostile documents (markup in titles and
bodies, a ``javascript:`` url) for the escaping tests.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from indexer import pipeline

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
