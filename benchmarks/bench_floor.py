"""The indexing floor (issue 12): what kb's own preparation costs beside Typesense's whole import.

The goal "end-to-end indexing ≥ Typesense's import, in docs/s, on 2 cores" is
only reachable if the steps kb must do whatever its writer — normalizing and
segmenting the text, extracting the metadata users filter on — cost less CPU a
release than Typesense spends on a whole document.  This run measures that, on
the first ``--docs`` ThaiGov releases, one side at a time so nothing competes:

1. ``kb index --full`` end to end (a subprocess, as a user runs it; its index
   also gives Typesense the same facet values, as in ``bench_scale.py``);
2. Typesense's import of the same releases (``bench_scale.typesense_run``: one
   node from the pip wheels, ``locale: th``, batches of 1,000);
3. kb's stages, each alone, in a forked 2-process pool with no writing and no
   hand-off (the releases are read before the fork; a worker is given indexes
   and returns nothing): read+parse (``indexer.readers.jsonl``, one process, as
   in ``kb index``), normalize+segment (the ``kb.analysis`` calls of
   ``indexer/prepare.py``), extraction only (``kb.extract.extract``), both, and
   the whole ``indexer.prepare.prepare`` (also postings, scan form, stored form).

CPU time is counted for every row (workers are reaped, so their time is the
parent's children time; Typesense's is its node's), so the CPU ms a release —
unlike docs/s — does not depend on what else the machine runs.

    .venv/bin/python benchmarks/bench_floor.py                 # 20,000 releases (~6–8 min on 2 cores)
    .venv/bin/python benchmarks/bench_floor.py --docs 5000
    .venv/bin/python benchmarks/bench_floor.py --smoke         # 300 releases, seconds (the CI test)

Exit status: 0 when every side ran without errors, 1 otherwise, 2 on bad arguments.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (puts the repo on sys.path)
import bench_scale  # noqa: E402

PROCS = 2  # the machine the goal is stated for
SMOKE_DOCS = 300


@dataclass
class Row:
    """One measured stage (or side): its wall and CPU time over ``docs`` releases."""

    name: str
    where: str
    docs: int
    seconds: float
    cpu_seconds: float
    load: float  # 1-minute load average when it started
    errors: int = 0

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.docs if self.docs else 0.0


# --- kb's stages, in forked workers ------------------------------------------------------------

_RAWS: list = []  # the releases, read before the pool forks (the workers inherit them)


def _segment(raw) -> None:
    from kb import analysis

    # the calls of indexer.prepare.prepare (on the stripped text, as extract leaves it)
    text = analysis.normalize((raw.text or "").strip())
    title = analysis.normalize((raw.title or "").strip())
    analysis.analyze(text, is_normalized=True)
    analysis.analyze(title, is_normalized=True)


def _extract(raw) -> None:
    from kb.extract import extract

    extract(raw, raw.id)


def _both(raw) -> None:
    _extract(raw)
    _segment(raw)


def _prepare(raw) -> None:
    from indexer.prepare import PrepareTask, prepare

    # the Whoosh engine's forms: postings, scan form, stored form (as ``kb index`` asks for them)
    prepare(PrepareTask(raw, raw.id, "", subword=True, postings=True, stored=True))


STAGES: dict[str, tuple[str, Callable]] = {
    "normalize + segment": ("kb.analysis, as prepare calls it", _segment),
    "extraction": ("kb.extract.extract", _extract),
    "segment + extraction": ("both: the floor", _both),
    "whole prepare": ("+ postings, scan form, stored form", _prepare),
}


def _run_chunk(bounds: tuple[str, int, int]) -> int:
    name, start, stop = bounds
    work = STAGES[name][1]
    for raw in _RAWS[start:stop]:
        work(raw)
    return stop - start


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_stage(name: str, procs: int = PROCS, chunk: int = 32) -> Row:
    """One stage over every release in a fresh forked pool; CPU of the workers (reaped) and this process."""
    import multiprocessing

    load, t0, c0 = os.getloadavg()[0], time.perf_counter(), _children_cpu() + _own_cpu()
    pool = multiprocessing.get_context("fork").Pool(procs, initializer=_mark_worker)
    try:
        chunks = [(name, i, min(i + chunk, len(_RAWS))) for i in range(0, len(_RAWS), chunk)]
        done = sum(pool.imap_unordered(_run_chunk, chunks))
    finally:
        pool.close()
        pool.join()  # reaped: the workers' CPU is now this process's children time
    return Row(name, STAGES[name][0], done, time.perf_counter() - t0, _children_cpu() + _own_cpu() - c0, load)


def _mark_worker() -> None:
    from indexer import prepare

    prepare._mark_worker()  # the stored form is made as in kb index's workers


def read_releases(source: Path) -> Row:
    """Read and parse the releases as ``kb index`` does (one process, ``indexer.readers.jsonl``) into ``_RAWS``."""
    from indexer.readers import jsonl

    load, t0, c0 = os.getloadavg()[0], time.perf_counter(), _own_cpu()
    items = list(jsonl.read(source))
    seconds, cpu = time.perf_counter() - t0, _own_cpu() - c0
    _RAWS[:] = [r for r in items if not hasattr(r, "reason")]
    return Row("read + parse", "indexer.readers.jsonl, one process", len(items), seconds, cpu, load,
               errors=len(items) - len(_RAWS))


def warm_up() -> None:
    """Load dictionaries and lexicons before the fork, as ``kb index`` does, so no stage pays for them."""
    from kb import analysis

    analysis.dictionary()
    for _, work in STAGES.values():
        work(_RAWS[0])


# --- both sides -----------------------------------------------------------------------------------


def kb_index_row(source: Path, index_dir: Path) -> tuple[Row, list[str]]:
    side, load = bench_scale.Side("kb"), os.getloadavg()[0]
    bench_scale.kb_index(source, index_dir, side)
    row = Row("kb index --full", "end to end: read, prepare, write", side.docs, side.index_seconds,
              side.index_cpu_seconds, load, errors=len(side.index_failures))
    return row, side.index_failures


def typesense_row(source: Path, work: Path, index_dir: Path) -> tuple[Row | None, str]:
    reason = common.typesense_unavailable()
    if reason:
        return None, reason
    lines = bench_scale.typesense_lines(source, index_dir)
    side, load = bench_scale.Side("typesense"), os.getloadavg()[0]
    bench_scale.typesense_run(work, lines, [], 0, side)  # no queries: the import alone
    row = Row("Typesense import", "one node, locale th, its own segmentation", side.docs, side.index_seconds,
              side.index_cpu_seconds, load, errors=len(side.errors))
    return row, ""


# --- the report ----------------------------------------------------------------------------------


def table(rows: list[Row], ts: Row | None) -> str:
    lines = ["| stage | what | releases | load | docs/s | CPU ms a release | docs/s ÷ Typesense's | "
             "CPU ms ÷ Typesense's |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        speed = f"{r.docs_per_second / ts.docs_per_second:.2f}×" if ts and ts.docs_per_second else "–"
        cost = f"{r.cpu_ms / ts.cpu_ms:.2f}×" if ts and ts.cpu_ms else "–"
        lines.append(f"| {r.name} | {r.where} | {r.docs:,} | {r.load:.1f} | {r.docs_per_second:,.0f} | "
                     f"{r.cpu_ms:.2f} | {speed} | {cost} |")
    return "\n".join(lines)


def floor_statement(rows: list[Row], ts: Row | None, procs: int = PROCS) -> str:
    """The floor in CPU terms (independent of load): segmentation + extraction vs Typesense's whole import.

    Both ceilings are ``procs`` cores' worth of CPU divided by the CPU a release costs: what each side
    could reach with the cores to itself, whatever else ran during the measurement."""
    floor = next(r for r in rows if r.name == "segment + extraction")
    best = procs * 1000 / floor.cpu_ms if floor.cpu_ms else 0.0
    text = (f"Floor: segmentation + extraction cost {floor.cpu_ms:.2f} ms of CPU a release, so on {procs} fully "
            f"busy cores no writer can index more than {best:,.0f} releases/s")
    if ts is None or not ts.cpu_ms:
        return text + "."
    ts_best = procs * 1000 / ts.cpu_ms
    below = best < ts_best
    return (text + f"; Typesense's whole import costs {ts.cpu_ms:.2f} ms of CPU a document "
            f"({floor.cpu_ms / ts.cpu_ms:.2f}× less), at most {ts_best:,.0f} documents/s on the same cores "
            f"(measured here: {ts.docs_per_second:,.0f} docs/s at load {ts.load:.1f}). "
            + ("The floor alone is below Typesense's import: no kb writer can match it on this machine."
               if below else "The floor alone does not rule out matching Typesense's import."))


def report(rows: list[Row], ts: Row | None, skipped: str, args) -> str:
    m = common.machine()
    head = [f"`{' '.join(['bench_floor.py', *args.argv])}`",
            f"machine: {m['cores']} cores, {m['cpu']}, {m['ram']} RAM, Python {m['python']}, {m['date']}, "
            f"commit `{common.git_commit()}`, load average at the end {m['load']}; {args.procs} worker processes"]
    if skipped:
        head.append(f"Typesense not measured: {skipped}")
    ordered = ([ts] if ts else []) + rows
    return "\n\n".join([*head, table(ordered, ts), floor_statement(rows, ts, args.procs)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000, help="the first N ThaiGov releases (default 20,000)")
    ap.add_argument("--smoke", action="store_true", help=f"{SMOKE_DOCS} releases, seconds (the CI test)")
    ap.add_argument("--no-typesense", action="store_true", help="kb alone")
    ap.add_argument("--procs", type=int, default=PROCS, help="worker processes for kb's stages (default 2)")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    if args.smoke:
        args.docs = min(args.docs, SMOKE_DOCS)
    if args.docs < 1 or args.procs < 1:
        ap.error("--docs and --procs must be at least 1")
    common.print_machine()
    with tempfile.TemporaryDirectory(prefix="kb-floor-") as tmp:
        work = Path(tmp)
        source = work / "releases.jsonl"
        bench_scale.write_source(source, args.docs, 1)
        print(f"kb index --full of {args.docs:,} releases …", flush=True)
        kb_row, failures = kb_index_row(source, work / "index")
        skipped = "--no-typesense" if args.no_typesense else ""
        ts = None
        if not skipped:
            print("Typesense import …", flush=True)
            ts, skipped = typesense_row(source, work, work / "index")
        rows = [read_releases(source)]
        warm_up()
        for name in STAGES:
            print(f"{name} …", flush=True)
            rows.append(run_stage(name, args.procs))
        rows.append(kb_row)
    text = report(rows, ts, skipped, args)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps({"rows": [asdict(r) for r in ([ts] if ts else []) + rows],
                                         "floor": floor_statement(rows, ts, args.procs),
                                         "kb_failures": failures[:20]}, ensure_ascii=False, indent=1))
    return 1 if (ts and ts.errors) or any(r.errors and r.name != "kb index --full" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
