"""Issue 12, 4× growth, third step: Whoosh's positions values unpickled many at once
(``whoosh_codec._decode_all``: the protocol-2 bodies joined inside one mark) give each
value's deltas exactly as Whoosh's own ``Positions.decode_positions`` reads it.

Values are made at test time by Whoosh's encoder: empty, one position (one APPEND),
more than a pickle batch (1,000: several APPENDS), positions past 255, 65,535 and 2**31,
with and without the trailing STOP that Whoosh may strip.
"""
from __future__ import annotations

import random
from itertools import accumulate

import pytest
from whoosh.formats import Positions

from kb.engine import whoosh_codec


def _positions(rng: random.Random) -> list[int]:
    n = rng.choice([0, 1, 2, 3, 50, 1000, 1001, 2500])
    step = rng.choice([1, 200, 70_000, 2**31])
    return sorted(set(rng.randint(0, step * max(1, n)) for _ in range(n)))


@pytest.mark.parametrize("seed", range(5))
def test_values_decoded_together_equal_each_decoded_alone(seed):
    rng = random.Random(seed)
    fmt = Positions()
    values, wanted = [], []
    for _ in range(60):
        positions = _positions(rng)
        value = fmt.encode(positions)
        if value.endswith(b".") and rng.random() < 0.5:
            value = value[:-1]  # stored without its STOP
        values.append(value)
        wanted.append(positions)
    decoded = whoosh_codec._decode_all(values)
    assert [list(accumulate(d)) for d in decoded] == wanted
    assert [list(accumulate(d)) for d in decoded] == [fmt.decode_positions(v) for v in values]


def test_collect_takes_the_wanted_documents_only():
    fmt = Positions()
    ids = [3, 8, 9, 20, 41]
    positions = [[1, 5], [7], [], [2, 3, 900], [70_000]]
    values = [fmt.encode(p) for p in positions]
    out: dict[int, list[int]] = {}
    whoosh_codec._collect(out, [1, 8, 9, 20, 50], ids, values)
    assert out == {8: [7], 9: [], 20: [2, 3, 900]}
