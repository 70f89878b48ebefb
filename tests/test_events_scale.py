"""Event grouping stays near-linear when a block is big: hundreds of articles from one
template (one release reissued with other numbers, one site's furniture) share every
band of their text signature. Comparing every pair of such a block, one Python step each,
took 8 minutes for 4,000 such articles; the pairs already in one event, or of two known
regencies, are left out in bulk instead. (Counted in union-find look-ups, not seconds.)"""
from __future__ import annotations

import pytest

from pipeline import events
from pipeline.events import EventKey, group, signature
from test_events import RELEASE, SIKKA

N = 300


def template_keys(regencies: list[str]) -> list[EventKey]:
    keys = []
    for i in range(N):
        text = RELEASE.format(count=f"{i + 1}.500", day="Senin (3/2/2025)", **SIKKA)
        keys.append(EventKey(f"a{i}", regencies[i % len(regencies)], None, None, "2025-02-03",
                             ("andreas mude lewar",), ("jaminan kematian",), (i + 1500,),
                             signature({"text": text, "boilerplate": []})))
    return keys


@pytest.mark.parametrize("regencies, n_events", [
    (["53.10"], 1),                                # one regency: one event
    ([f"53.{k:02d}" for k in range(1, 31)], 30),   # the template in 30 regencies: one event each
])
def test_a_block_of_one_template_is_grouped_without_comparing_every_pair(monkeypatch, regencies, n_events):
    calls = 0
    find = events._Grouping.find

    def counted(self, i):
        nonlocal calls
        calls += 1
        return find(self, i)

    monkeypatch.setattr(events._Grouping, "find", counted)
    firsts = group(template_keys(regencies))
    assert len(set(firsts)) == n_events
    # every pair, in each of the blocks these articles share, would be ~N*N/2 per block;
    # leaving them out in bulk costs a few look-ups per article and block
    assert calls < 1000 * N, calls
