"""kb on Typesense beside raw Typesense, on the same ThaiGov releases (issue 16).

Measures, on a local cluster started from the pip wheels (scripts/typesense-cluster.sh):

1. indexing: ``kb index`` into a one-node Typesense (extraction, kb's analysis,
   encoded words) vs Typesense's own import of the same records (title and
   text, Thai locale), docs/s;
2. search latency: HTTP p50/p95 through ``kb serve`` on Typesense vs raw
   Typesense ``/documents/search`` on the same query texts (bench_index's mix);
   kb's first sight of each query (cold: its per-snapshot memo empty) and
   repeats, the load average beside each pass; and kb serve's start-up (time
   to its first answer) and RSS;
3. on a three-node cluster: each node's share of kb's Typesense requests while
   8 HTTP clients search through `kb serve` (run in this process so its requests
   are counted per node), and, after one node is SIGKILLed, the failed searches
   and the longest request to the dead node (against the connection timeout).

The whole corpus (indexed beforehand with `kb index`, which takes long):
``--existing DIR --port P --api-key K``.

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
from kb.engine import engine_config

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


_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from indexer import pipeline
from kb.engine import engine_config
from kb.engine.typesense import TypesenseWriter
config = engine_config(json.loads(sys.argv[4]))
t0, cpu = time.monotonic(), time.process_time()
report = pipeline.run([sys.argv[2]], sys.argv[3], progress=False, engine=config)
seconds, main = time.monotonic() - t0, time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)
import kb
print(json.dumps({"code": kb.__file__, "summary": report.summary(), "added": report.added, "seconds": seconds, "main": main,
                  "workers": children.ru_utime + children.ru_stime, "waited": TypesenseWriter.waited}))
"""


def node_cpu(cluster: LocalCluster, node: int = 0) -> float:
    """CPU seconds (user + system) the Typesense node has used so far (``/proc/<pid>/stat``)."""
    pid = (cluster.folder / f"node-{node}" / "pid").read_text().strip()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kb_indexing(cluster: LocalCluster, source: Path, work: Path, n: int, code: Path = common.REPO,
                collection: str = "kb", label: str = "") -> dict:
    """``kb index`` of ``source`` into ``collection`` by the kb at ``code`` (another checkout
    for an A/B run), in a child process: its wall time, the indexer's and its workers' CPU,
    and the Typesense node's CPU over the same seconds."""
    lock = work / ("lock" if collection == "kb" else f"lock-{collection}")  # `kb serve` later takes "lock"
    load_before, node_before = load(), node_cpu(cluster)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(code), str(source), str(lock), json.dumps(cluster.env(collection))],
                         check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    node = node_cpu(cluster) - node_before
    added = max(1, result["added"])
    row = {"label": label or str(code), "docs/s": result["added"] / result["seconds"],
           "writer ms": 1000 * result["main"] / added, "workers ms": 1000 * result["workers"] / added,
           "node ms": 1000 * node / added, "load": f"{load_before} → {load()}", "waited": result["waited"],
           "seconds": result["seconds"], "summary": result["summary"]}
    row["docs per CPU s"] = added / (result["main"] + result["workers"] + node)
    row["docs per kb CPU s"] = added / (result["main"] + result["workers"])
    print(f"kb index → Typesense ({row['label']}, {result['code']}): {result['summary']}; {row['docs/s']:.0f} docs/s, "
          f"CPU ms a release: writer {row['writer ms']:.2f}, workers {row['workers ms']:.2f}, node {row['node ms']:.2f}; "
          f"commits waited {result['waited']:.1f} of {result['seconds']:.1f} s; load {row['load']}")
    return row


def raw_import(cluster: LocalCluster, source: Path, collection: str = "raw") -> dict:
    """Typesense's own import from the same source file: reading it, the records, the
    import (JSONL, upserts, 250 a request) with Typesense's own Thai segmentation;
    docs/s and the node's CPU ms a release."""
    cluster.request("POST", "/collections", {"name": collection, "fields": [
        {"name": "title", "type": "string", "locale": "th"}, {"name": "text", "type": "string", "locale": "th"}]})
    load_before, node_before, t0 = load(), node_cpu(cluster), time.monotonic()
    lines = [json.dumps({"id": str(i), "title": r.get("title") or "", "text": r.get("text") or ""}, ensure_ascii=False)
             for i, r in enumerate(common.read_jsonl(source))]
    for start in range(0, len(lines), 250):
        cluster.request("POST", f"/collections/{collection}/documents/import?action=upsert",
                        raw="\n".join(lines[start:start + 250]).encode())
    seconds, node = time.monotonic() - t0, node_cpu(cluster) - node_before
    row = {"docs/s": len(lines) / seconds, "node ms": 1000 * node / len(lines), "load": f"{load_before} → {load()}"}
    print(f"raw Typesense import: {row['docs/s']:.0f} docs/s, node CPU {row['node ms']:.2f} ms a release; load {row['load']}")
    return row


def compare_indexing(args, work: Path, source: Path, n: int) -> None:
    """A/B: this kb and the kb at ``--compare`` indexing the same releases into one node,
    interleaved (new, old, raw, old, new, raw, …), each into a collection of its own."""
    one = LocalCluster(1, work)
    rows: list[tuple[str, dict]] = []
    try:
        one.start()
        order = [("new", common.REPO), ("old", Path(args.compare))]
        for r in range(args.repeat):
            for label, code in (order if r % 2 == 0 else order[::-1]):
                rows.append((label, kb_indexing(one, source, work, n, code, f"kb{label}{r}", label)))
            rows.append(("raw", raw_import(one, source, f"raw{r}")))
    finally:
        one.script("stop")
    print(f"\n| run ({n} releases, one node) | load | docs/s | writer CPU ms | workers CPU ms | node CPU ms "
          "| docs per CPU s (kb + node) |\n|---|---|---:|---:|---:|---:|---:|")
    for label, row in rows:
        if label == "raw":
            print(f"| raw import | {row['load']} | {row['docs/s']:.0f} | | | {row['node ms']:.2f} | {1000 / row['node ms']:.0f} |")
        else:
            print(f"| kb {label} | {row['load']} | {row['docs/s']:.0f} | {row['writer ms']:.2f} | {row['workers ms']:.2f} "
                  f"| {row['node ms']:.2f} | {row['docs per CPU s']:.0f} |")


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


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def start_server(cluster: LocalCluster, work: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--port", str(port)],
                              env={**os.environ, **cluster.env("kb"), "KB_INDEX_DIR": str(work / "lock")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 900  # serve warms up (snapshot, postings, scan forms) before it listens
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    return server, port


def latencies(cluster: LocalCluster, work: Path, rounds: int) -> None:
    """kb serve's start-up (time to its first answer, RSS), then each query's first
    sight, its repeats, and raw Typesense on the same texts (no facets: its own search)."""
    texts = [r for _, r in QUERY_MIX if r.q]
    raw_urls = [f"{cluster.urls[0]}/collections/raw/documents/search?" + urllib.parse.urlencode(
        {"q": r.q.replace('"', ""), "query_by": "title,text", "per_page": 10, "x-typesense-api-key": API_KEY})
        for r in texts]
    started, load_start = time.monotonic(), load()
    server, port = start_server(cluster, work)
    try:
        listening = time.monotonic() - started
        first = timed_get(f"http://127.0.0.1:{port}/api/search?q=" + urllib.parse.quote("ความมั่นคง"), timeout=900)
        answered = time.monotonic() - started
        rss = server_memory(server.pid)
        print(f"\nstart-up of kb serve (load {load_start} → {load()}): listening after {listening:.1f} s, "
              f"first answer after {answered:.1f} s (that search {first:.0f} ms); memory then: {rss}")
        kb_urls = [f"http://127.0.0.1:{port}/api/search?" + urllib.parse.urlencode(query_params(r), doseq=True) for r in texts]
        passes = {}
        for label, urls in (("kb serve on Typesense, first sight (cold)", kb_urls),
                            ("kb serve on Typesense, repeated", kb_urls * rounds),
                            ("raw Typesense /documents/search", raw_urls[:1] + raw_urls * (rounds + 1))):
            before = load()
            passes[label] = [timed_get(u) for u in urls][1 if label.startswith("raw") else 0:]
            passes[label + " load"] = f"{before} → {load()}"
        rss = server_memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    pct = common.percentile
    print("\n| searches (ms, HTTP) | n | p50 | p95 | max | load average (1, 5, 15 min) |\n|---|---:|---:|---:|---:|---|")
    for label, xs in passes.items():
        if not label.endswith(" load"):
            print(f"| {label} | {len(xs)} | {pct(xs, 50):.1f} | {pct(xs, 95):.1f} | {max(xs):.0f} | {passes[label + ' load']} |")
    cold, warm = passes["kb serve on Typesense, first sight (cold)"], passes["kb serve on Typesense, repeated"]
    raw = passes["raw Typesense /documents/search"]
    print(f"\nkb serve memory after the passes: {rss}")
    print(f"p95 ratio kb/raw: first sight {pct(cold, 95) / pct(raw, 95):.2f}×, repeated {pct(warm, 95) / pct(raw, 95):.2f}×")


def spread(cluster: LocalCluster, seconds: float, work: Path) -> None:
    """8 HTTP clients searching distinct words through `kb serve` (run in this process, so
    its Typesense requests can be counted per node and timed); node 3 SIGKILLed midway."""
    import httpx

    per_port: Counter[int] = Counter()
    dead_port, killed = cluster.base + 2, threading.Event()
    dead_waits: list[float] = []  # ms of each request to the killed node after the kill
    original = httpx.Client.send

    def counting(self, request, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(self, request, *args, **kwargs)
        finally:
            per_port[request.url.port] += 1
            if killed.is_set() and request.url.port == dead_port:
                dead_waits.append((time.perf_counter() - t0) * 1000)

    httpx.Client.send = counting
    os.environ.update(cluster.env("kb"))
    from kb.cli import main as kb_main

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    threading.Thread(target=lambda: kb_main(["serve", "--port", str(port), "--index", str(work / "lock3")],
                                            standalone_mode=False), daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # serve warms up (snapshot, postings, scan forms) before it listens
    while time.monotonic() < deadline:
        try:
            timed_get(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    words = sorted({w for _, r in QUERY_MIX for w in r.q.replace('"', "").split() if w and w != "OR"})
    from kb import analysis

    vocab = sorted({w for t in words for w in analysis.analyze(t).words} | set(words))
    searches: list[tuple[bool, float, bool]] = []  # (after the kill, ms, failed)
    stop = threading.Event()
    counter = iter(range(10**9))

    def client():
        while not stop.is_set():
            i = next(counter)
            q = f"{vocab[i % len(vocab)]} {vocab[(i * 7 + 3) % len(vocab)]}"
            after, t0, failed = killed.is_set(), time.perf_counter(), False
            try:
                timed_get(base + "/api/search?" + urllib.parse.urlencode({"q": q}), timeout=120)
            except OSError:
                failed = True
            searches.append((after, (time.perf_counter() - t0) * 1000, failed))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    before = dict(per_port)
    os.kill(int((cluster.folder / "node-2" / "pid").read_text()), signal.SIGKILL)
    killed.set()
    time.sleep(seconds / 2)
    stop.set()
    for t in threads:
        t.join()
    httpx.Client.send = original
    print("\n| node | Typesense requests before the kill | share | in all | share |\n|---|---:|---:|---:|---:|")
    total_before, total = sum(before.values()) or 1, sum(per_port.values()) or 1
    for i, url in enumerate(cluster.urls):
        n0, n = before.get(cluster.base + i, 0), per_port[cluster.base + i]
        print(f"| {url} | {n0} | {n0 / total_before:.0%} | {n} | {n / total:.0%} |")
    pct = common.percentile
    for label, after in (("before the kill", False), ("after the kill", True)):
        ms = [m for a, m, _ in searches if a == after]
        failed = sum(f for a, _, f in searches if a == after)
        if ms:
            print(f"searches {label}: {len(ms)}, failed {failed}, p50 {pct(ms, 50):.0f} ms, p95 {pct(ms, 95):.0f} ms, max {max(ms):.0f} ms")
    print(f"requests to the killed node after the kill: {len(dead_waits)}, longest {max(dead_waits, default=0):.0f} ms "
          f"(client connection timeout {2000} ms); load average {os.getloadavg()}")


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
        print(f"raw Typesense import of {source.name}: {raw_import(cluster, source)['docs/s']:.0f} docs/s; load average {os.getloadavg()}")
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
    ap.add_argument("--only-cluster", action="store_true", help="only the 3-node part")
    ap.add_argument("--only-indexing", action="store_true", help="only the one-node indexing part (kb, raw, Whoosh)")
    ap.add_argument("--compare", metavar="DIR", help="only indexing, A/B: this kb against the kb checked out at DIR, "
                    "interleaved --repeat times with a raw import after each pair")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--existing", metavar="DIR", help="only the search latencies, on the running one-node cluster "
                    "of scripts/typesense-cluster.sh --dir DIR (collection kb indexed by `kb index`, `raw` imported here if missing)")
    ap.add_argument("--port", type=int, default=8108, help="with --existing: the node's API port")
    ap.add_argument("--api-key", default="kb-dev-key", help="with --existing: the cluster's API key")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-ts-"))
    print("machine:", common.machine())
    if args.existing:
        existing_latencies(args, work)
        shutil.rmtree(work, ignore_errors=True)
        return
    recs = records(args.docs)
    source = work / "thaigov.jsonl"
    common.write_jsonl(source, recs)
    if args.compare:
        compare_indexing(args, work, source, len(recs))
        shutil.rmtree(work, ignore_errors=True)
        return
    if not args.only_cluster:
        one_node(args, work, source, len(recs))
    if args.no_cluster or args.only_indexing:
        shutil.rmtree(work, ignore_errors=True)
        return
    three = LocalCluster(3, work)
    try:
        three.start()
        pipeline.run([source], work / "lock3", progress=False, engine=engine_config(three.env("kb")))
        spread(three, args.spread_seconds, work)
    finally:
        three.script("stop")
        shutil.rmtree(work, ignore_errors=True)


def one_node(args, work: Path, source: Path, n: int) -> None:
    """Indexing (kb, raw, Whoosh) and search latencies on a one-node cluster."""
    one = LocalCluster(1, work)
    try:
        one.start()
        kb_rate = kb_indexing(one, source, work, n)["docs/s"]
        raw_rate = raw_import(one, source)["docs/s"]
        t0 = time.monotonic()
        whoosh = pipeline.run([source], work / "whoosh", progress=False)
        whoosh_rate = whoosh.added / (time.monotonic() - t0)
        print(f"\n| indexing {n} ThaiGov releases, one node | docs/s |\n|---|---:|")
        print(f"| kb index → Typesense (extraction + kb analysis + import) | {kb_rate:.0f} |")
        print(f"| raw Typesense import (title+text, locale th) | {raw_rate:.0f} |")
        print(f"| for comparison: kb index → embedded Whoosh (same pipeline) | {whoosh_rate:.0f} |")
        print(f"\nratio kb/raw: {kb_rate / raw_rate:.2f}×; Typesense RSS {one.rss_mb():.0f} MB")
        print(f"load average {os.getloadavg()[0]:.1f}")
        if args.only_indexing:
            return
        latencies(one, work, args.rounds)
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        one.script("stop")


if __name__ == "__main__":
    main()
