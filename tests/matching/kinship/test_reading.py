"""Reading an LR: posterior probability, ENFSI verbal scale, rounding in words, English text."""

from __future__ import annotations

import doctest
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from matching.errors import MatchingError
from matching.kinship import reading
from matching.kinship.reading import (
    ENGLISH,
    ENGLISH_RELATIONS,
    Pronoun,
    ReadingError,
    ReadingKind,
    Relation,
    RelativeCount,
    RoundedNumber,
    Scale,
    Support,
    log10_lr_of,
    log10_posterior_odds,
    posterior_probability,
    prior_from_open_cases,
    probability_not_identity,
    read_likelihood_ratio,
    round_in_words,
    support_for,
)


def test_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(reading)
    assert result.attempted >= 10
    assert result.failed == 0


# --- Posterior --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lr, prior, expected",
    [
        (1.0, 0.3, 0.3),  # an LR of 1 leaves the prior unchanged
        (1000.0, 0.01, 10 / 10.99),  # LR × prior = 10, 1 - prior = 0.99: 10 / (10 + 0.99)
        (99.0, 0.01, 0.5),  # odds 99 × 1/99 = 1
        (0.5, 0.5, 1 / 3),
        (4.0, 0.2, 0.5),  # odds 4 × 1/4 = 1
        (1e6, 1 / 1500, 1e6 / (1e6 + 1499)),
    ],
)
def test_posterior_by_hand(lr: float, prior: float, expected: float) -> None:
    assert posterior_probability(math.log10(lr), prior) == pytest.approx(expected, rel=1e-12)
    assert probability_not_identity(math.log10(lr), prior) == pytest.approx(1 - expected, rel=1e-9)


def test_posterior_is_stable_for_huge_and_tiny_lrs() -> None:
    prior = 1 / 20_000
    assert posterior_probability(30.0, prior) == 1.0
    # 1 - posterior = (1 - prior) / (LR × prior) when LR × prior is huge: 19,999 / 10^30.
    assert probability_not_identity(30.0, prior) == pytest.approx(19_999e-30, rel=1e-9)
    assert posterior_probability(400.0, prior) == 1.0  # 10^400 overflows a float: not here
    assert posterior_probability(-30.0, prior) == pytest.approx(1e-30 / 19_999, rel=1e-9)
    assert posterior_probability(-400.0, prior) == 0.0
    assert probability_not_identity(-400.0, prior) == 1.0


def test_exclusions_and_certain_priors() -> None:
    assert posterior_probability(-math.inf, 0.5) == 0.0
    assert log10_posterior_odds(-math.inf, 0.5) == -math.inf
    assert posterior_probability(-3.0, 1.0) == 1.0  # a prior of 1 is certain whatever the DNA
    assert posterior_probability(-math.inf, 1.0) == 0.0  # an exclusion refutes even that


@pytest.mark.parametrize(
    "log10_lr, prior, message",
    [
        (float("nan"), 0.1, "not a likelihood ratio"),
        (math.inf, 0.1, "not a likelihood ratio"),
        (2.0, 0.0, "prior probability"),
        (2.0, -0.1, "prior probability"),
        (2.0, 1.5, "prior probability"),
        (2.0, float("nan"), "prior probability"),
    ],
)
def test_bad_posterior_input_is_refused(log10_lr: float, prior: float, message: str) -> None:
    with pytest.raises(ReadingError, match=message):
        posterior_probability(log10_lr, prior)


def test_prior_from_open_cases() -> None:
    assert prior_from_open_cases(1) == 1.0
    assert prior_from_open_cases(4) == 0.25
    for bad in (0, -3, 2.5, True, "10"):
        with pytest.raises(ReadingError, match="whole number of at least 1"):
            prior_from_open_cases(bad)  # type: ignore[arg-type]


def test_lr_given_as_a_number() -> None:
    assert log10_lr_of(1000.0) == pytest.approx(3.0)
    assert log10_lr_of(0.0) == -math.inf
    for bad in (-1.0, float("nan"), math.inf):
        with pytest.raises(ReadingError, match="0 or more"):
            log10_lr_of(bad)
    with pytest.raises(MatchingError):
        log10_lr_of(-1.0)


_PRIORS = st.floats(1e-9, 1.0 - 1e-9)
_LOG10 = st.floats(-300.0, 300.0)


@given(st.floats(-10.0, 10.0), _PRIORS)
def test_posterior_equals_the_direct_formula_for_moderate_lrs(
    log10_lr: float, prior: float
) -> None:
    lr = 10.0**log10_lr
    direct = lr * prior / (lr * prior + (1.0 - prior))  # (1 - prior) first: no cancellation
    assert posterior_probability(log10_lr, prior) == pytest.approx(direct, rel=1e-9, abs=1e-300)
    assert posterior_probability(log10_lr, prior) + probability_not_identity(
        log10_lr, prior
    ) == pytest.approx(1.0, rel=1e-12)


@given(_LOG10, _LOG10, _PRIORS)
def test_posterior_grows_with_the_lr(a: float, b: float, prior: float) -> None:
    low, high = sorted((a, b))
    assert posterior_probability(low, prior) <= posterior_probability(high, prior)
    assert probability_not_identity(low, prior) >= probability_not_identity(high, prior)


@given(_LOG10, _PRIORS, _PRIORS)
def test_posterior_grows_with_the_prior(log10_lr: float, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert posterior_probability(log10_lr, low) <= posterior_probability(log10_lr, high)


@given(st.floats(-300.0, 300.0), _PRIORS)
def test_posterior_is_a_probability(log10_lr: float, prior: float) -> None:
    value = posterior_probability(log10_lr, prior)
    assert 0.0 <= value <= 1.0
    assume(abs(log10_lr) < 1e-3)
    assert value == pytest.approx(prior, rel=1e-2)


# --- ENFSI verbal scale -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "lr, support",
    [
        (1.0, Support.NONE),
        (1.99, Support.NONE),
        (2.0, Support.WEAK),
        (9.99, Support.WEAK),
        (10.0, Support.MODERATE),
        (99.9, Support.MODERATE),
        (100.0, Support.MODERATELY_STRONG),
        (1_000.0, Support.STRONG),
        (9_999.0, Support.STRONG),
        (10_000.0, Support.VERY_STRONG),
        (999_999.0, Support.VERY_STRONG),
        (1_000_000.0, Support.EXTREMELY_STRONG),
        (1e30, Support.EXTREMELY_STRONG),
        (1 / 50, Support.MODERATE),  # mirrored for an LR below 1
        (1 / 1e7, Support.EXTREMELY_STRONG),
        (0.6, Support.NONE),
    ],
)
def test_enfsi_bands(lr: float, support: Support) -> None:
    assert support_for(math.log10(lr)) is support


# --- Numbers in words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, mantissa, scale",
    [
        (2.46, 2.5, Scale.ONE),
        (3.0, 3.0, Scale.ONE),
        (19.95, 20.0, Scale.ONE),
        (452.0, 450.0, Scale.ONE),
        (4_549.0, 4_500.0, Scale.ONE),
        (9_960.0, 10.0, Scale.THOUSAND),  # rounds up into the next word
        (45_400.0, 45.0, Scale.THOUSAND),
        (999_999.0, 1.0, Scale.MILLION),
        (3_040_000.0, 3.0, Scale.MILLION),
        (3.26e9, 3.3, Scale.BILLION),
        (2.5e12, 2.5, Scale.THOUSAND_BILLION),
        (4.1e16, 41.0, Scale.MILLION_BILLION),
        (9.96e17, 1.0, Scale.BEYOND),
        (1e18, 1.0, Scale.BEYOND),
        (1e250, 1.0, Scale.BEYOND),
    ],
)
def test_round_in_words(value: float, mantissa: float, scale: Scale) -> None:
    assert round_in_words(math.log10(value)) == RoundedNumber(mantissa, scale)


# --- The reading ------------------------------------------------------------------------------


def test_the_example_of_the_issue() -> None:
    result = read_likelihood_ratio(
        math.log10(3.04e6), ["mother", "brother"], missing_person="Ana", sex="F"
    )
    assert result.kind is ReadingKind.MORE_LIKELY
    assert result.times == RoundedNumber(3.0, Scale.MILLION)
    assert result.support is Support.EXTREMELY_STRONG
    assert result.pronoun is Pronoun.HER
    assert result.relatives == (
        RelativeCount(Relation.MOTHER, 1),
        RelativeCount(Relation.BROTHER, 1),
    )
    assert result.english().startswith(
        "The DNA is about 3 million times more likely if these remains are Ana's, given her "
        "mother's and brother's samples, than if they are of someone unrelated."
    )


@pytest.mark.parametrize(
    "log10_lr, kind",
    [
        (math.log10(2.0), ReadingKind.MORE_LIKELY),
        (math.log10(1.99), ReadingKind.LITTLE_EITHER_WAY),
        (0.0, ReadingKind.LITTLE_EITHER_WAY),
        (math.log10(0.51), ReadingKind.LITTLE_EITHER_WAY),
        (math.log10(0.5), ReadingKind.LESS_LIKELY),
        (-12.0, ReadingKind.LESS_LIKELY),
        (-math.inf, ReadingKind.EXCLUDED),
    ],
)
def test_kind_of_statement(log10_lr: float, kind: ReadingKind) -> None:
    assert read_likelihood_ratio(log10_lr, ["father"]).kind is kind


def test_less_likely_and_little_either_way_in_words() -> None:
    against = read_likelihood_ratio(-4.3, ["sister"], missing_person="Yonas", sex="M").english()
    assert "about 20 thousand times less likely if these remains are Yonas's" in against
    assert "given his sister's sample" in against
    assert "speaks against these remains being Yonas's" in against
    assert "very strong support for these remains being someone else's" in against
    neutral = read_likelihood_ratio(0.1, ["uncle"], missing_person="Ana", sex="F").english()
    assert neutral == (
        "The DNA says little either way about whether these remains are Ana's, given her "
        "uncle's sample."
    )
    excluded = read_likelihood_ratio(-math.inf, ["mother"], missing_person="Ana").english()
    assert "could not have arisen" in excluded and "excludes these remains being Ana's" in excluded


def test_relatives_are_grouped_counted_and_ordered() -> None:
    result = read_likelihood_ratio(
        8.0,
        ["Brother", "half-sister", "mother", "brother", "child", "child"],
        missing_person="Fatima",
        sex="F",
    )
    assert [(r.relation, r.count) for r in result.relatives] == [
        (Relation.MOTHER, 1),
        (Relation.BROTHER, 2),
        (Relation.CHILD, 2),
        (Relation.HALF_SISTER, 1),
    ]
    assert (
        "given her mother's, two brothers', two children's and half-sister's samples"
        in result.english()
    )


@pytest.mark.parametrize(
    "sex, pronoun",
    [("F", Pronoun.HER), ("m", Pronoun.HIS), ("U", Pronoun.THEIR), (None, Pronoun.THEIR)],
)
def test_pronoun_follows_sex(sex: str | None, pronoun: Pronoun) -> None:
    assert read_likelihood_ratio(5.0, ["father"], sex=sex).pronoun is pronoun


def test_without_name_or_relatives() -> None:
    text = read_likelihood_ratio(5.0).english()
    assert text.startswith(
        "The DNA is about 100 thousand times more likely if these remains are the missing "
        "person's, than if they are of someone unrelated."
    )
    assert read_likelihood_ratio(5.0, missing_person="  ").missing_person is None


def test_posterior_in_the_reading() -> None:
    result = read_likelihood_ratio(
        math.log10(3e6), ["mother"], missing_person="Ana", sex="F", open_missing=1500
    )
    assert result.prior == pytest.approx(1 / 1500)
    # Odds 3,000,000 / 1,499 = 2001.3: posterior 0.99950.
    assert result.posterior == pytest.approx(3e6 / (3e6 + 1499), rel=1e-12)
    assert "With 1,500 open missing persons in scope" in result.english()
    assert "the probability that these remains are Ana's is 99.95 %" in result.english()
    huge = read_likelihood_ratio(25.0, ["mother"], open_missing=20_000)
    assert huge.doubt == pytest.approx(19_999e-25, rel=1e-9)
    assert "more than a billion billion times" in huge.english()
    assert "is more than 99.99 %" in huge.english()
    tiny = read_likelihood_ratio(-8.0, ["mother"], prior=0.2)
    assert "With a prior probability of 0.2" in tiny.english()
    assert "is less than 0.01 %" in tiny.english()
    assert read_likelihood_ratio(5.0).posterior is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"log10_lr": float("nan")}, "not a likelihood ratio"),
        ({"log10_lr": 3.0, "prior": 0.1, "open_missing": 10}, "not both"),
        ({"log10_lr": 3.0, "open_missing": 0}, "at least 1"),
        ({"log10_lr": 3.0, "prior": 2.0}, "prior probability"),
        ({"log10_lr": 3.0, "relatives": ["godmother"]}, "'godmother' is not a relationship"),
    ],
)
def test_bad_reading_input_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ReadingError, match=message):
        read_likelihood_ratio(**kwargs)  # type: ignore[arg-type]


def test_every_part_of_a_reading_has_its_english_words() -> None:
    # The translation contract: a table with these keys is all another language needs.
    needed = {kind.value for kind in ReadingKind}
    needed |= {s.value for s in Support if s is not Support.NONE}
    needed |= {s.value for s in Scale if s not in (Scale.ONE, Scale.BEYOND)}
    needed |= {p.value for p in Pronoun}
    assert needed <= ENGLISH.keys()
    assert set(ENGLISH_RELATIONS) == set(Relation)


@given(
    st.floats(-40.0, 40.0) | st.just(-math.inf),
    st.lists(st.sampled_from(list(Relation)), max_size=6),
    st.sampled_from(["F", "M", None]),
    st.none() | st.integers(1, 100_000),
)
def test_english_is_always_complete(
    log10_lr: float, relatives: list[Relation], sex: str | None, open_missing: int | None
) -> None:
    text = read_likelihood_ratio(
        log10_lr, relatives, missing_person="Ana", sex=sex, open_missing=open_missing
    ).english()
    assert "{" not in text and "}" not in text
    assert text.startswith("The DNA ") and text.endswith(".")
