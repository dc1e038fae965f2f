"""The document type (news / meeting / plan / other), read from cues in its title and text.

The cues are data (kb/taxonomy/types.json); a reader's type hint, when valid,
wins over them (``kb.extract.extract`` decides that).
"""
from __future__ import annotations

from kb import taxonomy

def detect_type(title: str, text: str, has_date: bool) -> str:
    """news / meeting / plan / other from title and text cues (see types.json)."""
    cues = taxonomy.type_cues()
    head = title.strip()
    if any(head.startswith(p) for p in cues["plan_title_prefixes"]):
        return "plan"
    if any(term in head for term in cues["meeting_title_terms"]):
        return "meeting"
    if any(term in text for term in cues["meeting_agenda_terms"]) and any(
        term in text for term in cues["meeting_attendance_terms"]
    ):
        return "meeting"
    if has_date or any(marker in head + "\n" + text for marker in cues["news_markers"]):
        return "news"
    return "other"
