"""Old code against new on the same ThaiGov releases: what indexing produces must not change.

Speed work on the indexer (issue 12) must leave its outputs alone.  This runs
two checkouts of kb (``--old``, e.g. a ``git archive`` of the base commit, and
this one) in subprocesses on the first ``--docs`` releases and compares:

1. ``indexer.prepare.prepare`` of every release: the extracted metadata
   (``Document.to_dict``), the encoded postings of title and body, the scan form;
2. ``kb index --full`` of the same file (commits by count only): every sub-file of every Whoosh segment
   (postings, term table, columns, stored fields) and its postings arrays
   (``kb-arrays``) byte for byte, matched by segment order and file name
   (segment ids are random).

    python benchmarks/check_index_outputs.py --old /tmp/base --docs 2000
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

_PREPARE = r"""
import pickle, sys
from pathlib import Path
from indexer import prepare as P
from indexer.readers import jsonl
from kb import analysis
analysis.dictionary()
out = []
for d in jsonl.read(Path(sys.argv[1])):
    if hasattr(d, "reason"):
        out.append(("failure", d.source, d.reason)); continue
    r = P.prepare(P.PrepareTask(d, d.id, "h", True, None, 0))
    if hasattr(r, "reason"):
        out.append(("failure", r.source, r.reason)); continue
    out.append((r.doc.to_dict(), r.body.items, r.title.items, r.scan))
pickle.dump(out, open(sys.argv[2], "wb"))
"""

_SEGMENTS = r"""
import json, sys
from whoosh import index
from whoosh.filedb.filestore import FileStorage
from kb.engine import generations
gen = generations.current_generation(__import__("pathlib").Path(sys.argv[1]))
assert gen is not None
ix = index.open_dir(str(gen))
out = []
for seg in ix._segments():
    files = {}
    storage = seg.open_compound_file(ix.storage) if seg.is_compound() else ix.storage
    for name in storage.list():
        if seg.segment_id() in name:
            files[name.replace(seg.segment_id(), "SEG")] = storage.open_file(name).read().hex()
    for path in sorted((gen / "kb-arrays" / seg.segment_id()).glob("*")):  # the postings arrays
        files["kb-arrays/" + path.name] = path.read_bytes().hex()
    out.append(files)
json.dump(out, open(sys.argv[2], "w"))
"""


def run(code: Path, script: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run([sys.executable, "-c", script, *args], cwd=code, env=env, check=True)


_INDEX = r"""
import sys
from pathlib import Path
from indexer import pipeline
pipeline.BATCH_SECONDS = 1e9  # commits by count only, so both runs cut the same segments
report = pipeline.run([Path(sys.argv[1])], Path(sys.argv[2]), full=True, progress=False)
Path(sys.argv[3]).write_text("\n".join(f"{f.source}: {f.reason}" for f in report.failures))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", type=Path, required=True, help="the other checkout (its repository root)")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--skip", type=int, default=0, help="releases skipped first")
    args = ap.parse_args()
    data = Path(os.environ.get("KB_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
    work = Path(tempfile.mkdtemp(prefix="kb-check-outputs-"))
    source = work / "releases.jsonl"
    with gzip.open(data / "thaigov" / "thaigov_v2.jsonl.gz", "rt", encoding="utf-8") as f, open(source, "w") as o:
        o.writelines(itertools.islice(f, args.skip, args.skip + args.docs))
    ok = True
    prepared = {}
    for name, code in (("old", args.old.resolve()), ("new", HERE)):
        run(code, _PREPARE, str(source), str(work / f"{name}.pickle"))
        prepared[name] = pickle.loads((work / f"{name}.pickle").read_bytes())
    old, new = prepared["old"], prepared["new"]
    differ = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    print(f"prepare: {len(new)} releases, {len(differ)} differ" + (f" (first: line {differ[0]})" if differ else ""))
    ok &= not differ and len(old) == len(new)
    for name in ("old", "new"):
        print(f"  {name}: sha256 {hashlib.sha256(pickle.dumps(prepared[name])).hexdigest()[:16]}")
    segments = {}
    for name, code in (("old", args.old.resolve()), ("new", HERE)):
        run(code, _INDEX, str(source), str(work / f"ix-{name}"), str(work / f"{name}-failures.txt"))
        run(code, _SEGMENTS, str(work / f"ix-{name}"), str(work / f"{name}.json"))
        segments[name] = json.loads((work / f"{name}.json").read_text())
    refused = [(work / f"{name}-failures.txt").read_text() for name in ("old", "new")]
    print(f"kb index: {len(refused[1].splitlines())} releases refused (ids with a tab), the same both times: "
          f"{refused[0] == refused[1]}")
    ok &= refused[0] == refused[1]
    same = segments["old"] == segments["new"]
    sizes = [sum(len(v) // 2 for v in s.values()) for s in segments["new"]]
    print(f"segments: {len(segments['new'])} ({sum(sizes):,} bytes), files identical: {same}")
    if not same:
        for a, b in zip(segments["old"], segments["new"]):
            for ext in sorted(set(a) | set(b)):
                if a.get(ext) != b.get(ext):
                    print(f"  differs: {ext}")
    ok &= same
    print("OK: outputs identical" if ok else "FAILED: outputs differ")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
