"""Mine candidate topic terms from the whole ThaiGov corpus, for review by hand (issue 13).

The topic lexicon (kb/taxonomy/topics.json) was written from about a hundred
labelled releases, so it knows few of the ways a release names each subject.
This script finds, for every topic, the words and two-word phrases that
strongly co-occur with the topic's existing strong terms across all 63,241
ThaiGov releases, not in any labelled set:

* a release is a *positive* of a topic when its title holds a strong term of
  the topic and its lead (title and the first ``LEAD_CHARS`` characters of the
  body) at least ``MIN_STRONG_HITS`` strong hits (the current lexicon and
  context rules, ``kb.extract.topic_hits``); a *negative* when its lead holds
  no term of the topic at all; the rest take no part;
* the lead is cut into words by kb's segmenter (nlpo3 with the domain
  dictionary); unigrams and adjacent-word bigrams are counted once a release;
* each word gets the log-odds ratio of appearing in a positive against a
  negative, with its z-score (0.5 added to every cell), its lift (share in
  positives over share in negatives) and ``cooccur``: of all releases whose lead
  holds the word, the share with a strong term of the topic (how reliably the
  word keeps the topic's company);
* words already matched by the topic's lexicon (containing one of its terms)
  are left out; stop words and one-letter words too.

The output is a TSV (``--out``) of the best ``--top`` candidates per topic by
z-score among those with ``--min-df`` positive releases and lift at least
``--min-lift``.  The candidates are then *reviewed by hand against the labelling
guide's definition of the topic* (docs/labelling.md): keep a word only when it
names the subject itself — not a place, an actor's name, a generic word of
government or an occasion — and decide strong (names the subject alone) or
weak (needs company).  The reviewed list with the decision and reason for each
candidate is benchmarks/mined_topic_terms.tsv; the kept terms go to the
``mined`` key of each topic in topics.json, which the word segmenter's
dictionary does not read (kb/taxonomy/__init__.py ``_dictionary_terms``).

``--boilerplate`` mines the other data file instead: sentences repeated
verbatim across many releases (a government's standing policy line, an agency's
motto, a signature).  Each release's sentences that hold a topic term are cut as
topic extraction cuts them (``kb.extract.sentences.line_sentences``, the title
left out), normalized (``kb.extract.lexicon.key``) and counted once a release; a
sentence found in at least ``--min-releases`` releases is written to
kb/taxonomy/boilerplate.json, which topic extraction reads (a boilerplate
sentence is about no topic).  Nothing in it is written by hand.

``--title-terms`` mines which *weak* terms a headline may name its topic by
(kb/taxonomy/title_terms.json): for each weak term found in headlines, the share
of those releases whose body (first ``TITLE_BODY_CHARS`` characters) holds a
strong term of the same topic.  A weak headline term that usually comes with its
topic in the body (ผู้ประสบภัย, แพร่ระบาด, a neighbour's name) says what the
release is about; one that mostly does not (ดิจิทัล in "digital government",
ต่างประเทศ in "fled abroad") is no evidence (kb.extract.topics,
``title_named_support``).

Run:  python benchmarks/mine_topic_terms.py [--limit N] [--out candidates.tsv]
      python benchmarks/mine_topic_terms.py --boilerplate [--min-releases 25]
      python benchmarks/mine_topic_terms.py --title-terms
(about 5 minutes each for the whole file on one core).
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb import taxonomy  # noqa: E402
from kb.extract.lexicon import key  # noqa: E402
from kb.extract.topic_hits import topic_hits  # noqa: E402
from kb.thai.digits import thai_digits_to_arabic  # noqa: E402
from kb.thai.script import THAI_RUN_CLASS  # noqa: E402
from kb.thai.segmenter import pythainlp_stopwords, segment  # noqa: E402

LEAD_CHARS = 2000
MIN_STRONG_HITS = 2
MIN_WINDOW_CHARS = 40  # a standing line says something; a lone heading word is no line
THAI_RUN = re.compile(f"[{THAI_RUN_CLASS}]+")
SOURCE = "thaigov/thaigov_v2.jsonl.gz"


def shared_data() -> Path:
    for c in (REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data", Path("/work/shared/data")):
        if c.is_dir():
            return c
    raise SystemExit("mine_topic_terms: the shared data folder (../shared/data) is absent")


def releases(limit: int | None, lead_chars: int | None = LEAD_CHARS):
    """(title, lead) of each release of the file, Thai digits folded; the body's
    first line repeats the title with the site's name, so it is left out."""
    with gzip.open(shared_data() / SOURCE, "rt", encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            if limit is not None and n >= limit:
                return
            record = json.loads(line)
            title = thai_digits_to_arabic((record.get("title") or "").strip())
            body = thai_digits_to_arabic(record.get("text") or "")
            first_break = body.find("\n")
            if body.startswith("รัฐบาลไทย") and first_break >= 0:
                body = body[first_break + 1 :]
            yield title, body if lead_chars is None else body[:lead_chars]


def words_of(text: str, stop: frozenset[str]) -> set[str]:
    """Unigrams and adjacent bigrams (joined) of the Thai runs of ``text``."""
    out: set[str] = set()
    for run in THAI_RUN.findall(text):
        words = [w for w in segment(run) if w.strip()]
        for i, w in enumerate(words):
            if len(w) > 1 and w not in stop:
                out.add(w)
            if i + 1 < len(words) and words[i + 1] not in stop and w not in stop:
                out.add(w + words[i + 1])
    return out


def count(limit: int | None) -> tuple[dict, dict, dict, Counter, int]:
    """Per topic: document frequencies of words in positives and negatives, and
    per word the number of leads with a strong term of each topic."""
    stop = pythainlp_stopwords()
    topics = [t["key"] for t in taxonomy.topics()]
    pos = {t: Counter() for t in topics}
    neg = {t: Counter() for t in topics}
    with_strong = {t: Counter() for t in topics}
    sizes: Counter = Counter()
    total = 0
    for title, lead in releases(limit):
        total += 1
        head = title.replace("\n", " ")
        hits = topic_hits(f"{head}\n{lead}")
        strong_in_title = {h.topic for h in hits if h.strong and h.start < len(head)}
        strong = Counter(h.topic for h in hits if h.strong)
        named = {h.topic for h in hits}
        words = words_of(f"{title}\n{lead}", stop)
        for t in topics:
            if t in strong_in_title and strong[t] >= MIN_STRONG_HITS:
                pos[t].update(words)
                sizes[f"pos:{t}"] += 1
            elif t not in named:
                neg[t].update(words)
                sizes[f"neg:{t}"] += 1
            if strong[t]:
                with_strong[t].update(words)
        if total % 5000 == 0:
            print(f"  {total} releases", file=sys.stderr)
    return pos, neg, with_strong, sizes, total


def candidates(pos, neg, with_strong, sizes, min_df: int, min_lift: float, top: int):
    """Rows (topic, word, df in positives, df in negatives, lift, co-occurrence, z), best first per topic."""
    rows = []
    every_df: Counter = Counter()
    for t in pos:
        every_df.update(pos[t])
    for t in taxonomy.topics():
        k = t["key"]
        known = [key(x) for x in (*t["strong"], *t["weak"], *t.get("mined", {}).get("strong", []),
                                  *t.get("mined", {}).get("weak", []))]
        n_pos, n_neg = sizes[f"pos:{k}"], sizes[f"neg:{k}"]
        if not n_pos:
            continue
        scored = []
        for word, a in pos[k].items():
            if a < min_df or any(term in word for term in known):
                continue
            b = neg[k][word]
            lift = (a / n_pos) / ((b + 0.5) / n_neg)
            if lift < min_lift:
                continue
            log_odds = math.log((a + 0.5) / (n_pos - a + 0.5)) - math.log((b + 0.5) / (n_neg - b + 0.5))
            z = log_odds / math.sqrt(1 / (a + 0.5) + 1 / (n_pos - a + 0.5) + 1 / (b + 0.5) + 1 / (n_neg - b + 0.5))
            cooccur = with_strong[k][word] / max(1, with_strong[k][word] + b)
            scored.append((k, word, a, b, lift, cooccur, z))
        scored.sort(key=lambda r: -r[6])
        rows += scored[:top]
    return rows


def standing_windows(limit: int | None, min_releases: int, max_title_share: float) -> list[tuple[str, str, int, int]]:
    """(topic, window key, releases, releases whose title names the topic) of every
    term window (``kb.extract.boilerplate.term_window``) outside titles found in at
    least ``min_releases`` releases, under ``max_title_share`` of them titled on the topic."""
    from kb.extract.boilerplate import term_window

    seen: Counter = Counter()
    titled: Counter = Counter()
    for n, (title, body) in enumerate(releases(limit, lead_chars=None)):
        head = title.replace("\n", " ")
        whole = f"{head}\n{body}"
        hits = topic_hits(whole, standing_lines=False)
        in_title = {h.topic for h in hits if h.start < len(head)}
        windows = {(h.topic, term_window(whole, h.start, h.end)) for h in hits if h.start > len(head)}
        seen.update(windows)
        titled.update(w for w in windows if w[0] in in_title)
        if (n + 1) % 5000 == 0:
            print(f"  {n + 1} releases", file=sys.stderr)
    return [(t, k, c, titled[(t, k)]) for (t, k), c in seen.most_common()
            if c >= min_releases and titled[(t, k)] < max_title_share * c and len(k) >= MIN_WINDOW_CHARS]


TITLE_BODY_CHARS = 3000
TITLE_MIN_RELEASES = 10  # fewer headlines than this: too few to judge, the term is left out


def title_term_company(limit: int | None) -> dict[str, dict[str, list[int]]]:
    """Per topic and weak headline term: [headlines holding it, of which with a strong
    term of the topic in the body]."""
    counts: dict[str, dict[str, list[int]]] = {}
    for n, (title, body) in enumerate(releases(limit, lead_chars=TITLE_BODY_CHARS)):
        head = title.replace("\n", " ")
        hits = topic_hits(f"{head}\n{body}")
        backed = {h.topic for h in hits if h.strong and h.start > len(head)}
        for topic, term in {(h.topic, h.term) for h in hits if not h.strong and h.start < len(head)}:
            row = counts.setdefault(topic, {}).setdefault(term, [0, 0])
            row[0] += 1
            row[1] += topic in backed
        if (n + 1) % 5000 == 0:
            print(f"  {n + 1} releases", file=sys.stderr)
    return counts


def write_title_terms(counts: dict[str, dict[str, list[int]]]) -> Path:
    path = REPO / "kb" / "taxonomy" / "title_terms.json"
    rows = {t: {term: round(b / a, 3) for term, (a, b) in sorted(terms.items(), key=lambda x: -x[1][0])
                if a >= TITLE_MIN_RELEASES} for t, terms in counts.items()}
    data = {
        "_doc": ("Per topic, weak terms found in ThaiGov headlines (normalized: whitespace removed, lower case) and the "
                 f"share of those releases whose body (first {TITLE_BODY_CHARS} characters) holds a strong term of the "
                 "topic. Mined by benchmarks/mine_topic_terms.py --title-terms from "
                 f"{SOURCE} (terms in at least {TITLE_MIN_RELEASES} headlines). kb.extract.topics takes a weak headline "
                 "term as evidence only when its share reaches topics.json scoring 'title_weak_min_company'. "
                 "Regenerate, never edit by hand."),
        "company": {t: rows[t] for t in sorted(rows) if rows[t]},
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def write_boilerplate(rows: list[tuple[str, str, int, int]], min_releases: int, max_title_share: float) -> Path:
    path = REPO / "kb" / "taxonomy" / "boilerplate.json"
    data = {
        "_doc": ("Standing lines of ThaiGov releases (policy lines, mottos, templates): per topic, the windows "
                 "(kb.extract.boilerplate.term_window: a term's chunk and the two chunks before it, whitespace "
                 "removed) in which a term of the topic counts for nothing. Mined by benchmarks/mine_topic_terms.py "
                 f"--boilerplate from {SOURCE}: windows of at least {MIN_WINDOW_CHARS} characters outside titles found in at least {min_releases} releases, "
                 f"under {max_title_share:.0%} of them titled on the topic ('releases', 'titled'). Regenerate, "
                 "never edit by hand."),
        "windows": [{"topic": t, "key": k, "releases": c, "titled": d} for t, k, c, d in rows],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="read only the first N releases")
    ap.add_argument("--min-df", type=int, default=15, help="least positive releases a candidate appears in")
    ap.add_argument("--min-lift", type=float, default=8.0, help="least share in positives over share in negatives")
    ap.add_argument("--top", type=int, default=40, help="candidates kept per topic, by z-score")
    ap.add_argument("--out", type=Path, default=Path("topic_term_candidates.tsv"))
    ap.add_argument("--title-terms", action="store_true", help="mine kb/taxonomy/title_terms.json")
    ap.add_argument("--boilerplate", action="store_true", help="mine repeated sentences into kb/taxonomy/boilerplate.json")
    ap.add_argument("--min-releases", type=int, default=25, help="--boilerplate: least releases a sentence is found in")
    ap.add_argument("--max-title-share", type=float, default=0.25,
                    help="--boilerplate: most share of a window's releases whose title names its topic")
    args = ap.parse_args()
    if args.title_terms:
        print(f"headline terms written to {write_title_terms(title_term_company(args.limit))}")
        return
    if args.boilerplate:
        rows = standing_windows(args.limit, args.min_releases, args.max_title_share)
        path = write_boilerplate(rows, args.min_releases, args.max_title_share)
        print(f"{len(rows)} standing-line windows written to {path}")
        return
    pos, neg, with_strong, sizes, total = count(args.limit)
    rows = candidates(pos, neg, with_strong, sizes, args.min_df, args.min_lift, args.top)
    with args.out.open("w", encoding="utf-8") as out:
        out.write("topic\tterm\tdf_positive\tdf_negative\tlift\tcooccur\tz\n")
        for k, word, a, b, lift, cooccur, z in rows:
            out.write(f"{k}\t{word}\t{a}\t{b}\t{lift:.1f}\t{cooccur:.2f}\t{z:.1f}\n")
    print(f"{total} releases; positives / negatives per topic: "
          + ", ".join(f"{t['key']} {sizes['pos:' + t['key']]}/{sizes['neg:' + t['key']]}" for t in taxonomy.topics()))
    print(f"{len(rows)} candidates written to {args.out}")


if __name__ == "__main__":
    main()
