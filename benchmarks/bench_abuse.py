"""Abuse benchmark (issue 18 item 2): does one slow kind of request starve the rest?

Starts ``kb serve`` (waitress, its default 8 threads and expensive lane) on
127.0.0.1, then for ``--seconds`` seconds runs ``--abusers`` threads that
request the abusive export ``/export.csv?q=ก OR ข OR … OR ฮ`` (44 alternatives)
back to back, while one probe thread alternately asks ``/healthz`` and an
ordinary search (``/api/search?q=ชายแดน``).  It prints p50/p95/max of the
probe's two kinds and the abusers' status counts (503 = turned away by the
expensive lane, which is the intended answer when it is full).

Pass: every probe answered 200, and the max of both probe kinds is within
``--budget`` seconds (1 s, the issue's promise).

The index is built at run time from the ThaiGov security releases in
``../shared/data`` (read, never copied; ``--docs`` of them) unless ``--index``
names an existing one.

Run:  python benchmarks/bench_abuse.py [--seconds 30] [--abusers 8] [--docs 3000] [--index DIR]
Exit status: 0 when the promise held, 1 otherwise.
"""
from __future__ import annotations

import argparse
import http.client
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import DEFAULT_DATA, Server, build_index, free_port, pct  # noqa: E402

# ก … ฮ are 46 code points; ฃ and ฅ are obsolete, leaving the 44 letters
THAI_CONSONANTS = [chr(c) for c in range(ord("ก"), ord("ฮ") + 1) if chr(c) not in "ฃฅ"]
ALPHABET_OR = " OR ".join(THAI_CONSONANTS)
ABUSIVE_EXPORT = "/export.csv?q=" + quote(ALPHABET_OR)
PROBES = {"healthz": "/healthz", "search": "/api/search?q=" + quote("ชายแดน")}


def get(port: int, path: str, timeout: float) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


class Abuser(threading.Thread):
    """Requests the abusive export back to back until stopped; counts statuses."""

    def __init__(self, port: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.stop = port, stop
        self.statuses: Counter[str] = Counter()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.statuses[str(get(self.port, ABUSIVE_EXPORT, timeout=300))] += 1
            except OSError as exc:
                self.statuses[type(exc).__name__] += 1
                time.sleep(0.1)


def probe(port: int, seconds: float) -> tuple[dict[str, list[float]], list[str]]:
    """Alternate /healthz and an ordinary search for ``seconds``; (latencies per kind, failures)."""
    latencies: dict[str, list[float]] = {kind: [] for kind in PROBES}
    failures: list[str] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for kind, path in PROBES.items():
            t0 = time.monotonic()
            try:
                status = get(port, path, timeout=120)
            except OSError as exc:
                failures.append(f"{kind}: {exc!r}")
                continue
            latencies[kind].append(time.monotonic() - t0)
            if status != 200:
                failures.append(f"{kind}: HTTP {status}")
        time.sleep(0.1)
    return latencies, failures


def report(latencies: dict[str, list[float]], abusers: list[Abuser], budget: float) -> bool:
    ok = True
    print(f"{'probe':<10}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind, values in latencies.items():
        worst = max(values, default=float("inf"))
        print(f"{kind:<10}{len(values):>6}{pct(values, 50) * 1000:>10.0f}{pct(values, 95) * 1000:>10.0f}{worst * 1000:>10.0f}")
        ok = ok and bool(values) and worst <= budget
    statuses = sum((a.statuses for a in abusers), Counter())
    print("abusive export statuses: " + ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items())))
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--abusers", type=int, default=8)
    ap.add_argument("--threads", type=int, default=8, help="kb serve --threads")
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--index", type=Path, help="an existing index (else built from the ThaiGov releases)")
    ap.add_argument("--budget", type=float, default=1.0, help="max seconds a probe may take")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="kb-abuse-") as tmp:
        index_dir = args.index
        if index_dir is None:
            if not DEFAULT_DATA.exists():
                sys.exit(f"benchmark data not found: {DEFAULT_DATA} (or pass --index DIR)")
            index_dir = Path(tmp) / "ix"
            build_index(DEFAULT_DATA, index_dir, args.docs)
        server = Server(index_dir, free_port(), args.threads)
        stop = threading.Event()
        abusers = [Abuser(server.port, stop) for _ in range(args.abusers)]
        try:
            server.wait_ready()
            for a in abusers:
                a.start()
            time.sleep(1)  # let the abusers fill the lane first
            latencies, failures = probe(server.port, args.seconds)
        finally:
            stop.set()
            for a in abusers:
                a.join(timeout=60)
            server.stop()
    print(f"{args.abusers} clients on {ABUSIVE_EXPORT[:40]}… for {args.seconds:.0f} s, kb serve --threads {args.threads}")
    ok = report(latencies, abusers, args.budget) and not failures
    for failure in failures[:10]:
        print("probe failed:", failure)
    print("PASS" if ok else f"FAIL (a probe failed or took over {args.budget:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
