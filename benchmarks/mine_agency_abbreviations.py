"""Mine the ThaiGov corpus for longer dotted abbreviations that end in an agency's abbreviation.

Thai has no spaces, so ปภ. glued to the letters before it is either another
agency's abbreviation (กปภ. = the Provincial Waterworks Authority, มทบ.32 = a
military circle, not ทบ.) or a word followed by the abbreviation
(ร่วมกับปภ.จังหวัด = with DDPM).  The test used here is general:

* a *candidate* is the whole Thai run before the abbreviation when the run
  stands alone (a space, a bracket or the start of the text before it):
  " กปภ.", "(มทบ.32)", " กับปภ.";
* it is a longer abbreviation when its prefix is consonants only, one to three
  of them (no vowel sign: กับ, จาก, และ, ปลัด, ทาง are words before an
  abbreviation, not letters of one), and the longer form stands alone in at
  least ``--min-releases`` releases;
* except the forms in ``HEADS``, judged by hand: the title of the agency's
  head, which the labelling guide counts as the agency (ปมท. = ปลัดกระทรวงมหาดไทย → มท.).

A dictionary test on the prefix was tried and dropped: consonant-only words
(บก, กอ) are also the first letters of abbreviations (บกปภ.ช., กอปภ.), while the
words that do precede an abbreviation (กับ, จาก) carry vowel signs.  Where a
form is glued to the word before it, kb.extract.agencies decides at run time
by segmentation whether the form starts a word (ร่วมกับกปภ.) or its first
letter ends the word before (จากปภ.).

The result is written as ``kb/taxonomy/agency_longer_abbreviations.json``
(``--write``); kb.extract.agencies reads it as blockers that count only where
they start a word (see docs/design.md, "Agencies").

    .venv/bin/python benchmarks/mine_agency_abbreviations.py [--write]
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb import taxonomy  # noqa: E402

DATA = Path(os.environ.get("KB_SHARED_DATA", ROOT.parent.parent / "shared" / "data"))
CORPUS = DATA / "thaigov" / "thaigov_v2.jsonl.gz"
OUT = ROOT / "kb" / "taxonomy" / "agency_longer_abbreviations.json"
THAI = "\u0e00-\u0e7f"
CONSONANTS = re.compile("[ก-ฮ]{1,3}")
# Longer forms that are the title of the agency's head: the guide labels the agency (มท.1 → มท.).
HEADS = {
    "ปมท.": "ปลัดกระทรวงมหาดไทย, the Interior Ministry's permanent secretary",
    "ผบช.สอท.": "ผู้บัญชาการ บช.สอท., the Cyber Police Bureau's commander",
}


def agency_abbreviations() -> list[str]:
    """Every Thai agency surface written as a dotted abbreviation (สตม., ตร., ปภ.)."""
    out = []
    for a in taxonomy.agencies():
        for s in [a["abbr"], *a["aliases"]]:
            if s.endswith(".") and " " not in s and re.fullmatch(f"[{THAI}.]+", s):
                out.append(s)
    return sorted(set(out), key=len, reverse=True)


def mine(path: Path) -> tuple[dict, dict, int]:
    """(standalone counts, glued counts, releases): releases per longer form."""
    abbrs = agency_abbreviations()
    alt = "|".join(re.escape(a) for a in abbrs)
    standalone = re.compile(f"(?:(?<=[^{THAI}.])|^)[{THAI}]+?(?:{alt})", re.M)
    glued_at = re.compile(f"(?<=[{THAI}])(?:{alt})")
    alone: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    glued: dict[tuple[str, str], int] = collections.Counter()
    n = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            n += 1
            text = f"{doc.get('title', '')}\n{doc.get('text', '')}"
            # a whole Thai run (a space, bracket or line start before it) ending in an abbreviation
            for m in standalone.finditer(text):
                s = m.group()
                for a in abbrs:
                    if s.endswith(a) and len(s) > len(a):
                        alone[(s[: -len(a)], a)].add(doc["id"])
                        break
            for m in glued_at.finditer(text):
                glued[m.group()] += 1
    return alone, glued, n


def classify(alone: dict, min_releases: int) -> list[dict]:
    known = {s for a in taxonomy.agencies() for s in [a["abbr"], *a["aliases"]]} | set(taxonomy.agency_blockers())
    rows = []
    for (prefix, abbr), ids in alone.items():
        form = prefix + abbr
        is_abbr = (
            CONSONANTS.fullmatch(prefix) is not None
            and len(ids) >= min_releases
            and form not in known
            and form not in HEADS
        )
        rows.append({"form": prefix + abbr, "prefix": prefix, "agency": abbr, "releases": len(ids), "longer": is_abbr})
    return sorted(rows, key=lambda r: -r["releases"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--min-releases", type=int, default=3)
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = ap.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"mine_agency_abbreviations: corpus not found: {args.corpus}")
    alone, glued, n = mine(args.corpus)
    rows = classify(alone, args.min_releases)
    print(f"{n} releases; standalone glued forms: {len(rows)}")
    for r in rows[:80]:
        print(f"{r['releases']:6d}  {r['form']:<16} prefix={r['prefix']:<10} {'LONGER' if r['longer'] else 'head' if r['form'] in HEADS else '-'}")
    print("glued occurrences per abbreviation:", dict(glued.most_common()))
    longer = [r for r in rows if r["longer"]]
    if args.write:
        data = {
            "_doc": "Longer dotted abbreviations that end in an agency's abbreviation (กปภ. is not ปภ., มทบ. is not ทบ.), "
            "mined from the 63,241 ThaiGov releases by benchmarks/mine_agency_abbreviations.py: the form stands alone "
            f"(after a space, bracket or line start) in >= {args.min_releases} releases and its prefix is 1-3 consonants "
            "with no vowel sign (not the title of the agency's head: heads_kept). kb.extract.agencies blocks the agency inside them only where they start a word.",
            "forms": sorted(r["form"] for r in longer),
            "heads_kept": HEADS,
            "releases": {r["form"]: r["releases"] for r in sorted(longer, key=lambda r: r["form"])},
        }
        OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {len(longer)} forms to {OUT}")


if __name__ == "__main__":
    main()
