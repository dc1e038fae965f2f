"""Re-derive the second blind set (blind2_thaigov.json): 64 ThaiGov security releases no other set holds.

Why a script: the selection must not depend on what anyone thought of the texts, and anyone must be able to
check it.  Order every record of the ThaiGov security file by sha256("kb-blind-v2:" + id) and take the first
64 whose id
- is in none of the label files that existed then (tests/labels/{blind,dev,heldout,train}_thaigov.json: their
  ``documents`` and every ``plan_stratum``),
- is not among the first ranks of the "kb-blind-v1:" order that the other sets leave out (260: the first blind
  set and the old development sample; the largest ``excluded_blind_ranks`` any set records),
- holds no control character (kb refuses ids with a tab).

Standard library only.  Usage: ``python tests/labels/select_blind2.py [data/thaigov/...jsonl.gz]`` prints the ids,
one per line; the test imports ``select_ids``.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SALT = "kb-blind-v2:"
OLD_SALT = "kb-blind-v1:"
OLD_RANKS = 260
SIZE = 64
SOURCE = "thaigov/thaigov_v2_security_category.jsonl.gz"
# the sets that existed when blind2 was drawn (sets drawn later were chosen outside it, so they must not move it)
EXCLUDED = ("blind", "dev", "heldout", "train")


def rank(salt: str, doc_id: str) -> str:
    return hashlib.sha256((salt + doc_id).encode("utf-8")).hexdigest()


def taken_by_other_sets(labels_dir: Path = HERE, excluded: tuple[str, ...] = EXCLUDED) -> tuple[set[str], int]:
    """Ids held by the named ThaiGov label files (``<name>_thaigov.json``), and how many old-order ranks they leave out."""
    taken: set[str] = set()
    old_ranks = OLD_RANKS
    for name in excluded:
        path = labels_dir / f"{name}_thaigov.json"
        labels = json.loads(path.read_text(encoding="utf-8"))
        taken |= set(labels.get("documents", {}))
        stratum = labels.get("plan_stratum") or {}
        taken |= set(stratum.get("plans", {}))
        old_ranks = max(old_ranks, int(labels.get("excluded_blind_ranks", 0)))
    return taken, old_ranks


def all_ids(source: Path) -> list[str]:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["id"] for line in handle if line.strip()]


def has_control_character(doc_id: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in doc_id)


def select_ids(source: Path, labels_dir: Path = HERE, size: int = SIZE, *,
               salt: str = SALT, excluded: tuple[str, ...] = EXCLUDED) -> list[str]:
    """The ids of a blind set in the hash order of ``salt`` (by default blind2's)."""
    ids = all_ids(source)
    taken, old_ranks = taken_by_other_sets(labels_dir, excluded)
    taken |= set(sorted(ids, key=lambda i: rank(OLD_SALT, i))[:old_ranks])
    fresh = (i for i in sorted(ids, key=lambda i: rank(salt, i))
             if i not in taken and not has_control_character(i))
    chosen = []
    for doc_id in fresh:
        chosen.append(doc_id)
        if len(chosen) == size:
            break
    return chosen


def default_source() -> Path:
    """$KB_SHARED_DATA, else shared/data beside the repository or beside its folder of worktrees."""
    env = os.environ.get("KB_SHARED_DATA")
    repo = HERE.parents[1]
    bases = [Path(env)] if env else [repo.parent / "shared" / "data", repo.parent.parent / "shared" / "data"]
    return next((b / SOURCE for b in bases if (b / SOURCE).exists()), bases[0] / SOURCE)


def command(argv: list[str], name: str, select) -> int:
    """A selection script's command line: print the ids ``select(source)`` draws, one per line."""
    source = Path(argv[1]) if len(argv) > 1 else default_source()
    if not source.exists():
        print(f"{name}: data file not found: {source}", file=sys.stderr)
        return 2
    for doc_id in select(source):
        print(doc_id)
    return 0


if __name__ == "__main__":
    sys.exit(command(sys.argv, "select_blind2", select_ids))
