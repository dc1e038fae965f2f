"""The operator's command line, as a weekly user meets it (ninth-session QA).

Every test runs the real ``kb`` as a subprocess on files built at test time:
exit statuses, the lines on stderr and what stays in the index are the point.
"""
from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


# --------------------------------------------------------------------------- an index folder kb cannot write


@pytest.fixture
def read_only_index(tmp_path):
    """An index built by ``kb index``, then mounted read-only (a bind mount: root cannot write it either)."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    src, ix = tmp_path / "ix-src", tmp_path / "ix"
    write(tmp_path / "docs" / "a.txt", "zqreadonly")
    assert kb("index", str(tmp_path / "docs"), "--index", str(src), "--no-progress").returncode == 0
    ix.mkdir()
    done = subprocess.run(["mount", "--bind", str(src), str(ix)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(ix)], capture_output=True, text=True)
        if ro.returncode != 0:
            pytest.skip(f"read-only remount not permitted here: {ro.stderr.strip()}")
        yield tmp_path, ix
    finally:
        subprocess.run(["umount", "-l", str(ix)], check=False)


def test_an_index_folder_that_cannot_be_created_is_one_line_and_exit_2(tmp_path):
    write(tmp_path / "docs" / "a.txt", "zqnofolder")
    (tmp_path / "plain-file").write_text("x")
    proc = kb("index", str(tmp_path / "docs"), "--index", str(tmp_path / "plain-file" / "ix"), "--no-progress")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("kb index: cannot write the index at ") and "plain-file/ix" in line, line


def test_a_read_only_index_is_searched_and_kb_index_says_why_it_cannot_write(read_only_index):
    base, ix = read_only_index
    assert kb("search", "zqreadonly", "--index", str(ix), "--json").returncode == 0
    proc = kb("index", str(base / "docs"), "--index", str(ix), "--no-progress")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line == f"kb index: cannot write the index at {ix} (Read-only file system); give a folder kb can write with --index"


def test_kb_serve_on_a_read_only_index_names_the_setting_that_lets_it_run(read_only_index):
    """The server's signing key lives in the index folder: when it cannot be created there, one
    line says so and names KB_SECRET_KEY (before: a traceback from ``mkdir``)."""
    _, ix = read_only_index
    env_key = {k: v for k, v in os.environ.items() if k != "KB_SECRET_KEY"}
    proc = subprocess.run(
        [sys.executable, "-m", "kb.cli", "serve", "--index", str(ix), "--port", str(free_port())], capture_output=True, text=True,
        timeout=120, env={**env_key, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "KB_SECRET_KEY" in proc.stderr and "Read-only file system" in proc.stderr, proc.stderr


# --------------------------------------------------------------------------- Ctrl+C


def as_at_a_terminal() -> None:
    """In the child before it runs: Ctrl+C interrupts, as at a terminal.  A test run started in
    the background (``pytest … &`` from a script, as a CI job may be) has SIGINT ignored, and a
    child inherits that: Python then installs no KeyboardInterrupt handler and the signal is lost."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_says_what_the_index_keeps_and_exits_130(tmp_path):
    """Ctrl+C (SIGINT to the whole foreground group, as a terminal sends it) while ``kb index``
    waits for another run's lock: one line saying the index keeps its last commit and how to go
    on, exit 130 (before: click's bare ``Aborted!`` and exit 1, the status of "some files failed")."""
    import signal

    from kb.engine import WriterLock

    write(tmp_path / "docs" / "a.txt", "zqctrlc")
    ix = tmp_path / "ix"
    assert kb("index", str(tmp_path / "docs"), "--index", str(ix), "--no-progress").returncode == 0
    write(tmp_path / "docs" / "b.txt", "zqctrlcb")
    lock = WriterLock(ix)
    lock.acquire(wait=False)  # another run holds the index
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "index", str(tmp_path / "docs"), "--index", str(ix), "--no-progress"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT, start_new_session=True,
            preexec_fn=as_at_a_terminal,
        )
        first = proc.stderr.readline()
        assert "waiting for it to finish" in first, first
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        lock.release()
    assert proc.returncode == 130, err
    assert "Aborted!" not in err and "Traceback" not in err, err
    (line,) = err.splitlines()
    assert line.startswith("kb index: interrupted") and "run kb index again" in line, line
    assert indexed_ids(ix) == ["a.txt"]  # the index as it was; the rerun takes b.txt in
    assert kb("index", str(tmp_path / "docs"), "--index", str(ix), "--no-progress").returncode == 0
    assert indexed_ids(ix) == ["a.txt", "b.txt"]


# --------------------------------------------------------------------------- progress


def test_the_progress_of_a_bulk_file_counts_its_records(tmp_path):
    """One JSONL file is one "file" of the bar: without a count of its records the bar sat at
    0/1 for the whole run (20 minutes for the ThaiGov archive); now it says how many were read."""
    bulk = tmp_path / "releases.jsonl"
    bulk.write_text("".join(
        json.dumps({"id": f"r{i}", "title": f"ข่าว {i}", "text": TEXT.format(word=f"zqbulk{i}")}, ensure_ascii=False) + "\n"
        for i in range(150)
    ), encoding="utf-8")
    proc = kb("index", str(bulk), "--index", str(tmp_path / "ix"), "--progress")
    assert proc.returncode == 0, proc.stderr
    last = proc.stderr.replace("\r", "\n").strip().splitlines()
    bars = [ln for ln in last if ln.startswith("indexing:")]
    assert bars and "150 records" in bars[-1], proc.stderr
    again = kb("index", str(bulk), "--index", str(tmp_path / "ix"), "--progress")  # unchanged records count too
    assert "150 records" in [ln for ln in again.stderr.replace("\r", "\n").splitlines() if ln.startswith("indexing:")][-1]


def test_no_ocr_bar_when_no_page_needed_ocr(tmp_path):
    """A PDF with a text layer is read without OCR: no empty ``OCR: 0page`` bar."""
    import shutil

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ROOT / "corpus" / "plans" / "nspp-2566-2570.pdf", docs / "plan.pdf")
    write(docs / "a.txt", "zqnoocr")
    proc = kb("index", str(docs), "--index", str(tmp_path / "ix"), "--progress")
    assert proc.returncode == 0, proc.stderr
    assert "indexing:" in proc.stderr and "OCR:" not in proc.stderr, proc.stderr


# --------------------------------------------------------------------------- ids when a part is indexed again


def test_indexing_a_subfolder_or_one_file_again_keeps_the_ids_and_urls(tmp_path):
    """After ``kb index docs``, the operator re-indexes only ``docs/meetings`` (or one file of it)
    because that is what changed.  Before: every document of the subfolder was deleted and added
    again under a shorter id (``meetings/a.txt`` became ``a.txt``: its URL broke), and the next
    ``kb index docs`` moved them all back."""
    docs = tmp_path / "docs"
    write(docs / "news" / "n.txt", "zqnews")
    meeting = write(docs / "meetings" / "a.txt", "zqmeetinga")
    write(docs / "meetings" / "b.txt", "zqmeetingb")
    ix = tmp_path / "ix"
    assert kb("index", str(docs), "--index", str(ix), "--no-progress").returncode == 0
    before = indexed_ids(ix)
    assert before == ["meetings/a.txt", "meetings/b.txt", "news/n.txt"]

    meeting.write_text(TEXT.format(word="zqmeetingachanged"), encoding="utf-8")
    write(docs / "meetings" / "c.txt", "zqmeetingc")
    proc = kb("index", str(docs / "meetings"), "--index", str(ix), "--json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)
    assert (counts["added"], counts["updated"], counts["deleted"], counts["unchanged"]) == (1, 1, 0, 1), counts
    assert indexed_ids(ix) == ["meetings/a.txt", "meetings/b.txt", "meetings/c.txt", "news/n.txt"]

    meeting.write_text(TEXT.format(word="zqmeetingathird"), encoding="utf-8")
    proc = kb("index", str(meeting), "--index", str(ix), "--json", "--no-progress")
    counts = json.loads(proc.stdout)
    assert (counts["added"], counts["updated"], counts["deleted"]) == (0, 1, 0), counts
    proc = kb("index", str(docs), "--index", str(ix), "--json", "--no-progress")
    counts = json.loads(proc.stdout)
    assert (counts["added"], counts["updated"], counts["deleted"], counts["unchanged"]) == (0, 0, 0, 4), counts


def test_a_new_folder_beside_an_indexed_file_gets_its_own_ids(tmp_path):
    """Only files already indexed carry their id root along: a folder none of whose files is in
    the index is the root of its ids, even under the folder of a file indexed by name."""
    one = write(tmp_path / "home" / "note.txt", "zqnote")
    write(tmp_path / "home" / "docs" / "x.txt", "zqdocsx")
    ix = tmp_path / "ix"
    assert kb("index", str(one), "--index", str(ix), "--no-progress").returncode == 0
    assert kb("index", str(tmp_path / "home" / "docs"), "--index", str(ix), "--no-progress").returncode == 0
    assert indexed_ids(ix) == ["note.txt", "x.txt"]


# --------------------------------------------------------------------------- the same document twice


def test_the_same_file_under_two_names_is_indexed_and_pointed_out(tmp_path):
    """A release saved twice (``copy-of-…``) appears twice in every result list: the run says
    which files are byte-for-byte copies of which (both stay indexed, exit 0), on every run
    until one is removed (before: nothing said)."""
    docs = tmp_path / "docs"
    first = write(docs / "news" / "2567-01-10-release.html", "zqtwice")
    (docs / "copy-of-release.html").write_bytes(first.read_bytes())
    write(docs / "other.txt", "zqother")
    ix = tmp_path / "ix"
    for _ in range(2):
        proc = kb("index", str(docs), "--index", str(ix), "--no-progress")
        assert proc.returncode == 0, proc.stderr
        (line,) = [ln for ln in proc.stderr.splitlines() if "same content" in ln]
        assert line.startswith("kb index: 1 file has the same content as another") and \
            "copy-of-release.html" in line and "news/2567-01-10-release.html" in line, line
    assert indexed_ids(ix) == ["copy-of-release.html", "news/2567-01-10-release.html", "other.txt"]
    (docs / "copy-of-release.html").unlink()
    proc = kb("index", str(docs), "--index", str(ix), "--no-progress")
    assert "same content" not in proc.stderr


def test_two_empty_files_are_failures_not_copies(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / name).write_bytes(b"")
    proc = kb("index", str(tmp_path / "docs"), "--index", str(tmp_path / "ix"), "--no-progress")
    assert proc.returncode == 1 and proc.stderr.count("empty file") == 2 and "same content" not in proc.stderr


def test_the_json_report_carries_the_notes(tmp_path):
    """``kb index --json`` for scripts: what the run skipped is part of its report (the notes were
    only on stderr, so a script reading the JSON never learnt of a skipped .docx or loop)."""
    write(tmp_path / "docs" / "a.txt", "zqjsonnotes")
    (tmp_path / "docs" / "minutes.docx").write_bytes(b"PK\x03\x04 not read")
    os.symlink(".", tmp_path / "docs" / "loop")
    proc = kb("index", str(tmp_path / "docs"), "--index", str(tmp_path / "ix"), "--json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    notes = json.loads(proc.stdout)["notes"]
    assert len(notes) == 2 and any(".docx" in n for n in notes) and any("symlink loop" in n for n in notes), notes
    assert [f"kb index: {n}" for n in notes] == [ln for ln in proc.stderr.splitlines() if not ln.startswith("kb index: failed")]


# --------------------------------------------------------------------------- an empty folder is not "everything deleted"


def test_an_empty_folder_does_not_delete_what_was_indexed_from_it(tmp_path):
    """The weekly run over a network share that did not mount sees an empty folder.  Before, it
    deleted every document indexed from it and exited 0.  A completely empty folder that held
    indexed documents is now a failure naming the folder and the way out; nothing is deleted."""
    share = tmp_path / "share"
    write(share / "a.txt", "zqsharea")
    write(share / "sub" / "b.txt", "zqshareb")
    ix = tmp_path / "ix"
    assert kb("index", str(share), "--index", str(ix), "--no-progress").returncode == 0
    (share / "a.txt").unlink()
    (share / "sub" / "b.txt").unlink()
    (share / "sub").rmdir()  # the mount point alone is left
    proc = kb("index", str(share), "--index", str(ix), "--json", "--no-progress")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["deleted"] == 0
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("kb index: failed: ")]
    assert line.startswith(f"kb index: failed: {share}: ") and "2 documents" in line and "--full" in line, line
    assert indexed_ids(ix) == ["a.txt", "sub/b.txt"]

    (share / "README.txt").write_text("")  # any entry at all: the folder is really there, deletions go on
    proc = kb("index", str(share), "--index", str(ix), "--json", "--no-progress")
    assert json.loads(proc.stdout)["deleted"] == 2


def test_a_subfolder_emptied_by_the_operator_is_still_deleted(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "keep.txt", "zqkeep")
    write(docs / "old" / "x.txt", "zqoldx")
    ix = tmp_path / "ix"
    assert kb("index", str(docs), "--index", str(ix), "--no-progress").returncode == 0
    (docs / "old" / "x.txt").unlink()  # an emptied subfolder of a folder that still has files
    proc = kb("index", str(docs), "--index", str(ix), "--json", "--no-progress")
    assert proc.returncode == 0 and json.loads(proc.stdout)["deleted"] == 1, proc.stderr


def test_a_folder_given_inside_another_given_folder_is_read_once(tmp_path):
    """``kb index docs/meetings docs`` (or ``docs docs/meetings/a.txt``): each file is read once,
    under the outer folder's id.  Before: a fresh index held every meeting record twice
    (``a.txt`` and ``meetings/a.txt``), or the run failed each one as a duplicate of itself."""
    docs = tmp_path / "docs"
    write(docs / "news" / "n.txt", "zqonce")
    write(docs / "meetings" / "a.txt", "zqoncea")
    ix = tmp_path / "ix"
    for args in ([docs / "meetings", docs], [docs, docs / "meetings" / "a.txt", docs / "meetings", docs]):
        proc = kb("index", *map(str, args), "--index", str(ix), "--json", "--no-progress")
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == "" and json.loads(proc.stdout)["failed"] == 0, proc.stderr
        assert indexed_ids(ix) == ["meetings/a.txt", "news/n.txt"]


def test_an_index_kept_inside_the_indexed_folder_is_not_walked(tmp_path):
    """``kb index docs --index docs/ix``: the index's own files (``.npy``, ``.seg``, ``kb.lock`` …)
    are not documents; before, every rerun listed 46 of them as "files of a type kb cannot read"."""
    docs = tmp_path / "docs"
    write(docs / "a.txt", "zqnested")
    for _ in range(2):
        proc = kb("index", str(docs), "--index", str(docs / "ix"), "--json", "--no-progress")
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert json.loads(proc.stdout)["unchanged"] == 1


def test_ctrl_c_while_kb_serve_builds_its_index_says_so(tmp_path):
    """``kb serve`` on a missing index builds it first; while another run holds that folder it now
    says it waits (it waited silently), and Ctrl+C then is one line and exit 130, not ``Aborted!``
    and exit 1 (an interrupted first build would otherwise be served as it is by every later start)."""
    import signal

    from kb.engine import WriterLock

    ix = tmp_path / "ix"
    lock = WriterLock(ix)
    lock.acquire(wait=False)
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve", "--index", str(ix), "--port", str(free_port())],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT, start_new_session=True,
            preexec_fn=as_at_a_terminal,
        )
        lines: queue.Queue = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stderr], daemon=True)
        reader.start()
        try:  # a guard, not a timing: the old code waited silently, so this line never came
            first, second = lines.get(timeout=60), lines.get(timeout=60)
        except queue.Empty:
            proc.kill()
            raise AssertionError("kb serve did not say it waits for the other run") from None
        assert "building it from" in first and "waiting for it to finish" in second, (first, second)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        lock.release()
    reader.join(timeout=60)  # stderr ends with the process
    err = "".join(lines.get() for _ in range(lines.qsize()))
    assert proc.returncode == 130, err
    assert err.startswith("kb serve: interrupted") and "kb index" in err and "Aborted!" not in err, err
