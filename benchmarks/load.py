"""Load test: the real server (``kb serve``, waitress) under concurrent clients.

Starts ``kb serve`` as a subprocess on 127.0.0.1 and a free port (loopback
only), then runs ``--clients`` threads for ``--seconds`` seconds, each sending
requests from a fixed mixed query log over a keep-alive connection: Thai word
and keyword queries, phrases, facet filters, later pages, newest-first sorts,
HTML search pages and document fetches (JSON and HTML).  It reports
throughput, p50/p95/p99 latency overall and per kind, and the error count
(anything but 200 is an error: every request in the log is valid).  Before the
load it times each abusive request of the reliability suite once against the
same index.  Every loop is bounded; the script stops the server itself.

The index is built at run time from the ThaiGov security releases in
``../shared/data`` (read, never copied) unless ``--index`` names an existing one.

Run:  python benchmarks/load.py [--seconds 60] [--clients 20] [--docs 3000] [--index DIR] [--json out.json]
Exit status: 0 when no request failed, 1 otherwise.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "thaigov" / "thaigov_v2_security_category.jsonl.gz"
SEED = 20240305

WORDS = (
    "ความมั่นคง", "ยาเสพติด", "ชายแดน", "แรงงาน", "ไซเบอร์", "น้ำท่วม", "ประมง", "ทหาร",
    "การค้ามนุษย์", "ภัยแล้ง", "ตำรวจ", "สันติสุข", "ต่างด้าว", "หมอกควัน", "ผู้อพยพ",
)
KEYWORDS = (
    "ยาเสพติด ชายแดน", "แรงงาน ต่างด้าว", "น้ำท่วม ภาคใต้", "ความมั่นคง ไซเบอร์", "ประมง ผิดกฎหมาย",
    "ชายแดนใต้ สันติสุข", "การค้ามนุษย์ แรงงาน ประมง", "ตำรวจ จับกุม ยาเสพติด",
)
PHRASES = ('"ความมั่นคงแห่งชาติ"', '"สภาความมั่นคงแห่งชาติ"', '"ชายแดนภาคใต้"')
FILTERS = (
    {"province": "เชียงราย"}, {"province": "สงขลา"}, {"province": "ตาก"}, {"region": "south"},
    {"region": "northeast"}, {"topic": "drugs"}, {"topic": "border"}, {"topic": "cyber"},
    {"type": "news"}, {"year": "2563"}, {"plan": "3"}, {"topic": "maritime", "region": "east"},
)
ABUSE = {
    "10k-char query": "q=" + quote("ชายแดน" * 1700),
    "3000 OR terms": "q=" + quote(" OR ".join(f"{WORDS[i % len(WORDS)]}{i}" for i in range(3000))),
    "100 OR terms": "q=" + quote(" OR ".join(WORDS[i % len(WORDS)] for i in range(100))),
    "wildcard *": "q=*",
    "wildcard ???": "q=%3F%3F%3F",
    "page 100000": "q=" + quote("ชายแดน") + "&page=100000",
    "limit 100000": "q=" + quote("ชายแดน") + "&limit=100000",
    "unknown facet value": "region=mars",
    "malformed UTF-8": "q=%ff%fe",
    "NUL byte": "q=%00",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_index(data: Path, index_dir: Path, docs: int) -> None:
    sys.path.insert(0, str(REPO))
    from indexer import pipeline

    t0 = time.monotonic()
    report = pipeline.run([data], index_dir, progress=False, limit=docs)
    print(f"built index: {report.summary()} in {time.monotonic() - t0:.0f} s", flush=True)


class Server:
    """``kb serve`` in a subprocess, stopped by its own pid."""

    def __init__(self, index_dir: Path, port: int, threads: int):
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        cmd = [sys.executable, "-m", "kb.cli", "serve", "--index", str(index_dir),
               "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
        self.port = port
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=REPO)

    def wait_ready(self, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kb serve exited with {self.proc.returncode}: {self.output()}")
            try:
                status, _ = request(self.port, "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("kb serve did not answer /healthz in time")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def request(port: int, path: str, timeout: float = 30, conn: http.client.HTTPConnection | None = None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        if own:
            conn.close()


def query_log(doc_ids: list[str], n: int = 2000, seed: int = SEED) -> list[tuple[str, str]]:
    """(kind, path) pairs in a realistic mix: mostly API searches, some pages and documents."""
    rnd = random.Random(seed)
    log: list[tuple[str, str]] = []
    for _ in range(n):
        roll = rnd.random()
        params: dict[str, str] = {}
        if roll < 0.25:
            kind, params["q"] = "word", rnd.choice(WORDS)
        elif roll < 0.40:
            kind, params["q"] = "keywords", rnd.choice(KEYWORDS)
        elif roll < 0.47:
            kind, params["q"] = "phrase", rnd.choice(PHRASES)
        elif roll < 0.62:
            kind = "filter"
            params.update(rnd.choice(FILTERS))
            if rnd.random() < 0.6:
                params["q"] = rnd.choice(WORDS)
        elif roll < 0.70:
            kind, params["q"], params["page"] = "page", rnd.choice(WORDS), str(rnd.randint(2, 5))
        elif roll < 0.75:
            kind, params["q"], params["sort"] = "newest", rnd.choice(WORDS), "newest"
        elif roll < 0.85:
            kind = "html-search"
            q = urlencode({"q": rnd.choice(WORDS + KEYWORDS)})
            log.append((kind, f"/?{q}"))
            continue
        elif roll < 0.95:
            log.append(("doc-json", "/api/documents/" + quote(rnd.choice(doc_ids), safe="")))
            continue
        else:
            log.append(("doc-html", "/doc/" + quote(rnd.choice(doc_ids), safe="") + "?" + urlencode({"q": rnd.choice(WORDS)})))
            continue
        log.append((kind, "/api/search?" + urlencode(params)))
    return log


class Client(threading.Thread):
    def __init__(self, port: int, log: list[tuple[str, str]], deadline: float, seed: int):
        super().__init__(daemon=True)
        self.port, self.log, self.deadline = port, log, deadline
        self.rnd = random.Random(seed)
        self.samples: list[tuple[str, float]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = self.rnd.randrange(len(self.log))
        while time.monotonic() < self.deadline:
            kind, path = self.log[i % len(self.log)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, body = request(self.port, path, conn=conn)
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{kind} {path[:80]}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            elapsed = time.perf_counter() - t0
            if status != 200:
                self.errors.append(f"{kind} {path[:80]}: HTTP {status} {body[:120]!r}")
            self.samples.append((kind, elapsed))
        conn.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--threads", type=int, default=8, help="waitress threads of kb serve")
    ap.add_argument("--docs", type=int, default=3000, help="releases to index when building the index")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--index", type=Path, default=None, help="use (or build into) this index folder")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()

    tmp = None
    index_dir = args.index
    if index_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="kb-load-")
        index_dir = Path(tmp.name) / "ix"
    if not (index_dir / "CURRENT").exists():
        build_index(args.data, index_dir, args.docs)

    server = Server(index_dir, free_port(), args.threads)
    try:
        server.wait_ready()
        status, body = request(server.port, "/api/search?limit=100")
        listing = json.loads(body)
        doc_ids = [h["id"] for h in listing["hits"]]
        print(f"server on 127.0.0.1:{server.port}, {listing['total']} documents, "
              f"{args.clients} clients × {args.seconds:.0f} s, waitress threads {args.threads}", flush=True)

        abuse = {}
        for name, qs in ABUSE.items():
            t0 = time.perf_counter()
            status, _ = request(server.port, "/api/search?" + qs)
            abuse[name] = {"status": status, "ms": round((time.perf_counter() - t0) * 1000, 1)}
        print("abusive requests (one each):")
        for name, r in abuse.items():
            print(f"  {r['status']}  {r['ms']:8.1f} ms  {name}")

        log = query_log(doc_ids)
        for kind, path in {k: p for k, p in log}.items():  # warm every code path once
            request(server.port, path)
        deadline = time.monotonic() + args.seconds
        clients = [Client(server.port, log, deadline, SEED + n) for n in range(args.clients)]
        t0 = time.monotonic()
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=args.seconds + 60)
        wall = time.monotonic() - t0
        hung = sum(c.is_alive() for c in clients)
        if any(c.errors for c in clients):
            print("server log (tail):\n" + server.output(), flush=True)
    finally:
        server.stop()
        if tmp is not None:
            tmp.cleanup()

    samples = [s for c in clients for s in c.samples]
    errors = [e for c in clients for e in c.errors]
    lat = [s for _, s in samples]
    figures = {
        "clients": args.clients,
        "seconds": round(wall, 1),
        "documents": listing["total"],
        "requests": len(samples),
        "throughput_rps": round(len(samples) / wall, 1),
        "p50_ms": round(pct(lat, 50) * 1000, 1),
        "p95_ms": round(pct(lat, 95) * 1000, 1),
        "p99_ms": round(pct(lat, 99) * 1000, 1),
        "max_ms": round(max(lat, default=0) * 1000, 1),
        "errors": len(errors) + hung,
        "by_kind": {},
        "abuse": abuse,
    }
    print(f"\n{len(samples)} requests in {wall:.1f} s = {figures['throughput_rps']} req/s; "
          f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, "
          f"max {figures['max_ms']} ms; errors {figures['errors']}")
    print(f"{'kind':<12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted({k for k, _ in samples}):
        xs = [s for k, s in samples if k == kind]
        figures["by_kind"][kind] = {"n": len(xs), "p50_ms": round(pct(xs, 50) * 1000, 1),
                                    "p95_ms": round(pct(xs, 95) * 1000, 1), "p99_ms": round(pct(xs, 99) * 1000, 1)}
        print(f"{kind:<12} {len(xs):>6} {pct(xs, 50) * 1000:>8.1f} {pct(xs, 95) * 1000:>8.1f} {pct(xs, 99) * 1000:>8.1f}")
    for e in errors[:10]:
        print("error:", e)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
