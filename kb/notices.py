"""Messages the searcher gives the user, as data: a code, its parameters and the Thai text.

A ``Notice`` *is* its Thai text (a ``str``), so ``SearchResult.notices``, the
JSON ``notices`` list, the CLI and every comparison with a Thai string work as
they always did; the code and parameters let an interface in another language
(``web.i18n.notice_text``) say the same thing in its own words.  The searcher
keeps writing its Thai wording where the notice is made; only the code is new.

Codes in use (parameters in brackets): ``query_cut`` [most], ``or_cut`` [most],
``alternatives_cut`` [most], ``nothing_searchable``, ``year_filter`` [years:
Gregorian ints], ``region_filter`` [regions: region4 keys], ``subregion_filter``
[subregions: subregion keys], ``corrected`` [meant, typed], ``partial``, ``relaxed``,
``over_budget``, ``scans_limited``.

The reasons of ``kb.params.BadParameter`` are made as notices too, so an error page can
say them in English: ``not_integer`` [raw], ``out_of_range`` [lo, hi, got], ``bad_year``,
``bad_date``, ``no_such_date``, ``bad_month`` [raw], ``unknown_value`` [value, known],
``unknown_province``, ``unknown_agency`` [value], ``too_many_values`` [most, got], ``nul``,
``query_too_long`` [most, got], ``from_after_to`` [start, end], ``one_of`` [choices],
``result_window`` [most], ``committee_too_long`` [most]; ``web.querycheck`` adds ``not_utf8``
and ``unknown_param`` [name, allowed].
"""
from __future__ import annotations

from typing import Any


class Notice(str):
    """A message for the user: its Thai text, plus ``code`` and ``params`` for other languages."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, thai: str, **params: Any) -> "Notice":
        notice = super().__new__(cls, thai)
        notice.code = code
        notice.params = params
        return notice

    def __reduce__(self) -> tuple:  # copies and pickles keep the code
        return _rebuild, (self.code, str(self), self.params)

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "params", "text"}``, JSON-ready."""
        return {"code": self.code, "params": dict(self.params), "text": str(self)}


def _rebuild(code: str, thai: str, params: dict[str, Any]) -> Notice:
    return Notice(code, thai, **params)


def code_of(notice: str) -> str | None:
    """The code of a notice (None for a plain string from code that predates notices as data)."""
    return getattr(notice, "code", None)
