"""Repair of the Thai artefacts Tesseract leaves in its output.

Tesseract's Thai model makes the same mistakes the PDF text layer does (sara am
as nikhahit + sara aa, marks out of order: ``fix_thai_marks`` of the PDF reader
handles those) plus its own: a space inside a word where two glyphs sit far
apart ("ความ มั่นคง" is fine, "ประ ชุม" is not), and a mark or vowel read as a
look-alike ("มั้นคง" for "มั่นคง", "น้าตก" for "น้ำตก"). Both are repaired
only where the dictionary says so: two pieces are joined when neither alone
but the joined form segments into dictionary words, and a look-alike is
swapped when that makes an unknown stretch of text known. Text already made
of dictionary words is never touched, so a correct page comes out unchanged.
"""
from __future__ import annotations

import re
from functools import cache

from indexer.readers.pdf import fix_thai_marks  # moving to kb.thai: keep this import one line

_THAI = "\u0e01-\u0e4e"
_THAI_RUN = re.compile(f"[{_THAI}]+")
_CONSONANT = "\u0e01-\u0e2e"
_TONE_MARKS = ("\u0e48", "\u0e49")  # mai ek, mai tho: the ones Tesseract drops or swaps

#: Look-alikes Tesseract confuses on rendered and scanned Thai (seen in benchmarks/bench_ocr.py).
_CONFUSABLE: dict[str, tuple[str, ...]] = {
    "\u0e32": ("\u0e33",),  # sara aa ↔ sara am (nikhahit lost)
    "\u0e33": ("\u0e32",),
    "\u0e48": ("\u0e49", ""),  # mai ek ↔ mai tho, or a speck read as a mark
    "\u0e49": ("\u0e48", ""),
    "\u0e34": ("\u0e35",),  # sara i ↔ sara ii
    "\u0e35": ("\u0e34", "\u0e37"),
    "\u0e37": ("\u0e35", "\u0e34"),
}
_MAX_EDITS = 3  # per piece of text between spaces; more errors than that are left as read


@cache
def _dictionary() -> frozenset[str]:
    from kb.thai.segmenter import known_words

    return frozenset(w for w in known_words() if _THAI_RUN.fullmatch(w))


def _segment(run: str) -> list[str]:
    from kb.analysis import segment

    return segment(run)


def unknown_chars(text: str) -> int:
    """How many Thai characters of ``text`` are not covered by dictionary words."""
    return _fit(text)[0]


def _fit(text: str) -> tuple[int, int]:
    """(Thai characters outside dictionary words, number of Thai tokens) of ``text``."""
    words = _dictionary()
    unknown = tokens = 0
    for run in _THAI_RUN.findall(text):
        pieces = _segment(run)
        tokens += len(pieces)
        unknown += sum(len(token) for token in pieces if token not in words)
    return unknown, tokens


def is_known(text: str) -> bool:
    """Whether every Thai run of ``text`` segments into dictionary words."""
    return unknown_chars(text) == 0


def join_split_words(line: str) -> str:
    """Remove single spaces Tesseract put inside Thai words ("ประ ชุม" → "ประชุม").

    Two neighbours are joined when at least one is not made of dictionary words
    and their joined form is; spaces between known words are real Thai phrase
    breaks and stay.
    """
    pieces = line.split(" ")
    out: list[str] = []
    for piece in pieces:
        if out and out[-1] and piece and _joinable(out[-1], piece):
            out[-1] = out[-1] + piece
        else:
            out.append(piece)
    return " ".join(out)


def _joinable(left: str, right: str) -> bool:
    if not (re.search(f"[{_THAI}]$", left) and re.match(f"[{_THAI}]", right)) or right.startswith("\u0e46"):
        return False
    if is_known(left) and is_known(right):
        return False
    return is_known(left + right)


def _candidates(piece: str):
    """Every text one look-alike edit away from ``piece`` (substitutions, an added tone mark)."""
    for i, char in enumerate(piece):
        for other in _CONFUSABLE.get(char, ()):
            yield piece[:i] + other + piece[i + 1:]
        if re.match(f"[{_CONSONANT}\u0e31\u0e34-\u0e37]", char) and piece[i + 1:i + 2] not in _TONE_MARKS:
            for tone in _TONE_MARKS:
                yield piece[:i + 1] + tone + piece[i + 1:]


def _sara_am_candidates(piece: str):
    """Sara am read as sara aa ("น้า" for "น้ำ")."""
    for i, char in enumerate(piece):
        if char == "\u0e32":
            yield i, piece[:i] + "\u0e33" + piece[i + 1:]


def _compound_at(text: str, index: int) -> str | None:
    """The dictionary token of ``text`` that covers ``index``, when it has four letters or more."""
    position = 0
    for run in _THAI_RUN.finditer(text):
        if not run.start() <= index < run.end():
            continue
        position = run.start()
        for token in _segment(run.group()):
            if position <= index < position + len(token):
                return token if len(token) >= 4 and token in _dictionary() else None
            position += len(token)
    return None


def correct_sara_am(piece: str) -> str:
    """Sara aa → sara am where that forms a compound of the dictionary that the misread
    split: "ลำ|น้า|โขง" → "ลำน้ำ|โขง", "ตำรวจ|น้า" → "ตำรวจน้ำ".

    Measured on the 1,270 lines of the bundled minutes (correct text): no line changed.
    The reverse swap ("ทำ|เรือ" → "ท่าเรือ") changed "ออกทำประมง" into "ออกท่าประมง", and
    the same rule for tone marks changed 7 of 430 lines, so neither is done."""
    def takes(fit, now, candidate, index, _current) -> bool:
        return fit[0] <= now[0] and fit[1] < now[1] and _compound_at(candidate, index)

    return _improve(piece, _sara_am_candidates, takes)


#: A dropped tone mark is put back only where it spells a dictionary word this long: measured
#: with 9, no line of the bundled minutes changes and 7 of 1,500 ThaiGov release lines do (three
#: of them typos of the source fixed, "ไววางใจ" → "ไว้วางใจ"); with 8, two minutes lines were
#: damaged ("แผนตรวจ" → "แผ่นตรวจ"), with 6, four.
_MIN_TONE_WORD = 9


def _tone_candidates(piece: str):
    for i, char in enumerate(piece):
        if re.match(f"[{_CONSONANT}\u0e31\u0e34-\u0e37]", char) and not re.match("[\u0e48-\u0e4b]", piece[i + 1:i + 2]):
            for tone in _TONE_MARKS:
                yield i + 1, piece[:i + 1] + tone + piece[i + 1:]


def correct_dropped_tone_marks(piece: str) -> str:
    """A tone mark Tesseract dropped from a thin-stroked scan put back where that joins short
    words into one long dictionary word: "ความ|มัน|คง" → "ความมั่นคง", "แม่|นำ|โขง" → "แม่น้ำโขง"."""
    def takes(fit, now, candidate, index, _current) -> bool:
        word = _compound_at(candidate, index)
        return fit[0] <= now[0] and fit[1] < now[1] and word is not None and len(word) >= _MIN_TONE_WORD

    return _improve(piece, _tone_candidates, takes)


def correct_lookalikes(piece: str) -> str:
    """``piece`` with up to three look-alike swaps, each turning unknown text into dictionary words.

    Only a swap that leaves no unknown Thai at all is taken. Joining short
    known words into a longer one ("มัน|คง" → "มั่นคง") was tried and dropped:
    on correct meeting records it changed 7 of 430 lines ("นำ" → "น้ำ",
    "แผน" → "แผ่น"), i.e. it damaged correct text as often as it fixed OCR.
    """
    def takes(fit, now, candidate, _index, current) -> bool:
        if not (fit[0] == 0 and now[0] >= 2):
            return False
        if len(candidate) == len(current):
            return True
        if len(candidate) != len(current) - 1:  # an added tone mark ("เว" → "เว้") is not taken here
            return False
        # A tone mark dropped (a speck read as one: "ธั้นวาคม") only inside a long word it then
        # spells: a short one would make place names such as "ภูดู่" into "ภูดู".
        dropped = next(i for i, (a, b) in enumerate(zip(candidate + " ", current)) if a != b)
        return bool(_compound_at(candidate, max(0, dropped - 1)))

    return _improve(piece, lambda current: ((None, c) for c in _candidates(current)), takes)


def _improve(piece: str, candidates, takes) -> str:
    """Up to ``_MAX_EDITS`` times, replace ``piece`` by its best-fitting candidate that ``takes``
    accepts (``takes(fit, fit_now, candidate, index, piece)``); a fit is (unknown Thai, tokens), less is better."""
    for _ in range(_MAX_EDITS):
        now = _fit(piece)
        best, best_fit = piece, now
        for index, candidate in candidates(piece):
            fit = _fit(candidate)
            if fit < best_fit and takes(fit, now, candidate, index, piece):
                best, best_fit = candidate, fit
        if best == piece:
            break
        piece = best
    return piece


def is_speckle_line(line: str) -> bool:
    """Whether a line is what Tesseract made of scanner speckle ("ส ก Ad. ย", "a ย ey 6 ย"):
    only fragments of one to three characters, none of them a known word or a number."""
    pieces = line.split()
    if not pieces:
        return False
    if len(pieces) == 1:
        return len(pieces[0]) <= 2  # a lone page number is no loss either
    fragments = [p for p in pieces if len(p.strip(".,:;'\"-|")) <= 3]
    words = [p for p in pieces if len(p) >= 2 and _THAI_RUN.fullmatch(p) and is_known(p)]
    return len(fragments) == len(pieces) and not words


#: Specks read as punctuation at a line's edges (". รายงานการประชุม…", "ผู้มาประชุม |"): the
#: characters a dirty scan gives, never the dash, bullet or bracket a typist starts an item with.
_STRAY_LEAD = re.compile(r"^[.,'\"‘’“”|:;~_`]+\s+")
_STRAY_TAIL = re.compile(r"\s+[|©®'\"‘’“”~_`]+$")
#: A speck glued to the first Thai letter of a line (".ระเบียบวาระที ๑", "'มติที่ประชุม"): no Thai line
#: starts so; an opening double quote does (a quoted statement) and stays, and so does an ellipsis.
_STRAY_GLUED = re.compile("^[.,'|:;~_`](?=[\u0e01-\u0e2e\u0e40-\u0e44])")


def strip_stray_marks(line: str) -> str:
    """The line without a speck read as punctuation before its first or after its last word."""
    return _STRAY_TAIL.sub("", _STRAY_GLUED.sub("", _STRAY_LEAD.sub("", line)))


def repair_ocr_text(text: str) -> str:
    """All repairs, line by line: speckle lines dropped, marks (as for PDFs), split words, look-alikes."""
    lines = []
    for line in fix_thai_marks(text).split("\n"):
        line = strip_stray_marks(" ".join(line.split()))
        if is_speckle_line(line):
            continue
        line = join_split_words(line)
        lines.append(" ".join(_repair_piece(p) if _THAI_RUN.search(p) else p for p in line.split(" ")))
    return "\n".join(lines)


def _repair_piece(piece: str) -> str:
    return correct_dropped_tone_marks(correct_sara_am(correct_lookalikes(piece)))
