"""OCR inside the indexing pipeline: memory of the process that writes the index, and of its
workers, when ``kb index`` meets a 20-page scan, beside the same run over a text PDF.

Since issue 14 a file that may need OCR is read by ``prepare`` in the worker pool, a page at a
time, so the main process (which holds the index writer) never decodes a page image.  Each run
is a fresh ``kb index`` process with the OCR cache off and ``--procs 2``:

* peak RSS of the main process (``VmHWM``, read just before it exits);
* the largest peak among its descendants (workers and the Tesseract they start, ``ru_maxrss``
  of reaped children);
* wall time and pages per second.

    .venv/bin/python benchmarks/bench_ocr_pipeline.py --pages 20     # ~2 min on 2 shared cores
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import make_scans  # noqa: E402

_RUN = r"""
import resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from indexer import pipeline
report = pipeline.run([Path(sys.argv[1])], Path(sys.argv[2]), progress=False, procs=2)
self_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(self_kb, child_kb, report.added, report.failed)
"""


def index_in_child(folder: Path) -> tuple[float, int, int, int, int]:
    """(seconds, main peak kB, largest descendant peak kB, added, failed) of one fresh ``kb index``."""
    env = {**os.environ, "KB_OCR_CACHE": "off", "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="kb-bench-index-") as index_dir:
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _RUN, str(folder), index_dir, str(ROOT)],
                             capture_output=True, text=True, env=env, check=True).stdout.split()
        wall = time.perf_counter() - t
    return wall, int(out[0]), int(out[1]), int(out[2]), int(out[3])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20, help="pages of the scan (0: the text PDF only)")
    args = parser.parse_args(argv)
    records = list(make_scans.RECORDS.values())
    with tempfile.TemporaryDirectory(prefix="kb-bench-scan-") as tmp:
        scans, text_pdf = Path(tmp) / "scan", Path(tmp) / "pdf"
        scans.mkdir()
        text_pdf.mkdir()
        shutil.copy(ROOT / "corpus" / "plans" / "nspp-2566-2570.pdf", text_pdf / "plan.pdf")  # not a symlink:
        # kb index skips links leading out of the folder
        base_wall, base_main, base_child, base_added, _ = index_in_child(text_pdf)
        print(f"35-page text PDF: {base_wall:.1f} s, added {base_added}; main process peak {base_main / 1024:.0f} MB, "
              f"largest worker peak {base_child / 1024:.0f} MB", flush=True)
        if not args.pages:
            return
        rendered = [make_scans.render_pages(records[i % len(records)], 300)[0] for i in range(args.pages)]
        make_scans.save_tiff(rendered, scans / "scan.tif")
        del rendered
        wall, main_kb, child_kb, added, failed = index_in_child(scans)
    print(f"{args.pages}-page 300-dpi scan: {wall:.1f} s ({args.pages / wall:.2f} pages/s), added {added}, "
          f"failed {failed}; main process peak {main_kb / 1024:.0f} MB, largest worker/Tesseract peak "
          f"{child_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
