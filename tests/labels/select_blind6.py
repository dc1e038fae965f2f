"""Re-derive the sixth blind set (blind6_thaigov.json): 96 ThaiGov security releases no other set holds.

The same fixed, text-independent rule as the second set (``select_blind2.py``), with its own salt: order every
record of the ThaiGov security file by sha256("kb-blind-v6:" + id) and take the first 96 whose id is in no
other label file (blind2-blind5, train2 and train3 included), not among the first 260 ranks of the "kb-blind-v1:" order, and holds no
control character.  Usage: ``python tests/labels/select_blind6.py [data/thaigov/...jsonl.gz]``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select_blind2 as rule  # noqa: E402  (the shared selection rule)

SALT = "kb-blind-v6:"
EXCLUDED = rule.EXCLUDED + ("blind2", "blind3", "blind4", "blind5", "train2", "train3")
SIZE = 96


def select_ids(source: Path, labels_dir: Path = rule.HERE, size: int = SIZE) -> list[str]:
    """The blind6 ids in hash order."""
    return rule.select_ids(source, labels_dir, size, salt=SALT, excluded=EXCLUDED)


if __name__ == "__main__":
    sys.exit(rule.command(sys.argv, "select_blind6", select_ids))
