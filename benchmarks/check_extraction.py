"""Old code against new on every ThaiGov release: metadata extraction must not change.

Speed work on the lexicon's matching (issue 12) must leave ``kb.extract``'s output
alone.  This runs ``extract`` of two checkouts of kb (``--old``, e.g. a ``git
archive`` of the base commit, and this one) in subprocesses over the same
releases and compares, release by release, a digest of ``Document.to_dict()``.

    python benchmarks/check_extraction.py --old /tmp/base [--docs N]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

_EXTRACT = r"""
import hashlib, itertools, json, sys, time
from pathlib import Path
from indexer.readers import jsonl
from kb.extract import extract
n = int(sys.argv[3]) or None
out, seconds = [], 0.0
for d in itertools.islice(jsonl.read(Path(sys.argv[1])), n):
    if hasattr(d, "reason"):
        out.append("failure\t" + d.source); continue
    t = time.process_time()
    doc = extract(d, d.id).to_dict()
    seconds += time.process_time() - t
    out.append(d.id + "\t" + hashlib.sha1(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest())
Path(sys.argv[2]).write_text("\n".join(out))
print(f"{len(out)} releases, extract {1000 * seconds / max(1, len(out)):.3f} ms CPU a release")
"""


def run_in(repo: Path, script: str, *args: str) -> str:
    """Run ``script`` with the checkout ``repo`` first on the path (its own ``kb``); its standard output."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=repo, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"extraction failed in {repo}:\n{done.stderr[-3000:]}")
    return done.stdout


def run(repo: Path, source: Path, out: Path, docs: int) -> list[str]:
    print(f"{repo}: {run_in(repo, _EXTRACT, str(source), str(out), str(docs)).strip()}")
    return out.read_text().splitlines()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", type=Path, required=True, help="a checkout of the base commit")
    ap.add_argument("--docs", type=int, default=0, help="the first N releases (0: all)")
    ap.add_argument("--source", type=Path, default=Path(os.environ.get("KB_SHARED_DATA", HERE.parents[1] / "shared" / "data"))
                    / "thaigov" / "thaigov_v2.jsonl.gz")
    args = ap.parse_args()
    if not args.source.exists():
        sys.exit(f"--source: {args.source} does not exist")
    with tempfile.TemporaryDirectory(prefix="kb-check-extract-") as tmp:
        t0 = time.monotonic()
        old = run(args.old, args.source, Path(tmp) / "old.txt", args.docs)
        new = run(HERE, args.source, Path(tmp) / "new.txt", args.docs)
    differ = [(a, b) for a, b in zip(old, new) if a != b]
    print(f"{len(new)} releases compared in {time.monotonic() - t0:.0f} s; load average {os.getloadavg()[0]:.1f}")
    if len(old) != len(new) or differ:
        for a, b in differ[:20]:
            print(f"differs: {a} | {b}")
        sys.exit(f"extraction changed: {len(differ)} releases differ ({len(old)} vs {len(new)} read)")
    print("identical")


if __name__ == "__main__":
    main()
