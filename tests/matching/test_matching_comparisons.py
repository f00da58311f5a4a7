"""The table of comparisons: one per criterion, each reading only the columns it names."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matching import CRITERIA, MatchSettings, MissingRecord, RemainsRecord
from matching.features import (
    MISSING_COLUMNS,
    REMAINS_COLUMNS,
    FeatureColumns,
    missing_row,
    remains_row,
    single_columns,
)
from matching.scoring import COMPARISONS, Pairs, compare_columns, pair_name_agreement

AS_OF = float(date(2023, 6, 1).toordinal())


def _aligned_columns(
    missing: list[MissingRecord], remains: list[RemainsRecord]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Feature columns of every (missing, remains) pair, aligned."""
    people = [missing_row(person) for person in missing for _ in remains]
    bodies = [remains_row(body) for _ in missing for body in remains]

    m, r = FeatureColumns(MISSING_COLUMNS), FeatureColumns(REMAINS_COLUMNS)
    m.extend(people)
    r.extend(bodies)
    return m.columns(), r.columns()


def test_every_criterion_has_one_comparison_in_the_table() -> None:
    assert sorted(c.criterion for c in COMPARISONS) == sorted(CRITERIA)


@pytest.mark.parametrize(
    "settings",
    [
        MatchSettings(),
        MatchSettings(
            excluding_contradictions=frozenset({"sex", "age"}),
            voiding_contradictions=frozenset({"sex"}),
            pmi_replaces_interval=False,
        ),
    ],
)
def test_each_comparison_reads_only_the_columns_it_names(
    population: tuple[list[MissingRecord], list[RemainsRecord]], settings: MatchSettings
) -> None:
    missing, remains = population[0][:40], population[1][:15]
    m, r = _aligned_columns(missing, remains)
    pairs_m = [person for person in missing for _ in remains]
    pairs_r = [body for _ in missing for body in remains]
    names = pair_name_agreement(pairs_m, pairs_r, settings)
    whole = compare_columns(m, r, names, settings, AS_OF)
    for comparison in COMPARISONS:
        # the population is never "lacking": only the query record of an index search is
        assert not comparison.lacking(m, r)
        alone = Pairs(
            {column: m[column] for column in comparison.missing_reads},
            {column: r[column] for column in comparison.remains_reads},
            names,
            settings,
            AS_OF,
            (len(pairs_m),),
            whole.levels,
        )
        outcome = comparison.compare(alone)
        level = np.broadcast_to(outcome.level, (len(pairs_m),))
        assert level.tolist() == whole.levels[comparison.criterion].tolist()
        assert 0 <= level.min() and level.max() <= len(CRITERIA[comparison.criterion])
    # the population has compared levels for each criterion that reads the records' columns
    for criterion in ("names", "sex", "age", "stature", "pmi", "distance", "marks", "dental"):
        assert np.any(whole.levels[criterion] != 0), criterion


def test_a_query_record_without_a_value_skips_the_criterion() -> None:
    r = single_columns(remains_row(RemainsRecord("R1", stature_min_cm=160, stature_max_cm=170)))
    m, _ = _aligned_columns([MissingRecord(f"M{i}") for i in range(20)], [RemainsRecord("R")])
    lacking = {c.criterion for c in COMPARISONS if c.lacking(m, r)}
    # the remains have no sex, age, dates, place, marks, effects, teeth or names
    assert lacking == set(CRITERIA) - {"stature", "encoded_names"}
    # and the missing person no birth date, age, last-seen point or route
    person = single_columns(missing_row(MissingRecord("M1", height_cm=170)))
    _, bodies = _aligned_columns([MissingRecord("M")], [RemainsRecord(f"R{i}") for i in range(20)])
    lacking = {c.criterion for c in COMPARISONS if c.lacking(person, bodies)}
    assert lacking == {
        "names",
        "name_near",
        "sex",
        "age",
        "pmi",
        "interval",
        "distance",
        "marks",
        "effects",
        "dental",
    }
