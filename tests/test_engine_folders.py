"""The index folder is kb's alone, and a full disk costs one run, not the index (issue 18, items 5 and 9).

Runs the real ``kb`` command in subprocesses: exit codes and stderr lines are
what the user sees.  Folders and documents are built at test time.
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

KB = [sys.executable, "-m", "kb.cli"]


def kb(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*KB, *args], capture_output=True, text=True, timeout=timeout)


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text("ข่าวหนึ่ง\nวันที่ 3 มีนาคม 2567 zqfolderone การค้ามนุษย์ที่ชายแดน\n", encoding="utf-8")
    (folder / "b.txt").write_text("ข่าวสอง\nวันที่ 4 มีนาคม 2567 zqfoldertwo อุทกภัย\n", encoding="utf-8")
    return folder


def found(index_dir: Path, word: str) -> list[str]:
    out = kb("search", word, "--index", str(index_dir), "--json")
    assert out.returncode == 0, out.stderr
    return [h["id"] for h in json.loads(out.stdout)["hits"]]


# --- item 5: --index never deletes the user's folders -------------------------------


def test_index_refuses_an_ordinary_folder_and_leaves_it_untouched(tmp_path):
    docs = small_corpus(tmp_path / "docs")
    home = tmp_path / "home"
    (home / "gen-2024-reports").mkdir(parents=True)
    (home / "gen-2024-reports" / "q3.txt").write_text("the user's report", encoding="utf-8")
    (home / "notes.txt").write_text("the user's notes", encoding="utf-8")
    before = tree(home)
    out = kb("index", str(docs), "--index", str(home), "--no-progress")
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(home) in lines[0] and "not a kb index" in lines[0], out.stderr
    assert "Traceback" not in out.stderr
    assert tree(home) == before


def test_serve_refuses_to_build_in_an_ordinary_folder(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("the user's notes", encoding="utf-8")
    before = tree(home)
    out = kb("serve", "--index", str(home), "--port", "9", timeout=60)
    assert out.returncode == 2, out.stderr
    assert str(home) in out.stderr.strip().splitlines()[-1]
    assert tree(home) == before


def test_a_new_or_empty_folder_becomes_a_marked_index(tmp_path):
    docs = small_corpus(tmp_path / "docs")
    empty = tmp_path / "empty"
    empty.mkdir()
    for index_dir in (empty, tmp_path / "new" / "ix"):
        out = kb("index", str(docs), "--index", str(index_dir), "--no-progress")
        assert out.returncode == 0, out.stderr
        assert (index_dir / "kb-index.json").is_file()
        assert found(index_dir, "zqfolderone") == ["a.txt"]


def test_clean_up_inside_an_index_touches_only_what_kb_made(tmp_path):
    docs = small_corpus(tmp_path / "docs")
    ix = tmp_path / "ix"
    assert kb("index", str(docs), "--index", str(ix), "--no-progress").returncode == 0
    (ix / "gen-2024-reports").mkdir()  # a user's folder with a generation-like name
    (ix / "gen-2024-reports" / "q3.txt").write_text("keep me", encoding="utf-8")
    (ix / "README.txt").write_text("keep me too", encoding="utf-8")
    (ix / "CURRENT.backup").write_text("keep", encoding="utf-8")
    (ix / "gen-19990101000000-1-abcdef").mkdir()  # what a killed --full leaves
    (ix / "CURRENT.4242.tmp").write_text("gen-x\n", encoding="utf-8")
    out = kb("index", str(docs), "--index", str(ix), "--full", "--no-progress")
    assert out.returncode == 0, out.stderr
    names = {p.name for p in ix.iterdir()}
    assert {"gen-2024-reports", "README.txt", "CURRENT.backup"} <= names
    assert (ix / "gen-2024-reports" / "q3.txt").read_text(encoding="utf-8") == "keep me"
    assert not {"gen-19990101000000-1-abcdef", "CURRENT.4242.tmp"} & names
    assert [n for n in names if re.fullmatch(r"gen-\d{14}-\d+-[0-9a-f]{6}", n)] == [(ix / "CURRENT").read_text().strip()]


def test_leftover_clean_up_does_nothing_in_an_unmarked_folder(tmp_path):
    from kb.engine import generations

    folder = tmp_path / "someone"
    (folder / "gen-19990101000000-1-abcdef").mkdir(parents=True)
    (folder / "CURRENT.4242.tmp").write_text("x", encoding="utf-8")
    before = tree(folder)
    generations.remove_leftovers(folder)
    generations.remove_old_generations(folder, keep=None)
    assert tree(folder) == before


def test_an_index_made_before_the_marker_is_adopted(tmp_path):
    docs = small_corpus(tmp_path / "docs")
    ix = tmp_path / "ix"
    assert kb("index", str(docs), "--index", str(ix), "--no-progress").returncode == 0
    (ix / "kb-index.json").unlink()
    out = kb("index", str(docs), "--index", str(ix), "--no-progress")
    assert out.returncode == 0, out.stderr
    assert "unchanged 2" in out.stdout and (ix / "kb-index.json").is_file()


# --- item 9: a full disk -----------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs: the kernel itself answers ENOSPC when it is full (needs root and mount)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def add_big_documents(folder: Path, n: int = 3, words: int = 25_000) -> None:
    """About 0.5 MB of text each, most words unique, so the index outgrows 1 MB."""
    rng = random.Random(18)
    thai = ["การค้ามนุษย์", "ชายแดน", "ความมั่นคง", "ยาเสพติด", "อุทกภัย", "ไซเบอร์"]
    (folder / "big").mkdir(exist_ok=True)
    for i in range(n):
        text = " ".join(f"zq{i}x{rng.randrange(10**9)}" if j % 2 else rng.choice(thai) for j in range(words))
        (folder / "big" / f"big{i}.txt").write_text(f"เอกสารใหญ่ {i}\nzqbigdoc {text}\n", encoding="utf-8")


def assert_no_orphans(ix: Path) -> None:
    """Every file of the active generation belongs to its last commit; no temporary file anywhere."""
    from whoosh import index as windex
    from whoosh.filedb.filestore import FileStorage

    gens = [p for p in ix.iterdir() if p.name.startswith("gen-")]
    assert [g.name for g in gens] == [(ix / "CURRENT").read_text().strip()]
    assert not [p for p in ix.iterdir() if p.name.endswith(".tmp")]
    gen = gens[0]
    toc = windex.TOC.read(FileStorage(str(gen)), "MAIN")
    live = {s.segment_id() for s in toc.segments}
    for p in gen.iterdir():
        if p.name.startswith("MAIN_") and p.name != "MAIN_WRITELOCK":
            assert p.name.split(".")[0] in live, f"orphan {p.name}"
        elif p.name in ("kb-arrays", "kb-positions"):  # kb.engine.arrays, .positions: one folder per live segment
            assert {a.name for a in p.iterdir()} <= live, f"orphan arrays {sorted(a.name for a in p.iterdir())}"
        elif p.name == "kb-scan":  # the mapped scan of the last index state only
            assert len(list(p.iterdir())) <= 1
        else:
            assert p.name in {f"_MAIN_{toc.generation}.toc", "kb-version.json", "MAIN_WRITELOCK"}, p.name


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_full_disk_fails_in_one_line_keeps_the_index_and_the_next_run_works(tmp_path, small_disk, full):
    docs = small_corpus(tmp_path / "docs")
    ix = small_disk / "ix"
    assert kb("index", str(docs), "--index", str(ix), "--no-progress").returncode == 0
    active = (ix / "CURRENT").read_text()
    add_big_documents(docs)
    out = kb("index", str(docs), "--index", str(ix), "--no-progress", *(["--full"] if full else []))
    assert out.returncode == 1, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "no space left" in lines[0] and str(ix) in lines[0], out.stderr
    assert (ix / "CURRENT").read_text() == active  # the old generation still serves
    assert_no_orphans(ix)
    assert found(ix, "zqfolderone") == ["a.txt"] and found(ix, "zqbigdoc") == []
    # the next run works: the failed one left no bytes behind to fill the disk again
    for p in (docs / "big").iterdir():
        p.unlink()
    (docs / "c.txt").write_text("ข่าวสาม\nzqfolderthree\n", encoding="utf-8")
    out = kb("index", str(docs), "--index", str(ix), "--no-progress")
    assert out.returncode == 0, out.stderr
    assert found(ix, "zqfolderthree") == ["c.txt"]
