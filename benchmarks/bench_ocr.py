"""OCR quality: character error rate of raw Tesseract vs kb's OCR, and recall of scanned records.

Pages are rendered at run time from the Thai meeting records of
scripts/make_scans.py (so the source text is known exactly), each record in
another TLWG font (Norasi, Garuda, Loma: OCR quality differs by font): clean at 150 and
300 dpi, and degraded (rotated 1.5°, speckled, slightly blurred) at 150 dpi.
Each page is read twice in the same run:

* **raw** — ``tesseract page.png - -l tha+eng`` as a user would type it;
* **kb** — ``indexer.ocr.ocr_page``: deskew, binarize, ``--psm 4``, Thai digits
  read again, Thai artefact repair.

CER = edit distance / source length, whitespace removed from both (Thai
spacing is not what OCR is judged on). Then the degraded scans are indexed with
the bundled meeting records as distractors, and verbatim spans sampled from the
*source* records by the recall benchmark's sampler (``bench_quality.sample_probes``)
are searched: recall@10 says whether a researcher typing a phrase of the
original finds the scan. Goals (issue 14): kb ≤ 0.75 × raw CER, degraded ≤ 8 %,
recall ≥ 0.95.

Last, a 20-page scan is read in a fresh process for pages per second and the
memory peak, beside the bundled 35-page text PDF.

    .venv/bin/python benchmarks/bench_ocr.py            # ~3 min on 2 shared cores
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "benchmarks")]

import make_scans  # noqa: E402

from indexer.ocr import OcrCache, OcrSettings, ocr_page  # noqa: E402
from kb.editdistance import edits as edit_distance  # noqa: E402


def cer(source: str, read: str) -> float:
    a, b = "".join(source.split()), "".join(read.split())
    return edit_distance(a, b) / max(1, len(a))


def raw_tesseract(page) -> str:
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    done = subprocess.run(["tesseract", "-", "-", "-l", "tha+eng"], input=buffer.getvalue(),
                          capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return done.stdout.decode("utf-8", "replace")


def variants(text: str, font: tuple[str, float]) -> dict[str, object]:
    """The first page of a record as each condition of the benchmark."""
    return {
        "clean 150 dpi": make_scans.render_pages(text, 150, *font)[0],
        "clean 300 dpi": make_scans.render_pages(text, 300, *font)[0],
        "degraded 150 dpi": make_scans.degrade(make_scans.render_pages(text, 150, *font)[0], angle=1.5),
    }


def first_page_text(text: str, dpi: int) -> str:
    """The source lines that fit on page 1 (records here fit on one page; kept honest anyway)."""
    pages = make_scans.render_pages(text, dpi)
    if len(pages) == 1:
        return text
    raise SystemExit("a benchmark record spills onto a second page; shorten it")


def run_cer(cache: OcrCache) -> tuple[dict[str, list[tuple[float, float]]], dict]:
    results: dict[str, list[tuple[float, float]]] = {}
    degraded_pages = {}
    for (name, source), font in zip(make_scans.RECORDS.items(), make_scans.FONTS):
        first_page_text(source, 150)
        for condition, page in variants(source, font).items():
            t0 = time.perf_counter()
            raw = cer(source, raw_tesseract(page))
            t1 = time.perf_counter()
            ours = cer(source, ocr_page(page, OcrSettings(), cache).text)
            t2 = time.perf_counter()
            results.setdefault(condition, []).append((raw, ours))
            print(f"  {name[:40]:<40} {font[0]:<11} {condition:<17} raw {raw:6.2%} ({t1 - t0:4.1f} s)"
                  f"  kb {ours:6.2%} ({t2 - t1:4.1f} s)", flush=True)
            if condition == "degraded 150 dpi":
                degraded_pages[name] = page
    return results, degraded_pages


def run_recall(degraded_pages: dict, probes_per_kind: int) -> tuple[int, int, list[str]]:
    from bench_quality import sample_probes

    from indexer import pipeline
    from kb.models import SearchRequest

    import common

    with tempfile.TemporaryDirectory(prefix="kb-bench-ocr-") as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(ROOT / "corpus" / "meetings", docs / "meetings")
        for name, page in degraded_pages.items():
            make_scans.save_png(page, docs / f"{name}.png", bilevel=False)
        report = pipeline.run([docs], Path(tmp) / "index", progress=False)
        if report.failures:
            raise SystemExit(f"indexing failed: {report.failures}")
        # Rare = held by at most 3 documents of the whole indexed set (scans and distractors),
        # as in the recall benchmark; only spans of the scanned records are kept.
        sources = {f"{name}.png": ("", text) for name, text in make_scans.RECORDS.items()}
        everything = {**sources, **{f"meetings/{p.name}": ("", p.read_text(encoding="utf-8"))
                                    for p in sorted((docs / "meetings").iterdir())}}
        probes = []
        for seed in range(2566, 2566 + 50):
            probes += [p for p in sample_probes(everything, probes_per_kind, seed=seed, max_docs=3)
                       if p.source in sources and p.query not in {q.query for q in probes}]
            if len(probes) >= 2 * probes_per_kind:
                break
        probes = probes[:2 * probes_per_kind]
        searcher = common.open_searcher(Path(tmp) / "index")
        found, missed = 0, []
        for probe in probes:
            top = [hit.id for hit in searcher.search(SearchRequest(q=probe.query, limit=10)).hits]
            if probe.source in top:
                found += 1
            else:
                missed.append(f"{probe.query} ({probe.kind}, {probe.source})")
    return found, len(probes), missed


_READ_ONE = """
import resource, sys, time
sys.path.insert(0, sys.argv[2])
from indexer.readers import read
t = time.perf_counter()
items = list(read(sys.argv[1]))
wall = time.perf_counter() - t
# VmHWM belongs to this process image; ru_maxrss would carry the parent's peak across fork+exec.
self_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
ocr = getattr(items[0], "ocr", None)
print(wall, self_kb, child_kb, len(ocr["pages"]) if ocr else 0, type(items[0]).__name__)
"""


def read_in_child(path: Path) -> tuple[float, int, int, int, str]:
    """Read one file in a fresh process: (seconds, peak RSS kB of Python, of Tesseract, OCR'd pages, result)."""
    env = {**os.environ, "KB_OCR_CACHE": "off", "OMP_THREAD_LIMIT": "1"}
    out = subprocess.run([sys.executable, "-c", _READ_ONE, str(path), str(ROOT)], capture_output=True,
                         text=True, env=env, check=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2]), int(out[3]), out[4]


def run_speed(pages: int) -> None:
    """Pages per second and memory peak reading a ``pages``-page 300-dpi scan (multi-page TIFF),
    against reading the bundled text PDF (no OCR), each in a fresh process."""
    records = list(make_scans.RECORDS.values())
    with tempfile.TemporaryDirectory(prefix="kb-bench-scan-") as tmp:
        scan = Path(tmp) / "scan.tif"
        rendered = [make_scans.render_pages(records[i % len(records)], 300)[0] for i in range(pages)]
        make_scans.save_tiff(rendered, scan)
        del rendered
        wall, py_kb, tess_kb, done, kind = read_in_child(scan)
        base_wall, base_kb, _, _, _ = read_in_child(ROOT / "corpus" / "plans" / "nspp-2566-2570.pdf")
    print(f"\n{pages}-page 300-dpi scan: {done} pages OCR'd in {wall:.1f} s = {done / wall:.2f} pages/s "
          f"(one process, OMP_THREAD_LIMIT=1; {os.cpu_count()} cores shared), result {kind}")
    print(f"memory peak: Python {py_kb / 1024:.0f} MB, Tesseract at most {tess_kb / 1024:.0f} MB "
          f"(a child's ru_maxrss starts at its forking parent's size); "
          f"reading the 35-page text PDF: Python {base_kb / 1024:.0f} MB ({base_wall:.1f} s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probes", type=int, default=40, help="spans per kind (words, syllables) for recall@10")
    parser.add_argument("--speed-pages", type=int, default=20, help="pages of the speed/memory scan (0: skip)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-ocr-cache-") as cache_home:
        os.environ["XDG_CACHE_HOME"] = cache_home  # the recall index reuses this run's OCR, not an old one
        cache = OcrCache.default()
        print(f"tesseract: {subprocess.run(['tesseract', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}")
        print(f"records: {len(make_scans.RECORDS)}, one per font of {make_scans.FONTS}\n")
        results, degraded = run_cer(cache)
        print("\n| condition | raw tesseract CER | kb CER | kb / raw |")
        print("|---|---|---|---|")
        for condition, pairs in results.items():
            raw = sum(r for r, _ in pairs) / len(pairs)
            ours = sum(o for _, o in pairs) / len(pairs)
            print(f"| {condition} | {raw:.2%} | {ours:.2%} | {ours / raw if raw else float('nan'):.2f} |")
        found, total, missed = run_recall(degraded, args.probes)
    print(f"\nrare-phrase recall@10 of the degraded scans: {found}/{total} = {found / max(1, total):.3f}")
    for line in missed[:20]:
        print(f"  missed: {line}")
    if args.speed_pages:
        run_speed(args.speed_pages)


if __name__ == "__main__":
    main()
