"""Fixtures shared by the whole suite: the session index of the bundled corpus,
a live waitress server, a temporary corpus and the in-process ``kb`` runner.

The helpers behind them live in ``tests/webutil.py``, imported here and in
tests as ``tests.webutil`` only, so each index is built once per session.
Tests that are about a real process (crash, signal, exit code, ``kb serve``)
keep starting ``kb`` in a subprocess; everything else runs ``kb`` in-process
through click's ``CliRunner``, which skips the interpreter start and the
PyThaiNLP import each call would pay.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # ``tests.webutil`` must import under bare ``pytest`` too
    sys.path.insert(0, str(ROOT))

from tests import webutil  # noqa: E402


@dataclass(frozen=True)
class KbRun:
    """What one in-process ``kb`` invocation left: exit code and both streams."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def returncode(self) -> int:  # the name subprocess.CompletedProcess uses
        return self.exit_code

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_kb(*args: str, env: dict[str, str] | None = None, check_exit: int | None = None) -> KbRun:
    """``kb <args>`` in this process (click's CliRunner), with ``env`` set for the call."""
    from click.testing import CliRunner

    from kb.cli import main

    result = CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)
    run = KbRun(result.exit_code, result.stdout, result.stderr)
    if check_exit is not None:
        assert run.exit_code == check_exit, f"exit {run.exit_code}\nstdout:{run.stdout}\nstderr:{run.stderr}"
    return run


@pytest.fixture(scope="session")
def kb_runner() -> Callable[..., KbRun]:
    """The in-process ``kb`` command: ``kb_runner("search", "x", "--json").json()``."""
    return run_kb


@pytest.fixture(scope="session")
def bundled_index() -> Path:
    """The bundled corpus, indexed once per session with the real pipeline."""
    return webutil.corpus_index()


@pytest.fixture(scope="session")
def hostile_index() -> Path:
    """One document whose title and body carry markup and a ``javascript:`` url."""
    return webutil.hostile_index()


@pytest.fixture(scope="session")
def bundled_server(bundled_index: Path) -> Iterator[webutil.LiveServer]:
    """The real app under waitress on the bundled corpus, shared by the session."""
    server = webutil.LiveServer(bundled_index)
    yield server
    server.close()


@pytest.fixture()
def live_server() -> Iterator[Callable[..., webutil.LiveServer]]:
    """A factory of live servers (``live_server(index_dir, threads=4, PUBLIC_URL=...)``), closed after the test."""
    started: list[webutil.LiveServer] = []

    def start(index_dir: Path, **options) -> webutil.LiveServer:
        server = webutil.LiveServer(index_dir, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


TEMP_CORPUS = {
    "news/border.txt": "ข่าวการประชุมชายแดน\n\nวันที่ 5 มีนาคม 2567 ที่จังหวัดตาก ประชุมเรื่องการค้ามนุษย์ตามแผนความมั่นคงที่ 7 zqborder\n",
    "news/flood.md": "# ข่าวการฝึกซ้อมรับมืออุทกภัย\n\nวันที่ 12 ม.ค. 2566 จังหวัดอุบลราชธานีฝึกซ้อมแผนป้องกันน้ำท่วม zqflood\n",
    "cyber.txt": "ประกาศเรื่องการเฝ้าระวังภัยไซเบอร์\n\nวันที่ 3 กันยายน 2565 สมช. แจ้งเตือนภัยหลอกลวงทางออนไลน์ zqcyber\n",
}


@pytest.fixture()
def temp_corpus(tmp_path: Path) -> Path:
    """A fresh folder of three small Thai documents (one marker word each), written for this test."""
    folder = tmp_path / "corpus"
    for name, text in TEMP_CORPUS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


# The app and client over the bundled index, for the page and API tests (one app per module).
@pytest.fixture(scope="module")
def app(bundled_index):
    from web import create_app

    return create_app({"INDEX_DIR": str(bundled_index)})


@pytest.fixture()
def client(app):
    return app.test_client()
