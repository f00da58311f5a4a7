"""Mutation matrices: the probability that a parent's allele is transmitted as each allele."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from matching.kinship.profiles import allele_value
from matching.kinship.settings import KinshipSettings, MutationModel


def mutation_matrix(
    alleles: Sequence[str], settings: KinshipSettings, female: bool = False
) -> NDArray[np.float64]:
    """Row ``i`` is the distribution of the transmitted allele when the parent's allele is ``i``.

    The rows sum to 1 over ``alleles`` (the computation's ladder): a mutation can only reach an
    allele of the ladder, so the rate is spread over those. An allele with nowhere to go keeps
    its whole row on itself.

    Example:
        >>> m = mutation_matrix(["9", "9.3", "10", "11"], KinshipSettings(mutation_rate=0.01))
        >>> m.round(6).tolist()[2]
        [0.00475, 0.0005, 0.99, 0.00475]
    """
    n = len(alleles)
    rate = settings.rate(female)
    matrix = np.eye(n)
    if n < 2 or rate == 0.0 or settings.mutation_model == MutationModel.NONE:
        return matrix
    if settings.mutation_model == MutationModel.EQUAL:
        matrix = np.full((n, n), rate / (n - 1))
        np.fill_diagonal(matrix, 1.0 - rate)
        return matrix
    values = [allele_value(a) for a in alleles]
    for i, x in enumerate(values):
        whole: list[tuple[int, float]] = []
        fractional: list[int] = []
        for j, y in enumerate(values):
            if i == j:
                continue
            step = abs(y - x)
            if step == step.to_integral_value():
                whole.append((j, settings.stepwise_range ** (int(step) - 1)))
            else:
                fractional.append(j)
        share = (
            settings.microvariant_share if whole and fractional else (1.0 if fractional else 0.0)
        )
        matrix[i, i] = 1.0 - rate if whole or fractional else 1.0
        if whole:
            total = sum(weight for _, weight in whole)
            for j, weight in whole:
                matrix[i, j] = rate * (1.0 - share) * weight / total
        for j in fractional:
            matrix[i, j] = rate * share / len(fractional)
    return matrix
