"""Quick measurement of the DNA-led search: build, all-against-all, and the incremental cases.

Simple random families (the usual shapes, one to three typed relatives, 23 loci of the shipped
FBI SW Hispanic table, Mendelian transmission without mutation), half of the remains profiles
those of a family's missing person and half unrelated. Prints the times, the peak memory and,
as a sanity check, the share of true pairs found at rank 1. Not a test: run it by hand,

    PYTHONPATH=. .venv/bin/python bench/kinship_search_bench.py --families 20000 --remains 5000

(the realistic simulation with mutation and lost loci is bench/kinship_simulation.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np

from matching.kinship import (
    Family,
    KinshipSearch,
    KinshipSettings,
    PopulationFrequencies,
    Profile,
    Relationship,
    load_frequencies,
    standard_pedigree,
)
from matching.kinship.pedigree import Pedigree

SHAPES = [
    Relationship.MOTHER,
    Relationship.FATHER,
    Relationship.BOTH_PARENTS,
    Relationship.FULL_SIBLING,
    Relationship.TWO_SIBLINGS,
    Relationship.HALF_SIBLING,
    Relationship.CHILD,
    Relationship.CHILD_AND_PARTNER,
    Relationship.GRANDPARENTS,
    Relationship.AUNT_UNCLE,
    Relationship.MOTHER_AND_SIBLING,
]


class Simulator:
    """Genotypes of whole pedigrees drawn from one population's frequencies."""

    def __init__(self, population: PopulationFrequencies, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.loci = sorted(population.loci)
        self.alleles = {locus: list(population.loci[locus].alleles) for locus in self.loci}
        self.weights = {
            locus: np.array(list(population.loci[locus].alleles.values())) for locus in self.loci
        }
        self.pool: dict[str, list[str]] = {locus: [] for locus in self.loci}

    def founder_alleles(self, locus: str) -> tuple[str, str]:
        pool = self.pool[locus]
        if len(pool) < 2:  # draw in bulk: one call per 100,000 alleles, not per allele
            drawn = self.rng.choice(len(self.alleles[locus]), size=100_000, p=self.weights[locus])
            pool.extend(self.alleles[locus][i] for i in drawn)
        return pool.pop(), pool.pop()

    def pedigree(self, pedigree: Pedigree) -> dict[str, dict[str, tuple[str, str]]]:
        genotypes: dict[str, dict[str, tuple[str, str]]] = {}
        for person in pedigree.people:
            genotypes[person.id] = {}
            for locus in self.loci:
                if person.father is None or person.mother is None:
                    genotypes[person.id][locus] = self.founder_alleles(locus)
                else:
                    from_father = genotypes[person.father][locus][self.rng.integers(2)]
                    from_mother = genotypes[person.mother][locus][self.rng.integers(2)]
                    genotypes[person.id][locus] = (from_father, from_mother)
        return genotypes

    def unrelated(self) -> dict[str, tuple[str, str]]:
        return {locus: self.founder_alleles(locus) for locus in self.loci}


def simulate(
    simulator: Simulator, families: int, remains: int
) -> tuple[list[Family], list[Profile], dict[str, str]]:
    built: list[Family] = []
    profiles: list[Profile] = []
    truth: dict[str, str] = {}
    for number in range(families):
        pedigree, typed = standard_pedigree(SHAPES[number % len(SHAPES)])
        genotypes = simulator.pedigree(pedigree)
        family_id = f"F{number:05d}"
        references = {
            person: Profile.parse(f"{family_id}-{person}", genotypes[person]) for person in typed
        }
        built.append(Family(family_id, pedigree, references))
        if number < remains // 2:
            sample = f"PM-T{number:05d}"
            profiles.append(Profile.parse(sample, genotypes["missing"]))
            truth[sample] = family_id
    while len(profiles) < remains:
        profiles.append(Profile.parse(f"PM-U{len(profiles):05d}", simulator.unrelated()))
    return built, profiles, truth


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=20_000)
    parser.add_argument("--remains", type=int, default=5_000)
    parser.add_argument("--population", default="SW Hispanic")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--top", type=int, default=10)
    arguments = parser.parse_args()

    database = load_frequencies()
    population = database.population(arguments.population)
    simulator = Simulator(population, arguments.seed)
    started = time.perf_counter()
    families, remains, truth = simulate(simulator, arguments.families, arguments.remains)
    extra_family = families.pop()
    say(f"simulated {len(families)} families, {len(remains)} remains "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip

    settings = KinshipSettings(population=arguments.population)
    started, cpu = time.perf_counter(), time.process_time()
    search = KinshipSearch(database, settings, families, remains[:-1])
    built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    hits = search.hits(top=arguments.top, min_log10_lr=None)
    ranked, ranked_cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU time counts every thread; on a shared machine it is the fairer figure of the two.
    say(f"family tables built in {built:.1f} s (CPU {built_cpu:.1f} s); all remains x all "
          f"families in {ranked:.1f} s (CPU {ranked_cpu:.1f} s); total {built + ranked:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip

    started = time.perf_counter()
    search.add_remains([remains[-1]])
    one_remains = search.hits_for_remains(remains[-1].sample, top=arguments.top)
    new_remains = time.perf_counter() - started
    started = time.perf_counter()
    search.add_family(extra_family)
    one_family = search.hits_for_family(extra_family.id, top=arguments.top)
    new_family = time.perf_counter() - started
    say(f"one new remains vs {len(families) + 1} families: {new_remains * 1000:.0f} ms "
          f"({len(one_remains)} hits)")  # fmt: skip
    say(f"one new family vs {len(remains)} remains: {new_family * 1000:.0f} ms "
          f"({len(one_family)} hits)")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(f"peak memory {peak:.0f} MB")

    best = {hit.remains: hit.family for hit in hits if hit.rank == 1}
    found = sum(best.get(sample) == family for sample, family in truth.items())
    say(f"true pairs at rank 1: {found}/{len(truth)} ({found / max(len(truth), 1):.1%})")


if __name__ == "__main__":
    main()
