"""Bulk ranking: criteria compared once per distinct value give the totals of comparing every
pair in full, to the last bit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from matching import CandidateIndex, MatchSettings, MissingRecord, RemainsRecord
from matching.index import _best, _ByLastSeen
from tests.matching.conftest import random_population

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


def test_pruned_ranking_keeps_the_top_k_of_every_pair() -> None:
    missing, remains = random_population(seed=17, missing_count=1500, remains_count=30)
    index = CandidateIndex()
    index.add_many([*missing, *remains])
    bulk = _ByLastSeen.of(index._missing)
    compared = 0
    for top_k in (1, 10):
        for body in remains:
            query = index._query(body, bulk)
            pruned = index._ranker.pruned(query, AS_OF, top_k)
            full = index._ranker.every_pair(replace(query, distinct=None), AS_OF, top_k)
            best = np.sort(full.totals[np.isfinite(full.totals)])[::-1][:top_k]
            kept = np.sort(pruned.totals[np.isfinite(pruned.totals)])[::-1][:top_k]
            # the same best totals, to the bit
            assert kept.tobytes() == best.tobytes()
            both = np.isfinite(pruned.totals) & np.isfinite(full.totals[pruned.positions])
            at = pruned.positions[both]
            assert pruned.totals[both].tobytes() == full.totals[at].tobytes()
            compared += pruned.positions.size
    # most pairs were never compared in full
    assert compared < 0.5 * 2 * len(remains) * len(missing)


def test_distinct_rows_hold_each_value_once_unknown_included(
    population: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = population
    index = CandidateIndex()
    index.add_many([*missing, *remains])
    stature = next(
        g for g in _ByLastSeen.of(index._missing).distinct.groups if g.criteria == ("stature",)
    )
    heights = {person.height_cm for person in missing}
    # every unknown height is one row (NaN is not equal to itself), and sex is not read
    assert len(stature.rows["sex"]) == len(heights)
    assert None in heights


@pytest.mark.parametrize("block", [1, 7, 40])
def test_a_block_of_queries_ranks_as_every_pair_equal_totals_in_slot_order(block: int) -> None:
    missing, remains = random_population(seed=23, missing_count=1200, remains_count=40)
    index = CandidateIndex()
    index.add_many([*missing, *remains])
    bulk = _ByLastSeen.of(index._missing)
    queries = [index._query(body, bulk) for body in remains]
    tied = 0
    for top_k in (1, 10):
        for start in range(0, len(queries), block):
            part = queries[start : start + block]
            for query, scored in zip(
                part, index._ranker.pruned_many(part, AS_OF, top_k), strict=True
            ):
                full = index._ranker.every_pair(replace(query, distinct=None), AS_OF, top_k)
                fast, every = _best(scored, query, top_k), _best(full, query, top_k)
                assert fast.tolist() == every.tolist()
                totals = np.full(query.size, np.nan)
                totals[scored.positions] = scored.totals
                assert totals[fast].tobytes() == full.totals[every].tobytes()
                finite = full.totals[np.isfinite(full.totals)]
                if every.size and (finite == full.totals[every[-1]]).sum() > 1:
                    tied += 1
    # equal totals at the K-th place happen: the cut in slot order is tested
    assert tied > 0


def test_bulk_matching_with_the_caseload_prior_scores_as_one_query(
    population: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = population
    index = CandidateIndex(settings=MatchSettings(reported_share=0.7))
    index.add_many([*missing, *remains])
    bulk: dict[str, list[float]] = {}
    for candidate in index.match_all(top_k=5, as_of=date(2023, 6, 1), processes=1):
        bulk.setdefault(candidate.remains_ref, []).append(candidate.score)
    for body in remains:
        alone = index.candidates_for_remains(body, top_k=5, as_of=date(2023, 6, 1))
        # the prior sums every pair's likelihood ratio, in another order: equal but for rounding
        expected = [c.score for c in alone]
        assert sorted(bulk.get(body.ref, []), reverse=True) == pytest.approx(expected, rel=1e-12)


def test_pairs_the_route_refinement_drops_still_compete_for_the_caseload_prior(
    population: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = population
    index = CandidateIndex(settings=MatchSettings(reported_share=0.7))
    index.add_many([*missing, *remains])
    bulk = _ByLastSeen.of(index._missing)
    dropped = 0
    for body in remains:
        query = index._query(body, bulk)
        if query.routes is None:
            continue
        scored = index._ranker.dense(query, AS_OF, 1)
        point_only = index._ranker.every_pair(replace(query, distinct=None, routes=None), AS_OF, 1)
        assert scored.competing is not None
        kept = np.isfinite(scored.totals)
        # a pair kept competes at its exact total, a pair dropped at its point-only total
        assert scored.competing[kept].tobytes() == scored.totals[kept].tobytes()
        assert scored.competing[~kept].tobytes() == point_only.totals[~kept].tobytes()
        dropped += int((~kept & np.isfinite(point_only.totals)).sum())
    assert dropped > 0


def test_every_criterion_is_ranked_one_way_or_another() -> None:
    from matching import CRITERIA
    from matching.ranking import DEFERRED, DISTINCT_GROUPS, NAMED, SPARSE

    grouped = [c for group in DISTINCT_GROUPS for c in group]
    ways = [*NAMED, *grouped, *SPARSE, *DEFERRED]
    assert sorted(ways) == sorted(CRITERIA)
    assert DEFERRED == ("age", "distance")


@pytest.mark.parametrize("missing_count", [6, 300])
def test_bulk_matching_gives_the_candidates_of_one_query_at_a_time(missing_count: int) -> None:
    # six persons: few enough that a query also tests the population for what it lacks
    missing, remains = random_population(seed=5, missing_count=missing_count, remains_count=45)
    index = CandidateIndex()
    index.add_many([*missing, *remains])
    by_remains: dict[str, list[object]] = {}
    for candidate in index.match_all(top_k=3, as_of=date(2023, 6, 1), processes=1):
        by_remains.setdefault(candidate.remains_ref, []).append(candidate)
    assert list(by_remains) == sorted(by_remains)  # one block of slots, by ref
    for body in remains:
        alone = index.candidates_for_remains(body, top_k=3, as_of=date(2023, 6, 1))
        # same persons, scores to the bit and evidence, equal scores in slot order
        assert by_remains.get(body.ref, []) == alone


@pytest.mark.parametrize("seed_size", [8, 40])
def test_bulk_matching_with_a_small_seed_gives_the_candidates_of_one_query_at_a_time(
    seed_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a seed much smaller than the population: the bulk ranking seeks it among the bounds
    # over a threshold read off a sample of them, then prunes the rest with its K-th best
    monkeypatch.setattr("matching.ranking._SEED", seed_size)
    missing, remains = random_population(seed=7, missing_count=400, remains_count=80)
    index = CandidateIndex()
    index.add_many([*missing, *remains])
    by_remains: dict[str, list[object]] = {}
    for candidate in index.match_all(top_k=3, as_of=date(2023, 6, 1), processes=1):
        by_remains.setdefault(candidate.remains_ref, []).append(candidate)
    for body in remains:
        alone = index.candidates_for_remains(body, top_k=3, as_of=date(2023, 6, 1))
        assert by_remains.get(body.ref, []) == alone


@pytest.mark.parametrize("seed_size", [4, 16, 64])
def test_the_seed_holds_the_best_bounds_of_each_row(
    seed_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching.ranking import _best_bounds

    monkeypatch.setattr("matching.ranking._SEED", seed_size)
    rng = np.random.default_rng(3)
    # bounds are sums of a few weights: many equal values; -inf where a pair is excluded
    bound = rng.integers(-20, 20, size=(12, 700)).astype(np.float64) / 4
    bound[rng.random(bound.shape) < 0.3] = -np.inf
    bound[3] = -np.inf  # a query with no pair left
    bound[5, seed_size // 2 :] = -np.inf  # fewer pairs left than the seed holds
    bound[7, ::2] = 9.0  # many ties above everything else
    finite = np.isfinite(bound)
    for row, seed in enumerate(_best_bounds(bound, finite)):
        values = bound[row][finite[row]]
        expected = np.sort(values)[::-1][:seed_size]
        assert len(set(seed.tolist())) == seed.size
        assert np.sort(bound[row, seed])[::-1].tolist() == expected.tolist()
