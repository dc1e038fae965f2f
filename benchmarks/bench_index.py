"""Core engine speed: end-to-end indexing throughput, index size, and faceted
search latency, with and without the sub-word field; plus the web search
page's server time on the bundled corpus.

Targets (issue "core engine"), at 10,000 ThaiGov releases:
  indexing ≥ 300 docs/s word-only, ≥ 150 docs/s with sub-words;
  index with sub-words ≤ 3× word-only;
  search p95 ≤ 100 ms with facets, and sub-word p95 ≤ 1.5× word-only;
  web search page p95 ≤ 150 ms (bundled corpus).

Run:  python benchmarks/bench_index.py [--docs 10000] [--subword both|on|off] [--quick]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import REPO, SearchRequest, build_index, data_file, open_searcher, percentile, print_machine, table  # noqa: E402

R = SearchRequest

# The fixed query mix: (kind, request).  Our own queries on the themes of the
# security releases; every kind of query a user of the site types.
QUERY_MIX: list[tuple[str, SearchRequest]] = [
    *[("word", R(q=w)) for w in (
        "ความมั่นคง", "ยาเสพติด", "ชายแดน", "แรงงาน", "ไซเบอร์", "น้ำท่วม", "ประมง", "โควิด",
        "ทหาร", "ตำรวจ", "การค้ามนุษย์", "ภัยแล้ง", "เกษตรกร", "งบประมาณ", "ท่องเที่ยว",
    )],
    *[("keywords", R(q=q)) for q in (
        "ยาเสพติด ชายแดน", "แรงงาน ต่างด้าว", "น้ำท่วม ภาคใต้", "ความมั่นคง ไซเบอร์", "ประมง ผิดกฎหมาย",
        "โควิด วัคซีน", "ภัยแล้ง เกษตรกร", "ทหาร พัฒนา ชุมชน", "ตำรวจ จับกุม", "การค้ามนุษย์ แรงงาน ประมง",
        "ชายแดนใต้ สันติสุข", "นายกรัฐมนตรี ประชุม", "งบประมาณ กลาโหม", "ท่องเที่ยว ชายแดน", "สาธารณสุข ชายแดน",
    )],
    *[("phrase", R(q=f'"{p}"')) for p in (
        "การค้ามนุษย์", "แรงงานต่างด้าว", "ความมั่นคงแห่งชาติ", "สภาความมั่นคงแห่งชาติ", "ยาเสพติด",
        "ชายแดนภาคใต้", "ภัยพิบัติ", "ป้องกันและปราบปราม", "กองทัพบก", "หมอกควัน",
    )],
    ("operators", R(q="ยาเสพติด -โควิด")),
    ("operators", R(q="น้ำท่วม OR ภัยแล้ง")),
    ("operators", R(q="แรงงาน OR ประมง -โควิด")),
    ("operators", R(q="ไซเบอร์ OR คอลเซ็นเตอร์")),
    ("filtered", R(q="ยาเสพติด", provinces=["เชียงราย"])),
    ("filtered", R(q="ชายแดน", provinces=["สระแก้ว", "จันทบุรี"])),
    ("filtered", R(q="น้ำท่วม", regions=["south"])),
    ("filtered", R(q="แรงงาน", topics=["migration"])),
    ("filtered", R(q="ความมั่นคง", plans=[3])),
    ("filtered", R(q="ทหาร", years=[2020])),
    ("filtered", R(q="โควิด", years=[2021], topics=["public-health"])),
    ("filtered", R(q="ประมง", topics=["maritime"], regions=["south", "east"])),
    ("filtered", R(q="การค้ามนุษย์", types=["news"])),
    ("filtered", R(q="ไซเบอร์", sort="newest")),
    ("filtered", R(q="ชุมชน", provinces=["ปัตตานี", "ยะลา", "นราธิวาส"])),
    ("filtered", R(q="ยาเสพติด ชายแดน", topics=["drugs"], years=[2020, 2021])),
    ("empty+filter", R(q="", topics=["drugs"])),
    ("empty+filter", R(q="", provinces=["สงขลา"])),
    ("empty+filter", R(q="", plans=[1])),
    ("empty+filter", R(q="", years=[2020])),
    ("empty+filter", R(q="", regions=["northeast"], topics=["disaster"])),
    ("empty+filter", R(q="")),
    *[("sentence", R(q=q)) for q in (
        "รัฐบาลมีมาตรการแก้ไขปัญหายาเสพติดในพื้นที่ชายแดนอย่างไร",
        "ทำไมแรงงานต่างด้าวผิดกฎหมายจึงยังเข้าเมืองได้",
        "หน่วยงานใดรับผิดชอบการช่วยเหลือผู้ประสบภัยน้ำท่วม",
        "นายกรัฐมนตรีสั่งการเรื่องความปลอดภัยทางไซเบอร์ว่าอย่างไรบ้าง",
        "การพูดคุยสันติสุขชายแดนใต้มีความคืบหน้าอย่างไร",
        "มาตรการป้องกันโรคโควิดในเรือนจำมีอะไรบ้าง",
    )],
]


def run_latency(index_dir: Path, repeats: int, cold: bool = False) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Samples (ms) per query kind, plus "all": (wall clock, CPU); ``cold``: the
    index's memo cleared before every query (see common.time_searches)."""
    searcher = open_searcher(index_dir)
    wall, cpu = common.time_searches(searcher, [r for _, r in QUERY_MIX], repeats=repeats, warmup=1, cold=cold)

    def group(samples: list[list[float]]) -> dict[str, list[float]]:
        by_kind: dict[str, list[float]] = {"all": []}
        for (kind, _), s in zip(QUERY_MIX, samples):
            by_kind.setdefault(kind, []).extend(s)
            by_kind["all"].extend(s)
        return by_kind

    return group(wall), group(cpu)


def pair_index_cost(index_dir: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, MB of memory) to load the scan buffer and build its pair
    index: paid once per index state (at the first search after a commit)."""
    snap = open_searcher(index_dir).index.snapshot()
    t0, c0 = time.perf_counter(), time.process_time()
    scan = snap.scan()
    scan.wait_for_pairs()
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    pairs = scan.pairs
    return wall, cpu, (len(scan.buffer) + (sum(pairs.nbytes().values()) if pairs is not None else 0)) / 1e6


def slowest(index_dir: Path, n: int = 8) -> list[tuple[float, str, str, int]]:
    """The n slowest queries of the mix by CPU time (ms, kind, query, total), for the engine's owner."""
    searcher = open_searcher(index_dir)
    common.wait_until_ready(searcher)
    out = []
    for kind, r in QUERY_MIX:
        req = common._copy(r)
        c0 = time.process_time()
        result = searcher.search(req)
        out.append(((time.process_time() - c0) * 1000, kind, _describe(r), result.total))
    return sorted(out, reverse=True)[:n]


def _describe(r: SearchRequest) -> str:
    filters = [f"{k}={v}" for k, v in vars(r).items() if k not in ("q", "limit", "page") and v and v != "relevance"]
    return (r.q or "(empty)") + (" [" + ", ".join(filters) + "]" if filters else "")


def run_web(work: Path, repeats: int) -> None:
    print("\n## Web search page — server time on the bundled corpus (Flask test client)")
    try:
        from web import create_app
    except ImportError as exc:
        print(f"skipped: web is not importable ({exc})")
        return
    corpus = REPO / "corpus"
    if not corpus.is_dir():
        print("skipped: no bundled corpus/ folder")
        return
    build = build_index(corpus, work / "web-index", subword=True, label="bundled corpus")
    client = create_app({"INDEX_DIR": str(build.index_dir)}).test_client()
    urls = []
    for _, r in QUERY_MIX:
        params: list[tuple[str, str]] = [("q", r.q)] if r.q else []
        params += [("plan", str(v)) for v in r.plans] + [("province", v) for v in r.provinces]
        params += [("region", v) for v in r.regions] + [("topic", v) for v in r.topics]
        params += [("type", v) for v in r.types] + [("year", str(v)) for v in r.years]
        if r.sort != "relevance":
            params.append(("sort", r.sort))
        urls.append("/?" + urlencode(params))
    for url in urls:  # warm-up (templates compile, caches fill)
        client.get(url)
    times, cpu, statuses = [], [], set()
    for _ in range(repeats):
        for url in urls:
            t0, c0 = time.perf_counter(), time.process_time()
            resp = client.get(url)
            cpu.append((time.process_time() - c0) * 1000)
            times.append((time.perf_counter() - t0) * 1000)
            statuses.add(resp.status_code)
    print(f"{build.docs} documents, {len(urls)} URLs × {repeats}, HTTP statuses {sorted(statuses)}")
    print(table(["page", "clock", "p50 ms", "p95 ms", "max ms", "target p95"],
                [["/ (search page)", "wall", percentile(times, 50), percentile(times, 95), max(times), "≤ 150 ms"],
                 ["/ (search page)", "CPU", percentile(cpu, 50), percentile(cpu, 95), max(cpu), "≤ 150 ms"]]))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10_000, help="ThaiGov releases to index (default 10,000)")
    ap.add_argument("--subword", choices=("both", "on", "off"), default="both")
    ap.add_argument("--repeats", type=int, default=3, help="timed rounds of the query mix (default 3)")
    ap.add_argument("--quick", action="store_true", help="1,000 documents, 1 round")
    ap.add_argument("--no-web", action="store_true", help="skip the web page timing")
    args = ap.parse_args(argv)
    if args.quick:
        args.docs, args.repeats = 1000, 1
    source = data_file("thaigov", "thaigov_v2.jsonl.gz")
    configs = {"both": [("word-only", False), ("sub-word", True)], "on": [("sub-word", True)], "off": [("word-only", False)]}[args.subword]
    print_machine()
    print(f"query mix: {len(QUERY_MIX)} queries, 1 warm-up + {args.repeats} timed rounds; facets always computed")
    with tempfile.TemporaryDirectory(prefix="kb-bench-index-") as tmp:
        work = Path(tmp)
        common.warm_up(source, work)
        builds, walls, cpus, colds = [], [], [], []
        for label, subword in configs:
            b = build_index(source, work / label, subword=subword, limit=args.docs, label=label)
            print(f"  indexed {b.docs} docs {label}: {b.seconds:.1f} s wall, {b.cpu_seconds:.1f} s CPU, {b.size_mb:.1f} MB", flush=True)
            builds.append(b)
            wall, cpu = run_latency(b.index_dir, args.repeats)
            walls.append(wall)
            cpus.append(cpu)
            colds.append(run_latency(b.index_dir, args.repeats, cold=True))
        print(f"\n## Indexing and search — {args.docs} ThaiGov releases (thaigov_v2.jsonl.gz, end-to-end)")
        base = builds[0]
        rows = []
        for b, wall, cpu, (cold_wall, cold_cpu) in zip(builds, walls, cpus, colds):
            rows.append([b.label, b.docs, f"{b.docs_per_second:.0f}", f"{b.docs_per_cpu_second:.0f}", f"{b.size_mb:.1f}",
                         f"{b.size_bytes / base.size_bytes:.2f}×",
                         f"{percentile(wall['all'], 50):.1f} / {percentile(wall['all'], 95):.1f}",
                         f"{percentile(cpu['all'], 50):.1f} / {percentile(cpu['all'], 95):.1f}",
                         f"{percentile(cold_wall['all'], 50):.1f} / {percentile(cold_wall['all'], 95):.1f}",
                         f"{percentile(cold_cpu['all'], 50):.1f} / {percentile(cold_cpu['all'], 95):.1f}"])
        print(table(["index", "docs", "docs/s wall", "docs/CPU-s (all processes)", "MB", "size ratio",
                     "warm wall p50 / p95 ms", "warm CPU p50 / p95 ms", "cold wall p50 / p95 ms", "cold CPU p50 / p95 ms"], rows))
        kinds = [k for k in walls[0] if k != "all"] + ["all"]
        print("\nlatency by query kind, CPU p50 / p95 ms (wall p95 ms), warm memo | cold (memo cleared before each query):")
        print(table(["kind", "queries"] + [f"{b.label} warm" for b in builds] + [f"{b.label} cold" for b in builds],
                    [[k, len(walls[0][k]) // args.repeats]
                     + [f"{percentile(c[k], 50):.1f} / {percentile(c[k], 95):.1f} ({percentile(w[k], 95):.0f})" for w, c in zip(walls, cpus)]
                     + [f"{percentile(c[k], 50):.1f} / {percentile(c[k], 95):.1f} ({percentile(w[k], 95):.0f})" for w, c in colds]
                     for k in kinds]))
        if len(builds) == 2:
            p95w, p95s = percentile(cpus[0]["all"], 95), percentile(cpus[1]["all"], 95)
            c95w, c95s = percentile(colds[0][1]["all"], 95), percentile(colds[1][1]["all"], 95)
            print(f"\nsub-word / word-only: size {builds[1].size_bytes / builds[0].size_bytes:.2f}× (target ≤ 3), "
                  f"CPU p95 warm {p95s / p95w:.2f}×, cold {c95s / c95w:.2f}× (target ≤ 1.5), "
                  f"indexing speed {builds[1].docs_per_second / builds[0].docs_per_second:.2f}× (wall), "
                  f"{builds[1].docs_per_cpu_second / builds[0].docs_per_cpu_second:.2f}× (per CPU-second)")
        for b in builds:
            if b.label == "sub-word":
                wall_s, cpu_s, mb = pair_index_cost(b.index_dir)
                print(f"\nsub-word layer, once per index state (first search after a commit): scan buffer + pair index "
                      f"{wall_s:.2f} s wall, {cpu_s:.2f} s CPU, {mb:.0f} MB of memory")
        for b in builds:
            print(f"\nslowest queries with {b.label} (CPU ms, kind, query, total):")
            for ms, kind, q, total in slowest(b.index_dir):
                print(f"  {ms:7.1f}  {kind:12s} {q}  ({total})")
        if not args.no_web:
            run_web(work, args.repeats)


if __name__ == "__main__":
    main()
