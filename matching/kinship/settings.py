"""Settings of a kinship computation: population, theta, mutation model and minimum frequency."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from matching.kinship.errors import SettingsError


class MutationModel(StrEnum):
    """How an allele may change between a parent and a child.

    ``NONE``: never (any inconsistency excludes). ``EQUAL``: to any other allele of the locus
    with equal probability. ``STEPWISE``: mostly by whole repeats, the probability falling by
    ``stepwise_range`` per extra step; a share ``microvariant_share`` of mutations changes the
    fractional part (9.3 <-> 10) and is spread equally over the alleles that do so.
    """

    NONE = "none"
    EQUAL = "equal"
    STEPWISE = "stepwise"


@dataclass(frozen=True, slots=True)
class KinshipSettings:
    """The rules of a kinship computation; the defaults are those of the casework.

    Attributes:
        population: frequency database used for founders (case-insensitive name).
        theta: subpopulation correction (coancestry, F_ST), Balding-Nichols; 0 = none.
        mutation_model: see :class:`MutationModel`.
        mutation_rate: probability per meiosis that the transmitted allele mutates; the same
            for fathers and mothers unless ``female_mutation_rate`` is given.
        female_mutation_rate: per-meiosis rate of mothers, or None for ``mutation_rate``.
        stepwise_range: ratio of the probabilities of an (n+1)-step and an n-step mutation.
        microvariant_share: share of mutations that change the fractional part of an allele.
        minimum_frequency: frequency of an allele absent from a table without sample size.
    """

    population: str = "SW Hispanic"
    theta: float = 0.0
    mutation_model: MutationModel = MutationModel.STEPWISE
    mutation_rate: float = 0.002
    female_mutation_rate: float | None = None
    stepwise_range: float = 0.1
    microvariant_share: float = 0.05
    minimum_frequency: float = 0.001

    def __post_init__(self) -> None:
        checks = [
            ("theta", self.theta, 0.0, 0.5),
            ("mutation_rate", self.mutation_rate, 0.0, 0.5),
            ("female_mutation_rate", self.female_mutation_rate or 0.0, 0.0, 0.5),
            ("stepwise_range", self.stepwise_range, 0.0, 1.0),
            ("microvariant_share", self.microvariant_share, 0.0, 1.0),
            ("minimum_frequency", self.minimum_frequency, 1e-9, 0.5),
        ]
        for name, value, low, high in checks:
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise SettingsError(f"{name} must be a number, not {value!r}.")
            if not low <= value <= high:
                raise SettingsError(f"{name} must be between {low} and {high}, not {value}.")
        if self.stepwise_range >= 1.0:
            raise SettingsError("stepwise_range must be below 1.")
        try:
            MutationModel(self.mutation_model)
        except ValueError:
            known = ", ".join(model.value for model in MutationModel)
            raise SettingsError(
                f"Unknown mutation model {self.mutation_model!r}; known: {known}."
            ) from None

    def rate(self, female: bool) -> float:
        """The per-meiosis mutation rate of a father (False) or a mother (True)."""
        if female and self.female_mutation_rate is not None:
            return self.female_mutation_rate
        return self.mutation_rate
