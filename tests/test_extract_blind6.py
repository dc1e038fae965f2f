"""Metadata extraction on the sixth blind set: 96 ThaiGov security releases labelled from the written guide.

With the fifth, this set is a report set of issue 13's "extraction that generalizes": neither is run or scored
while rules are written; the lead scores them once, at the end.  It was drawn by a fixed hash outside every other
labelled set, blind2-blind5, train2 and train3 included (tests/labels/select_blind6.py re-derives it), labelled
from docs/labelling.md (version 1.5) by two people independently before any rule of the session changed, and
adjudicated by the guide (version 1.6 added at adjudication).  As for the earlier blind sets, its scores are
printed, never asserted: a floor here would be a target to tune against.  What is asserted is that the file is
well-formed, that the selection reproduces its ids, and that the adjudication record accounts for every topic on
which the labellers differ.  The texts are read at run time from the shared data folder; without it the tests
skip.  Run ``pytest -k "not scores"`` to check the set without running the extractor on it.
"""
from __future__ import annotations

from blind_sets import BlindSetChecks


class TestBlind6(BlindSetChecks):
    NUMBER = 6
    ORDINAL = "sixth"
