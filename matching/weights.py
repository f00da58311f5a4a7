"""Fellegi–Sunter weights: for each criterion level, m = P(level | same person) and
u = P(level | different people); the level adds log2(m/u) to the score.

A criterion that cannot be compared (a value missing on either side) adds nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.errors import WeightsError

#: criterion -> its levels, best first; level 0 of every criterion is "not compared"
CRITERIA: dict[str, tuple[str, ...]] = {
    "names": ("full", "given_and_surname", "surname_only", "given_only", "disagree"),
    "name_near": ("close", "near", "none"),
    "encoded_names": ("strong", "partial", "disagree"),
    "sex": ("agree", "disagree"),
    "age": ("central", "within", "near", "far"),
    "stature": ("central", "within", "near", "far"),
    "interval": (
        "week",
        "fortnight",
        "month",
        "six_weeks",
        "two_months",
        "three_months",
        "six_months",
        "year",
        "two_years",
        "later",
    ),
    "pmi": (
        "at_estimate",
        "within_week",
        "within_fortnight",
        "within_month",
        "within_two_months",
        "within_four_months",
        "after_estimate",
        "later",
        "borderline",
        "inconsistent",
    ),
    "distance": (
        "km2",
        "km5",
        "km10",
        "km15",
        "km25",
        "km40",
        "km60",
        "km100",
        "km150",
        "km250",
        "km400",
        "km1000",
        "beyond",
    ),
    "marks": ("detailed", "kind_and_place", "kind_only", "disagree"),
    "effects": ("several", "one", "none"),
    "dental": (
        "specific_many",
        "specific_one",
        "compatible",
        "inconsistent_one",
        "inconsistent_many",
    ),
}

#: documented defaults (docs/matching.md): (m, u) per level
DEFAULT_PROBABILITIES: dict[str, dict[str, tuple[float, float]]] = {
    "names": {
        "full": (0.50, 0.00002),
        "given_and_surname": (0.25, 0.0002),
        "surname_only": (0.12, 0.005),
        "given_only": (0.08, 0.02),
        "disagree": (0.05, 0.97478),
    },
    # measured on FEBRL3 (its 3,000 true pairs and 40,000 random pairs with a document name
    # that agrees with no reported name), never on FEBRL4, the benchmark
    "name_near": {
        "close": (0.278, 0.013),
        "near": (0.034, 0.058),
        "none": (0.688, 0.929),
    },
    "encoded_names": {
        "strong": (0.70, 0.0005),
        "partial": (0.20, 0.02),
        "disagree": (0.10, 0.9795),
    },
    "sex": {"agree": (0.95, 0.68), "disagree": (0.05, 0.32)},
    "age": {
        "central": (0.60, 0.15),
        "within": (0.28, 0.20),
        "near": (0.10, 0.25),
        "far": (0.02, 0.40),
    },
    "stature": {
        "central": (0.50, 0.17),
        "within": (0.30, 0.18),
        "near": (0.17, 0.30),
        "far": (0.03, 0.35),
    },
    "interval": {
        "week": (0.10, 0.004),
        "fortnight": (0.13, 0.004),
        "month": (0.20, 0.008),
        "six_weeks": (0.15, 0.008),
        "two_months": (0.13, 0.009),
        "three_months": (0.11, 0.017),
        "six_months": (0.08, 0.05),
        "year": (0.05, 0.10),
        "two_years": (0.03, 0.20),
        "later": (0.02, 0.60),
    },
    "pmi": {
        "at_estimate": (0.30, 0.002),
        "within_week": (0.17, 0.0011),
        "within_fortnight": (0.17, 0.002),
        "within_month": (0.15, 0.004),
        "within_two_months": (0.09, 0.008),
        "within_four_months": (0.04, 0.016),
        "after_estimate": (0.03, 0.012),
        "later": (0.03, 0.45),
        "borderline": (0.015, 0.004),
        "inconsistent": (0.005, 0.5009),
    },
    "distance": {
        "km2": (0.12, 0.01),
        "km5": (0.14, 0.015),
        "km10": (0.15, 0.02),
        "km15": (0.10, 0.015),
        "km25": (0.12, 0.025),
        "km40": (0.10, 0.025),
        "km60": (0.07, 0.02),
        "km100": (0.06, 0.03),
        "km150": (0.04, 0.02),
        "km250": (0.03, 0.04),
        "km400": (0.03, 0.05),
        "km1000": (0.025, 0.12),
        "beyond": (0.015, 0.61),
    },
    "marks": {
        "detailed": (0.30, 0.001),
        "kind_and_place": (0.30, 0.02),
        "kind_only": (0.20, 0.15),
        "disagree": (0.20, 0.829),
    },
    "effects": {"several": (0.30, 0.02), "one": (0.35, 0.15), "none": (0.35, 0.83)},
    "dental": {
        "specific_many": (0.50, 0.0005),
        "specific_one": (0.20, 0.02),
        "compatible": (0.25, 0.25),
        "inconsistent_one": (0.04, 0.20),
        "inconsistent_many": (0.01, 0.5295),
    },
}

#: criteria added after weights files were first saved: a file without them takes their
#: defaults (any other criterion missing makes the file refused)
_ADDED_LATER = ("name_near",)

#: default prior probability that a random (missing, remains) pair is the same person
DEFAULT_PRIOR = 5e-7


@dataclass(frozen=True)
class Weights:
    """m and u probabilities per criterion level, and the prior match probability.

    Attributes:
        prior: probability that a (missing, remains) pair picked at random is the same person.
        probabilities: criterion -> level -> (m, u).
    """

    prior: float
    probabilities: Mapping[str, Mapping[str, tuple[float, float]]]

    def __post_init__(self) -> None:
        if not 0.0 < self.prior < 1.0:
            raise WeightsError(f"prior must lie strictly between 0 and 1, not {self.prior}")
        for criterion, levels in CRITERIA.items():
            given = self.probabilities.get(criterion)
            if given is None:
                raise WeightsError(f"no probabilities for criterion {criterion!r}")
            for level in levels:
                if level not in given:
                    raise WeightsError(f"no probabilities for {criterion} level {level!r}")
                m, u = given[level]
                if not (0.0 < m <= 1.0 and 0.0 < u <= 1.0):
                    raise WeightsError(f"{criterion} {level}: m and u must lie in (0, 1]")

    def weight(self, criterion: str, level: str) -> float:
        """log2(m/u) of one level: what it adds to the score.

        Example:
            >>> round(default_weights().weight("sex", "disagree"), 2)
            -2.68
        """
        m, u = self.probabilities[criterion][level]
        return math.log2(m / u)

    def table(self, criterion: str) -> npt.NDArray[np.float64]:
        """Weights of a criterion's levels in ``CRITERIA`` order, with 0.0 first for "not compared".

        Example:
            >>> default_weights().table("sex").round(2).tolist()
            [0.0, 0.48, -2.68]
        """
        return np.array(
            [0.0] + [self.weight(criterion, level) for level in CRITERIA[criterion]],
            dtype=np.float64,
        )

    @property
    def prior_log_odds(self) -> float:
        """log2 of the prior odds of a match."""
        return math.log2(self.prior / (1.0 - self.prior))

    def to_json(self) -> str:
        """Serialise to JSON text.

        Example:
            >>> Weights.from_json(default_weights().to_json()) == default_weights()
            True
        """
        body = {
            "prior": self.prior,
            "criteria": {
                criterion: {level: {"m": m, "u": u} for level, (m, u) in levels.items()}
                for criterion, levels in self.probabilities.items()
            },
        }
        return json.dumps(body, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Weights:
        """Read weights written by ``to_json``.

        Raises:
            WeightsError: the text is not JSON of the expected shape or values.
        """
        try:
            body = json.loads(text)
            criteria = {
                str(criterion): {
                    str(level): (float(pair["m"]), float(pair["u"]))
                    for level, pair in levels.items()
                }
                for criterion, levels in body["criteria"].items()
            }
            prior = float(body["prior"])
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise WeightsError(f"not a weights file: {error}") from error
        for criterion in _ADDED_LATER:
            # saved before the criterion was added: its defaults serve
            criteria.setdefault(criterion, dict(DEFAULT_PROBABILITIES[criterion]))
        for criterion, levels in criteria.items():
            current = CRITERIA.get(criterion)
            if current is None:
                continue
            if any(level not in current for level in levels):
                # saved under an older set of levels (interval, PMI and distance before they
                # were refined): those m and u mean nothing on the new levels, the defaults serve
                criteria[criterion] = dict(DEFAULT_PROBABILITIES[criterion])
                continue
            # saved before a level was added (age and stature "central"): that level takes
            # its default m and u, the saved levels keep theirs
            for level in current:
                if level not in levels:
                    levels[level] = DEFAULT_PROBABILITIES[criterion][level]
        return cls(prior=prior, probabilities=criteria)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Weights):
            return NotImplemented
        return self.prior == other.prior and {
            c: dict(levels) for c, levels in self.probabilities.items()
        } == {c: dict(levels) for c, levels in other.probabilities.items()}

    __hash__ = None  # type: ignore[assignment]


def default_weights() -> Weights:
    """The documented default weights (see docs/matching.md).

    Example:
        >>> default_weights().weight("names", "full") > 10
        True
    """
    return Weights(
        prior=DEFAULT_PRIOR,
        probabilities={c: dict(levels) for c, levels in DEFAULT_PROBABILITIES.items()},
    )
