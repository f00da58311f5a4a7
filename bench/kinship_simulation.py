"""Simulated families with known truth for the kinship benchmark: pedigrees of the shapes families
give, Mendelian transmission with stepwise mutation, degraded remains profiles and unrelated
remains, written as the files of ``casework kinship`` plus a truth file.

Run: .venv/bin/python bench/kinship_simulation.py OUT_DIR [--families 200 --found 100
     --unrelated 100 --population "SW Hispanic" --mutation-rate 0.002 --max-loss 0.4 --seed 1]
Writes OUT_DIR/pedigrees.csv, references.csv, unidentified.csv and truth.csv.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent

# The 20 expanded CODIS core loci with Penta D, Penta E and SE33: the 23 loci of the FBI 2015
# tables, typed in every population of both shipped databases.
EXPANDED_CODIS: tuple[str, ...] = (
    "CSF1PO",
    "D10S1248",
    "D12S391",
    "D13S317",
    "D16S539",
    "D18S51",
    "D19S433",
    "D1S1656",
    "D21S11",
    "D22S1045",
    "D2S1338",
    "D2S441",
    "D3S1358",
    "D5S818",
    "D7S820",
    "D8S1179",
    "FGA",
    "Penta D",
    "Penta E",
    "SE33",
    "TH01",
    "TPOX",
    "vWA",
)

PEDIGREE_FIELDS = ("family", "person", "father", "mother", "sex", "missing")
REFERENCE_FIELDS = ("family", "sample", "locus", "allele1", "allele2")
UNIDENTIFIED_FIELDS = ("sample", "locus", "allele1", "allele2")
TRUTH_FIELDS = ("sample", "family", "kind", "lost_loci")

Alleles = npt.NDArray[np.int32]  # repeat numbers in tenths (9.3 -> 93)


class SimulationError(ValueError):
    """A setting of the simulation or a frequency file cannot be used."""


def default_frequency_dir() -> Path:
    """The package copy of the frequency tables if there is one, else the shared folder."""
    packaged = ROOT / "matching" / "kinship" / "data"
    if packaged.is_dir() and any(packaged.glob("*.csv")):
        return packaged
    return ROOT.parent / "shared" / "data" / "str-frequencies"


# ---------------------------------------------------------------------------------------------
# Allele frequencies


@dataclass(frozen=True)
class AlleleFrequencies:
    """One population's alleles per locus, in tenths of a repeat, with frequencies summing to 1
    (the norSTR tables raise rare alleles to 0.001 and so sum to a little over 1)."""

    population: str
    loci: tuple[str, ...]
    alleles: tuple[Alleles, ...]
    frequencies: tuple[npt.NDArray[np.float64], ...]


def _tenths(text: str) -> int:
    try:
        value = Decimal(text.strip()) * 10
    except InvalidOperation:
        raise SimulationError(f"{text!r} is not an allele (a repeat number)") from None
    if value != value.to_integral_value() or value <= 0:
        raise SimulationError(f"{text!r} is not an allele (a repeat number)")
    return int(value)


def read_frequencies(
    population: str,
    directory: Path | None = None,
    loci: Sequence[str] | None = EXPANDED_CODIS,
) -> AlleleFrequencies:
    """Read one population from the ``population, locus, allele, frequency`` CSV files of a
    folder (``loci=None``: every locus the population has).

    Raises:
        SimulationError: no CSV in the folder, an unknown population or locus, a bad row.
    """
    directory = directory or default_frequency_dir()
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise SimulationError(f"No frequency file (*.csv) in {directory}.")
    table: dict[str, dict[int, float]] = {}
    seen: set[str] = set()
    for path in files:
        with path.open(newline="", encoding="utf-8") as handle:
            for row_number, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    name, locus = row["population"].strip(), row["locus"].strip()
                    seen.add(name)
                    if name != population:
                        continue
                    frequency = float(row["frequency"])
                    allele = _tenths(row["allele"])
                except (KeyError, AttributeError, ValueError) as error:
                    raise SimulationError(f"{path.name}, row {row_number}: {error}") from None
                if not 0.0 < frequency <= 1.0:
                    raise SimulationError(
                        f"{path.name}, row {row_number}: frequency {frequency} not in (0, 1]"
                    )
                locus_table = table.setdefault(locus, {})
                locus_table[allele] = locus_table.get(allele, 0.0) + frequency
    if not table:
        raise SimulationError(
            f"No population {population!r} in {directory}; there are: {', '.join(sorted(seen))}."
        )
    wanted = tuple(sorted(table)) if loci is None else tuple(loci)
    absent = [locus for locus in wanted if locus not in table]
    if absent:
        raise SimulationError(f"Population {population!r} has no frequencies for {absent}.")
    alleles, frequencies = [], []
    for locus in wanted:
        values = sorted(table[locus])
        alleles.append(np.array(values, dtype=np.int32))
        weights = np.array([table[locus][v] for v in values], dtype=np.float64)
        frequencies.append(weights / weights.sum())
    return AlleleFrequencies(population, wanted, tuple(alleles), tuple(frequencies))


def allele_text(tenths: int) -> str:
    whole, part = divmod(int(tenths), 10)
    return f"{whole}.{part}" if part else str(whole)


# ---------------------------------------------------------------------------------------------
# Family shapes


@dataclass(frozen=True)
class Member:
    """A person of a family shape. ``sex`` is "M", "F" or "" (drawn per family)."""

    person: str
    father: str = ""
    mother: str = ""
    sex: str = ""
    typed: bool = False
    missing: bool = False


def _m(
    person: str, father: str = "", mother: str = "", sex: str = "", typed: bool = False
) -> Member:
    return Member(person, father, mother, sex, typed)


MISSING = Member("missing", "father", "mother", missing=True)
PARENTS = (_m("father", sex="M"), _m("mother", sex="F"))


def _with_parents(*typed: str) -> tuple[Member, ...]:
    return tuple(Member(p.person, sex=p.sex, typed=p.person in typed) for p in PARENTS)


# Each kind has one or more variants (mother or father typed, paternal or maternal side...),
# drawn with equal chance. Founders come first, then children after their parents.
SHAPES: dict[str, tuple[tuple[Member, ...], ...]] = {
    "one_parent": (
        (*_with_parents("mother"), MISSING),
        (*_with_parents("father"), MISSING),
    ),
    "both_parents": ((*_with_parents("father", "mother"), MISSING),),
    "one_sibling": ((*_with_parents(), MISSING, _m("sibling", "father", "mother", typed=True)),),
    "two_siblings": (
        (
            *_with_parents(),
            MISSING,
            _m("sibling", "father", "mother", typed=True),
            _m("sibling2", "father", "mother", typed=True),
        ),
    ),
    "parent_sibling": (
        (*_with_parents("mother"), MISSING, _m("sibling", "father", "mother", typed=True)),
        (*_with_parents("father"), MISSING, _m("sibling", "father", "mother", typed=True)),
    ),
    "child": (
        (
            Member("missing", sex="M", missing=True),
            _m("partner", sex="F"),
            _m("child", "missing", "partner", typed=True),
        ),
        (
            Member("missing", sex="F", missing=True),
            _m("partner", sex="M"),
            _m("child", "partner", "missing", typed=True),
        ),
    ),
    "child_partner": (
        (
            Member("missing", sex="M", missing=True),
            _m("partner", sex="F", typed=True),
            _m("child", "missing", "partner", typed=True),
        ),
        (
            Member("missing", sex="F", missing=True),
            _m("partner", sex="M", typed=True),
            _m("child", "partner", "missing", typed=True),
        ),
    ),
    "half_sibling": (
        (
            *_with_parents(),
            _m("other_mother", sex="F"),
            MISSING,
            _m("half_sibling", "father", "other_mother", typed=True),
        ),
        (
            *_with_parents(),
            _m("other_father", sex="M"),
            MISSING,
            _m("half_sibling", "other_father", "mother", typed=True),
        ),
    ),
    "grandparents": (
        (
            _m("grandfather", sex="M", typed=True),
            _m("grandmother", sex="F", typed=True),
            _m("mother", sex="F"),
            _m("father", "grandfather", "grandmother", "M"),
            MISSING,
        ),
        (
            _m("grandfather", sex="M", typed=True),
            _m("grandmother", sex="F", typed=True),
            _m("father", sex="M"),
            _m("mother", "grandfather", "grandmother", "F"),
            MISSING,
        ),
    ),
    "aunt_uncle": (
        (
            _m("grandfather", sex="M"),
            _m("grandmother", sex="F"),
            _m("mother", sex="F"),
            _m("father", "grandfather", "grandmother", "M"),
            _m("aunt_uncle", "grandfather", "grandmother", typed=True),
            MISSING,
        ),
        (
            _m("grandfather", sex="M"),
            _m("grandmother", sex="F"),
            _m("father", sex="M"),
            _m("mother", "grandfather", "grandmother", "F"),
            _m("aunt_uncle", "grandfather", "grandmother", typed=True),
            MISSING,
        ),
    ),
}
KINDS: tuple[str, ...] = tuple(SHAPES)


# ---------------------------------------------------------------------------------------------
# Simulation


@dataclass(frozen=True)
class SimulatedFamily:
    """One family: who is who, everyone's genotype (the truth), and who gave a reference.

    ``genotypes`` has one row per member, in the order of ``members``: loci × 2 alleles in
    tenths, sorted within each locus.
    """

    family: str
    kind: str
    members: tuple[Member, ...]
    genotypes: Alleles

    def genotype(self, person: str) -> Alleles:
        index = next(i for i, m in enumerate(self.members) if m.person == person)
        genotype: Alleles = self.genotypes[index]
        return genotype


@dataclass(frozen=True)
class SimulatedRemains:
    """A remains profile: the loci still typed (``typed`` mask) and who it truly is."""

    sample: str
    family: str | None
    kind: str | None
    genotype: Alleles  # loci × 2, tenths
    typed: npt.NDArray[np.bool_]

    @property
    def lost_loci(self) -> int:
        return int((~self.typed).sum())


@dataclass(frozen=True)
class Simulation:
    frequencies: AlleleFrequencies
    families: tuple[SimulatedFamily, ...]
    remains: tuple[SimulatedRemains, ...]
    mutation_rate: float
    max_loss: float
    seed: int


def _founders(rng: np.random.Generator, table: AlleleFrequencies, count: int) -> Alleles:
    genotypes = np.empty((count, len(table.loci), 2), dtype=np.int32)
    for index, (alleles, frequencies) in enumerate(
        zip(table.alleles, table.frequencies, strict=True)
    ):
        cumulative = np.cumsum(frequencies)
        drawn = np.searchsorted(cumulative, rng.random((count, 2)) * cumulative[-1], side="right")
        genotypes[:, index, :] = alleles[np.minimum(drawn, len(alleles) - 1)]
    return genotypes


def _transmit(rng: np.random.Generator, parent: Alleles, mutation_rate: float) -> Alleles:
    """One allele per locus from each parent's pair, mutated one repeat up or down with the
    given chance per meiosis (the stepwise model)."""
    count, loci, _ = parent.shape
    pick = rng.integers(0, 2, size=(count, loci))
    allele = np.take_along_axis(parent, pick[:, :, None], axis=2)[:, :, 0].copy()
    mutated = rng.random((count, loci)) < mutation_rate
    step = np.where(rng.random((count, loci)) < 0.5, -10, 10).astype(np.int32)
    allele = np.where(mutated, allele + step, allele)
    # A repeat number cannot fall below 1: such a step goes up instead.
    return np.where(allele < 10, allele + 20, allele).astype(np.int32)


def _simulate_shape(
    rng: np.random.Generator,
    table: AlleleFrequencies,
    members: tuple[Member, ...],
    count: int,
    mutation_rate: float,
) -> Alleles:
    """Genotypes of ``count`` families of one shape: families × members × loci × 2."""
    result = np.empty((count, len(members), len(table.loci), 2), dtype=np.int32)
    index = {member.person: i for i, member in enumerate(members)}
    for i, member in enumerate(members):
        if not member.father:
            result[:, i] = _founders(rng, table, count)
            continue
        from_father = _transmit(rng, result[:, index[member.father]], mutation_rate)
        from_mother = _transmit(rng, result[:, index[member.mother]], mutation_rate)
        result[:, i, :, 0] = from_father
        result[:, i, :, 1] = from_mother
    result.sort(axis=3)
    return result


def _with_sexes(rng: np.random.Generator, members: tuple[Member, ...]) -> tuple[Member, ...]:
    return tuple(
        member
        if member.sex
        else Member(
            member.person,
            member.father,
            member.mother,
            "M" if rng.random() < 0.5 else "F",
            member.typed,
            member.missing,
        )
        for member in members
    )


def _lose_loci(rng: np.random.Generator, loci: int, max_loss: float) -> npt.NDArray[np.bool_]:
    typed = np.ones(loci, dtype=np.bool_)
    lost = int(rng.integers(0, int(np.floor(max_loss * loci + 1e-9)) + 1))
    typed[rng.choice(loci, size=lost, replace=False)] = False
    return typed


def simulate(
    frequencies: AlleleFrequencies,
    *,
    families: int,
    found: int | None = None,
    unrelated: int = 0,
    kinds: Sequence[str] = KINDS,
    mutation_rate: float = 0.002,
    max_loss: float = 0.4,
    seed: int = 1,
) -> Simulation:
    """Simulate families (kinds in equal shares, in random order), the remains of ``found`` of
    their missing persons (default: all) and ``unrelated`` remains of people nobody reported.

    Each remains profile loses a whole number of loci drawn evenly from 0 to ``max_loss`` of
    them (0–40 % by default: partial profiles from bone are the rule). References are complete.
    Remains samples are numbered in random order, so the number says nothing of the truth.

    Example:
        >>> table = read_frequencies("SW Hispanic")
        >>> sim = simulate(table, families=20, found=10, unrelated=5, seed=7)
        >>> len(sim.families), len(sim.remains), sim.families[0].genotypes.shape[1:]
        (20, 15, (23, 2))
    """
    unknown = [kind for kind in kinds if kind not in SHAPES]
    if unknown or not kinds:
        raise SimulationError(f"Unknown family kinds {unknown}; known: {', '.join(KINDS)}.")
    found = families if found is None else found
    if families < 0 or unrelated < 0 or not 0 <= found <= families:
        raise SimulationError(
            "Counts must be 0 or more, with no more remains found than families "
            f"(families={families}, found={found}, unrelated={unrelated})."
        )
    if not 0.0 <= mutation_rate <= 1.0:
        raise SimulationError(f"The mutation rate must be in [0, 1], not {mutation_rate}.")
    if not 0.0 <= max_loss < 1.0:
        raise SimulationError(f"The share of loci lost must be in [0, 1), not {max_loss}.")
    rng = np.random.default_rng(seed)
    assigned = [kinds[i % len(kinds)] for i in range(families)]
    order = rng.permutation(families)
    assigned = [assigned[i] for i in order]
    variants = {kind: rng.integers(0, len(SHAPES[kind]), size=families) for kind in kinds}
    # Families of one shape variant are simulated together (array work), then put in order.
    by_shape: dict[tuple[str, int], list[int]] = {}
    for position, kind in enumerate(assigned):
        by_shape.setdefault((kind, int(variants[kind][position])), []).append(position)
    genotypes: dict[int, Alleles] = {}
    for (kind, variant), positions in sorted(by_shape.items()):
        members = SHAPES[kind][variant]
        block = _simulate_shape(rng, frequencies, members, len(positions), mutation_rate)
        for row, position in enumerate(positions):
            genotypes[position] = block[row]
    simulated = tuple(
        SimulatedFamily(
            family=f"F{position + 1:06d}",
            kind=kind,
            members=_with_sexes(rng, SHAPES[kind][int(variants[kind][position])]),
            genotypes=genotypes[position],
        )
        for position, kind in enumerate(assigned)
    )
    loci = len(frequencies.loci)
    chosen = sorted(rng.choice(families, size=found, replace=False).tolist()) if found else []
    truths: list[tuple[SimulatedFamily | None, Alleles]] = [
        (simulated[i], simulated[i].genotype("missing")) for i in chosen
    ]
    if unrelated:
        strangers = _founders(rng, frequencies, unrelated)
        strangers.sort(axis=2)
        truths.extend((None, strangers[i]) for i in range(unrelated))
    remains = []
    for number, index in enumerate(rng.permutation(len(truths)).tolist()):
        family, genotype = truths[index]
        remains.append(
            SimulatedRemains(
                sample=f"U{number + 1:06d}",
                family=family.family if family is not None else None,
                kind=family.kind if family is not None else None,
                genotype=genotype,
                typed=_lose_loci(rng, loci, max_loss),
            )
        )
    return Simulation(frequencies, simulated, tuple(remains), mutation_rate, max_loss, seed)


# ---------------------------------------------------------------------------------------------
# Rows and files


def pedigree_rows(simulation: Simulation) -> Iterator[dict[str, str]]:
    for family in simulation.families:
        for member in family.members:
            yield {
                "family": family.family,
                "person": member.person,
                "father": member.father,
                "mother": member.mother,
                "sex": member.sex,
                "missing": "1" if member.missing else "0",
            }


def reference_rows(simulation: Simulation) -> Iterator[dict[str, str]]:
    loci = simulation.frequencies.loci
    for family in simulation.families:
        for index, member in enumerate(family.members):
            if not member.typed:
                continue
            for locus, (first, second) in zip(loci, family.genotypes[index], strict=True):
                yield {
                    "family": family.family,
                    "sample": member.person,
                    "locus": locus,
                    "allele1": allele_text(first),
                    "allele2": allele_text(second),
                }


def unidentified_rows(simulation: Simulation) -> Iterator[dict[str, str]]:
    loci = simulation.frequencies.loci
    for remains in simulation.remains:
        for locus, typed, (first, second) in zip(
            loci, remains.typed, remains.genotype, strict=True
        ):
            if typed:
                yield {
                    "sample": remains.sample,
                    "locus": locus,
                    "allele1": allele_text(first),
                    "allele2": allele_text(second),
                }


def truth_rows(simulation: Simulation) -> Iterator[dict[str, str]]:
    for remains in simulation.remains:
        yield {
            "sample": remains.sample,
            "family": remains.family or "",
            "kind": remains.kind or "",
            "lost_loci": str(remains.lost_loci),
        }


FILES = {
    "pedigrees.csv": (PEDIGREE_FIELDS, pedigree_rows),
    "references.csv": (REFERENCE_FIELDS, reference_rows),
    "unidentified.csv": (UNIDENTIFIED_FIELDS, unidentified_rows),
    "truth.csv": (TRUTH_FIELDS, truth_rows),
}


def write_files(simulation: Simulation, directory: Path) -> dict[str, Path]:
    """Write the four CSV files into ``directory`` (made if needed); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (fields, rows) in FILES.items():
        path = directory / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows(simulation))
        written[name] = path
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder for the CSV files")
    parser.add_argument("--families", type=int, default=200)
    parser.add_argument("--found", type=int, default=None, help="default: every family")
    parser.add_argument("--unrelated", type=int, default=100)
    parser.add_argument("--population", default="SW Hispanic")
    parser.add_argument("--frequencies", type=Path, default=None, help="folder of CSV tables")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated")
    parser.add_argument(
        "--all-loci",
        action="store_true",
        help="every locus of the population (default: the 23 expanded CODIS loci)",
    )
    parser.add_argument("--mutation-rate", type=float, default=0.002)
    parser.add_argument("--max-loss", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        table = read_frequencies(
            args.population, args.frequencies, None if args.all_loci else EXPANDED_CODIS
        )
        simulation = simulate(
            table,
            families=args.families,
            found=args.found,
            unrelated=args.unrelated,
            kinds=[k.strip() for k in args.kinds.split(",") if k.strip()],
            mutation_rate=args.mutation_rate,
            max_loss=args.max_loss,
            seed=args.seed,
        )
    except SimulationError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    written = write_files(simulation, args.out)
    print(  # noqa: T201
        f"{len(simulation.families)} families ({args.population}, {len(table.loci)} loci), "
        f"{len(simulation.remains)} remains profiles, mutation rate {args.mutation_rate}, "
        f"up to {args.max_loss:.0%} of loci lost, seed {args.seed}: "
        + ", ".join(str(path) for path in written.values())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
