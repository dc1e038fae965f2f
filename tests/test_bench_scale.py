"""The scale benchmark (issue 12) in its smoke size: it must run end to end in seconds,
so the figures in docs/benchmarks.md come from a script that works.

The smoke run is real: ``kb index`` and ``kb serve`` in subprocesses, HTTP
requests, and a Typesense node from the pip wheels (skipped, with the reason
printed, where the wheels are missing).  Timings are never asserted: the
machine is shared.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_scale  # noqa: E402
import common  # noqa: E402
import scale_queries  # noqa: E402


def _data_or_skip() -> None:
    beside = [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
    if not os.environ.get("KB_SHARED_DATA") and not any((p / "thaigov").is_dir() for p in beside):
        pytest.skip("the shared ThaiGov data is not beside the repository (set KB_SHARED_DATA)")


def _texts() -> list[str]:
    """Releases written here, so the generator's input is known."""
    words = ["ความมั่นคง", "ยาเสพติด", "ชายแดน", "แรงงาน", "ประมง", "ไซเบอร์", "น้ำท่วม", "การค้ามนุษย์"]
    return [f"ข่าว{words[i % 8]}\nรัฐบาลเร่งแก้ไขปัญหา{words[i % 8]}และ{words[(i * 3) % 8]}ในพื้นที่ชายแดนภาคใต้ "
            f"นายกรัฐมนตรีสั่งการให้หน่วยงานที่เกี่ยวข้องดูแล{words[(i + 5) % 8]}อย่างใกล้ชิด" for i in range(60)]


FACETS = {"province": [("สงขลา", 30), ("ตาก", 5)], "topic": [("drugs", 12)], "year": [("2020", 40)]}


def test_query_set_is_drawn_with_its_seed_and_mixes_every_kind():
    texts = _texts()
    first = scale_queries.draw_queries(texts, FACETS, seed=7, n=60)
    assert first == scale_queries.draw_queries(texts, FACETS, seed=7, n=60)  # reproducible
    assert first != scale_queries.draw_queries(texts, FACETS, seed=8, n=60)  # not a fixed list
    assert len(first) == 60
    kinds = {q.kind for q in first}
    assert kinds == set(scale_queries.MIX)
    assert any(q.q == "" and not q.filters for q in first)  # the plain browse query
    assert all(q.filters for q in first if q.kind == "filtered")
    for q in first:
        for name, values in q.filters:
            assert set(values) <= {v for v, _ in FACETS[name]}
        if q.kind == "phrase":
            assert q.q.startswith('"') and q.q.endswith('"')
        if q.kind == "question":
            assert q.q.endswith(scale_queries.QUESTION_TAILS)
    assert "q=" in first[0].kb_path() and "facet_by=" in first[0].typesense_path("c")


def test_growth_copy_has_a_new_id_and_a_changed_first_line_only():
    rec = {"id": "a/1.txt", "title": "t", "text": "บรรทัดแรก\nบรรทัดสอง\nสาม"}
    copy = bench_scale.grown(rec, 2)
    assert copy["id"] != rec["id"] and copy["title"] == rec["title"]
    first, rest = copy["text"].split("\n", 1)
    assert first != "บรรทัดแรก" and first.startswith("บรรทัดแรก") and rest == "บรรทัดสอง\nสาม"


def test_smoke_run_end_to_end(tmp_path):
    _data_or_skip()
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_scale.py"), "--smoke", "--docs", "200",
                           "--json", str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    figures = json.loads(out.read_text())
    (run,) = figures["runs"]
    kb = run["kb"]
    assert kb["docs"] == 200 and not kb["errors"]
    assert len(figures["queries"]) >= 48 and len(kb["first"]) == len(figures["queries"])
    assert len(kb["repeated"]) == len(figures["queries"])
    assert kb["rss_peak_mb"] > 0 and kb["index_peak_mb"] > 0
    assert "| goal (issue 12) |" in proc.stdout
    reason = common.typesense_unavailable()
    if reason:
        assert run["typesense"] is None and run["typesense_skipped"] == reason
        print(f"Typesense side skipped: {reason}")
    else:
        ts = run["typesense"]
        assert ts["docs"] == 200 and not ts["errors"] and len(ts["first"]) == len(kb["first"])
