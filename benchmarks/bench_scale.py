"""The scale benchmark (issue 12): kb beside Typesense on the whole ThaiGov corpus, as a user runs them.

For the corpus (all 63,241 ThaiGov V2 releases, or ``--docs N``) and, with
``--growth K``, for the K× corpus (the releases repeated with new ids and a
changed first line), one run measures, one side at a time so they never compete:

kb      ``kb index`` in a subprocess (wall, docs/s, peak RSS of the indexer and
        its workers) → ``kb serve`` (waitress, real HTTP) → the query set over
        ``/api/search`` (every facet counted), one keep-alive client: a first
        pass, then ``--repeats`` repeated passes; the server's RSS after start,
        peak and after;
Typesense  one node from the pip wheels (``scripts/typesense-cluster.sh``),
        ``locale: "th"``, the same releases (title, text, and kb's facet values
        as facet fields) through its import API (docs/s), the same queries with
        the same facet fields counted, the same passes, its RSS.

The queries are drawn from the corpus with a seed (``scale_queries.draw_queries``),
never a hand list: single words in three frequency bands, very common words
(การ, ที่ …), keyword pairs, quoted phrases, questions typed as sentences,
filtered searches and browsing (the empty query, alone and with a filter).

    .venv/bin/python benchmarks/bench_scale.py                # all 63,241 releases (~15 min on 2 cores)
    .venv/bin/python benchmarks/bench_scale.py --growth 4     # and the 4× corpus (much longer)
    .venv/bin/python benchmarks/bench_scale.py --smoke        # 300 releases, seconds (the CI test)
    .venv/bin/python benchmarks/bench_scale.py --write        # append the tables to docs/benchmarks.md

Exit status: 0 when every request answered 200, 1 otherwise, 2 on bad arguments.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (puts the repo on sys.path)
from load import Server, free_port  # noqa: E402
from scale_queries import SEED, TS_FACETS, Query, draw_queries  # noqa: E402

CORPUS = ("thaigov", "thaigov_v2.jsonl.gz")
MEMORY_CONSTANT_MB = 300  # the growth goal's "+ a constant": interpreter, libraries, dictionaries

# --- the corpus ------------------------------------------------------------------------------


def grown(record: dict, copy: int) -> dict:
    """Copy number ``copy`` (≥ 1) of a release: a new id and a changed first line, the rest as it was."""
    first, sep, rest = (record.get("text") or "").partition("\n")
    return {**record, "id": f"copy{copy}/{record['id']}", "text": f"{first} (ฉบับที่ {copy + 1}){sep}{rest}"}


def write_source(path: Path, limit: int | None, growth: int) -> int:
    """The corpus (first ``limit`` releases), ``growth`` times over, as JSONL at ``path``; returns the count."""
    records = list(common.read_jsonl(common.data_file(*CORPUS), limit=limit))
    return common.write_jsonl(path, (r if k == 0 else grown(r, k) for k in range(growth) for r in records))


def sample_texts(path: Path, n: int, seed: int) -> list[str]:
    """``n`` releases' title and text drawn with ``seed`` (a reservoir sample: the file is streamed)."""
    rnd, sample = random.Random(seed), []
    for i, rec in enumerate(common.read_jsonl(path)):
        text = f"{rec.get('title') or ''}\n{rec.get('text') or ''}"
        if i < n:
            sample.append(text)
        elif (j := rnd.randrange(i + 1)) < n:
            sample[j] = text
    return sample


# --- timing over HTTP ---------------------------------------------------------------------------


@dataclass
class Side:
    """One engine's figures at one corpus size."""

    engine: str
    docs: int = 0
    index_seconds: float = 0.0
    index_cpu_seconds: float = 0.0  # kb: the indexer and its workers; Typesense: the node during the import
    index_peak_mb: float = 0.0  # kb: the indexer and its workers (summed); Typesense: the node during import
    first: list[float] = field(default_factory=list)  # ms per query, first pass (in set order)
    repeated: list[float] = field(default_factory=list)  # ms, the repeated passes pooled
    first_cpu_seconds: float = 0.0  # the server's CPU over the first pass
    repeated_cpu_seconds: float = 0.0  # and over the repeated passes
    rss_start_mb: float = 0.0  # after start (kb) or after the import (Typesense)
    rss_peak_mb: float = 0.0
    rss_after_mb: float = 0.0
    errors: list[str] = field(default_factory=list)  # requests or imports that failed
    index_failures: list[str] = field(default_factory=list)  # kb index: releases it refused, with the reason

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.index_seconds if self.index_seconds else 0.0

    @property
    def docs_per_cpu_second(self) -> float:
        return self.docs / self.index_cpu_seconds if self.index_cpu_seconds else 0.0

    def cpu_ms_per_query(self, which: str) -> float:
        n = len(getattr(self, which))
        return 1000 * getattr(self, f"{which}_cpu_seconds") / n if n else 0.0

    def stat(self, which: str, what: str) -> float:
        xs = getattr(self, which)
        return max(xs) if what == "max" else common.percentile(xs, float(what[1:]))


def time_passes(port: int, pid: int, paths: list[str], repeats: int, side: Side,
                headers: dict[str, str] | None = None) -> None:
    """One client, one keep-alive connection: every path once (the first pass), then ``repeats`` more
    passes; and the CPU time the server (process ``pid``) spent on each."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        cpu = common.process_cpu_seconds(pid)
        for round_ in range(1 + repeats):
            for path in paths:
                t0 = time.perf_counter()
                conn.request("GET", path, headers=headers or {})
                resp = conn.getresponse()
                body = resp.read()
                ms = (time.perf_counter() - t0) * 1000
                (side.first if round_ == 0 else side.repeated).append(ms)
                if resp.status != 200:
                    side.errors.append(f"{resp.status} {path}: {body[:200]!r}")
            now = common.process_cpu_seconds(pid)
            if round_ == 0:
                side.first_cpu_seconds = now - cpu
            else:
                side.repeated_cpu_seconds += now - cpu
            cpu = now
    finally:
        conn.close()


# --- kb ---------------------------------------------------------------------------------------


def kb_index(source: Path, index_dir: Path, side: Side) -> None:
    """``kb index --full`` in a subprocess, timed, its memory (with its workers) sampled."""
    cmd = [sys.executable, "-m", "kb.cli", "index", str(source), "--index", str(index_dir), "--full", "--json",
           "--no-progress"]
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen(cmd, cwd=common.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(common.REPO)})
    memory = common.TreeMemory(proc.pid)
    try:
        out, err = proc.communicate()
    finally:
        if proc.poll() is None:  # interrupted: the indexer stops with the benchmark (its workers follow it)
            proc.terminate()
            proc.wait(timeout=60)
    side.index_seconds, side.index_cpu_seconds = time.perf_counter() - t0, _children_cpu() - c0
    side.index_peak_mb = memory.stop()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"kb index exited with {proc.returncode}: {err[-2000:]}")
    report = json.loads(out)
    side.docs = report["added"] + report["updated"]
    side.index_failures = [f"{f['source']}: {f['reason']}" for f in report["failures"]]


def _children_cpu() -> float:
    """CPU seconds of the waited-for children (``kb index`` and, through it, its joined workers)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kb_serve(index_dir: Path, queries: list[Query], repeats: int, side: Side) -> None:
    """``kb serve`` on the index, the passes over ``/api/search``, the server's memory."""
    os.environ.setdefault("KB_RATE_LIMIT", "100000000")  # one client sending as fast as it can is not abuse here
    server = Server(index_dir, free_port(), threads=8)
    try:
        server.wait_ready()
        side.rss_start_mb = common.process_memory_mb(server.proc.pid)[0]
        time_passes(server.port, server.proc.pid, [q.kb_path() for q in queries], repeats, side)
        side.rss_after_mb, side.rss_peak_mb = common.process_memory_mb(server.proc.pid)
    finally:
        server.stop()


def browse_facets(index_dir: Path) -> dict[str, list[tuple[str, int]]]:
    """The corpus' facet values and counts, from ``/api/search`` with the empty query (what a user sees first)."""
    from kb.models import SearchRequest
    from kb.search import Searcher
    from kb.engine import Index

    result = Searcher(Index(index_dir)).search(SearchRequest(q="")).to_dict()
    return {name: [(v["value"], v["count"]) for v in values if v["count"]] for name, values in result["facets"].items()}


# --- Typesense ------------------------------------------------------------------------------------


def typesense_lines(source: Path, index_dir: Path) -> list[str]:
    """The releases as Typesense documents: title and text as read, kb's facet values as facet fields."""
    from kb.engine import Index

    snap = Index(index_dir).snapshot()
    lines = []
    for n, rec in enumerate(common.read_jsonl(source)):
        docnum = snap.by_id.get(str(rec.get("id")))
        meta = snap.docs.get(docnum) if docnum is not None else None
        doc = {"id": str(n), "title": rec.get("title") or "", "text": rec.get("text") or ""}
        for name in TS_FACETS:
            values = list(meta.facet_values(name)) if meta is not None else []
            doc[name] = values if name not in ("type", "year") else (values[0] if values else "")
        lines.append(json.dumps(doc, ensure_ascii=False))
    return lines


def typesense_run(work: Path, lines: list[str], queries: list[Query], repeats: int, side: Side) -> None:
    """One node: create the collection, import (timed), the same passes, its memory."""
    node = common.TypesenseNode(work / "typesense")
    node.start()
    try:
        fields = [{"name": "title", "type": "string", "locale": "th"}, {"name": "text", "type": "string", "locale": "th"}]
        fields += [{"name": n, "type": "string" if n in ("type", "year") else "string[]", "facet": True, "optional": True}
                   for n in TS_FACETS]
        node.request("POST", "/collections", {"name": "scale", "fields": fields})
        t0, c0 = time.perf_counter(), common.process_cpu_seconds(node.pid)
        for start in range(0, len(lines), 1000):
            answer = node.request("POST", "/collections/scale/documents/import?action=create",
                                  raw="\n".join(lines[start:start + 1000]).encode())
            failed = [ln for ln in answer.decode().splitlines() if '"success":true' not in ln.replace(" ", "")]
            side.errors += [f"typesense import: {ln[:200]}" for ln in failed[:3]]
        side.index_seconds, side.docs = time.perf_counter() - t0, len(lines)
        side.index_cpu_seconds = common.process_cpu_seconds(node.pid) - c0
        side.rss_start_mb, side.index_peak_mb = node.memory_mb()
        time_passes(node.port, node.pid, [q.typesense_path("scale") for q in queries], repeats, side,
                    headers={"X-TYPESENSE-API-KEY": node.API_KEY})
        side.rss_after_mb, side.rss_peak_mb = node.memory_mb()
    finally:
        node.stop()


# --- one corpus size, both engines ----------------------------------------------------------------


@dataclass
class ScaleRun:
    """Both engines at one corpus size (``factor`` × the releases)."""

    factor: int
    kb: Side
    typesense: Side | None
    typesense_skipped: str = ""


def run_scale(work: Path, factor: int, limit: int | None, queries: list[Query] | None, args) -> tuple[ScaleRun, list[Query]]:
    """Index, serve and query the ``factor``× corpus with kb, then with Typesense; the queries are
    drawn here from the 1× corpus when ``queries`` is None."""
    folder = work / f"x{factor}"
    folder.mkdir(parents=True, exist_ok=True)
    if factor == 1 and limit is None:
        source = common.data_file(*CORPUS)  # the file itself, as the user indexes it
    else:
        source = folder / "releases.jsonl"
        write_source(source, limit, factor)
    print(f"\n[{factor}×] kb index {source} …", flush=True)
    kb = Side("kb")
    kb_index(source, folder / "index", kb)
    print(f"[{factor}×] {kb.docs} documents in {kb.index_seconds:.0f} s ({kb.docs_per_second:.0f} docs/s), "
          f"peak {kb.index_peak_mb:.0f} MB", flush=True)
    if queries is None:
        texts = sample_texts(source, 40 if args.smoke else 1500, args.seed)
        queries = draw_queries(texts, browse_facets(folder / "index"), args.seed, args.queries)
    print(f"[{factor}×] kb serve: {len(queries)} queries, 1 + {args.repeats} passes …", flush=True)
    kb_serve(folder / "index", queries, args.repeats, kb)
    run = ScaleRun(factor, kb, None)
    reason = "--no-typesense" if args.no_typesense else common.typesense_unavailable()
    if reason:
        run.typesense_skipped = reason
        print(f"[{factor}×] Typesense skipped: {reason}", flush=True)
    else:
        print(f"[{factor}×] Typesense: import and the same queries …", flush=True)
        run.typesense = Side("typesense")
        typesense_run(folder, typesense_lines(source, folder / "index"), queries, args.repeats, run.typesense)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return run, queries


# --- the report -----------------------------------------------------------------------------------


def _ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}" if b else "–"


def _number(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def figures_table(run: ScaleRun) -> str:
    kb, ts = run.kb, run.typesense
    rows: list[tuple[str, float, float | None]] = [
        ("documents", kb.docs, ts and ts.docs),
        ("indexing wall (s); Typesense: its import", kb.index_seconds, ts and ts.index_seconds),
        ("indexing docs/s", kb.docs_per_second, ts and ts.docs_per_second),
        ("indexing CPU (s; kb: indexer + workers; Typesense: the node)", kb.index_cpu_seconds, ts and ts.index_cpu_seconds),
        ("indexing docs per CPU second", kb.docs_per_cpu_second, ts and ts.docs_per_cpu_second),
        ("indexing peak RSS (MB; kb: indexer + workers summed)", kb.index_peak_mb, ts and ts.index_peak_mb),
    ]
    for which, label in (("first", "first pass"), ("repeated", "repeated")):
        for what in ("p50", "p95", "max"):
            rows.append((f"{label} {what} (ms)", kb.stat(which, what), ts and ts.stat(which, what)))
        rows.append((f"{label}: server CPU per query (ms, mean)", kb.cpu_ms_per_query(which), ts and ts.cpu_ms_per_query(which)))
    rows += [
        ("server RSS after start (MB; Typesense: after import)", kb.rss_start_mb, ts and ts.rss_start_mb),
        ("server RSS peak (MB)", kb.rss_peak_mb, ts and ts.rss_peak_mb),
        ("server RSS after the queries (MB)", kb.rss_after_mb, ts and ts.rss_after_mb),
    ]
    lines = [f"| {run.factor}× corpus | kb | Typesense | kb/Typesense |", "|---|---:|---:|---:|"]
    for label, a, b in rows:
        lines.append(f"| {label} | {_number(a)} | {_number(b)} | {_ratio(a, b)} |")
    return "\n".join(lines)


def kinds_table(run: ScaleRun, queries: list[Query]) -> str:
    kinds = sorted({q.kind for q in queries})
    lines = ["| kind | n | kb first p50 | kb first max | kb repeated p95 | Typesense first p50 | Typesense first max |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    repeats = len(run.kb.repeated) // max(1, len(queries))
    for kind in kinds:
        idx = [i for i, q in enumerate(queries) if q.kind == kind]

        def pick(side: Side | None, which: str) -> list[float]:
            if side is None:
                return []
            if which == "first":
                return [side.first[i] for i in idx]
            return [side.repeated[r * len(queries) + i] for r in range(repeats) for i in idx]

        kf, kr, tf = pick(run.kb, "first"), pick(run.kb, "repeated"), pick(run.typesense, "first")
        pct = common.percentile
        ts_cells = f"{pct(tf, 50):.0f} | {max(tf):.0f}" if tf else "– | –"
        lines.append(f"| {kind} | {len(idx)} | {pct(kf, 50):.0f} | {max(kf):.0f} | {pct(kr, 95):.0f} | {ts_cells} |")
    return "\n".join(lines)


def slowest_table(run: ScaleRun, queries: list[Query], n: int = 6) -> str:
    order = sorted(range(len(queries)), key=lambda i: -run.kb.first[i])[:n]
    lines = ["| kb first pass (ms) | Typesense first pass (ms) | kind | query |", "|---:|---:|---|---|"]
    for i in order:
        ts = f"{run.typesense.first[i]:.0f}" if run.typesense else "–"
        lines.append(f"| {run.kb.first[i]:.0f} | {ts} | {queries[i].kind} | {queries[i].describe()} |")
    return "\n".join(lines)


def growth_table(runs: list[ScaleRun]) -> str:
    """Each engine at K× beside itself at 1×: what growing the corpus costs."""
    base = runs[0]
    lines = ["| growth | kb 1× | kb K× | K×/1× | Typesense 1× | Typesense K× | K×/1× |", "|---|---:|---:|---:|---:|---:|---:|"]
    for run in runs[1:]:
        for label, get in (("documents", lambda s: s.docs), ("indexing docs/s", lambda s: s.docs_per_second),
                           ("first pass p95 (ms)", lambda s: s.stat("first", "p95")),
                           ("repeated p95 (ms)", lambda s: s.stat("repeated", "p95")),
                           ("server RSS peak (MB)", lambda s: s.rss_peak_mb)):
            k1, kk = get(base.kb), get(run.kb)
            t1 = get(base.typesense) if base.typesense else None
            tk = get(run.typesense) if run.typesense else None
            lines.append(f"| {label} ({run.factor}×) | {_number(k1)} | {_number(kk)} | {_ratio(kk, k1)} | "
                         f"{_number(t1)} | {_number(tk)} | {_ratio(tk, t1) if tk is not None else '–'} |")
    return "\n".join(lines)


def goals(runs: list[ScaleRun]) -> list[tuple[str, str, bool | None]]:
    """(goal, the figures, met?) for every goal of the issue this run can judge (None: not measured)."""
    kb, ts = runs[0].kb, runs[0].typesense
    out: list[tuple[str, str, bool | None]] = []
    for which in ("first", "repeated"):
        a = kb.stat(which, "p95")
        b = ts.stat(which, "p95") if ts else None
        out.append((f"HTTP p95 ({which} pass) ≤ Typesense's", f"{a:.0f} vs {b:.0f} ms" if b else f"{a:.0f} ms",
                    a <= b if b else None))
    p50, worst = kb.stat("first", "p50"), kb.stat("first", "max")
    out.append(("no query slower than 10× the median (first pass)", f"max {worst:.0f} ms, 10× p50 {10 * p50:.0f} ms",
                worst <= 10 * p50))
    first, p95 = kb.first[0], kb.stat("first", "p95")
    out.append(("the first query after `kb serve` starts as fast as later ones (≤ the first pass' p95)",
                f"{first:.0f} ms vs p95 {p95:.0f} ms", first <= p95))
    if ts:
        out.append(("server RSS (peak) ≤ Typesense's", f"{kb.rss_peak_mb:,.0f} vs {ts.rss_peak_mb:,.0f} MB",
                    kb.rss_peak_mb <= ts.rss_peak_mb))
        out.append(("end-to-end indexing docs/s ≥ Typesense's import", f"{kb.docs_per_second:,.0f} vs "
                    f"{ts.docs_per_second:,.0f} docs/s", kb.docs_per_second >= ts.docs_per_second))
        out.append(("the same per CPU second (what the load on a shared machine does not change)",
                    f"{kb.docs_per_cpu_second:,.0f} vs {ts.docs_per_cpu_second:,.0f} docs/CPU-s",
                    kb.docs_per_cpu_second >= ts.docs_per_cpu_second))
    for run in runs[1:]:
        a, b = run.kb.stat("first", "p95"), kb.stat("first", "p95")
        out.append((f"p95 at {run.factor}× ≤ 2× p95 at 1× (first pass)", f"{a:.0f} vs 2×{b:.0f} ms", a <= 2 * b))
        limit = run.factor * kb.rss_peak_mb + MEMORY_CONSTANT_MB
        out.append((f"server RSS at {run.factor}× ≤ {run.factor}× RSS at 1× + {MEMORY_CONSTANT_MB} MB",
                    f"{run.kb.rss_peak_mb:,.0f} vs {limit:,.0f} MB", run.kb.rss_peak_mb <= limit))
    return out


def report(runs: list[ScaleRun], queries: list[Query], args, started: dict[str, str]) -> str:
    m = started
    parts = [
        f"## Scale: kb beside Typesense (issue 12): `bench_scale.py {' '.join(args.argv)}`".rstrip(),
        "",
        f"{m['date']}, commit `{common.git_commit()}`, {m['cores']} cores ({m['cpu']}), {m['ram']} RAM, "
        f"Python {m['python']}; load average at the start {m['load']}, at the end "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}. {len(queries)} queries drawn with seed {args.seed}, "
        f"one client, 1 + {args.repeats} passes; Typesense 0.24.1, one node, `locale: th`, facets "
        f"{', '.join(TS_FACETS)} counted on every query (kb counts all of its facets).",
        "",
    ]
    for run in runs:
        parts += [figures_table(run), ""]
        if run.typesense_skipped:
            parts += [f"Typesense not measured: {run.typesense_skipped}", ""]
    if len(runs) > 1:
        parts += [growth_table(runs), ""]
    parts += ["By kind (ms, 1× corpus):", "", kinds_table(runs[0], queries), "",
              "kb's slowest queries, first pass (1× corpus):", "", slowest_table(runs[0], queries), "",
              "| goal (issue 12) | figures | met |", "|---|---|---|"]
    for goal, figures, met in goals(runs):
        parts.append(f"| {goal} | {figures} | {'–' if met is None else 'yes' if met else '**no**'} |")
    errors = [e for r in runs for s in (r.kb, r.typesense) if s for e in s.errors]
    if errors:
        parts += ["", f"{len(errors)} errors, first: {errors[:3]}"]
    for run in runs:
        if run.kb.index_failures:
            reasons = Counter(f.rsplit(": ", 1)[-1][:80] for f in run.kb.index_failures)
            parts += ["", f"`kb index` at {run.factor}× refused {len(run.kb.index_failures)} releases: "
                      + "; ".join(f"{n} × {r}" for r, n in reasons.most_common(3))]
    return "\n".join(parts) + "\n"


def write_into_docs(section: str) -> Path:
    """Insert ``section`` into docs/benchmarks.md as its newest section (after the contents)."""
    path = common.REPO / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    contents = text.find("\n## Contents")
    at = text.find("\n## ", contents + 1) if contents >= 0 else -1
    at = at + 1 if at >= 0 else len(text)
    path.write_text(text[:at] + section + "\n" + text[at:], encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=None, help="only the first N releases [all 63,241]")
    ap.add_argument("--growth", type=int, default=1, help="also the K× corpus (ids and first lines changed) [1: no]")
    ap.add_argument("--queries", type=int, default=60, help="queries in the set (≥ 48) [60]")
    ap.add_argument("--repeats", type=int, default=2, help="repeated passes after the first [2]")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--smoke", action="store_true", help="300 releases, 48 queries, 1 repeat: seconds")
    ap.add_argument("--no-typesense", action="store_true", help="kb alone")
    ap.add_argument("--write", action="store_true", help="insert the tables into docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=None, help="write the raw figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the indexes and sources (printed folder)")
    args = ap.parse_args(argv)
    args.argv = argv
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers and the indexer on the way out
    if args.smoke:
        args.docs, args.queries, args.repeats = args.docs or 300, min(args.queries, 48), min(args.repeats, 1)
    if args.queries < 48 or args.repeats < 1 or args.growth < 1 or (args.docs is not None and args.docs < 20):
        ap.error("--queries must be ≥ 48, --repeats ≥ 1, --growth ≥ 1 and --docs ≥ 20")
    started = common.machine()
    print(f"machine: {started}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="kb-bench-scale-"))
    try:
        runs, queries = [], None
        for factor in sorted({1, args.growth}):
            run, queries = run_scale(work, factor, args.docs, queries, args)
            runs.append(run)
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = report(runs, queries, args, started)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps({"machine": started, "commit": common.git_commit(),
                                         "queries": [asdict(q) for q in queries],
                                         "runs": [asdict(r) for r in runs],
                                         "goals": goals(runs)}, ensure_ascii=False, indent=1))
    if args.write:
        print(f"written into {write_into_docs(text)}")
    return 1 if any(s.errors for r in runs for s in (r.kb, r.typesense) if s) else 0


if __name__ == "__main__":
    sys.exit(main())
