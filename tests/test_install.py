"""A non-editable install finds the bundled corpus (issue 11, packaging).

The wheel is built from this tree and installed (without its dependencies)
into a fresh virtual environment; the dependencies come from the test
environment's site-packages through a ``.pth`` line, which does not activate
this checkout's editable install.  Bare ``kb index`` and ``kb search`` then run
from an unrelated folder, so only the wheel's ``kb_corpus`` data can supply
the documents.
"""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from indexer import readers

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd: str | Path, cwd: Path, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc


def bundled_documents() -> set[str]:
    """Ids of the files a run over corpus/ indexes (its .kbignore honoured)."""
    from indexer.discover import discover

    return {sf.doc_id for sf in discover([ROOT / "corpus"]).files if readers.reader_for(sf.path)}


@pytest.fixture(scope="module")
def installed_kb(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT, cwd=base)
    (wheel,) = wheels.glob("kb-*.whl")
    venv = base / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=base)
    python = venv / "bin" / "python"
    fresh_site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=base).stdout.strip())
    deps = [p for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]] if Path(p).is_dir()]
    (fresh_site / "kb-test-deps.pth").write_text("\n".join(dict.fromkeys(deps)) + "\n")
    run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel, cwd=base)
    return venv


def test_installed_kb_indexes_and_searches_the_bundled_corpus_from_anywhere(installed_kb, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KB_CORPUS_DIR", "KB_INDEX_DIR")}
    env.update(KB_INDEX_DIR=str(tmp_path / "ix"), PYTHONIOENCODING="utf-8")
    kb = installed_kb / "bin" / "kb"

    where = run(installed_kb / "bin" / "python", "-c", "import kb, kb.cli; print(kb.__file__); print(kb.cli.bundled_corpus())",
                cwd=elsewhere, env=env).stdout.split()
    assert all(Path(p).is_relative_to(installed_kb) for p in where), where  # the wheel, not this checkout

    report = json.loads(run(kb, "index", "--json", "--no-progress", cwd=elsewhere, env=env).stdout)
    assert report["failed"] == 0 and report["added"] == len(bundled_documents())

    result = json.loads(run(kb, "search", "การค้ามนุษย์", "--json", "--limit", "100", cwd=elsewhere, env=env).stdout)
    assert result["total"] > 0
    assert {hit["id"] for hit in result["hits"]} <= bundled_documents()  # the same ids as from the checkout
