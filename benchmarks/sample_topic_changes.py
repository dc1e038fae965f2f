"""Releases whose topics changed between two checkouts, outside the label sets, sampled for reading.

A corpus audit of a topic rule (audit17, issue 13): ``extract`` of an older checkout
(``--old``, e.g. a ``git archive`` of the base commit) and of this one run in
subprocesses over the same releases, as in ``check_extraction.py``; the releases whose
``--topics`` changed are counted per kind (``border+``, ``migration-`` ...), every id of
``tests/labels/*_thaigov.json`` is left out, and a seeded random sample is printed with
its title and text for judging by docs/labelling.md.

    python benchmarks/sample_topic_changes.py --old /tmp/base --topics border,migration --n 40 --seed 7
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import tempfile
from collections import Counter
from pathlib import Path

from check_extraction import run_in  # the same subprocess runner

HERE = Path(__file__).resolve().parents[1]

_EXTRACT = r"""
import json, sys
from pathlib import Path
from indexer.readers import jsonl
from kb.extract import extract
out = []
for d in jsonl.read(Path(sys.argv[1])):
    if not hasattr(d, "reason"):
        out.append(json.dumps([d.id, extract(d, d.id).to_dict().get("topics") or []], ensure_ascii=False))
Path(sys.argv[2]).write_text("\n".join(out))
"""


def topics_by_id(repo: Path, source: Path, out: Path) -> dict[str, set[str]]:
    run_in(repo, _EXTRACT, str(source), str(out))
    return {i: set(t) for i, t in map(json.loads, out.read_text().splitlines())}


def labelled_ids() -> set[str]:
    ids: set[str] = set()
    for path in (HERE / "tests" / "labels").glob("*_thaigov.json"):
        ids |= set(json.loads(path.read_text(encoding="utf-8"))["documents"])
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", type=Path, required=True, help="a checkout of the base commit")
    ap.add_argument("--topics", default="border,migration")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--chars", type=int, default=0, help="print at most this much of each text (0: all)")
    ap.add_argument("--source", type=Path, default=Path(os.environ.get("KB_SHARED_DATA", HERE.parents[1] / "shared" / "data"))
                    / "thaigov" / "thaigov_v2_security_category.jsonl.gz")
    args = ap.parse_args()
    watched = args.topics.split(",")
    with tempfile.TemporaryDirectory(prefix="kb-topic-changes-") as tmp:
        old = topics_by_id(args.old, args.source, Path(tmp) / "old.jsonl")
        new = topics_by_id(HERE, args.source, Path(tmp) / "new.jsonl")
    labelled = labelled_ids()
    changed = []
    for i in sorted(new):
        kinds = [t + "+" for t in watched if t in new[i] - old.get(i, set())]
        kinds += [t + "-" for t in watched if t in old.get(i, set()) - new[i]]
        if kinds:
            changed.append((i, kinds))
    outside = [c for c in changed if c[0] not in labelled]
    print(f"{len(new)} releases; {len(changed)} changed ({len(changed) - len(outside)} in the label sets)")
    print("all:", dict(Counter(k for _, ks in changed for k in ks)))
    print("outside the label sets:", dict(Counter(k for _, ks in outside for k in ks)))
    random.seed(args.seed)
    pick = random.sample(outside, min(args.n, len(outside)))
    releases = {}
    with gzip.open(args.source, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            releases[r["id"]] = r
    for k, (i, kinds) in enumerate(pick, 1):
        r = releases[i]
        text = r["text"][:args.chars] if args.chars else r["text"]
        print(f"\n=== {k} {i} {kinds} old={sorted(old[i])} new={sorted(new[i])}\n{r['title']}\n{text}")


if __name__ == "__main__":
    main()
