"""Re-derive the fifth training set (train5_thaigov.json): 480 ThaiGov security releases no other set holds.

Topic, province and region labels for fitting: the same fixed, text-independent rule as the blind sets (``select_blind2.py``), with
its own salt: order every record of the ThaiGov security file by sha256("kb-train-v5:" + id) and take the first
480 whose id is in no other label file (every blind set, blind6 included, train2, train3 and train4),
not among the first 260 ranks of the "kb-blind-v1:" order, and holds no control character.  Usage: ``python tests/labels/select_train5.py [data/thaigov/...jsonl.gz]``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select_blind2 as rule  # noqa: E402  (the shared selection rule)

SALT = "kb-train-v5:"
EXCLUDED = rule.EXCLUDED + ("blind2", "blind3", "blind4", "blind5", "blind6", "train2", "train3", "train4")
SIZE = 480


def select_ids(source: Path, labels_dir: Path = rule.HERE, size: int = SIZE) -> list[str]:
    """The train5 ids in hash order."""
    return rule.select_ids(source, labels_dir, size, salt=SALT, excluded=EXCLUDED)


if __name__ == "__main__":
    sys.exit(rule.command(sys.argv, "select_train5", select_ids))
