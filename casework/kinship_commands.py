"""`casework kinship`: the DNA-led search on a laboratory's CSV files. It needs no database and
none of the application's keys, so it is added to the command group itself, not to the app."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import click

from casework.console import progress_bar
from matching.kinship import (
    KinshipError,
    KinshipSearch,
    KinshipSettings,
    MutationModel,
    load_frequencies,
)
from matching.kinship.files import read_case_files, write_hits
from matching.kinship.search import recompute_hits

DEFAULTS = KinshipSettings()
# Families shortlisted at theta = 0 beyond --top before the pairs are computed with theta.
THETA_SHORTLIST_MARGIN = 10


def _refuse(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


_IN_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@click.command("kinship")
@click.option(
    "--pedigrees",
    required=True,
    type=_IN_FILE,
    help="P.csv: family, person, father, mother, sex, missing.",
)
@click.option(
    "--references",
    required=True,
    type=_IN_FILE,
    help="R.csv: family, sample, locus, allele1, allele2.",
)
@click.option(
    "--unidentified", required=True, type=_IN_FILE, help="U.csv: sample, locus, allele1, allele2."
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write unidentified, family, log10_lr, loci, rank.",
)
@click.option(
    "--frequencies",
    type=_IN_FILE,
    default=None,
    help="F.csv: population, locus, allele, frequency [, n_alleles]. "
    "Default: the shipped FBI 2015 and norSTR 2023 tables.",
)
@click.option(
    "--population",
    default=DEFAULTS.population,
    show_default=True,
    help="Population of the frequency table.",
)
@click.option(
    "--theta",
    type=click.FloatRange(0.0, 0.5),
    default=0.0,
    show_default=True,
    help="Subpopulation correction (Balding-Nichols); above 0 the shortlist of each "
    "remains is computed again pair by pair, which is slow.",
)
@click.option(
    "--mutation-rate",
    type=click.FloatRange(0.0, 0.5),
    default=DEFAULTS.mutation_rate,
    show_default=True,
    help="Mutation probability per meiosis.",
)
@click.option(
    "--mutation-model",
    type=click.Choice([m.value for m in MutationModel]),
    default=DEFAULTS.mutation_model.value,
    show_default=True,
    help="stepwise, equal or none (theta above 0 needs equal or none).",
)
@click.option(
    "--top",
    type=click.IntRange(1, 100_000),
    default=10,
    show_default=True,
    help="Most families per remains profile.",
)
@click.option(
    "--min-log10-lr", type=float, default=0.0, show_default=True, help="Least log10 LR written."
)
def kinship(
    pedigrees: Path,
    references: Path,
    unidentified: Path,
    out: Path,
    frequencies: Path | None,
    population: str,
    theta: float,
    mutation_rate: float,
    mutation_model: str,
    top: int,
    min_log10_lr: float,
) -> None:
    """Rank every family's missing person for every remains profile by likelihood ratio.

    No database needed. Bad rows are reported on standard error by file, row and reason, and
    the rest is used. Exit status 2 for bad arguments or a file that cannot be read.
    """
    try:
        settings = KinshipSettings(
            population=population,
            theta=theta,
            mutation_model=MutationModel(mutation_model),
            mutation_rate=mutation_rate,
        )
    except KinshipError as error:
        _refuse(str(error))
    if theta > 0 and settings.mutation_model == MutationModel.STEPWISE and mutation_rate > 0:
        _refuse(
            "--theta above 0 cannot be combined exactly with the stepwise mutation model; "
            "add --mutation-model equal (or none), or --mutation-rate 0."
        )
    try:
        table = load_frequencies(frequencies).population(population)
        files = read_case_files(pedigrees, references, unidentified, set(table.loci), table.name)
    except KinshipError as error:
        _refuse(str(error))
    for problem in files.problems:
        click.echo(str(problem), err=True)

    search = KinshipSearch(table, replace(settings, theta=0.0))
    with progress_bar("Family tables", "locus") as progress:
        search.add_families(files.families, progress)
    search.add_remains(files.remains)
    shortlist = top + THETA_SHORTLIST_MARGIN if theta > 0 else top
    with progress_bar("Search", "remains") as progress:
        # a pair with no locus in common has an LR of 1 for want of evidence: not a hit
        hits = search.hits(shortlist, None if theta > 0 else min_log10_lr, progress, min_loci=1)
    if theta > 0:
        families = {family.id: family for family in files.families}
        remains = {profile.sample: profile for profile in files.remains}
        with progress_bar(f"theta {theta}", "pair") as progress:
            hits = recompute_hits(
                hits, families, remains, table, settings, top, min_log10_lr, progress
            )
    try:
        written = write_hits(out, hits)
    except OSError as error:
        _refuse(f"{out}: cannot be written ({error.strerror or error}).")
    problems = f"; {len(files.problems)} row problem(s) reported" if files.problems else ""
    click.echo(
        f"{written} hits for {len(files.remains)} remains profiles against "
        f"{len(files.families)} families ({table.name}, theta {theta:g}, "
        f"{settings.mutation_model.value} mutation rate {mutation_rate:g}) written to {out}"
        f"{problems}."
    )
