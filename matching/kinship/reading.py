"""Reading a DNA likelihood ratio: the posterior probability of identity from the LR and a prior,
and the result in plain words an officer can check, as structured parts and in English.

The prior defaults to 1 / (number of open missing persons in scope): before the DNA, the remains
are as likely to be any one of them (the usual starting point in disaster victim identification;
Brenner & Weir, Theor. Popul. Biol. 63:173–178, 2003). Posterior odds = LR × prior odds, worked
in log10 because kinship LRs of 10^30 are common.

The words follow the verbal equivalents of the ENFSI Guideline for Evaluative Reporting in
Forensic Science (2015, p. 17): LR 2–10 weak, 10–100 moderate, 100–1,000 moderately strong,
1,000–10,000 strong, 10,000–1,000,000 very strong, above 1,000,000 extremely strong support, the
same bands mirrored for an LR below 1. Below 2 (and above 1/2) the DNA says little either way.

Every English string sits in ``ENGLISH`` below, so a translation is one more table of the same
keys; the structured :class:`Reading` carries everything a sentence needs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from matching.kinship.errors import KinshipError


class ReadingError(KinshipError, ValueError):
    """An LR, a prior, a count or a relative that cannot be read."""


# ---------------------------------------------------------------------------------------------
# Posterior probability


def prior_from_open_cases(open_missing: int) -> float:
    """The prior probability that remains are one given person: 1 / open missing persons.

    Example:
        >>> prior_from_open_cases(250)
        0.004
    """
    if isinstance(open_missing, bool) or not isinstance(open_missing, int) or open_missing < 1:
        raise ReadingError(
            f"The number of open missing persons in scope must be a whole number of at least "
            f"1, not {open_missing!r}."
        )
    return 1.0 / open_missing


def _check_log10_lr(log10_lr: float) -> float:
    value = float(log10_lr)
    if math.isnan(value) or value == math.inf:
        raise ReadingError(f"{log10_lr!r} is not a likelihood ratio (log10).")
    return value


def _check_prior(prior: float) -> float:
    value = float(prior)
    if not 0.0 < value <= 1.0:  # also refuses NaN
        raise ReadingError(f"A prior probability must be above 0 and at most 1, not {prior!r}.")
    return value


def log10_lr_of(lr: float) -> float:
    """log10 of an LR given as a number; an LR of 0 (an exclusion) is minus infinity."""
    value = float(lr)
    if math.isnan(value) or value < 0.0 or value == math.inf:
        raise ReadingError(f"A likelihood ratio must be a number of 0 or more, not {lr!r}.")
    return math.log10(value) if value > 0.0 else -math.inf


def log10_posterior_odds(log10_lr: float, prior: float) -> float:
    """log10 of the posterior odds of identity: log10 LR + log10(prior / (1 - prior)).

    Infinite when the prior is 1; minus infinity for an LR of 0, whatever the prior (an
    exclusion refutes even a prior of 1, which only said the person was certainly among those
    in scope).
    """
    log10_lr = _check_log10_lr(log10_lr)
    prior = _check_prior(prior)
    if log10_lr == -math.inf:
        return -math.inf
    if prior == 1.0:
        return math.inf
    # log1p keeps 1 - prior exact for the tiny priors of large searches.
    return log10_lr + math.log10(prior) - math.log1p(-prior) / math.log(10.0)


def _from_log10_odds(log10_odds: float) -> tuple[float, float]:
    """(probability, 1 - probability) for log10 odds, each computed without cancellation."""
    if log10_odds == math.inf:
        return 1.0, 0.0
    if log10_odds == -math.inf:
        return 0.0, 1.0
    if log10_odds >= 0.0:
        small = 10.0 ** (-log10_odds)  # at most 1; may underflow to 0, which is right
        return 1.0 / (1.0 + small), small / (1.0 + small)
    small = 10.0**log10_odds
    return small / (1.0 + small), 1.0 / (1.0 + small)


def posterior_probability(log10_lr: float, prior: float) -> float:
    """The posterior probability of identity, LR·prior / (LR·prior + 1 − prior), from log10 LR.

    Stable for huge and tiny LRs (log10 LR of 30, or -30).

    Example:
        >>> round(posterior_probability(3.0, 0.01), 6)
        0.909918
        >>> posterior_probability(30.0, 1 / 20000)
        1.0
    """
    return _from_log10_odds(log10_posterior_odds(log10_lr, prior))[0]


def probability_not_identity(log10_lr: float, prior: float) -> float:
    """1 − the posterior, computed directly so that it stays exact when the posterior rounds
    to 1 (an LR of 10^30 with a prior of 1/20,000 leaves about 2·10^-26).

    Example:
        >>> f"{probability_not_identity(30.0, 1 / 20000):.3g}"
        '2e-26'
    """
    return _from_log10_odds(log10_posterior_odds(log10_lr, prior))[1]


# ---------------------------------------------------------------------------------------------
# The structured reading


class ReadingKind(StrEnum):
    """What kind of statement the DNA allows."""

    MORE_LIKELY = "more_likely"  # LR of 2 or more: supports identity
    LESS_LIKELY = "less_likely"  # LR of 1/2 or less: speaks against identity
    LITTLE_EITHER_WAY = "little_either_way"  # between 1/2 and 2
    EXCLUDED = "excluded"  # LR of 0: impossible if the remains are the person


class Support(StrEnum):
    """ENFSI (2015) verbal equivalents, for whichever proposition the DNA favours."""

    NONE = "none"
    WEAK = "weak"
    MODERATE = "moderate"
    MODERATELY_STRONG = "moderately_strong"
    STRONG = "strong"
    VERY_STRONG = "very_strong"
    EXTREMELY_STRONG = "extremely_strong"


# Lower bounds, in log10 LR, of each band (2, 10, 100, 1,000, 10,000, 1,000,000).
SUPPORT_BANDS: tuple[tuple[float, Support], ...] = (
    (6.0, Support.EXTREMELY_STRONG),
    (4.0, Support.VERY_STRONG),
    (3.0, Support.STRONG),
    (2.0, Support.MODERATELY_STRONG),
    (1.0, Support.MODERATE),
    (math.log10(2.0), Support.WEAK),
)
NEUTRAL_LOG10 = math.log10(2.0)


def support_for(log10_lr: float) -> Support:
    """The ENFSI verbal equivalent of an LR (or of 1/LR when the LR is below 1).

    Example:
        >>> support_for(6.5), support_for(-1.2), support_for(0.1)
        (<Support.EXTREMELY_STRONG: 'extremely_strong'>, <Support.MODERATE: 'moderate'>, \
<Support.NONE: 'none'>)
    """
    strength = abs(_check_log10_lr(log10_lr))
    for lower, support in SUPPORT_BANDS:
        if strength >= lower:
            return support
    return Support.NONE


class Scale(StrEnum):
    """The word a rounded number is said with; the mantissa goes before it."""

    ONE = "one"  # below 10,000: said in digits
    THOUSAND = "thousand"
    MILLION = "million"
    BILLION = "billion"  # 10^9
    THOUSAND_BILLION = "thousand_billion"  # 10^12, avoiding "trillion", which varies by language
    MILLION_BILLION = "million_billion"  # 10^15
    BEYOND = "beyond"  # 10^18 and more: "more than a billion billion"


# (rounded value from which the word is used, power of ten the mantissa is counted in, word)
_SCALES: tuple[tuple[float, int, Scale], ...] = (
    (1e15, 15, Scale.MILLION_BILLION),
    (1e12, 12, Scale.THOUSAND_BILLION),
    (1e9, 9, Scale.BILLION),
    (1e6, 6, Scale.MILLION),
    (1e4, 3, Scale.THOUSAND),  # from 10,000: "about 4,500" reads better than "4.5 thousand"
)
BEYOND_LOG10 = 18.0


@dataclass(frozen=True, slots=True)
class RoundedNumber:
    """A number rounded to two significant figures, as mantissa × scale ("3.2 million").

    For ``Scale.BEYOND`` the mantissa is 1 and the number is "more than a billion billion".
    """

    mantissa: float
    scale: Scale


def round_in_words(value_log10: float) -> RoundedNumber:
    """Round 10**value_log10 to two significant figures and pick its scale word.

    Example:
        >>> round_in_words(math.log10(3_040_000))
        RoundedNumber(mantissa=3.0, scale=<Scale.MILLION: 'million'>)
        >>> round_in_words(math.log10(999_999))
        RoundedNumber(mantissa=1.0, scale=<Scale.MILLION: 'million'>)
    """
    if value_log10 >= BEYOND_LOG10:
        return RoundedNumber(1.0, Scale.BEYOND)
    rounded = float(f"{10.0**value_log10:.2g}")
    if rounded >= 10.0**BEYOND_LOG10:
        return RoundedNumber(1.0, Scale.BEYOND)
    for lowest, power, scale in _SCALES:
        if rounded >= lowest:
            return RoundedNumber(round(rounded / 10.0**power, 6), scale)
    return RoundedNumber(rounded, Scale.ONE)


class Relation(StrEnum):
    """How a typed relative is related to the missing person (the relative is the missing
    person's ...)."""

    MOTHER = "mother"
    FATHER = "father"
    PARENT = "parent"
    SISTER = "sister"
    BROTHER = "brother"
    SIBLING = "sibling"
    DAUGHTER = "daughter"
    SON = "son"
    CHILD = "child"
    HALF_SISTER = "half_sister"
    HALF_BROTHER = "half_brother"
    HALF_SIBLING = "half_sibling"
    GRANDMOTHER = "grandmother"
    GRANDFATHER = "grandfather"
    GRANDPARENT = "grandparent"
    GRANDDAUGHTER = "granddaughter"
    GRANDSON = "grandson"
    GRANDCHILD = "grandchild"
    AUNT = "aunt"
    UNCLE = "uncle"
    NIECE = "niece"
    NEPHEW = "nephew"
    COUSIN = "cousin"
    WIFE = "wife"
    HUSBAND = "husband"
    PARTNER = "partner"  # typed to help read a child's profile
    RELATIVE = "relative"


class Pronoun(StrEnum):
    HER = "her"
    HIS = "his"
    THEIR = "their"


@dataclass(frozen=True, slots=True)
class RelativeCount:
    relation: Relation
    count: int


@dataclass(frozen=True, slots=True)
class Reading:
    """What a likelihood ratio says, in parts a sentence in any language can be built from.

    Attributes:
        kind: the kind of statement.
        log10_lr: the LR it rests on.
        times: how many times more (or less) likely, rounded; ``None`` when the DNA says little
            either way or excludes.
        support: the ENFSI verbal equivalent, for identity (``MORE_LIKELY``) or against it.
        missing_person: the name to say, or ``None`` for "the missing person".
        pronoun: her, his or their, for the relatives.
        relatives: the typed relatives, grouped, in a fixed order (parents first).
        prior: the prior probability used, when a posterior was asked for.
        open_missing: the number of open missing persons the prior came from, if it did.
        posterior: the posterior probability of identity, when a prior was given.
        doubt: 1 − posterior, computed directly (exact when the posterior rounds to 1).
    """

    kind: ReadingKind
    log10_lr: float
    times: RoundedNumber | None
    support: Support
    missing_person: str | None
    pronoun: Pronoun
    relatives: tuple[RelativeCount, ...]
    prior: float | None = None
    open_missing: int | None = None
    posterior: float | None = None
    doubt: float | None = None

    def english(self) -> str:
        """The reading in English (see :func:`english`)."""
        return english(self)


_PRONOUNS = {"F": Pronoun.HER, "M": Pronoun.HIS}
_ORDER = {relation: index for index, relation in enumerate(Relation)}


def _relatives(relatives: Iterable[Relation | str]) -> tuple[RelativeCount, ...]:
    counted: Counter[Relation] = Counter()
    for relative in relatives:
        try:
            counted[
                Relation(str(relative).strip().lower().replace(" ", "_").replace("-", "_"))
            ] += 1
        except ValueError:
            known = ", ".join(r.value for r in Relation)
            raise ReadingError(
                f"{relative!r} is not a relationship this reading knows ({known})."
            ) from None
    return tuple(RelativeCount(r, counted[r]) for r in sorted(counted, key=_ORDER.__getitem__))


def read_likelihood_ratio(
    log10_lr: float,
    relatives: Iterable[Relation | str] = (),
    *,
    missing_person: str | None = None,
    sex: str | None = None,
    prior: float | None = None,
    open_missing: int | None = None,
) -> Reading:
    """Read an LR for an officer: kind of statement, rounded number, ENFSI support, posterior.

    Args:
        log10_lr: log10 of the LR (minus infinity for an exclusion); use :func:`log10_lr_of`
            for an LR given as a number.
        relatives: how each typed relative is related to the missing person ("mother",
            "brother", ...), one entry per relative.
        missing_person: the name to say ("Ana"), or ``None``.
        sex: the missing person's sex, "F" or "M" (anything else: "their").
        prior: the prior probability of identity; or
        open_missing: the number of open missing persons in scope, giving a prior of 1 / that.

    Raises:
        ReadingError: an LR that is not a number, a prior outside (0, 1], both a prior and a
            count, a count below 1, or an unknown relationship.

    Example:
        >>> reading = read_likelihood_ratio(
        ...     math.log10(3.2e6), ["mother", "brother"], missing_person="Ana", sex="F")
        >>> print(reading.english())
        The DNA is about 3.2 million times more likely if these remains are Ana's, given her \
mother's and brother's samples, than if they are of someone unrelated. On the ENFSI verbal \
scale this is extremely strong support for these remains being Ana's.
    """
    log10_lr = _check_log10_lr(log10_lr)
    if prior is not None and open_missing is not None:
        raise ReadingError("Give either a prior or the number of open missing persons, not both.")
    if open_missing is not None:
        prior = prior_from_open_cases(open_missing)
    posterior = doubt = None
    if prior is not None:
        odds = log10_posterior_odds(log10_lr, prior)
        posterior, doubt = _from_log10_odds(odds)
    if log10_lr == -math.inf:
        kind, times = ReadingKind.EXCLUDED, None
    elif log10_lr >= NEUTRAL_LOG10:
        kind, times = ReadingKind.MORE_LIKELY, round_in_words(log10_lr)
    elif log10_lr <= -NEUTRAL_LOG10:
        kind, times = ReadingKind.LESS_LIKELY, round_in_words(-log10_lr)
    else:
        kind, times = ReadingKind.LITTLE_EITHER_WAY, None
    name = missing_person.strip() if missing_person is not None else None
    return Reading(
        kind=kind,
        log10_lr=log10_lr,
        times=times,
        support=Support.EXTREMELY_STRONG if kind is ReadingKind.EXCLUDED else support_for(log10_lr),
        missing_person=name or None,
        pronoun=_PRONOUNS.get((sex or "").strip().upper()[:1], Pronoun.THEIR),
        relatives=_relatives(relatives),
        prior=prior,
        open_missing=open_missing,
        posterior=posterior,
        doubt=doubt,
    )


# ---------------------------------------------------------------------------------------------
# English: every English word of a reading is in this table.

ENGLISH: dict[str, str] = {
    "more_likely": (
        "The DNA is {times} times more likely if these remains are {whose}{given}, than if they "
        "are of someone unrelated."
    ),
    "less_likely": (
        "The DNA is {times} times less likely if these remains are {whose}{given}, than if they "
        "are of someone unrelated: it speaks against these remains being {whose}."
    ),
    "little_either_way": (
        "The DNA says little either way about whether these remains are {whose}{given}."
    ),
    "excluded": (
        "The DNA could not have arisen if these remains were {whose}{given}: it excludes these "
        "remains being {whose}."
    ),
    "support_for": (
        "On the ENFSI verbal scale this is {support} support for these remains being {whose}."
    ),
    "support_against": (
        "On the ENFSI verbal scale this is {support} support for these remains being someone "
        "else's."
    ),
    "posterior_count": (
        "With {open_missing} open missing persons in scope, each equally likely beforehand, the "
        "probability that these remains are {whose} is {posterior}."
    ),
    "posterior_prior": (
        "With a prior probability of {prior}, the probability that these remains are {whose} is "
        "{posterior}."
    ),
    "given": ", given {pronoun} {relatives} {samples}",
    "sample": "sample",
    "samples": "samples",
    "no_name": "the missing person",
    "possessive": "{name}'s",
    "and": "and",
    "about": "about {number}",
    "beyond": "more than a billion billion",
    "more_than_percent": "more than {percent}",
    "less_than_percent": "less than {percent}",
    "percent": "{number} %",
    # scale words after the mantissa
    "thousand": "{number} thousand",
    "million": "{number} million",
    "billion": "{number} billion",
    "thousand_billion": "{number} thousand billion",
    "million_billion": "{number} million billion",
    # ENFSI support levels
    "weak": "weak",
    "moderate": "moderate",
    "moderately_strong": "moderately strong",
    "strong": "strong",
    "very_strong": "very strong",
    "extremely_strong": "extremely strong",
    # her, his, their
    "her": "her",
    "his": "his",
    "their": "their",
}

# Relations: (one, several); possessives are made by the rule in ``_possessive``.
ENGLISH_RELATIONS: dict[Relation, tuple[str, str]] = {
    Relation.MOTHER: ("mother", "mothers"),
    Relation.FATHER: ("father", "fathers"),
    Relation.PARENT: ("parent", "parents"),
    Relation.SISTER: ("sister", "sisters"),
    Relation.BROTHER: ("brother", "brothers"),
    Relation.SIBLING: ("sibling", "siblings"),
    Relation.DAUGHTER: ("daughter", "daughters"),
    Relation.SON: ("son", "sons"),
    Relation.CHILD: ("child", "children"),
    Relation.HALF_SISTER: ("half-sister", "half-sisters"),
    Relation.HALF_BROTHER: ("half-brother", "half-brothers"),
    Relation.HALF_SIBLING: ("half-sibling", "half-siblings"),
    Relation.GRANDMOTHER: ("grandmother", "grandmothers"),
    Relation.GRANDFATHER: ("grandfather", "grandfathers"),
    Relation.GRANDPARENT: ("grandparent", "grandparents"),
    Relation.GRANDDAUGHTER: ("granddaughter", "granddaughters"),
    Relation.GRANDSON: ("grandson", "grandsons"),
    Relation.GRANDCHILD: ("grandchild", "grandchildren"),
    Relation.AUNT: ("aunt", "aunts"),
    Relation.UNCLE: ("uncle", "uncles"),
    Relation.NIECE: ("niece", "nieces"),
    Relation.NEPHEW: ("nephew", "nephews"),
    Relation.COUSIN: ("cousin", "cousins"),
    Relation.WIFE: ("wife", "wives"),
    Relation.HUSBAND: ("husband", "husbands"),
    Relation.PARTNER: ("partner", "partners"),
    Relation.RELATIVE: ("relative", "relatives"),
}
ENGLISH_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


def _possessive(noun: str, plural: bool) -> str:
    return noun + ("'" if plural and noun.endswith("s") else "'s")


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {ENGLISH['and']} {parts[-1]}"


def _number(rounded: RoundedNumber) -> str:
    if rounded.scale is Scale.BEYOND:
        return ENGLISH["beyond"]
    mantissa = f"{rounded.mantissa:,.2f}".rstrip("0").rstrip(".")
    if rounded.scale is Scale.ONE:
        return ENGLISH["about"].format(number=mantissa)
    return ENGLISH["about"].format(number=ENGLISH[rounded.scale.value].format(number=mantissa))


def _percent(probability: float, doubt: float) -> str:
    if doubt < 1e-4:
        return ENGLISH["more_than_percent"].format(
            percent=ENGLISH["percent"].format(number="99.99")
        )
    if probability < 1e-4:
        return ENGLISH["less_than_percent"].format(percent=ENGLISH["percent"].format(number="0.01"))
    text = f"{probability * 100:.2f}".rstrip("0").rstrip(".")
    return ENGLISH["percent"].format(number=text)


def english(reading: Reading) -> str:
    """The reading as English sentences, built only from ``ENGLISH`` and
    ``ENGLISH_RELATIONS``.

    Example:
        >>> print(english(read_likelihood_ratio(-1.3, ["father"], sex="M")))
        The DNA is about 20 times less likely if these remains are the missing person's, given \
his father's sample, than if they are of someone unrelated: it speaks against these remains \
being the missing person's. On the ENFSI verbal scale this is moderate support for these \
remains being someone else's.
    """
    whose = ENGLISH["possessive"].format(name=reading.missing_person or ENGLISH["no_name"])
    given = ""
    if reading.relatives:
        parts = []
        for entry in reading.relatives:
            one, several = ENGLISH_RELATIONS[entry.relation]
            if entry.count == 1:
                parts.append(_possessive(one, plural=False))
            else:
                count = ENGLISH_COUNTS.get(entry.count, str(entry.count))
                parts.append(f"{count} {_possessive(several, plural=True)}")
        total = sum(entry.count for entry in reading.relatives)
        given = ENGLISH["given"].format(
            pronoun=ENGLISH[reading.pronoun.value],
            relatives=_join(parts),
            samples=ENGLISH["sample" if total == 1 else "samples"],
        )
    sentences = [
        ENGLISH[reading.kind.value].format(
            times=_number(reading.times) if reading.times is not None else "",
            whose=whose,
            given=given,
        )
    ]
    if reading.kind in (ReadingKind.MORE_LIKELY, ReadingKind.LESS_LIKELY):
        key = "support_for" if reading.kind is ReadingKind.MORE_LIKELY else "support_against"
        sentences.append(ENGLISH[key].format(support=ENGLISH[reading.support.value], whose=whose))
    if reading.posterior is not None and reading.doubt is not None:
        posterior = _percent(reading.posterior, reading.doubt)
        if reading.open_missing is not None:
            sentences.append(
                ENGLISH["posterior_count"].format(
                    open_missing=f"{reading.open_missing:,}", whose=whose, posterior=posterior
                )
            )
        else:
            sentences.append(
                ENGLISH["posterior_prior"].format(
                    prior=f"{reading.prior:.3g}", whose=whose, posterior=posterior
                )
            )
    return " ".join(sentences)
