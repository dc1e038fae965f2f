"""The three access levels and their order: who may see which document.

A level is a plain string so it stores in JSON metadata and prints in logs;
every comparison goes through ``may_see`` so an unknown value stored in an
index (a tampered or newer index) is treated as the most restricted level,
never as public.
"""
from __future__ import annotations

PUBLIC = "public"
PARTNER = "partner"
INTERNAL = "internal"
LEVELS: tuple[str, ...] = (PUBLIC, PARTNER, INTERNAL)  # least to most restricted
_RANK = {name: i for i, name in enumerate(LEVELS)}
_UNKNOWN_RANK = len(LEVELS)  # above every level a visitor can hold: seen by nobody but the full CLI


class AccessLevelError(ValueError):
    """A document or token names a level kb does not know."""


def check_level(value: object, where: str = "access") -> str:
    """``value`` as a level name, or ``AccessLevelError`` saying what is allowed."""
    if not isinstance(value, str):
        raise AccessLevelError(f"{where} must be one of {', '.join(LEVELS)} (got a {type(value).__name__})")
    level = value.strip().lower()
    if level not in _RANK:
        raise AccessLevelError(f"{where} must be one of {', '.join(LEVELS)} (got {value[:40]!r})")
    return level


def rank(level: str) -> int:
    return _RANK.get(level, _UNKNOWN_RANK)


def may_see(holder: str, document: str) -> bool:
    """A visitor holding level ``holder`` may see a document at level ``document``."""
    return rank(document) <= rank(holder) and holder in _RANK


def stricter(a: str, b: str) -> str:
    """The more restricted of two levels (a source's own level against a folder default)."""
    return a if rank(a) >= rank(b) else b
