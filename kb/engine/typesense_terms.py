"""kb's analysed words in a form Typesense stores verbatim.

Typesense does not segment Thai for us: kb sends its own words, space-joined.
But Typesense 0.24's tokenizer without a locale mangles Thai (tone marks and
some vowels split or drop a word: measured, ``ค้า`` was not found after
indexing ``ค้า``) and strips ASCII punctuation (``พ.ศ.`` → ``พศ``).  So each
word is written in an alphabet Typesense keeps as it is, ``[0-9a-z]``:

- ``0``–``9`` and ``a``–``v`` stand for themselves;
- a Thai character (U+0E00 + o, o < 96) is two letters: ``wxy``[o // 32] then
  the ``o % 32``-th of ``0-9a-v``;
- any other character is ``z`` and its code point in six hex digits;
- a word whose code would pass Typesense's token length is ``zg`` and a hash
  (found exactly; never offered as a suggestion).

The code is one-to-one, so Typesense's matches are kb's matches, and a
suggestion Typesense finds decodes back to kb's word.  Pure functions, no
Typesense import.
"""
from __future__ import annotations

import functools
import hashlib

_DIGITS32 = "0123456789abcdefghijklmnopqrstuv"
_VALUE = {c: i for i, c in enumerate(_DIGITS32)}
_THAI_PREFIX = "wxy"
MAX_CODE_CHARS = 96  # Typesense 0.24 ignores longer tokens (measured: 120 characters were not found)


class _CodeTable(dict):
    """code point → its code, for ``str.translate``; filled on first sight of a character."""

    def __missing__(self, point: int) -> str:
        ch, o = chr(point), point - 0x0E00
        if ch in _VALUE:
            code = ch
        elif 0 <= o < 96:
            code = _THAI_PREFIX[o // 32] + _DIGITS32[o % 32]
        else:
            code = f"z{point:06x}"
        self[point] = code
        return code


_TABLE = _CodeTable()


@functools.lru_cache(maxsize=1 << 18)
def encode(word: str) -> str:
    """The code of one word (memoized: a writer encodes every word of every document,
    from a vocabulary of tens of thousands)."""
    code = word.translate(_TABLE)
    if len(code) > MAX_CODE_CHARS:
        return "zg" + hashlib.blake2b(word.encode("utf-8"), digest_size=16).hexdigest()
    return code


def decode(code: str) -> str | None:
    """The word ``encode`` made ``code`` from; None for a hashed long word or a foreign token."""
    out = []
    i = 0
    try:
        while i < len(code):
            ch = code[i]
            if ch in _VALUE:
                out.append(ch)
                i += 1
            elif ch in _THAI_PREFIX:
                out.append(chr(0x0E00 + _THAI_PREFIX.index(ch) * 32 + _VALUE[code[i + 1]]))
                i += 2
            elif ch == "z" and code[i + 1] != "g":
                out.append(chr(int(code[i + 1 : i + 7], 16)))
                i += 7
            else:
                return None
    except (IndexError, KeyError, ValueError):
        return None
    return "".join(out)


def encode_text(words: list[str] | tuple[str, ...]) -> str:
    """A field's words in order, as the space-joined codes Typesense indexes."""
    return " ".join(encode(w) for w in words)
