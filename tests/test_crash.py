"""Crash safety: ``kill -9`` during ``kb index`` and ``kb index --full``.

A generated corpus of a few thousand short Thai files (fixed seed) is indexed
by the real command in a subprocess that is killed without warning at random
points.  After every kill the index must open and answer with its last
committed state; a rerun must finish the job and resume rather than restart.
The loops are marked ``slow`` (``pytest -m slow tests/test_crash.py``); the
stale-lock check is quick and runs by default.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.params import parse_mapping
from kb.search import Searcher
from kb.engine import Index, exists

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CORPUS_SIZE = 3000
SEED = 20240110

WORDS = (
    "การประชุม ความมั่นคง ชายแดน ยาเสพติด การค้ามนุษย์ แรงงาน ต่างด้าว ภัยพิบัติ "
    "น้ำท่วม ไซเบอร์ ทะเล ประมง จังหวัด สำนักงาน นโยบาย แผน หน่วยงาน ติดตาม ขับเคลื่อน"
).split()


def marker(i: int) -> str:
    return f"zqc{i:05d}x"


def make_corpus(folder: Path, n: int = CORPUS_SIZE, seed: int = SEED) -> None:
    """``n`` short Thai releases, each with a unique marker word, from a fixed seed."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(n):
        sub = folder / f"y{i % 10}"
        sub.mkdir(exist_ok=True)
        body = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(20, 60)))
        (sub / f"r{i:05d}.txt").write_text(f"ข่าวทดสอบฉบับที่ {i}\nรหัส {marker(i)} {body}\n", encoding="utf-8")


def kb_popen(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen(
        [PYTHON, "-m", "kb.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def kb_run(*args: str, timeout: float = 240) -> tuple[int, dict, str]:
    proc = kb_popen(*args, "--json", "--no-progress")
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, json.loads(out) if out.strip() else {}, err


def committed_ids(index_dir: Path) -> set[str]:
    """The ids a fresh reader sees, or an empty set when no index exists yet."""
    if not exists(index_dir):
        return set()
    return set(Index(index_dir).snapshot().by_id)


def found(index_dir: Path, i: int) -> list[str]:
    req = parse_mapping({"q": marker(i)})
    return [h.id for h in Searcher(Index(index_dir)).search(req).hits]


def doc_id(i: int) -> str:
    return f"y{i % 10}/r{i:05d}.txt"


def assert_answers_with_committed_state(index_dir: Path, rnd: random.Random) -> set[str]:
    """The index opens, its documents are findable by marker, a plain query answers."""
    ids = committed_ids(index_dir)
    if ids:
        for i in rnd.sample(sorted(int(x[-9:-4]) for x in ids), min(20, len(ids))):
            assert found(index_dir, i) == [doc_id(i)]
        result = Searcher(Index(index_dir)).search(parse_mapping({"q": "ชายแดน"}))
        assert result.total > 0
    return ids


def wait_until(predicate, timeout: float, every: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return False


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "corpus"
    make_corpus(folder)
    return folder


@pytest.mark.slow
def test_kill_9_at_random_points_keeps_last_commit_and_rerun_completes(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    # calibrate: how long one whole run takes on this machine
    t0 = time.monotonic()
    code, _, err = kb_run("index", str(corpus), "--index", str(tmp_path / "calibration"))
    assert code == 0, err
    build_seconds = time.monotonic() - t0
    rnd = random.Random(SEED)
    previous: set[str] = set()
    kills = 0
    for _ in range(6):
        proc = kb_popen("index", str(corpus), "--index", str(index_dir), "--no-progress")
        delay = rnd.uniform(0.1, 0.6) * build_seconds
        time.sleep(delay)
        if proc.poll() is not None:  # finished before the kill: nothing left to interrupt
            proc.communicate()
            previous = committed_ids(index_dir)
            break
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        kills += 1
        now = assert_answers_with_committed_state(index_dir, rnd)
        print(f"\nkill -9 after {delay:.1f} s: {len(now)} documents committed")
        assert previous <= now, "a kill lost documents that an earlier run had committed"
        previous = now
    assert kills >= 2
    code, report, err = kb_run("index", str(corpus), "--index", str(index_dir))
    assert code == 0, err
    print(f"rerun after {kills} kills: {report}")
    # forked pool workers of a killed run must not outlive it holding the lock (an inherited flock)
    assert "waiting" not in err
    assert report["unchanged"] == len(previous)  # resumed from the last commit
    assert report["added"] == CORPUS_SIZE - len(previous)
    snap = Index(index_dir).snapshot()
    assert len(snap.docs) == CORPUS_SIZE
    assert set(snap.by_id) == {doc_id(i) for i in range(CORPUS_SIZE)}
    for i in random.Random(1).sample(range(CORPUS_SIZE), 300):
        assert found(index_dir, i) == [doc_id(i)]
    assert [p.name for p in index_dir.glob("gen-*")] == [(index_dir / "CURRENT").read_text().strip()]


@pytest.mark.slow
def test_kill_9_late_in_a_first_run_then_rerun_resumes(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    proc = kb_popen("index", str(corpus), "--index", str(index_dir), "--no-progress")
    # kill once at least half the corpus is committed (the pipeline commits every 2,000 documents or 20 s)
    reached = wait_until(lambda: len(committed_ids(index_dir)) >= CORPUS_SIZE // 2, timeout=120, every=0.2)
    assert reached and proc.poll() is None, "the run ended before it could be killed late"
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    kept = assert_answers_with_committed_state(index_dir, random.Random(2))
    assert CORPUS_SIZE // 2 <= len(kept) < CORPUS_SIZE
    code, report, err = kb_run("index", str(corpus), "--index", str(index_dir))
    assert code == 0, err
    print(f"\nkilled late with {len(kept)} committed; rerun: {report}")
    assert "waiting" not in err
    assert report["unchanged"] == len(kept) > 0
    assert report["added"] == CORPUS_SIZE - len(kept)
    assert Index(index_dir).doc_count() == CORPUS_SIZE


@pytest.mark.slow
def test_kill_9_during_full_rebuild_leaves_old_index_active_and_complete(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    t0 = time.monotonic()
    code, _, err = kb_run("index", str(corpus), "--index", str(index_dir))
    build_seconds = time.monotonic() - t0
    assert code == 0, err
    active = (index_dir / "CURRENT").read_text()
    rnd = random.Random(SEED + 1)
    for _ in range(3):
        proc = kb_popen("index", str(corpus), "--index", str(index_dir), "--full", "--no-progress")
        # wait for the new generation to exist, then kill at a random moment of its
        # build (relative to how long a build takes on this machine)
        assert wait_until(lambda: len(list(index_dir.glob("gen-*"))) >= 2, timeout=60, every=0.05)
        time.sleep(rnd.uniform(0.05, 0.5) * build_seconds)
        if proc.poll() is not None:
            pytest.fail("the rebuild finished before it was killed; slow the kill schedule down")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        print(f"\n--full killed; generations on disk: {len(list(index_dir.glob('gen-*')))}")
        assert (index_dir / "CURRENT").read_text() == active
        snap = Index(index_dir).snapshot()
        assert len(snap.docs) == CORPUS_SIZE
        for i in rnd.sample(range(CORPUS_SIZE), 30):
            assert found(index_dir, i) == [doc_id(i)]
    # the next run clears the half-built generations and finds nothing to do
    code, report, err = kb_run("index", str(corpus), "--index", str(index_dir))
    assert code == 0, err
    assert report["unchanged"] == CORPUS_SIZE and report["added"] == 0
    assert [p.name for p in index_dir.glob("gen-*")] == [active.strip()]
    # and a full rebuild run to the end switches to a complete new generation
    code, report, err = kb_run("index", str(corpus), "--index", str(index_dir), "--full")
    assert code == 0, err
    assert report["rebuilt"] and report["added"] == CORPUS_SIZE
    assert (index_dir / "CURRENT").read_text() != active
    assert Index(index_dir).doc_count() == CORPUS_SIZE


HOLD_WRITER = """
import sys, time
from pathlib import Path
from kb import analysis
from kb.models import Document
from kb.engine import IndexWriter, WriterLock
root = Path(sys.argv[1])
lock = WriterLock(root)
lock.acquire(wait=False)
w = IndexWriter(root)
doc = Document(id="held.txt", title="ค้าง", text="zqheld ระหว่างเขียน")
w.add(doc, analysis.analyze(doc.text), analysis.analyze(doc.title))   # opens Whoosh's writer (its lock)
print("holding", flush=True)
time.sleep(600)
"""


def test_writer_killed_while_holding_both_locks_leaves_no_stale_lock(tmp_path):
    """Our fcntl lock and Whoosh's MAIN_WRITELOCK are flocks: the kernel drops them with the process."""
    corpus = tmp_path / "in"
    make_corpus(corpus, n=5)
    index_dir = tmp_path / "ix"
    code, _, err = kb_run("index", str(corpus), "--index", str(index_dir))
    assert code == 0, err
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([PYTHON, "-c", HOLD_WRITER, str(index_dir)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "holding"
        gen = index_dir / (index_dir / "CURRENT").read_text().strip()
        assert (gen / "MAIN_WRITELOCK").exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    (corpus / "y0" / "new.txt").write_text("ใหม่\nzqafterkill ชายแดน\n", encoding="utf-8")
    t0 = time.monotonic()
    code, report, err = kb_run("index", str(corpus), "--index", str(index_dir), timeout=60)
    assert code == 0, err
    assert "waiting" not in err
    assert time.monotonic() - t0 < 30
    assert report["added"] == 1 and report["unchanged"] == 5
    assert Searcher(Index(index_dir)).search(parse_mapping({"q": "zqafterkill"})).total == 1
    assert Searcher(Index(index_dir)).search(parse_mapping({"q": "zqheld"})).total == 0  # never committed


def test_fresh_index_is_active_from_its_first_commit(tmp_path):
    """A first build is served batch by batch, so a crash in it keeps what was committed."""
    from kb import analysis
    from kb.models import Document
    from kb.engine import IndexWriter

    index_dir = tmp_path / "ix"
    w = IndexWriter(index_dir, rebuild=True)
    assert exists(index_dir)
    doc = Document(id="a", title="หนึ่ง", text="zqfirstbatch ชายแดน")
    w.add(doc, analysis.analyze(doc.text), analysis.analyze(doc.title))
    w.commit()
    assert Index(index_dir).doc_count() == 1  # visible before close()
    w.abort()  # a failed first run keeps its committed batches
    assert Index(index_dir).doc_count() == 1


def test_leftover_generation_and_temp_files_are_removed_by_the_next_writer(tmp_path):
    from kb.engine import IndexWriter

    index_dir = tmp_path / "ix"
    IndexWriter(index_dir).close()
    active = (index_dir / "CURRENT").read_text().strip()
    (index_dir / "gen-19990101000000-1-abcdef").mkdir()  # as a killed --full leaves it
    (index_dir / "CURRENT.4242.tmp").write_text("gen-x\n")
    IndexWriter(index_dir).close()
    assert sorted(p.name for p in index_dir.iterdir()) == sorted(["CURRENT", "kb-index.json", active])


def test_index_killed_before_its_first_commit_opens_empty_and_searches(tmp_path):
    from kb.engine import IndexWriter

    index_dir = tmp_path / "ix"
    IndexWriter(index_dir, rebuild=True)  # created and made active, then "killed": never closed
    assert Index(index_dir).doc_count() == 0
    assert Searcher(Index(index_dir)).search(parse_mapping({"q": "ชายแดน"})).total == 0
    assert IndexWriter(index_dir).existing() == {}
