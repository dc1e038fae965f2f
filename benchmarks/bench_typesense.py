"""kb on Typesense beside raw Typesense, on the same ThaiGov releases (issue 16).

Measures, on a local cluster started from the pip wheels (scripts/typesense-cluster.sh):

1. indexing: ``kb index`` into a one-node Typesense (extraction, kb's analysis,
   encoded words) vs Typesense's own import of the same records (title and
   text, Thai locale), docs/s;
2. search latency: HTTP p50/p95 through ``kb serve`` on Typesense vs raw
   Typesense ``/documents/search`` on the same query texts (bench_index's mix);
   kb's first sight of each query (cold: its per-snapshot memo empty) and
   repeats;
3. on a three-node cluster: each node's share of the requests of 8 concurrent
   searching clients (counted per node at the HTTP client), and the longest
   search while one node is killed.

    .venv/bin/python benchmarks/bench_typesense.py --docs 2000
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import common  # noqa: E402  (puts the repo on sys.path)
from bench_index import QUERY_MIX

from indexer import pipeline
from kb.engine import engine_config, open_index
from kb.search import Searcher

SCRIPT = common.REPO / "scripts" / "typesense-cluster.sh"
API_KEY = "kb-bench-key"


def free_base(nodes: int) -> int:
    for base in range(31000, 39000, 10):
        ok = True
        for port in [*(base + i for i in range(nodes)), *(base + 100 + i for i in range(nodes))]:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
        if ok:
            return base
    sys.exit("no free ports")


class LocalCluster:
    def __init__(self, nodes: int, work: Path):
        self.nodes, self.folder, self.base = nodes, work / f"cluster-{nodes}", free_base(nodes)
        self.urls = [f"http://127.0.0.1:{self.base + i}" for i in range(nodes)]

    def script(self, action: str) -> None:
        subprocess.run(["bash", str(SCRIPT), action, "--nodes", str(self.nodes), "--dir", str(self.folder),
                        "--port", str(self.base), "--api-key", API_KEY], check=True, capture_output=True,
                       env={**os.environ, "PYTHON": sys.executable})

    def start(self) -> None:
        self.script("start")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if all(json.load(urllib.request.urlopen(u + "/health", timeout=1)).get("ok") for u in self.urls):
                    self.request("POST", "/collections", {"name": "probe", "fields": [{"name": "x", "type": "string"}]})
                    self.request("DELETE", "/collections/probe")
                    return
            except OSError:
                pass
            time.sleep(0.5)
        sys.exit("the cluster did not start")

    def env(self, collection: str) -> dict[str, str]:
        return {"KB_ENGINE": "typesense", "KB_TYPESENSE_NODES": ",".join(self.urls),
                "KB_TYPESENSE_API_KEY": API_KEY, "KB_TYPESENSE_COLLECTION": collection}

    def request(self, method: str, path: str, body=None, raw: bytes | None = None, node: int = 0):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.urls[node] + path, data=data, method=method,
                                     headers={"X-TYPESENSE-API-KEY": API_KEY, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.read()

    def rss_mb(self) -> float:
        total = 0
        for i in range(self.nodes):
            try:
                pid = (self.folder / f"node-{i}" / "pid").read_text().strip()
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024


def records(n: int) -> list[dict]:
    return list(common.read_jsonl(common.data_file("thaigov", "thaigov_v2.jsonl.gz"), limit=n))


def kb_indexing(cluster: LocalCluster, source: Path, work: Path, n: int) -> float:
    from kb.engine.typesense import TypesenseWriter

    config = engine_config(cluster.env("kb"))
    t0, waited = time.monotonic(), TypesenseWriter.waited
    report = pipeline.run([source], work / "lock", progress=False, engine=config)
    seconds = time.monotonic() - t0
    waited = TypesenseWriter.waited - waited
    print(f"kb index → Typesense: {report.summary()}")
    print(f"of {seconds:.1f} s, commits waited {waited:.1f} s on Typesense ({waited / seconds:.0%}); "
          f"the rest is kb's preparation (reading, extraction, analysis, encoding) with imports overlapped")
    return report.added / seconds


def raw_import(cluster: LocalCluster, source: Path) -> float:
    """Typesense's own import from the same source file: reading it, the records, the
    import (JSONL, upserts, 250 a request) with Typesense's own Thai segmentation."""
    cluster.request("POST", "/collections", {"name": "raw", "fields": [
        {"name": "title", "type": "string", "locale": "th"}, {"name": "text", "type": "string", "locale": "th"}]})
    t0 = time.monotonic()
    lines = [json.dumps({"id": str(i), "title": r.get("title") or "", "text": r.get("text") or ""}, ensure_ascii=False)
             for i, r in enumerate(common.read_jsonl(source))]
    for start in range(0, len(lines), 250):
        cluster.request("POST", "/collections/raw/documents/import?action=upsert",
                        raw="\n".join(lines[start:start + 250]).encode())
    return len(lines) / (time.monotonic() - t0)


def query_params(req) -> dict:
    params = {"q": req.q, "province": req.provinces, "region": req.regions, "topic": req.topics,
              "plan": [str(p) for p in req.plans], "year": [str(y) for y in req.years], "type": req.types}
    if req.sort != "relevance":
        params["sort"] = req.sort
    return {k: v for k, v in params.items() if v}


def server_memory(pid: int) -> str:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return f"RSS {int(fields['VmRSS'].split()[0]) / 1024:.0f} MB, peak {int(fields['VmHWM'].split()[0]) / 1024:.0f} MB"


def timed_get(url: str, timeout: float = 60) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        r.read()
    return (time.perf_counter() - t0) * 1000


def latencies(cluster: LocalCluster, work: Path, rounds: int) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--port", str(port)],
                              env={**os.environ, **cluster.env("kb"), "KB_INDEX_DIR": str(work / "lock")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # a loaded machine takes long to import kb
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        texts = [r for _, r in QUERY_MIX if r.q]
        kb_urls = [f"http://127.0.0.1:{port}/api/search?" + urllib.parse.urlencode(query_params(r), doseq=True) for r in texts]
        raw_urls = [f"{cluster.urls[0]}/collections/raw/documents/search?" + urllib.parse.urlencode(
            {"q": r.q.replace('"', ""), "query_by": "title,text", "per_page": 10, "x-typesense-api-key": API_KEY})
            for r in texts]
        # the first search of a server loads the snapshot (metadata, scan forms, postings)
        first = timed_get(f"http://127.0.0.1:{port}/api/search?q=" + urllib.parse.quote("ความมั่นคง"), timeout=900)
        rss = server_memory(server.pid)
        cold = [timed_get(u) for u in kb_urls]
        warm = [timed_get(u) for _ in range(rounds) for u in kb_urls]
        timed_get(raw_urls[0])
        raw = [timed_get(u) for _ in range(rounds + 1) for u in raw_urls]
    finally:
        server.terminate()
        server.wait(timeout=30)
    pct = common.percentile
    print("\n| searches (ms, HTTP) | n | p50 | p95 |\n|---|---:|---:|---:|")
    for label, xs in (("kb serve on Typesense, first sight (cold)", cold), ("kb serve on Typesense, repeated", warm),
                      ("raw Typesense /documents/search", raw)):
        print(f"| {label} | {len(xs)} | {pct(xs, 50):.1f} | {pct(xs, 95):.1f} |")
    print(f"\nfirst search of the server (loads the snapshot): {first:.0f} ms; kb serve memory then: {rss}")
    print(f"\np95 ratio kb/raw: cold {pct(cold, 95) / pct(raw, 95):.1f}×, repeated {pct(warm, 95) / pct(raw, 95):.1f}×")


def spread(cluster: LocalCluster, seconds: float) -> None:
    """8 threads searching distinct words through one kb Searcher; requests counted per node."""
    import httpx

    per_port: Counter[int] = Counter()
    original = httpx.Client.send

    def counting(self, request, *args, **kwargs):
        per_port[request.url.port] += 1
        return original(self, request, *args, **kwargs)

    httpx.Client.send = counting
    searcher = Searcher(open_index(Path("-"), engine_config(cluster.env("kb"))))
    words = sorted({w for r, in [(r,) for _, r in QUERY_MIX] for w in r.q.replace('"', "").split() if w and w != "OR"})
    from kb import analysis

    vocab = sorted({w for t in words for w in analysis.analyze(t).words} | set(words))
    from kb.models import SearchRequest

    searcher.search(SearchRequest(q="ความมั่นคง"))  # load the snapshot once, as a running server has
    worst: list[float] = []
    stop = threading.Event()
    counter = iter(range(10**9))

    def client():
        from kb.models import SearchRequest

        while not stop.is_set():
            i = next(counter)
            q = f"{vocab[i % len(vocab)]} {vocab[(i * 7 + 3) % len(vocab)]}"
            t0 = time.perf_counter()
            try:
                searcher.search(SearchRequest(q=q))
            except Exception:
                pass
            worst.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    before_kill = len(worst)
    pid = int((cluster.folder / "node-2" / "pid").read_text())
    os.kill(pid, signal.SIGKILL)
    time.sleep(seconds / 2)
    stop.set()
    for t in threads:
        t.join()
    httpx.Client.send = original
    total = sum(per_port.values())
    print("\n| node | requests | share |\n|---|---:|---:|")
    for i, url in enumerate(cluster.urls):
        n = per_port[cluster.base + i]
        print(f"| {url} | {n} | {n / total:.0%} |")
    print(f"\n{len(worst)} searches by 8 clients; node 3 killed after {before_kill}; "
          f"slowest search after the kill {max(worst[before_kill:] or [0]):.0f} ms "
          f"(client connection timeout 2 s)")


def existing_latencies(args, work: Path) -> None:
    """Search latencies on a collection indexed beforehand (the whole corpus takes long)."""
    global API_KEY
    API_KEY = args.api_key
    cluster = LocalCluster.__new__(LocalCluster)
    cluster.nodes, cluster.folder, cluster.base = 1, Path(args.existing), args.port
    cluster.urls = [f"http://127.0.0.1:{args.port}"]
    try:
        cluster.request("GET", "/collections/raw")
    except urllib.error.HTTPError:
        source = common.data_file("thaigov", "thaigov_v2.jsonl.gz")
        print(f"raw Typesense import of {source.name}: {raw_import(cluster, source):.0f} docs/s; load average {os.getloadavg()}")
    count = json.loads(cluster.request("GET", "/collections/kb"))["num_documents"]
    print(f"kb collection: {count} documents; Typesense RSS {cluster.rss_mb():.0f} MB; load average {os.getloadavg()}")
    latencies(cluster, work, args.rounds)
    print(f"load average {os.getloadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--spread-seconds", type=float, default=20)
    ap.add_argument("--no-cluster", action="store_true", help="skip the 3-node part (read spread, a node killed)")
    ap.add_argument("--existing", metavar="DIR", help="only the search latencies, on the running one-node cluster "
                    "of scripts/typesense-cluster.sh --dir DIR (collection kb indexed by `kb index`, `raw` imported here if missing)")
    ap.add_argument("--port", type=int, default=8108, help="with --existing: the node's API port")
    ap.add_argument("--api-key", default="kb-dev-key", help="with --existing: the cluster's API key")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-ts-"))
    print("machine:", common.machine())
    if args.existing:
        existing_latencies(args, work)
        return
    recs = records(args.docs)
    source = work / "thaigov.jsonl"
    common.write_jsonl(source, recs)
    one = LocalCluster(1, work)
    try:
        one.start()
        kb_rate = kb_indexing(one, source, work, len(recs))
        raw_rate = raw_import(one, source)
        t0 = time.monotonic()
        whoosh = pipeline.run([source], work / "whoosh", progress=False)
        whoosh_rate = whoosh.added / (time.monotonic() - t0)
        print(f"\n| indexing {len(recs)} ThaiGov releases, one node | docs/s |\n|---|---:|")
        print(f"| kb index → Typesense (extraction + kb analysis + import) | {kb_rate:.0f} |")
        print(f"| raw Typesense import (title+text, locale th) | {raw_rate:.0f} |")
        print(f"| for comparison: kb index → embedded Whoosh (same pipeline) | {whoosh_rate:.0f} |")
        print(f"\nratio kb/raw: {kb_rate / raw_rate:.2f}×; Typesense RSS {one.rss_mb():.0f} MB")
        print(f"load average {os.getloadavg()[0]:.1f}")
        latencies(one, work, args.rounds)
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        one.script("stop")
    if args.no_cluster:
        shutil.rmtree(work, ignore_errors=True)
        return
    three = LocalCluster(3, work)
    try:
        three.start()
        pipeline.run([source], work / "lock3", progress=False, engine=engine_config(three.env("kb")))
        spread(three, args.spread_seconds)
    finally:
        three.script("stop")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
