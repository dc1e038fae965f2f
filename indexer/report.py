"""What an indexing run tells its caller: the counts, the failures, the notes.

Kept apart from the steps so that the CLI, the server's first-run build and the
tests read one value type whatever step produced a failure.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from kb.models import Failure


@dataclass
class Report:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    rebuilt: bool = False
    notes: list[str] = field(default_factory=list)
    committed: int = 0  # documents added, updated or deleted up to this run's last commit so far
    replacing: bool = False  # a rebuild beside an index being served: its commits count only at the switch

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, deleted {self.deleted}, "
            f"unchanged {self.unchanged}, failed {self.failed} ({self.seconds:.1f} s)"
        )

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "failures": [{"source": f.source, "reason": f.reason} for f in self.failures],
            "seconds": round(self.seconds, 3),
            "rebuilt": self.rebuilt,
            "notes": list(self.notes),  # what the run skipped or points out (also on stderr)
        }


class Interrupted(KeyboardInterrupt):
    """Ctrl+C during a run, after the batch in flight was dropped: ``report`` says how
    far the run got (``committed`` changes are in the index and stay)."""

    def __init__(self, report: Report):
        super().__init__()
        self.report = report


class Progress:
    """A progress bar on a terminal (tqdm), nothing otherwise.

    ``lazy``: the bar appears with its first step (the OCR bar of a run whose PDFs all
    have a text layer never shows).  ``record()`` counts the records of bulk files
    (JSONL), shown beside the bar: one file of 60,000 records is one step of the bar.
    """

    REFRESH_SECONDS = 0.5

    def __init__(self, total: int | None, enabled: bool, unit: str = "file", desc: str = "indexing", lazy: bool = False):
        self.bar = None
        self.records = 0
        self.shown_at = 0.0
        self.spec = dict(total=total, unit=unit, desc=desc) if enabled else None
        if enabled and not lazy:
            self._open()

    def _open(self) -> None:
        from tqdm import tqdm

        # no monitor thread: the run forks its worker pool only from a single-threaded process,
        # and tqdm's monitor (a thread for the life of the process) kept every run on a terminal
        # from using the pool at all, OCR included (it then ran in the writing process, on one core)
        tqdm.monitor_interval = 0
        self.bar = tqdm(**self.spec, file=sys.stderr, dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        if self.bar is None and self.spec is not None and n:
            self._open()
        if self.bar is not None:
            self.bar.update(n)

    def record(self) -> None:
        """One more record read from a bulk file (shown at most twice a second)."""
        self.records += 1
        now = time.monotonic()
        if self.bar is not None and now - self.shown_at >= self.REFRESH_SECONDS:
            self.shown_at = now
            self._show_records()

    def _show_records(self) -> None:
        self.bar.set_postfix_str(f"{self.records:,} records")

    def close(self) -> None:
        if self.bar is not None:
            if self.records:
                self._show_records()
            self.bar.close()
