"""Each step of the indexing pipeline alone, on real files in temporary folders.

discover (walking, ``.kbignore``, odd names, links) → plan changes (content
hashes, duplicates, collisions, limits) → write batches (commits) → delete
missing.  The whole run is covered end to end by test_cli, test_crash and
test_reliability.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.changes import ChangePlanner, hash_file, hash_record
from indexer.discover import discover
from indexer.pipeline import delete_missing, run
from indexer.report import Report

TEXT = "ประกาศสำนักงานสภาความมั่นคงแห่งชาติเรื่องการเฝ้าระวังภัยคุกคามทางไซเบอร์ {}\n"


@dataclass(frozen=True)
class Held:
    """What the index holds of a document, as far as change planning reads it."""

    source: str
    content_hash: str


def write(path: Path, word: str = "zq") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEXT.format(word), encoding="utf-8")
    return path


def records(path: Path, items: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "title": i, "text": TEXT.format(w)}) + "\n" for i, w in items))
    return path


def ids_of(found) -> list[str]:
    return [sf.doc_id for sf in found.files]


# --------------------------------------------------------------------------- discover


def test_discover_walks_in_sorted_order_and_skips_hidden_ignored_and_unsupported(tmp_path):
    for name in ["b.txt", "a.md", "ข่าว 2567 #1.txt", "sub/c.html", "notes.docx", ".hidden.txt", ".git/x.txt",
                 "drafts/d.txt", "tmp-1.txt", "sub/tmp-2.txt", "folder.html/e.txt"]:
        write(tmp_path / name)
    (tmp_path / ".kbignore").write_text("# comment\ndrafts\ntmp-*.txt\n\n", encoding="utf-8")
    found = discover([tmp_path])
    assert ids_of(found) == ["a.md", "b.txt", "folder.html/e.txt", "sub/c.html", "ข่าว 2567 #1.txt"]
    assert found.roots == [tmp_path.resolve()] and not found.failures
    # the unsupported file is no failure, but is said (qa_user: a folder of .docx looked "up to date")
    assert [n for n in found.notes() if "notes.docx" in n or ".docx ×1" in n] == found.notes() and len(found.notes()) == 1


def test_discover_a_single_file_a_missing_path_and_an_unsupported_file(tmp_path):
    one = write(tmp_path / "deep" / "one.txt")
    other = write(tmp_path / "x.docx")
    found = discover([one, tmp_path / "missing", other])
    assert ids_of(found) == ["one.txt"] and found.roots == []
    reasons = {f.source: f.reason for f in found.failures}
    assert reasons[str(tmp_path / "missing")] == "no such file or folder"
    assert reasons[str(other)].startswith("unsupported file type '.docx'")


def test_discover_keeps_links_inside_skips_links_outside_and_reports_loops(tmp_path):
    root = tmp_path / "root"
    write(root / "own.txt")
    write(tmp_path / "outside" / "far.txt")
    os.symlink("own.txt", root / "same.txt")
    os.symlink(tmp_path / "outside", root / "out")
    os.symlink(root / "gone.txt", root / "broken.txt")
    os.symlink(".", root / "sub-loop")  # back to the root: inside the folder, so a loop
    found = discover([root])
    assert ids_of(found) == ["own.txt", "same.txt"]
    reasons = {Path(f.source).name: f.reason for f in found.failures}
    assert reasons == {"broken.txt": "broken symlink"}  # a loop breaks no document: a note, not a failure
    assert found.links_revisiting == [str(root / "sub-loop")]
    assert "out" in found.notes()[0] and "--follow-links" in found.notes()[0]
    assert "sub-loop" in found.notes()[1] and "symlink loop" in found.notes()[1]

    followed = discover([root], follow_links=True)
    assert "out/far.txt" in ids_of(followed) and not any("--follow-links" in n for n in followed.notes())


def test_discover_shows_an_undecodable_name_escaped(tmp_path):
    bad = os.fsencode(tmp_path) + b"/" + "ข่าว.txt".encode("cp874")
    with open(bad, "wb") as f:
        f.write(TEXT.format("zq").encode())
    (sf,) = discover([tmp_path]).files
    assert sf.source == f"{tmp_path}/\\xa2\\xe8\\xd2\\xc7.txt"
    sf.source.encode("utf-8")  # printable and storable


# --------------------------------------------------------------------------- plan changes


def plan(existing: dict, files, **kw) -> tuple[list, Report, ChangePlanner]:
    report = Report()
    planner = ChangePlanner(existing, report, max_text_chars=kw.pop("max_text_chars", 100_000), **kw)
    changes = [c for sf in files for c in planner.changes_in(sf)]
    return changes, report, planner


def test_planning_compares_content_hashes_with_the_index(tmp_path):
    same, changed, new = write(tmp_path / "same.txt"), write(tmp_path / "changed.txt", "a"), write(tmp_path / "new.txt")
    existing = {
        "same.txt": Held(str(same), hash_file(same)),
        "changed.txt": Held(str(changed), "0" * 32),
    }
    changes, report, planner = plan(existing, discover([tmp_path]).files)
    assert [(c.doc_id, c.is_update) for c in changes] == [("changed.txt", True), ("new.txt", False)]
    assert changes[0].content_hash == hash_file(changed) and changes[0].raw.source == str(changed)
    assert report.unchanged == 1 and not report.failures
    assert set(planner.seen_ids) == {"same.txt", "changed.txt", "new.txt"}


def test_planning_bulk_records_duplicates_long_texts_and_bad_ids(tmp_path):
    first = records(tmp_path / "a.jsonl", [("r1", "one"), ("r2", "two"), ("r1", "again"), ("a/../b", "x")])
    second = records(tmp_path / "b.jsonl", [("r2", "dup"), ("long", "ยาว " * 200)])
    existing = {"r2": Held(str(first.resolve()), "stale")}
    changes, report, planner = plan(existing, discover([tmp_path]).files, max_text_chars=500)
    assert [(c.doc_id, c.is_update) for c in changes] == [("r1", False), ("r2", True)]
    assert changes[0].content_hash == hash_record(changes[0].raw)
    reasons = [f.reason for f in report.failures]
    assert reasons[0].startswith("duplicate id 'r1'") and reasons[2].startswith("duplicate id 'r2'")
    assert "'..' path segment" in reasons[1] and "text too long" in reasons[3]
    assert planner.seen_ids["long"] == str(second.resolve())  # the index keeps what it had of it


def test_planning_refuses_an_id_held_by_another_existing_source_and_takes_over_a_moved_one(tmp_path):
    other, gone = write(tmp_path / "other" / "x.txt"), tmp_path / "old" / "y.txt"
    mine = [write(tmp_path / "mine" / "x.txt"), write(tmp_path / "mine" / "y.txt")]
    existing = {"x.txt": Held(str(other), "h1"), "y.txt": Held(str(gone), "h2")}
    changes, report, _ = plan(existing, discover([tmp_path / "mine"]).files)
    assert [(c.doc_id, c.is_update) for c in changes] == [("y.txt", True)]
    (failure,) = report.failures
    assert failure.source == str(mine[0].resolve()) and str(other) in failure.reason


def test_planning_rewrites_a_document_whose_source_moved(tmp_path):
    moved = write(tmp_path / "new-place" / "x.txt")
    existing = {"x.txt": Held(str(tmp_path / "old-place" / "x.txt"), hash_file(moved))}
    changes, report, _ = plan(existing, discover([tmp_path / "new-place"]).files)
    assert [(c.doc_id, c.is_update, c.raw.source) for c in changes] == [("x.txt", True, str(moved.resolve()))]
    assert report.unchanged == 0 and not report.failures


def test_planning_stops_at_the_limit(tmp_path):
    for n in range(5):
        write(tmp_path / f"{n}.txt")
    report = Report()
    planner = ChangePlanner({}, report, max_text_chars=100_000, limit=2)
    taken = []
    for sf in discover([tmp_path]).files:
        if planner.exhausted:
            break
        taken.extend(planner.changes_in(sf))
    assert [c.doc_id for c in taken] == ["0.txt", "1.txt"]


def test_planning_turns_an_unreadable_file_into_a_failure(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    changes, report, planner = plan({}, discover([tmp_path]).files)
    assert changes == [] and "not a regular file" in report.failures[0].reason
    assert planner.failed_sources == {str(tmp_path.resolve() / "pipe.txt")}


# --------------------------------------------------------------------------- delete missing


def test_delete_missing_removes_only_what_is_gone_from_the_folders_read(tmp_path):
    root = tmp_path / "root"
    kept, failed = write(root / "kept.txt"), write(root / "failed.txt")
    bulk = records(root / "r.jsonl", [("rec", "x")])
    found = discover([root])
    existing = {
        "kept.txt": Held(str(kept.resolve()), ""),
        "gone.txt": Held(str(root.resolve() / "gone.txt"), ""),
        "failed.txt": Held(str(failed.resolve()), ""),
        "rec": Held(str(bulk.resolve()), ""),
        "old-rec": Held(str(bulk.resolve()), ""),  # a record no longer in the bulk file
        "elsewhere.txt": Held(str(tmp_path / "elsewhere" / "e.txt"), ""),
    }
    seen = {"kept.txt": "", "rec": ""}
    assert delete_missing(existing, found, seen, {str(failed.resolve())}) == ["gone.txt", "old-rec"]


# --------------------------------------------------------------------------- the run, in batches


def test_the_run_commits_in_batches_and_reports_counts(tmp_path):
    for n in range(7):
        write(tmp_path / "docs" / f"{n}.txt", f"zqbatch{n}")
    ix = tmp_path / "ix"
    first = run([tmp_path / "docs"], ix, progress=False, batch_docs=3, procs=1)
    assert (first.added, first.updated, first.deleted, first.unchanged, first.failed) == (7, 0, 0, 0, 0)
    (tmp_path / "docs" / "0.txt").unlink()
    write(tmp_path / "docs" / "1.txt", "zqchanged")
    second = run([tmp_path / "docs"], ix, progress=False, batch_docs=3, procs=1)
    assert (second.added, second.updated, second.deleted, second.unchanged) == (0, 1, 1, 5)
    assert second.summary().startswith("added 0, updated 1, deleted 1, unchanged 5, failed 0")


@pytest.mark.parametrize("limit", [3])
def test_a_limited_run_deletes_nothing(tmp_path, limit):
    for n in range(5):
        write(tmp_path / "docs" / f"{n}.txt", f"zqlimit{n}")
    ix = tmp_path / "ix"
    run([tmp_path / "docs"], ix, progress=False, procs=1)
    (tmp_path / "docs" / "4.txt").unlink()
    limited = run([tmp_path / "docs"], ix, progress=False, procs=1, limit=limit)
    assert (limited.unchanged, limited.deleted) == (limit, 0)


# --------------------------------------------------------------------------- the id rule


@pytest.mark.parametrize(
    "doc_id, problem",
    [
        ("plans/plan-15.md", None),
        ("ข่าว 2567/ประกาศ #1?.txt", None),
        ("a\\b", None),
        ("", "is empty"),
        ("   ", "is empty"),
        ("x" * 1001, "is too long"),
        ("bad-\ud800", "is not valid Unicode"),
        ("a\nb", "control character"),
        ("a\u2028b", "control character"),
        ("\x7f", "control character"),
        ("/leading", "starts or ends with '/'"),
        ("trailing/", "starts or ends with '/'"),
        ("a//b", "empty path segment"),
        (".", "'.' path segment"),
        ("a/./b", "'.' path segment"),
        ("..", "'..' path segment"),
        ("a/../b", "'..' path segment"),
    ],
)
def test_the_id_rule(doc_id, problem):
    from indexer.ids import id_problem

    found = id_problem(doc_id)
    assert (found is None) if problem is None else (problem in found)


def test_printable_leaves_ordinary_text_alone_and_escapes_the_rest():
    from indexer.ids import printable

    assert printable("/data/ข่าว 2567.txt") == "/data/ข่าว 2567.txt"
    assert printable(Path(os.fsdecode("ข่าว".encode("cp874")))) == "\\xa2\\xe8\\xd2\\xc7"
    assert printable("a\nb\ud800") == "a\\nb\\ud800"
