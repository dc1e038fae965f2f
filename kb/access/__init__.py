"""Partner access (issue 17): document levels, tokens, the audit log and abuse limits.

Engine-independent and web-independent: ``kb.engine.access`` builds the
restricted read view over any engine from ``levels``; ``web.auth`` turns an
HTTP request into a level with ``tokens``; the CLI manages both.
``docs/security.md`` is the threat model.
"""
from __future__ import annotations

from kb.access.levels import LEVELS, PUBLIC, AccessLevelError, check_level, may_see, stricter

__all__ = ["LEVELS", "PUBLIC", "AccessLevelError", "check_level", "may_see", "stricter"]
