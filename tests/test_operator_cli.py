"""The operator's command line, as a weekly user meets it (ninth-session QA).

Every test runs the real ``kb`` as a subprocess on files built at test time:
exit statuses, the lines on stderr and what stays in the index are the point.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEXT = "ประกาศสำนักงานสภาความมั่นคงแห่งชาติเรื่องการเฝ้าระวังภัยคุกคามทางไซเบอร์ในภูมิภาค {word}\n"


def kb(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
        **kwargs,
    )


def write(path: Path, word: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEXT.format(word=word), encoding="utf-8")
    return path


def indexed_ids(ix: Path) -> list[str]:
    proc = kb("search", "", "--index", str(ix), "--json", "--limit", "100")
    assert proc.returncode == 0, proc.stderr
    return sorted(hit["id"] for hit in json.loads(proc.stdout)["hits"])


# --------------------------------------------------------------------------- symbolic links


def test_a_symlink_loop_is_a_one_line_note_not_a_failure(tmp_path):
    """``sub/loop -> ..`` breaks no document: the run exits 0, says once what it skipped, and
    reruns stay quiet about failures (before: ``failed: …/sub/loop: symlink loop`` and exit 1
    on every run)."""
    root = tmp_path / "docs"
    write(root / "a.txt", "zqloopa")
    write(root / "sub" / "b.txt", "zqloopb")
    os.symlink("..", root / "sub" / "loop")
    ix = tmp_path / "ix"
    for _ in range(2):
        proc = kb("index", str(root), "--index", str(ix), "--json", "--no-progress")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["failed"] == 0
        assert "failed" not in proc.stderr
        notes = [ln for ln in proc.stderr.splitlines() if "sub/loop" in ln]
        assert len(notes) == 1 and notes[0].startswith("kb index: skipped ") and "symlink loop" in notes[0], proc.stderr
    assert indexed_ids(ix) == ["a.txt", "sub/b.txt"]


def test_a_link_to_a_folder_inside_gives_its_documents_their_real_paths(tmp_path):
    """A link that sorts before the folder it points at (``a-link -> b``) must not take the
    documents' ids: they keep their real path, and the link is the one skipped."""
    root = tmp_path / "docs"
    write(root / "b" / "one.txt", "zqrealone")
    os.symlink("b", root / "a-link")
    ix = tmp_path / "ix"
    proc = kb("index", str(root), "--index", str(ix), "--json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert indexed_ids(ix) == ["b/one.txt"]
    (note,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("kb index: skipped ")]
    assert "a-link" in note
