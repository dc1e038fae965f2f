"""Hardening of what enters the index by name (issue 18, items 3, 6, 8 and 11).

- item 3: a file name that is not UTF-8, or a JSONL id with a lone surrogate,
  fails alone; the rest of the run is committed and reruns work;
- item 11: every indexed document has a working URL (ids like ``..``,
  ``a/./b``, ``a\\nb`` or ``/leading`` are refused at index time);
- item 6: ids carry their source: the same id from another, still existing
  source is refused and reported with both sources, never silently replaced;
- item 8: symbolic links leading outside the indexed folder are not followed
  unless ``--follow-links`` is given, and never in a loop.

Every input is built at test time, and ``kb`` runs as a real subprocess
(exit codes and stderr lines are the point).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

DOC_TEXT = "ประกาศสำนักงานสภาความมั่นคงแห่งชาติเรื่องการเฝ้าระวังภัยคุกคามทางไซเบอร์ในภูมิภาค {word}\n"


def kb(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )


def index(ix: Path, *paths: Path | str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    proc = kb("index", *map(str, paths), "--index", str(ix), "--json", "--no-progress", *extra)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    return proc


def report(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout)


def indexed_ids(ix: Path, q: str = "") -> list[str]:
    proc = kb("search", q, "--index", str(ix), "--json", "--limit", "100")
    assert proc.returncode == 0, proc.stderr
    return [hit["id"] for hit in json.loads(proc.stdout)["hits"]]


def failures(proc: subprocess.CompletedProcess) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if ln.startswith("kb index: failed: ")]


def assert_every_id_has_a_working_url(ix: Path) -> list[str]:
    """Every indexed id answers at /api/documents/<id> with itself, and /doc/<id> is a page."""
    from web import create_app

    client = create_app({"INDEX_DIR": str(ix)}).test_client()
    ids = indexed_ids(ix)
    for doc_id in ids:
        path = urllib.parse.quote(doc_id, safe="/")
        api = client.get(f"/api/documents/{path}")
        assert api.status_code == 200, (doc_id, api.status_code)
        assert api.get_json()["id"] == doc_id
        assert client.get(f"/doc/{path}").status_code == 200, doc_id
    return ids


def write(path: Path, word: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DOC_TEXT.format(word=word), encoding="utf-8")
    return path


def jsonl(path: Path, records: list[dict]) -> Path:
    # ensure_ascii keeps a lone surrogate as the JSON escape "\ud800" (as a scraper would write it)
    path.write_text("".join(json.dumps(r, ensure_ascii=True) + "\n" for r in records), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- item 3


def test_a_file_name_that_is_not_utf8_fails_alone_and_reruns_work(tmp_path):
    src = tmp_path / "in"
    write(src / "good.txt", "zqgoodname")
    bad_name = os.fsencode(src) + b"/" + "ข่าว.txt".encode("cp874")
    with open(bad_name, "wb") as f:
        f.write(DOC_TEXT.format(word="zqbadname").encode("utf-8"))
    ix = tmp_path / "ix"

    first = index(ix, src)
    assert first.returncode == 1
    assert report(first)["added"] == 1
    (line,) = failures(first)
    assert "utf-8" in line.lower() and "\\x" in line  # the undecodable bytes are shown escaped
    assert indexed_ids(ix, "zqgoodname") == ["good.txt"]

    write(src / "later.txt", "zqlatername")  # new files still get in on a rerun
    again = index(ix, src)
    assert again.returncode == 1
    assert (report(again)["added"], report(again)["unchanged"]) == (1, 1)
    assert indexed_ids(ix, "zqlatername") == ["later.txt"]
    assert_every_id_has_a_working_url(ix)


def test_a_jsonl_id_with_a_lone_surrogate_does_not_break_the_run(tmp_path):
    src = jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "bad-\ud800", "title": "x", "text": DOC_TEXT.format(word="zqsurrogateid")},
            {"id": "after", "title": "หลัง", "text": DOC_TEXT.format(word="zqafterrecord")},
        ],
    )
    ix = tmp_path / "ix"
    first = index(ix, src)
    assert indexed_ids(ix, "zqafterrecord") == ["after"]
    # the bad id is refused (reported) or made safe; either way every indexed id works
    # (the reader refuses it, naming the file and line; the pipeline would name the id)
    assert first.returncode == 0 or any("bad-" in ln or "r.jsonl:1" in ln for ln in failures(first))
    assert_every_id_has_a_working_url(ix)
    assert index(ix, src).returncode == first.returncode


# --------------------------------------------------------------------------- item 11

UNUSABLE_IDS = [".", "..", "a/../b", "a/./b", "a\nb", "/leading", "trailing/", "a//b", "bell\x07", " "]


def test_ids_that_would_have_no_working_url_are_refused_by_one_rule(tmp_path):
    records = [{"id": i, "title": "t", "text": DOC_TEXT.format(word=f"zqbadid{n}")} for n, i in enumerate(UNUSABLE_IDS)]
    records.append({"id": "ok/ข่าว 2567?#%.txt", "title": "ดี", "text": DOC_TEXT.format(word="zqgoodid")})
    ix = tmp_path / "ix"
    proc = index(ix, jsonl(tmp_path / "ids.jsonl", records))
    assert proc.returncode == 1
    assert report(proc)["added"] == 1
    assert len(failures(proc)) == len(UNUSABLE_IDS), proc.stderr
    assert all("\n" not in f["source"] + f["reason"] for f in report(proc)["failures"])
    assert assert_every_id_has_a_working_url(ix) == ["ok/ข่าว 2567?#%.txt"]


def test_a_tab_in_an_id_is_kept_and_the_document_reachable(tmp_path):
    # ThaiGov's archive names 346 releases "Government News<TAB>_1_…": a tab is whitespace, not a control
    # that breaks a line or a URL, so the record is indexed under its own id, not refused and not rewritten.
    records = [{"id": "news\t_1_a.txt", "title": "t", "text": DOC_TEXT.format(word="zqtabid")},
               {"id": "news _1_a.txt", "title": "t", "text": DOC_TEXT.format(word="zqspaceid")}]
    ix = tmp_path / "ix"
    proc = index(ix, jsonl(tmp_path / "tabs.jsonl", records))
    assert proc.returncode == 0, proc.stderr
    assert report(proc)["added"] == 2
    assert indexed_ids(ix, "zqtabid") == ["news\t_1_a.txt"]
    assert sorted(assert_every_id_has_a_working_url(ix)) == ["news\t_1_a.txt", "news _1_a.txt"]


def test_a_file_whose_name_holds_a_tab_is_indexed_under_that_name(tmp_path):
    src = tmp_path / "docs"
    write(src / "ข่าว\t1.txt", "zqtabfile")
    ix = tmp_path / "ix"
    proc = index(ix, src)
    assert proc.returncode == 0, proc.stderr
    assert indexed_ids(ix, "zqtabfile") == ["ข่าว\t1.txt"]
    assert_every_id_has_a_working_url(ix)


# --------------------------------------------------------------------------- item 6


def test_the_same_relative_path_from_two_folders_is_refused_not_replaced(tmp_path):
    first_src, second_src = tmp_path / "one", tmp_path / "two"
    a = write(first_src / "reports" / "2567.txt", "zqfirstfolder")
    b = write(second_src / "reports" / "2567.txt", "zqsecondfolder")
    ix = tmp_path / "ix"
    assert index(ix, first_src).returncode == 0

    clash = index(ix, second_src)
    assert clash.returncode == 1 and report(clash)["updated"] == 0
    (line,) = failures(clash)
    assert str(b) in line and str(a) in line  # both sources named
    assert indexed_ids(ix, "zqfirstfolder") == ["reports/2567.txt"]

    # alternating reruns do not flip the document back and forth
    assert report(index(ix, first_src))["unchanged"] == 1
    assert index(ix, second_src).returncode == 1
    assert indexed_ids(ix, "zqfirstfolder") == ["reports/2567.txt"]

    # when the first source is gone (the folder moved), the id moves with it
    a.unlink()
    moved = index(ix, second_src)
    assert moved.returncode == 0 and report(moved)["updated"] == 1
    assert indexed_ids(ix, "zqsecondfolder") == ["reports/2567.txt"]


def test_a_jsonl_record_cannot_take_over_a_files_id(tmp_path):
    src = tmp_path / "docs"
    file = write(src / "reports" / "2567.txt", "zqfromfile")
    ix = tmp_path / "ix"
    assert index(ix, src).returncode == 0
    records = jsonl(tmp_path / "r.jsonl", [{"id": "reports/2567.txt", "text": DOC_TEXT.format(word="zqfromjsonl")}])
    clash = index(ix, records)
    assert clash.returncode == 1 and report(clash)["updated"] == 0
    (line,) = failures(clash)
    assert str(records) in line and str(file) in line
    assert indexed_ids(ix, "zqfromfile") == ["reports/2567.txt"]
    assert indexed_ids(ix, "zqfromjsonl") == []


# --------------------------------------------------------------------------- item 8


@pytest.fixture()
def linked_tree(tmp_path) -> tuple[Path, Path]:
    """root/ holds its own file, a link to a folder outside it and a link to a file outside it."""
    outside = tmp_path / "outside"
    write(outside / "secret.txt", "zqoutsidefolder")
    write(tmp_path / "lone.txt", "zqoutsidefile")
    root = tmp_path / "root"
    write(root / "own.txt", "zqownfile")
    os.symlink(outside, root / "out")
    os.symlink(tmp_path / "lone.txt", root / "lone.txt")
    os.symlink("own.txt", root / "alias.txt")  # a link inside the folder is followed
    return tmp_path, root


def test_links_out_of_the_folder_are_not_followed_by_default(linked_tree):
    base, root = linked_tree
    ix = base / "ix"
    proc = index(ix, root)
    assert proc.returncode == 0, proc.stderr
    assert sorted(indexed_ids(ix)) == ["alias.txt", "own.txt"]
    assert "--follow-links" in proc.stderr  # the skipped links are mentioned


def test_follow_links_indexes_them_and_never_loops(linked_tree):
    base, root = linked_tree
    os.symlink(base, root / "up")  # leads to the folder holding root itself: a loop once followed
    ix = base / "ix"
    proc = index(ix, root, extra=("--follow-links",), )
    assert "symlink loop" in proc.stderr
    ids = indexed_ids(ix)
    assert {"out/secret.txt", "lone.txt", "own.txt"} <= set(ids)
    assert len(ids) == len(set(ids))
