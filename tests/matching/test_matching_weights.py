"""Fellegi–Sunter weights: defaults, JSON round trip, validation and re-estimation."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from matching import (
    CRITERIA,
    LabelledPair,
    MissingRecord,
    RemainsRecord,
    Sex,
    Weights,
    WeightsError,
    default_weights,
    estimate_weights,
)
from matching.estimation import pair_levels


def test_defaults_cover_every_level_and_sum_to_one() -> None:
    weights = default_weights()
    for criterion, levels in CRITERIA.items():
        m_total = sum(weights.probabilities[criterion][level][0] for level in levels)
        u_total = sum(weights.probabilities[criterion][level][1] for level in levels)
        assert m_total == pytest.approx(1.0, abs=1e-6), criterion
        assert u_total == pytest.approx(1.0, abs=1e-6), criterion


def test_agreement_raises_and_disagreement_lowers() -> None:
    weights = default_weights()
    assert weights.weight("sex", "agree") > 0 > weights.weight("sex", "disagree")
    assert weights.weight("names", "full") > weights.weight("names", "surname_only") > 0
    assert (
        weights.weight("dental", "inconsistent_many")
        < weights.weight("dental", "inconsistent_one")
        < 0
    )


def test_json_round_trip() -> None:
    weights = default_weights()
    again = Weights.from_json(weights.to_json())
    assert again == weights
    assert again.weight("stature", "within") == weights.weight("stature", "within")


@pytest.mark.parametrize(
    "text",
    ["not json", "{}", '{"prior": 0.1, "criteria": {}}', '{"prior": 2, "criteria": {}}', "[]"],
)
def test_bad_weights_files_are_refused(text: str) -> None:
    with pytest.raises(WeightsError):
        Weights.from_json(text)


def test_probabilities_must_be_in_range() -> None:
    probabilities = {c: dict(levels) for c, levels in default_weights().probabilities.items()}
    probabilities["sex"]["agree"] = (0.0, 0.5)
    with pytest.raises(WeightsError, match="sex agree"):
        Weights(prior=1e-4, probabilities=probabilities)


def _pair(height: float, sex: Sex, same: bool) -> LabelledPair:
    return LabelledPair(
        MissingRecord("M", height_cm=height, sex=Sex.MALE),
        RemainsRecord("R", stature_min_cm=165, stature_max_cm=175, sex=sex),
        same,
    )


def test_few_pairs_nudge_the_weights_only_a_little() -> None:
    start = default_weights()
    new = estimate_weights([_pair(190, Sex.MALE, True)] * 2)
    assert new.weight("stature", "far") > start.weight("stature", "far")
    assert new.weight("stature", "far") < start.weight("stature", "far") + 1.0
    # criteria never compared keep their weights
    assert new.probabilities["dental"] == start.probabilities["dental"]
    assert new.prior == start.prior


def test_many_pairs_move_the_weights_toward_what_was_seen() -> None:
    confirmed = [_pair(170, Sex.MALE, True)] * 90 + [_pair(190, Sex.MALE, True)] * 10
    excluded = [_pair(170, Sex.MALE, False)] * 30 + [_pair(190, Sex.FEMALE, False)] * 70
    new = estimate_weights(confirmed + excluded, smoothing=1.0)
    m_central, u_central = new.probabilities["stature"]["central"]
    assert m_central == pytest.approx(90 / 101 + 0.5 / 101, abs=0.01)
    assert u_central == pytest.approx(30 / 101 + 0.17 / 101, abs=0.01)
    assert new.weight("sex", "disagree") < default_weights().weight("sex", "disagree")
    for levels in new.probabilities.values():
        for m, u in levels.values():
            assert 0 < m <= 1 and 0 < u <= 1 and math.isfinite(math.log2(m / u))


def test_no_pairs_keeps_the_start_weights() -> None:
    assert estimate_weights([]) == default_weights()


def test_smoothing_must_be_positive() -> None:
    with pytest.raises(WeightsError):
        estimate_weights([], smoothing=0)


def test_weights_saved_before_the_central_levels_still_load() -> None:
    saved = json.loads(default_weights().to_json())
    for criterion in ("age", "stature"):
        del saved["criteria"][criterion]["central"]
        saved["criteria"][criterion]["within"] = {"m": 0.7, "u": 0.3}
    loaded = Weights.from_json(json.dumps(saved))
    assert loaded.probabilities["age"]["within"] == (0.7, 0.3)
    assert (
        loaded.probabilities["age"]["central"] == default_weights().probabilities["age"]["central"]
    )


def test_a_weights_file_missing_a_whole_criterion_is_still_refused() -> None:
    saved = json.loads(default_weights().to_json())
    del saved["criteria"]["sex"]
    with pytest.raises(WeightsError):
        Weights.from_json(json.dumps(saved))


def test_weights_saved_under_older_levels_take_the_defaults_for_those_criteria() -> None:
    saved = json.loads(default_weights().to_json())
    saved["criteria"]["pmi"] = {
        level: {"m": 0.1, "u": 0.1}
        for level in ("within_narrow", "within_wide", "close", "later", "borderline")
    }
    saved["criteria"]["sex"]["agree"] = {"m": 0.9, "u": 0.6}
    loaded = Weights.from_json(json.dumps(saved))
    assert loaded.probabilities["pmi"] == default_weights().probabilities["pmi"]
    assert loaded.probabilities["sex"]["agree"] == (0.9, 0.6)


def test_re_estimation_leaves_out_pairs_the_rules_exclude() -> None:
    seen = MissingRecord("M1", last_seen_date=date(2024, 5, 20))
    found_before = RemainsRecord("R1", found_date=date(2024, 5, 1))  # excluded outright
    found_later = RemainsRecord("R2", found_date=date(2025, 5, 25))  # ranked: "two_months"
    pairs = [LabelledPair(seen, found_before, False)] * 40 + [
        LabelledPair(seen, found_later, False)
    ] * 10
    assert pair_levels([seen], [found_before])["interval"].tolist() == [1]  # "week"
    new = estimate_weights(pairs, smoothing=1.0)
    old = default_weights().probabilities["interval"]
    # the 40 excluded pairs would have made "week" look common among different people
    assert new.probabilities["interval"]["week"][1] == pytest.approx(old["week"][1] / 11)
    assert new.probabilities["interval"]["two_months"][1] == pytest.approx(
        (10 + old["two_months"][1]) / 11
    )
