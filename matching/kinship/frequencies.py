"""Allele frequency databases, one per population, read from CSV (the shipped ones by default).

A table has the columns ``population, locus, allele, frequency`` and optionally ``n_alleles``
(alleles typed in that population at that locus, i.e. twice the people); other columns are
ignored. The frequencies of one population and locus are scaled to sum to 1: published tables
sum to 1 only up to rounding, and norSTR raised its rare alleles to 0.001. An allele absent from
a population gets the minimum frequency 5/2N of the NRC II report when the sample size is known,
the ``minimum_frequency`` setting otherwise (see :meth:`PopulationFrequencies.ladder`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from matching.kinship.errors import FrequencyError, ProfileError
from matching.kinship.profiles import allele_value, normalise_allele, normalise_locus

#: The CSV files shipped in ``matching/kinship/data`` (sources and licences in its README.md).
SHIPPED_FILES: tuple[str, ...] = (
    "fbi2015_str_frequencies.csv",
    "norstr2023_str_frequencies.csv",
)
REQUIRED_COLUMNS = ("population", "locus", "allele", "frequency")


@dataclass(frozen=True, slots=True)
class LocusFrequencies:
    """The alleles of one locus in one population.

    Attributes:
        alleles: allele to frequency, ordered by repeat number, summing to 1.
        n_alleles: alleles typed to estimate them (2N), or None when the source does not say.
    """

    alleles: Mapping[str, float]
    n_alleles: int | None = None

    def minimum(self, fallback: float) -> float:
        """Frequency of an allele not in the table: 5/2N when N is known, else ``fallback``."""
        return 5.0 / self.n_alleles if self.n_alleles else fallback


@dataclass(frozen=True, slots=True)
class PopulationFrequencies:
    """The frequency table of one population: locus name to :class:`LocusFrequencies`."""

    name: str
    loci: Mapping[str, LocusFrequencies]

    def locus(self, name: str) -> LocusFrequencies:
        """The frequencies of one locus (any spelling of its name).

        Raises:
            FrequencyError: the population has no frequencies for this locus.
        """
        canonical = normalise_locus(name)
        try:
            return self.loci[canonical]
        except KeyError:
            raise FrequencyError(
                f"Population {self.name} has no allele frequencies for locus {canonical}."
            ) from None

    def ladder(
        self, locus: str, extra: Iterable[str], minimum_frequency: float
    ) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The alleles of a computation at one locus and their founder frequencies.

        The table's alleles come first (by repeat number), then the ``extra`` alleles that are
        not in the table (by repeat number), each with the minimum frequency; all are scaled to
        sum to 1 again. The order matters to the search: the genotypes of the table's alleles
        keep their positions whatever is added after them.

        Example:
            >>> th01 = LocusFrequencies({"6": 0.5, "7": 0.5}, n_alleles=10)
            >>> table = PopulationFrequencies("P", {"TH01": th01})
            >>> table.ladder("TH01", ["9.3"], 0.01)
            (('6', '7', '9.3'), (0.3333333333333333, 0.3333333333333333, 0.3333333333333333))
        """
        table = self.locus(locus)
        unlisted = sorted({a for a in extra if a not in table.alleles}, key=allele_value)
        floor = table.minimum(minimum_frequency)
        alleles = (*table.alleles, *unlisted)
        raw = (*table.alleles.values(), *(floor for _ in unlisted))
        total = sum(raw)
        return alleles, tuple(value / total for value in raw)


@dataclass(frozen=True, slots=True)
class FrequencyDatabase:
    """Frequency tables by population, looked up by name in any case."""

    populations: Mapping[str, PopulationFrequencies]

    def names(self) -> list[str]:
        """The population names, as the source spells them."""
        return sorted(self.populations)

    def population(self, name: str) -> PopulationFrequencies:
        """The table of one population.

        Raises:
            FrequencyError: unknown population; the message lists the known ones.
        """
        wanted = " ".join(str(name).split()).casefold()
        for known, table in self.populations.items():
            if known.casefold() == wanted:
                return table
        raise FrequencyError(
            f"Unknown population {name!r}; known populations: {', '.join(self.names())}."
        )


def _read_rows(
    text: str,
    source: str,
    into: dict[str, dict[str, dict[str, float]]],
    sizes: dict[tuple[str, str], int],
) -> None:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise FrequencyError(f"{source}: missing column(s) {', '.join(missing)}.")
    reader.fieldnames = columns
    for row_number, row in enumerate(reader, start=2):
        where = f"{source}, row {row_number}"
        population = " ".join((row["population"] or "").split())
        if not population:
            raise FrequencyError(f"{where}: the population is empty.")
        try:
            locus = normalise_locus(row["locus"] or "")
            allele = normalise_allele(row["allele"] or "", locus)
        except ProfileError as error:
            raise FrequencyError(f"{where}: {error}") from None
        try:
            frequency = float(row["frequency"] or "")
        except ValueError:
            raise FrequencyError(
                f"{where}: frequency {row['frequency']!r} is not a number."
            ) from None
        if not 0.0 < frequency <= 1.0:
            raise FrequencyError(f"{where}: frequency {frequency} is not in (0, 1].")
        alleles = into.setdefault(population, {}).setdefault(locus, {})
        if allele in alleles:
            raise FrequencyError(f"{where}: {population} {locus} allele {allele} is given twice.")
        alleles[allele] = frequency
        size = (row.get("n_alleles") or "").strip()
        if size:
            try:
                count = int(float(size))
            except ValueError:
                raise FrequencyError(f"{where}: n_alleles {size!r} is not a number.") from None
            if count <= 0:
                raise FrequencyError(f"{where}: n_alleles must be positive.")
            sizes[(population, locus)] = max(count, sizes.get((population, locus), 0))


def load_frequencies(path: str | Path | Iterable[str | Path] | None = None) -> FrequencyDatabase:
    """Read frequency tables; ``None`` reads the databases shipped with the project.

    Args:
        path: one CSV file, several, or None for FBI 2015 and norSTR 2023 (SW Hispanic, SE
            Hispanic, Africa, West Asia, Middle Asia, South America, ...).

    Raises:
        FrequencyError: a file cannot be read, lacks a column, or has a bad row (the message
            names the file and the row).

    Example:
        >>> database = load_frequencies()
        >>> "SW Hispanic" in database.names(), "Africa" in database.names()
        (True, True)
        >>> round(database.population("sw hispanic").locus("vwa").alleles["17"], 4)
        0.2249
    """
    sources: list[tuple[str, str]] = []
    if path is None:
        data = resources.files("matching.kinship") / "data"
        sources = [(name, (data / name).read_text(encoding="utf-8")) for name in SHIPPED_FILES]
    else:
        paths = [path] if isinstance(path, str | Path) else list(path)
        for one in paths:
            try:
                sources.append((str(one), Path(one).read_text(encoding="utf-8-sig")))
            except (OSError, UnicodeDecodeError) as error:
                raise FrequencyError(f"{one}: cannot be read ({error}).") from None
    raw: dict[str, dict[str, dict[str, float]]] = {}
    sizes: dict[tuple[str, str], int] = {}
    for source, text in sources:
        _read_rows(text, source, raw, sizes)
    if not raw:
        raise FrequencyError("The frequency table has no rows.")
    populations: dict[str, PopulationFrequencies] = {}
    for population, loci in raw.items():
        tables: dict[str, LocusFrequencies] = {}
        for locus, alleles in loci.items():
            total = sum(alleles.values())
            ordered = sorted(alleles, key=allele_value)
            tables[locus] = LocusFrequencies(
                MappingProxyType({a: alleles[a] / total for a in ordered}),
                sizes.get((population, locus)),
            )
        populations[population] = PopulationFrequencies(population, MappingProxyType(tables))
    return FrequencyDatabase(MappingProxyType(populations))
