"""The caseload prior from a pruned query: the pairs left out can add at most ε × the sum of
likelihood ratios found, so the offset lies within log2(1 + ε) of comparing every pair, and
the top K, its totals and route distances are those of comparing every pair."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from matching import CandidateIndex, MatchSettings, RemainsRecord
from matching.index import _best, _ByLastSeen
from matching.ranking import CASELOAD_EPSILON, Distinct, DistinctRows
from tests.matching.conftest import random_population

AS_OF = float(date(2023, 6, 1).toordinal())
# the same sum in another order differs in the last bits
_ROUNDING = 1e-12


def _offsets(
    index: CandidateIndex, body: RemainsRecord, bulk: _ByLastSeen, epsilon: float, top_k: int
) -> tuple[float, float, int, int]:
    """(pruned offset, dense offset, pairs compared in full, comparable pairs) for one query,
    after checking that the pruned query keeps the dense top K, totals and routes."""
    query = index._query(body, bulk)
    pruned = index._ranker.caseload_pruned(query, AS_OF, top_k, epsilon)
    dense = index._ranker.dense(query, AS_OF, top_k)
    every = index._ranker.every_pair(replace(query, distinct=None), AS_OF, top_k)
    assert dense.competing is not None and every.competing is not None
    # dense is comparing every pair, to the bit
    assert dense.competing.tobytes() == every.competing.tobytes()
    assert pruned.competing is not None
    # the pairs compared in full: the totals, the totals they compete with and the routes
    # measured of comparing every pair, to the bit
    at = pruned.positions
    assert pruned.totals.tobytes() == dense.totals[at].tobytes()
    assert pruned.competing.tobytes() == dense.competing[at].tobytes()
    assert np.array_equal(pruned.route_km, dense.route_km, equal_nan=True)
    assert _best(pruned, query, top_k).tolist() == _best(dense, query, top_k).tolist()
    comparable = int(np.isfinite(dense.competing).sum())
    assert int(np.isfinite(pruned.competing).sum()) + pruned.uncounted == comparable
    return (
        index._caseload_offset(body, pruned.competing, pruned.uncounted),
        index._caseload_offset(body, dense.competing),
        at.size,
        comparable,
    )


@pytest.mark.parametrize(
    ("seed", "settings"),
    [
        (31, MatchSettings(reported_share=0.7)),
        (
            37,
            MatchSettings(
                reported_share=0.3,
                excluding_contradictions=frozenset({"sex", "age"}),
                pmi_replaces_interval=False,
            ),
        ),
    ],
)
def test_the_offset_lies_within_log2_1_plus_epsilon_above_comparing_every_pair(
    seed: int, settings: MatchSettings
) -> None:
    missing, remains = random_population(seed=seed, missing_count=2500, remains_count=25)
    index = CandidateIndex(settings=settings)
    index.add_many([*missing, *remains])
    bulk = _ByLastSeen.of(index._missing)
    left_out = 0
    for epsilon in (CASELOAD_EPSILON, 0.01, 0.3):
        most = np.log2(1.0 + epsilon)
        for top_k in (1, 10):
            for body in remains:
                pruned, dense, compared, comparable = _offsets(index, body, bulk, epsilon, top_k)
                if np.isnan(dense):
                    assert np.isnan(pruned)
                    continue
                # never below the dense offset, at most log2(1 + ε) above it
                assert -_ROUNDING <= pruned - dense <= most + _ROUNDING
                left_out += comparable - compared
    # pairs were left out: the bound was put to the test
    assert left_out > 0


def test_epsilon_zero_compares_every_pair_that_counts() -> None:
    missing, remains = random_population(seed=41, missing_count=2000, remains_count=20)
    index = CandidateIndex(settings=MatchSettings(reported_share=0.7))
    index.add_many([*missing, *remains])
    bulk = _ByLastSeen.of(index._missing)
    for body in remains:
        pruned, dense, _, _ = _offsets(index, body, bulk, 0.0, 10)
        assert pruned == pytest.approx(dense, abs=_ROUNDING) or np.isnan(dense)


def test_a_larger_epsilon_leaves_out_more_pairs_and_its_error_grows_with_it() -> None:
    # the left-out mass is really bounded by ε: offsets move away from the dense one as ε
    # grows, but never by more than log2(1 + ε)
    missing, remains = random_population(seed=43, missing_count=2500, remains_count=20)
    index = CandidateIndex(settings=MatchSettings(reported_share=0.7))
    index.add_many([*missing, *remains])
    bulk = _ByLastSeen.of(index._missing)
    compared = {}
    worst = {}
    for epsilon in (0.0, 1e-3, 0.5):
        found = [_offsets(index, body, bulk, epsilon, 5) for body in remains]
        compared[epsilon] = sum(f[2] for f in found)
        worst[epsilon] = max(f[0] - f[1] for f in found if not np.isnan(f[1]))
        assert worst[epsilon] <= np.log2(1.0 + epsilon) + _ROUNDING
    assert compared[0.0] > compared[1e-3] > compared[0.5]
    assert worst[0.5] > worst[0.0]


def _same_partition(grown: DistinctRows, fresh: DistinctRows) -> bool:
    """Whether two distinct-row groupings put the same positions together (row ids are
    labels), the grown one's rows in the order they first appear."""
    pairs = set(zip(grown.inverse.tolist(), fresh.inverse.tolist(), strict=True))
    # rows in the order they first appear, each at the position it first appears at
    firsts = [int(np.flatnonzero(grown.inverse == row)[0]) for row in range(grown.first.size)]
    return len(pairs) == len(set(grown.inverse.tolist())) == len(
        set(fresh.inverse.tolist())
    ) and firsts == grown.first.tolist() == sorted(firsts)


def test_distinct_rows_grown_a_case_at_a_time_equal_those_built_anew() -> None:
    missing, remains = random_population(seed=47, missing_count=500, remains_count=20)
    index = CandidateIndex(settings=MatchSettings(reported_share=0.7))
    index.add_many([*missing[:300], *remains])
    on = date(2023, 6, 1)
    for person in missing[300:]:
        index.add(person)
        if int(person.ref[1:]) % 3 == 0:
            # a remains query between adds: the distinct rows grow by a few rows at a time
            index.candidates_for_remains(remains[0], as_of=on)
    columns = index._missing.columns.columns()
    grown = index._missing.distinct.of(columns)
    fresh = Distinct(columns, "m")
    assert all(_same_partition(g, f) for g, f in zip(grown.groups, fresh.groups, strict=True))
    for criterion, held in fresh.held.items():
        assert grown.held[criterion].tolist() == held.tolist()
        assert _same_partition(grown.sparse[criterion], fresh.sparse[criterion])
    for criterion, present in fresh.present.items():
        assert grown.present[criterion].tolist() == present.tolist()
    # and ranks as an index built at once, to the bit
    at_once = CandidateIndex(settings=MatchSettings(reported_share=0.7))
    at_once.add_many([*missing, *remains])
    for body in remains:
        assert index.candidates_for_remains(body, as_of=on) == at_once.candidates_for_remains(
            body, as_of=on
        )


@pytest.mark.parametrize(
    "settings",
    [
        MatchSettings(),
        MatchSettings(
            voiding_contradictions=frozenset({"sex", "age"}),
            excluding_contradictions=frozenset({"sex", "age"}),
            pmi_replaces_interval=False,
        ),
    ],
)
def test_a_missing_persons_query_over_distinct_remains_keeps_the_top_k_of_every_pair(
    settings: MatchSettings,
) -> None:
    missing, remains = random_population(seed=53, missing_count=60, remains_count=1500)
    index = CandidateIndex(settings=settings)
    index.add_many([*missing[:40], *remains[:1000]])
    for body in remains[1000:]:
        index.add(body)  # the remains' distinct rows grown a case at a time
    pruned_pairs = 0
    for top_k in (1, 10):
        for person in missing:  # in the index and not
            query = index._query(person, None)
            assert query.distinct is not None
            pruned = index._ranker.pruned(query, AS_OF, top_k)
            every = index._ranker.every_pair(replace(query, distinct=None), AS_OF, top_k)
            fast, full = _best(pruned, query, top_k), _best(every, query, top_k)
            assert fast.tolist() == full.tolist()
            totals = np.full(query.size, np.nan)
            totals[pruned.positions] = pruned.totals
            assert totals[fast].tobytes() == every.totals[full].tobytes()
            pruned_pairs += query.size - pruned.positions.size
    assert pruned_pairs > 0
