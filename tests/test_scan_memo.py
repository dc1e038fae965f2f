"""The snapshot memo keeps its values' bytes under a limit (oldest out first),
with the same answers; occurrences built at test time."""
from __future__ import annotations

import threading

import numpy as np

from kb.engine.memo import Memo, estimate
from kb.scan_offsets import DocOffsets


def _occurrences(n_docs: int, per_doc: int) -> DocOffsets:
    docs = np.arange(n_docs, dtype=np.int64)
    counts = np.full(n_docs, per_doc, dtype=np.int64)
    return DocOffsets(docs, counts, np.tile(np.arange(per_doc, dtype=np.int64), n_docs))


def test_estimates_follow_what_values_hold():
    occ = _occurrences(1000, 50)
    assert estimate(occ) >= 1000 * 50 * 4  # int32 offsets
    assert estimate((1.5, occ)) >= estimate(occ)  # (idf, occurrences): the tuple is walked
    assert estimate(set(range(10_000))) >= 10_000 * 32
    assert estimate({d: [1, 2, 3] for d in range(100)}) > estimate({d: [1] for d in range(100)})
    before = estimate(occ)
    occ[7]  # a document's list made on access counts too
    assert estimate(occ) > before


def test_the_oldest_entries_go_past_the_limit_and_the_newest_stays():
    memo = Memo(limit=200_000)
    for i in range(20):
        memo[("scan", i)] = _occurrences(100, 50)  # ~20 KB each
    assert memo.nbytes <= 200_000 and 0 < len(memo) < 20 and ("scan", 19) in memo and ("scan", 0) not in memo
    memo[("scan", "big")] = _occurrences(1000, 200)  # 0.8 MB alone: kept, everything older gone
    assert list(memo) == [("scan", "big")] and memo.nbytes == estimate(memo[("scan", "big")])
    memo[("docs", 1)] = {1, 2, 3}
    assert ("docs", 1) in memo and ("scan", "big") not in memo
    memo.clear()
    assert len(memo) == 0 and memo.nbytes == 0


def test_a_key_set_again_is_counted_once():
    memo = Memo(limit=10**9)
    for _ in range(5):
        memo["k"] = _occurrences(10, 10)
    assert memo.nbytes == estimate(memo["k"])
    del memo["k"]
    assert memo.nbytes == 0


def test_threads_keep_the_count_exact():
    memo = Memo(limit=200_000)

    def work(t: int) -> None:
        for i in range(300):
            memo[(t, i % 40)] = _occurrences(20, 10)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert memo.nbytes == sum(estimate(v) for v in memo.values()) <= 200_000
