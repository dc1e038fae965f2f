"""The segmenter's memo of short runs (an indexing speed-up): the words it gives
are nlpo3's own for every run, remembered or not, callers cannot corrupt it, and
it stays within its bound."""
from __future__ import annotations

from nlpo3 import segment as nlpo3_segment

from kb import analysis
from kb.thai import segmenter

TEXT = ("รัฐบาลเร่งแก้ไขปัญหายาเสพติดในพื้นที่ชายแดนภาคใต้ นายกรัฐมนตรีสั่งการให้หน่วยงานที่เกี่ยวข้อง"
        "ดูแลความมั่นคงอย่างใกล้ชิด การค้ามนุษย์ แรงงานต่างด้าว ประมงผิดกฎหมาย COVID-19 ปี 2563")


def _reference(text: str) -> list[str]:
    """The words as analysis gave them before the memo: each run through nlpo3."""
    name = segmenter.dictionary().name
    out: list[str] = []
    for run in analysis.runs(analysis.normalize(text)):
        out.extend(nlpo3_segment(run.text, name, True, False) if run.thai else [run.text])
    return out


def test_words_are_nlpo3_words_whether_remembered_or_not():
    segmenter._memo.clear()
    first = analysis.words(TEXT)  # fills the memo
    again = analysis.words(TEXT)  # answered from it
    assert first == again == _reference(TEXT)
    assert segmenter._memo  # short runs were kept


def test_a_caller_changing_its_list_does_not_change_the_memo():
    run = "ชายแดนภาคใต้"
    words = segmenter.segment(run)
    words.append("x")
    assert segmenter.segment(run) == nlpo3_segment(run, segmenter.dictionary().name, True, False)


def test_memo_stays_within_its_bound(monkeypatch):
    monkeypatch.setattr(segmenter, "_MEMO_RUNS", 5)
    segmenter._memo.clear()
    runs = ["ชายแดน", "ภาคใต้", "ยาเสพติด", "แรงงาน", "ประมง", "ความมั่นคง", "การค้ามนุษย์", "ไซเบอร์"]
    for run in runs:
        assert segmenter.segment(run) == nlpo3_segment(run, segmenter.dictionary().name, True, False)
        assert len(segmenter._memo) <= 5
    long_run = "ก" * (segmenter._MEMO_LONGEST + 1)
    segmenter.segment(long_run)
    assert long_run not in segmenter._memo
