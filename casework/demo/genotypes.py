"""Simulated STR genotypes of a family for the demo world and the tests: founders drawn from a
population's allele frequencies, children given one allele of each parent (Mendel), an
occasional one-step mutation, and partial profiles of degraded remains."""

from __future__ import annotations

import random
from collections.abc import Sequence

from matching.kinship import PopulationFrequencies

Genotypes = dict[str, tuple[str, str]]


def founder(rng: random.Random, table: PopulationFrequencies, loci: Sequence[str]) -> Genotypes:
    """An unrelated person: two alleles per locus drawn by frequency."""
    typed: Genotypes = {}
    for locus in loci:
        alleles = table.locus(locus).alleles
        names, weights = list(alleles), list(alleles.values())
        pair = rng.choices(names, weights, k=2)
        typed[locus] = (
            (pair[0], pair[1]) if float(pair[0]) <= float(pair[1]) else (pair[1], pair[0])
        )
    return typed


def child(
    rng: random.Random, father: Genotypes, mother: Genotypes, mutation_rate: float = 0.0
) -> Genotypes:
    """A child of these parents: one allele from each, now and then one repeat off."""
    typed: Genotypes = {}
    for locus in father:
        alleles = [rng.choice(father[locus]), rng.choice(mother[locus])]
        if mutation_rate and rng.random() < mutation_rate:
            step = float(alleles[0]) + rng.choice((-1, 1))
            alleles[0] = f"{step:g}" if step > 1 else alleles[0]
        first, second = sorted(alleles, key=float)
        typed[locus] = (first, second)
    return typed


def partial(rng: random.Random, typed: Genotypes, keep: float) -> Genotypes:
    """A degraded sample: each locus typed with probability `keep` (at least one)."""
    kept = {locus: pair for locus, pair in typed.items() if rng.random() < keep}
    return kept or dict(list(typed.items())[:1])


def long_csv(profiles: dict[str, Genotypes]) -> str:
    """The long CSV of `casework kinship`: sample, locus, allele1, allele2."""
    lines = ["sample,locus,allele1,allele2"]
    for barcode, typed in profiles.items():
        for locus, (first, second) in sorted(typed.items()):
            lines.append(f"{barcode},{locus},{first},{second}")
    return "\n".join(lines) + "\n"
