"""Bulk ranking: criteria compared once per distinct value give the totals of comparing every
pair in full, to the last bit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from matching import CandidateIndex, MatchSettings, MissingRecord, RemainsRecord
from matching.index import _ByLastSeen

AS_OF = float(date(2023, 6, 1).toordinal())


def test_distinct_values_give_the_totals_of_every_pair(
    population: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = population
    for settings in (
        MatchSettings(),
        MatchSettings(
            voiding_contradictions=frozenset({"sex", "age"}),
            excluding_contradictions=frozenset({"sex"}),
            pmi_replaces_interval=False,
        ),
    ):
        index = CandidateIndex(settings=settings)
        index.add_many([*missing, *remains])
        bulk = _ByLastSeen.of(index._missing)
        # a few distinct values stand for many cases
        assert all(len(g.rows["sex"]) < len(missing) for g in bulk.distinct.groups)
        compared = 0
        for body in remains:
            query = index._query(body, bulk)
            assert query.distinct is not None
            fast = index._ranker.dense(query, AS_OF, 5)
            full = index._ranker.every_pair(replace(query, distinct=None), AS_OF, 5)
            assert fast.totals.tobytes() == full.totals.tobytes()
            compared += int(np.isfinite(full.totals).sum())
        assert compared > len(remains)
