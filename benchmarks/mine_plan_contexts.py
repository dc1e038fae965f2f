"""Mine the contexts in which a plan title follows the word แผน across the ThaiGov corpus.

For every title of the 17 plans found right after แผน (or แผนว่าด้วย, แผนเรื่อง,
"กฎหมายและแผน…", แผนความมั่นคง…), this prints how often each kind of lead-in
occurs, whether the release cites the security policy (plans.json
"context_markers"), what follows the title, and whether the extractor tags the
plan there; ``--sample N`` prints N random sentences per group to judge by hand.
It is the evidence behind the rule of ``kb.extract.plans._cited_after_plan_word``
(docs/design.md, "Plans").

    .venv/bin/python benchmarks/mine_plan_contexts.py [--sample 5] [--seed 13]
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.extract import plans as P  # noqa: E402
from kb.extract.lexicon import text_before  # noqa: E402
from kb.thai.digits import thai_digits_to_arabic  # noqa: E402

DATA = Path(os.environ.get("KB_SHARED_DATA", ROOT.parent.parent / "shared" / "data"))
CORPUS = DATA / "thaigov" / "thaigov_v2.jsonl.gz"
_SECURITY_LEAD = re.compile(r"แผน(?:ความมั่นคง|ระดับชาติ|ฯ|\s*ที่\s*\d)")


def lead_kind(before: str) -> str:
    """The kind of แผน lead-in right before a title."""
    m = P._PLAN_WORD_BEFORE.search(before)
    if m is None:
        return "none"
    lead = "".join(m.group().split())
    if _SECURITY_LEAD.match(lead):
        return "security-plan"
    if lead.endswith("ว่าด้วย") or lead.endswith("เรื่อง"):
        return "plan-on"
    return "plan"


def mine(path: Path, sample: int, seed: int) -> None:
    counts: collections.Counter = collections.Counter()
    tagged: collections.Counter = collections.Counter()
    follows: dict[tuple, collections.Counter] = collections.defaultdict(collections.Counter)
    examples: dict[tuple, list] = collections.defaultdict(list)
    generic = P._generic_titles()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            text = thai_digits_to_arabic(f"{doc.get('title', '')}\n{doc.get('text', '')}")
            if "แผน" not in text:
                continue
            context = P._has_plan_context(text)
            found = None
            for m in P.plan_title_lexicon().find(text):
                kind = lead_kind(text_before(text, m.start, 60))
                if kind == "none":
                    continue
                if found is None:
                    found = set(P.plans_in(text))
                group = (m.value in generic, kind, context)
                counts[group] += 1
                tagged[group] += int(m.value) in found
                follows[group][re.sub(r"\s+", " ", text[m.end : m.end + 12])] += 1
                examples[group].append((doc["id"], m.value, text[max(0, m.start - 50) : m.end + 30]))
    rng = random.Random(seed)
    print("generic title, lead-in, policy cited in the release: title occurrences (tagged by the extractor)")
    for group in sorted(counts, key=lambda g: -counts[g]):
        print(f"{str(group):<36} {counts[group]:6d} ({tagged[group]} tagged)")
        print("   followed by:", follows[group].most_common(8))
        for rid, no, ctx in rng.sample(examples[group], min(sample, len(examples[group]))):
            print(f"   [{rid}] plan {no}: {' '.join(ctx.split())}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--sample", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"mine_plan_contexts: corpus not found: {args.corpus}")
    mine(args.corpus, args.sample, args.seed)


if __name__ == "__main__":
    main()
