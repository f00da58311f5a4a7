"""Probabilities that mean what they say: the caseload's reported share, the calibration
learned from decided pairs, and a missing person's query priced like its remains' query."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from matching import (
    Calibration,
    CandidateIndex,
    MatchingError,
    MatchSettings,
    MissingRecord,
    RemainsRecord,
    Sex,
    fit_calibration,
    reported_share_from_history,
)
from matching.synthetic import generate

AS_OF = date(2025, 1, 1)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def test_the_fit_recovers_a_known_miscalibration() -> None:
    rng = np.random.default_rng(3)
    shown = rng.uniform(0.01, 0.99, 20_000)
    # the truth behind: logit(p_true) = 0.5 logit(p_shown) + 1 (overconfident, too low)
    truth = rng.uniform(size=shown.size) < _logistic(0.5 * np.log(shown / (1 - shown)) + 1.0)
    fitted = fit_calibration(shown, truth)
    assert fitted.slope == pytest.approx(0.5, abs=0.05)
    assert fitted.intercept == pytest.approx(1.0, abs=0.08)


def test_a_calibrated_probability_is_what_the_truth_says() -> None:
    rng = np.random.default_rng(4)
    shown = rng.uniform(0.01, 0.99, 20_000)
    truth = rng.uniform(size=shown.size) < _logistic(2.0 * np.log(shown / (1 - shown)) - 0.5)
    calibrated = fit_calibration(shown, truth).apply(shown)
    band = (calibrated > 0.6) & (calibrated < 0.8)
    assert truth[band].mean() == pytest.approx(calibrated[band].mean(), abs=0.03)


def test_calibrations_compose_in_log_odds() -> None:
    first, second = Calibration(1.5, -0.4), Calibration(0.8, 0.3)
    p = np.array([0.01, 0.3, 0.5, 0.97])
    assert first.then(second).apply(p) == pytest.approx(second.apply(first.apply(p)))


def test_a_calibration_keeps_the_order_of_candidates() -> None:
    p = np.array([0.001, 0.2, 0.21, 0.9, 0.999999])
    assert list(np.argsort(Calibration(0.3, 2.0).apply(p))) == [0, 1, 2, 3, 4]


def test_too_few_decided_pairs_teach_nothing() -> None:
    with pytest.raises(MatchingError, match="at least"):
        fit_calibration([0.9] * 100 + [0.1] * 5, [True] * 100 + [False] * 5)


@pytest.mark.parametrize(("slope", "intercept"), [(0.0, 0.0), (-1.0, 0.0), (1.0, math.inf)])
def test_a_calibration_that_would_reverse_or_break_the_order_is_refused(
    slope: float, intercept: float
) -> None:
    with pytest.raises(MatchingError):
        Calibration(slope, intercept)


def test_the_share_comes_from_the_closed_remains_once_there_are_enough() -> None:
    assert reported_share_from_history(5, 10, default=0.5) == 0.5
    assert reported_share_from_history(60, 200, default=0.5) == pytest.approx(
        (60 + 15) / 230, abs=1e-4
    )
    assert reported_share_from_history(0, 10_000, default=0.5) == 0.05
    with pytest.raises(MatchingError):
        reported_share_from_history(1, 40, default=0.0)


def test_a_missing_persons_query_gives_the_pair_its_remains_probability() -> None:
    cases = generate(300, 60, seed=5)
    settings = MatchSettings(reported_share=0.7, calibration=Calibration(1.1, -0.2))
    index = CandidateIndex(settings=settings, workers=1)
    index.add_many([*cases.missing, *cases.remains])
    by_remains = {
        (c.missing_ref, c.remains_ref): c.score
        for body in cases.remains
        for c in index.candidates_for_remains(body, top_k=10, as_of=AS_OF)
    }
    compared = 0
    for person in cases.missing[:80]:
        for c in index.candidates_for_missing(person, top_k=10, as_of=AS_OF):
            if (c.missing_ref, c.remains_ref) in by_remains:
                assert c.score == pytest.approx(by_remains[(c.missing_ref, c.remains_ref)])
                compared += 1
    assert compared > 20


def test_outside_the_index_a_missing_persons_query_keeps_the_constant_prior() -> None:
    person = MissingRecord("M-NEW", given_names=("Ana",), surnames=("Ruiz",), sex=Sex.FEMALE)
    body = RemainsRecord("R1", sex=Sex.FEMALE, document_names=("ANA RUIZ",))
    constant = CandidateIndex()
    constant.add(body)
    caseload = CandidateIndex(settings=MatchSettings(reported_share=1.0))
    caseload.add(body)
    assert caseload.candidates_for_missing(person)[0].score == pytest.approx(
        constant.candidates_for_missing(person)[0].score
    )
