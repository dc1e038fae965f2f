"""kb.thai: the one place that knows Thai script (digits, months, Buddhist Era,
combining marks, normalization offsets, PDF repairs, the segmenter and the
safety of its dictionary file)."""
from __future__ import annotations

import itertools
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kb import analysis, highlight, textscan
from kb.thai import calendar, digits, dictionary, pdf_repair, script, segmenter
from kb.thai.normalize import normalize, normalize_with_offsets, quick_fold

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "การประชุมสมช. ที่จังหวัดอุดรธานี เรื่องการค้ามนุษย์และยาเสพติดชายแดน"


# --------------------------------------------------------------------------- digits


def test_thai_digits_fold_one_for_one():
    assert digits.thai_digits_to_arabic("ปี ๒๕๖๗ ข้อ ๑๐") == "ปี 2567 ข้อ 10"
    assert len(digits.thai_digits_to_arabic(digits.THAI_DIGITS)) == 10


def test_each_invisible_fold_does_what_its_name_says():
    text = "ความ\u200bมั่น\u00adคง ๓"
    assert digits.remove_invisible(text) == "ความมั่นคง ๓"  # digits untouched
    assert digits.invisible_to_spaces(text) == "ความ มั่น คง ๓"
    assert len(digits.invisible_to_spaces(text)) == len(text)
    assert digits.fold_digits_and_invisible(text) == "ความมั่นคง 3"


def test_the_old_analysis_name_folds_digits_only():
    assert analysis.thai_to_arabic_digits("๒๕๖๗") == "2567"
    assert analysis.thai_to_arabic_digits("a\u200bb") == "a\u200bb"


# --------------------------------------------------------------------------- months and eras


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_name_and_abbreviation_is_read(month):
    full, abbr = calendar.MONTHS_FULL[month - 1], calendar.MONTHS_ABBR[month - 1]
    assert calendar.month_number(full) == month
    assert calendar.month_number(abbr) == month
    assert calendar.month_number(abbr.rstrip(".")) == month  # final period left out
    assert calendar.month_number(abbr.replace(".", ". ", 1)) == month  # a stray space


def test_month_variants_and_non_months():
    assert calendar.month_number("กรกฏาคม") == 7  # the common misspelling
    assert calendar.month_number("มกรา") is None
    assert calendar.month_number("") is None
    assert calendar.month_number("ม") is None


@pytest.mark.parametrize(
    ("written", "common_era"),
    [(2567, 2024), (2400, 1857), (2700, 2157), (2701, 2701), (2399, 2399), (2024, 2024), (1990, 1990)],
)
def test_one_buddhist_era_window(written, common_era):
    assert calendar.to_common_era(written) == common_era
    assert calendar.is_buddhist_era(written) == (written != common_era)


def test_buddhist_era_round_trip():
    for year in range(1900, 2101):
        assert calendar.to_common_era(calendar.to_buddhist_era(year)) == year


def test_extraction_and_display_agree_on_the_era():
    from kb.extract import parse_date
    from web.present import be_year, thai_date, thai_month

    iso = parse_date("๑๐ ม.ค. ๒๕๖๗")
    assert iso == "2024-01-10"
    assert thai_date(iso) == "10 ม.ค. 2567"
    assert thai_month("2024-01") == "ม.ค. 2567"
    assert be_year(iso) == "2567"
    assert parse_date("1 มกราคม 2700") is None  # B.E. 2700 is 2157: not a publication year


# --------------------------------------------------------------------------- marks and bytes


def test_combining_marks_are_one_definition():
    block = [chr(c) for c in range(0x0E00, 0x0E80)]
    marks = {c for c in block if script.is_combining_mark(c)}
    assert marks == set(script.COMBINING_MARKS)
    assert marks == set(re.findall(f"[{script.MARKS_CLASS}]", "".join(block)))
    assert script.SARA_AM not in marks  # a spacing vowel
    assert all(highlight._is_mark(c) == (c in marks) for c in block)
    assert all(analysis.is_unit_boundary(c, 0) == (c not in marks) for c in block)


def test_tis620_bytes_are_the_encodings_of_the_characters():
    assert textscan._MARKS == {c.encode("cp874")[0] for c in script.COMBINING_MARKS}
    assert textscan._MARKS == {0xD1, *range(0xD4, 0xDB), *range(0xE7, 0xEF)}
    assert textscan._LEADING == {c.encode("cp874")[0] for c in "เแโใไ"}


# --------------------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    ("text", "normalized", "offsets"),
    [
        ("สมช. ๓", "สมช 3", [0, 1, 2, 4, 5]),  # the period goes, the digit folds in place
        ("ทํา", "ทำ", [0, 1]),  # nikhahit + sara aa → sara am at nikhahit's place
        ("ก\u0e48\u0e35ข", "กี่ข", [0, 2, 1, 3]),  # a misordered tone mark keeps its source
        ("A\u200bB", "ab", [0, 2]),  # the zero-width space leaves no character
        ("เเล้ว", "แล้ว", [0, 2, 3, 4]),
    ],
)
def test_normalization_offsets_point_at_the_source(text, normalized, offsets):
    assert normalize(text) == normalized
    assert normalize_with_offsets(text) == (normalized, offsets)


def test_quick_fold_keeps_length():
    text = "แผน ๓\u200bABC"
    assert quick_fold(text) == "แผน 3 abc"
    assert len(quick_fold(text)) == len(text)


def test_pdf_repairs_give_what_a_typist_would_have():
    broken = "น\u0e49\u0e4d\u0e32 ท\u0e48\u0e35 ก \u0e31น ก\uf70a"  # split sara am, tone first, space, PUA
    assert pdf_repair.repair_pdf_text(broken) == "น้ำ ที่ กัน ก\u0e48"
    assert pdf_repair.remove_duplicate_marks("ก\u0e48\u0e48") == "ก\u0e48"


# --------------------------------------------------------------------------- segmenter


def _boundaries(words: list[str]) -> set[int]:
    return {0, *itertools.accumulate(map(len, words))}


@pytest.mark.parametrize("chunk", ["ศรชลประชุม", "กอรมนจัดประชุม", "สมชแถลงข่าว", "อุดรธานีและหนองคาย"])
def test_extraction_cuts_words_where_the_index_does(chunk):
    # PyThaiNLP's default dictionary cuts ศรชล into ศร|ชล; the index keeps it whole.
    from kb.extract.lexicon import _chunk_boundaries

    assert _chunk_boundaries(chunk) == _boundaries(analysis.words(chunk))


def test_word_boundaries_outside_thai_runs():
    bounds = segmenter.word_boundaries("(สงขลา)นครินทร์")
    assert {0, 1, 6, 7, 15} <= bounds
    assert not {2, 3, 4, 5} & bounds


# --------------------------------------------------------------------------- dictionary file safety


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def test_cache_dir_is_created_private(cache_home):
    path = dictionary.private_dir(dictionary.cache_dir())
    assert path == cache_home / "kb"
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o700


def test_relative_xdg_cache_home_is_ignored(monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert dictionary.cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "kb"


def test_a_cache_dir_others_may_write_is_closed(cache_home):
    (cache_home / "kb").mkdir(parents=True)
    os.chmod(cache_home / "kb", 0o777)
    assert dictionary.private_dir(cache_home / "kb") == cache_home / "kb"
    assert stat.S_IMODE(os.lstat(cache_home / "kb").st_mode) == 0o700


def test_a_symlinked_cache_dir_is_refused(cache_home, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache_home.mkdir()
    (cache_home / "kb").symlink_to(elsewhere)
    assert dictionary.private_dir(cache_home / "kb") is None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory to another user")
def test_a_cache_dir_owned_by_someone_else_is_refused(cache_home):
    (cache_home / "kb").mkdir(parents=True, mode=0o700)
    os.chown(cache_home / "kb", 65534, 65534)
    assert dictionary.private_dir(cache_home / "kb") is None


def test_a_planted_file_with_wrong_content_is_replaced(tmp_path):
    words = dictionary.word_list("ก\nข\n", ["สมช"])
    planted = tmp_path / words.file_name
    planted.write_text("ส\nม\nช\n", encoding="utf-8")
    path = dictionary.stored(words, tmp_path)
    assert path.read_text(encoding="utf-8") == words.content
    assert [p.name for p in tmp_path.iterdir()] == [words.file_name]  # no temporary file left


def test_a_planted_symlink_is_replaced_and_its_target_untouched(tmp_path):
    words = dictionary.word_list("ก\nข\n", ["สมช"])
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / words.file_name).symlink_to(victim)
    path = dictionary.stored(words, cache)
    assert not path.is_symlink() and path.read_text(encoding="utf-8") == words.content
    assert victim.read_text(encoding="utf-8") == "do not touch"


def test_a_verified_file_is_reused(tmp_path):
    words = dictionary.word_list("ก\nข\n", ["สมช"])
    first = dictionary.stored(words, tmp_path)
    inode = os.stat(first).st_ino
    assert os.stat(dictionary.stored(words, tmp_path)).st_ino == inode


SEGMENT_IN_CHILD = """
import json, sys
from kb import analysis
print(json.dumps(analysis.words(sys.argv[1]), ensure_ascii=False))
"""


def _hostile_dictionary() -> str:
    # single letters only: trusted, it would cut every word into characters
    return "\n".join(chr(c) for c in range(0x0E01, 0x0E2F)) + "\n"


def test_planted_dictionaries_do_not_change_segmentation(tmp_path):
    """A file planted at the old predictable /tmp name (and a symlink), and a wrong
    file at the cache name, change nothing; the temp directory stays as it was."""
    words = segmenter.current_word_list()
    tmpdir, cache_home = tmp_path / "tmp", tmp_path / "cache"
    tmpdir.mkdir()
    (cache_home / "kb").mkdir(parents=True, mode=0o700)
    (tmpdir / f"kb-words-{words.signature}.txt").write_text(_hostile_dictionary(), encoding="utf-8")
    (tmpdir / "hostile.txt").write_text(_hostile_dictionary(), encoding="utf-8")
    (tmpdir / f"kb-words-{words.signature}.txt.lnk").symlink_to(tmpdir / "hostile.txt")
    (cache_home / "kb" / words.file_name).write_text(_hostile_dictionary(), encoding="utf-8")
    before = sorted(p.name for p in tmpdir.iterdir())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir), "XDG_CACHE_HOME": str(cache_home)}
    out = subprocess.run([sys.executable, "-c", SEGMENT_IN_CHILD, SAMPLE], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert json.loads(out) == analysis.words(SAMPLE)
    assert "สมช" in json.loads(out)
    assert sorted(p.name for p in tmpdir.iterdir()) == before
    assert (cache_home / "kb" / words.file_name).read_text(encoding="utf-8") == words.content


def test_kb_index_leaves_nothing_in_tmpdir(tmp_path):
    corpus, tmpdir = tmp_path / "docs", tmp_path / "tmp"
    corpus.mkdir()
    tmpdir.mkdir()
    for i in range(3):
        (corpus / f"n{i}.txt").write_text(f"ข่าวที่ {i}\n{SAMPLE}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "kb.cli", "index", str(corpus), "--index", str(tmp_path / "ix"),
                           "--json", "--no-progress"], env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["added"] == 3
    assert list(tmpdir.iterdir()) == []


def test_only_kb_thai_imports_a_segmenter():
    """One segmenter configuration: no product module outside kb/thai imports nlpo3 or PyThaiNLP."""
    import ast

    offenders = []
    for folder in ("kb", "indexer", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.is_relative_to(ROOT / "kb" / "thai"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n.split(".")[0] in ("nlpo3", "pythainlp") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
