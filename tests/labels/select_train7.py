"""Re-derive the seventh training set (train7_thaigov.json): 512 ThaiGov security releases no other set holds.

Every field labelled (date, type, plans, provinces, regions, agencies, topics), first an unread check of every field, then for fitting the topic model: the same fixed, text-independent rule as the blind sets (``select_blind2.py``), with
its own salt: order every record of the ThaiGov security file by sha256("kb-train-v7:" + id) and take the first
512 whose id is in no other label file (every blind set, blind6 included, and train2 to train6),
not among the first 260 ranks of the "kb-blind-v1:" order, and holds no control character.  Usage: ``python tests/labels/select_train7.py [data/thaigov/...jsonl.gz]``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select_blind2 as rule  # noqa: E402  (the shared selection rule)

SALT = "kb-train-v7:"
EXCLUDED = rule.EXCLUDED + ("blind2", "blind3", "blind4", "blind5", "blind6", "train2", "train3", "train4", "train5", "train6")
SIZE = 512


def select_ids(source: Path, labels_dir: Path = rule.HERE, size: int = SIZE) -> list[str]:
    """The train7 ids in hash order."""
    return rule.select_ids(source, labels_dir, size, salt=SALT, excluded=EXCLUDED)


if __name__ == "__main__":
    sys.exit(rule.command(sys.argv, "select_train7", select_ids))
