"""The DNA share of the matching benchmark's synthetic world: some families give reference
samples, some remains yield a profile, and the kinship search's results become DNA evidence on
the remains records, as the casework would store them.

A family that gives references is simulated whole by bench/kinship_simulation.py (a random
kind: parents, siblings, a child, grandparents...), its missing person's genotype standing for
the missing person of the world; the remains of that person carry that genotype, the remains of
anyone else (unreported, or whose family gave no sample) an unrelated one; each remains profile
loses 0-40 % of its loci. Every remains profile is searched against every family; its best ten
families become its DNA evidence (pairs outside them stay without DNA, which is neutral).

Its random numbers are its own (the seed plus 1,000): the world without DNA is the same as
before for a seed, so the benchmark's figures without DNA do not move.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

import numpy as np

from bench.kinship_simulation import (
    Member,
    allele_text,
    pedigree_rows,
    read_frequencies,
    reference_rows,
    simulate,
)
from matching import DnaEvidence, MissingRecord, RemainsRecord
from matching.kinship import KinshipSearch, KinshipSettings, Profile, load_frequencies
from matching.kinship.files import read_pedigrees, read_references

SEED_OFFSET = 1_000
TOP = 10
# The relative each typed member of a simulated family is to its missing person.
RELATIONS = {
    "father": "father",
    "mother": "mother",
    "sibling": "sibling",
    "sibling2": "sibling",
    "half_sibling": "half_sibling",
    "child": "child",
    "partner": "partner",
    "grandfather": "grandfather",
    "grandmother": "grandmother",
}


@dataclass(frozen=True)
class DnaShare:
    """The remains with their DNA evidence, and what the share holds."""

    remains: list[RemainsRecord]
    families: int  # missing persons whose family gave references
    profiles: int  # remains with a profile
    searchable: int  # remains with a profile whose missing person's family gave references
    searchable_refs: frozenset[str]


def _numbered(rows: Iterable[dict[str, str]]) -> Iterator[tuple[int, dict[str, str]]]:
    return ((number, row) for number, row in enumerate(rows, start=2))


def _relatives(members: Iterable[Member]) -> tuple[str, ...]:
    found = []
    for member in members:
        if member.typed and member.person == "aunt_uncle":
            found.append("aunt" if member.sex == "F" else "uncle")
        elif member.typed:
            found.append(RELATIONS[member.person])
    return tuple(found)


def add_dna(
    missing: list[MissingRecord],
    remains: list[RemainsRecord],
    truth: Mapping[str, str | None],
    seed: int,
    family_share: float = 0.5,
    profile_share: float = 0.6,
    population: str = "SW Hispanic",
    max_loss: float = 0.4,
) -> DnaShare:
    """Give a share of the families references and a share of the remains profiles, search
    them all, and put each remains' best families on its record as DNA evidence."""
    rng = np.random.default_rng(seed + SEED_OFFSET)
    giving = [person.ref for person in missing if rng.random() < family_share]
    family_of = {ref: f"F{number + 1:06d}" for number, ref in enumerate(giving)}
    typed = [body for body in remains if rng.random() < profile_share]
    related = [body for body in typed if truth.get(body.ref) in family_of]
    table = read_frequencies(population)
    simulation = simulate(
        table,
        families=len(giving),
        found=len(giving),
        unrelated=len(typed) - len(related),
        mutation_rate=0.002,
        max_loss=max_loss,
        seed=seed + SEED_OFFSET,
    )
    # the simulation's remains: one per family (its missing person), then the unrelated ones
    own = {r.family: r for r in simulation.remains if r.family is not None}
    strangers = iter(r for r in simulation.remains if r.family is None)
    profiles = []
    for body in typed:
        family = family_of.get(truth.get(body.ref) or "")
        source = own[family] if family is not None else next(strangers)
        genotypes = {
            locus: tuple(allele_text(allele) for allele in alleles)
            for locus, alleles, on in zip(table.loci, source.genotype, source.typed, strict=True)
            if on
        }
        profiles.append(Profile.parse(body.ref, genotypes))
    database = load_frequencies()
    loci = set(database.population(population).loci)
    pedigrees, first, problems = read_pedigrees(_numbered(pedigree_rows(simulation)))
    families, more = read_references(
        _numbered(reference_rows(simulation)), pedigrees, first, loci, population
    )
    if problems or more:
        raise RuntimeError(f"the kinship simulation wrote rows the reader refuses: {problems}")
    search = KinshipSearch(database, KinshipSettings(population=population), families, profiles)
    missing_of = {family: ref for ref, family in family_of.items()}
    relatives = {f.family: _relatives(f.members) for f in simulation.families}
    evidence: dict[str, list[DnaEvidence]] = {}
    for hit in search.hits(top=TOP, min_log10_lr=None, min_loci=1):
        evidence.setdefault(hit.remains, []).append(
            DnaEvidence(
                missing_of[hit.family], hit.remains, hit.log10_lr, hit.loci, relatives[hit.family]
            )
        )
    with_dna = [
        replace(body, dna=tuple(evidence[body.ref])) if body.ref in evidence else body
        for body in remains
    ]
    return DnaShare(
        with_dna,
        families=len(giving),
        profiles=len(typed),
        searchable=len(related),
        searchable_refs=frozenset(body.ref for body in related),
    )
