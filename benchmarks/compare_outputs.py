"""Compare `kb search --json` of two revisions on the bundled corpus, query by query.

A refactor must not change what users get.  This checks out REV (default: the
commit before the restructure of issue 11) into a temporary work tree, indexes
the bundled corpus with it and with the working tree, runs the same fixed
queries through both CLIs and prints every difference.  Keys a later change
added on purpose (``--ignore facets.agency``) are left out of the comparison.

    python benchmarks/compare_outputs.py                 # d868bd6 vs the working tree
    python benchmarks/compare_outputs.py --rev HEAD~5 --ignore facets.agency

Exit status 0 when every output is equal, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_RESTRUCTURE = "d868bd6"

# Words, phrases, exclusions, OR, year filters, synonyms, questions, facets and sorts.
QUERIES: list[list[str]] = [
    ["การค้ามนุษย์"],
    ["ค้ามนุษย์"],
    ["ยาเสพติด", "--province", "เชียงราย"],
    ['"แผนความมั่นคงที่ 3"'],
    ["ยาเสพติด -กัญชา"],
    ["ยาบ้า OR ไอซ์"],
    ["สมช."],
    ["น้ำท่วม พ.ศ. 2567"],
    ["มาตรการป้องกันการค้ามนุษย์ในภาคประมงมีอะไรบ้าง"],
    ["", "--topic", "maritime", "--sort", "newest"],
    ["", "--plan", "3", "--plan", "9"],
    ["ชายแดน", "--region", "south", "--type", "meeting", "--limit", "20"],
    ["ไซเบอร์", "--year", "2566"],
    ["หมอกควัน", "--page", "2", "--limit", "5"],
]


def run_kb(python: str, source: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    code = "import sys; from kb.cli import main; sys.argv = ['kb'] + sys.argv[1:]; main()"
    child_env = {**os.environ, **env, "PYTHONPATH": str(source)}
    return subprocess.run([python, "-c", code, *args], capture_output=True, text=True, cwd=source, env=child_env)


def outputs(source: Path, corpus: Path, index_dir: Path) -> list[dict | str]:
    """Index ``corpus`` with the code in ``source`` and answer every query."""
    env = {"KB_INDEX_DIR": str(index_dir)}
    done = run_kb(sys.executable, source, ["index", str(corpus), "--no-progress"], env)
    if done.returncode not in (0, 1):
        raise SystemExit(f"indexing with {source} failed:\n{done.stderr[-2000:]}")
    answers: list[dict | str] = []
    for query in QUERIES:
        got = run_kb(sys.executable, source, ["search", *query, "--json"], env)
        answers.append(json.loads(got.stdout) if got.returncode == 0 else f"exit {got.returncode}: {got.stderr[-300:]}")
    return answers


def without(answer: dict | str, dotted: list[str]) -> dict | str:
    if not isinstance(answer, dict):
        return answer
    answer = json.loads(json.dumps(answer))
    for path in dotted:
        node = answer
        *parents, last = path.split(".")
        for key in parents:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(last, None)
    return answer


def first_difference(a: object, b: object, path: str = "") -> str:
    """Where two JSON values first differ (a dotted path and the two values, shortened)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path or '.'}: {str(a)[:80]!r} -> {str(b)[:80]!r}"


def checked_out(rev: str, folder: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(folder), rev], check=True)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=BEFORE_RESTRUCTURE, help="the revision to compare with")
    parser.add_argument("--new", default=None, help="the revision compared (default: the working tree)")
    parser.add_argument("--ignore", action="append", default=[], help="a dotted key left out (repeatable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-compare-") as tmp:
        old = checked_out(args.rev, Path(tmp) / "old")
        new = checked_out(args.new, Path(tmp) / "new") if args.new else ROOT
        try:  # both index the OLD revision's corpus: the same input, only the code differs
            before = outputs(old, old / "corpus", Path(tmp) / "ix-old")
            after = outputs(new, old / "corpus", Path(tmp) / "ix-new")
        finally:
            for tree in {old, new} - {ROOT}:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    differing = 0
    for query, a, b in zip(QUERIES, before, after):
        if without(a, args.ignore) != without(b, args.ignore):
            differing += 1
            print(f"DIFFERENT: kb search {' '.join(query)}\n    {first_difference(without(a, args.ignore), without(b, args.ignore))}")
    print(f"{len(QUERIES) - differing} of {len(QUERIES)} queries give the same JSON ({args.rev} vs {args.new or 'working tree'})")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
