"""The CSV files of ``casework kinship``: pedigrees, reference profiles and remains profiles in,
ranked hits out. A bad row is reported by file, row and reason, and the rest is used.

``P.csv``: ``family, person, father, mother, sex, missing`` (PED style: father and mother empty
or ``0`` for a founder; sex ``M``/``F``, ``1``/``2`` or empty; ``missing`` 1 for the family's
missing person). ``R.csv``: ``family, sample, locus, allele1, allele2`` (``sample`` is a person
of that family; one row per typed locus). ``U.csv``: ``sample, locus, allele1, allele2``.
``OUT.csv``: ``unidentified, family, log10_lr, loci, rank``. Column names are case-insensitive;
other columns are ignored; an empty ``allele2`` means a homozygote.

A family whose pedigree has a bad row (a cycle, a parent of the wrong sex, an unknown parent,
no missing person...) is left out whole: computing on a pedigree with a person removed would
give a wrong LR. A bad reference or remains row loses only that locus of that sample, which
only weakens the evidence.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from matching.kinship.errors import KinshipError, PedigreeError, ProfileError
from matching.kinship.pedigree import Family, Pedigree, Person, parse_sex
from matching.kinship.profiles import Genotype, Profile, normalise_locus, parse_genotype
from matching.kinship.search import KinshipHit
from matching.records import Sex

PEDIGREE_COLUMNS = ("family", "person", "father", "mother", "sex", "missing")
REFERENCE_COLUMNS = ("family", "sample", "locus", "allele1", "allele2")
UNIDENTIFIED_COLUMNS = ("sample", "locus", "allele1", "allele2")
HIT_COLUMNS = ("unidentified", "family", "log10_lr", "loci", "rank")
# Columns a file may leave out: every person's sex unknown, every second allele the first.
_OPTIONAL = {"sex", "allele2"}
_YES = {"1", "y", "yes", "true"}
_NO = {"", "0", "n", "no", "false"}
# PED writes 0 for a parent who is not in the file.
_NO_PARENT = {"", "0"}

Row = Mapping[str, str]


class CaseFileError(KinshipError):
    """A whole file cannot be used: unreadable, not CSV, or a required column is missing."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was not used, or not wholly.

    Attributes:
        file: the file's name as given.
        row: the line of the file (the header is line 1).
        reason: what is wrong, in words the person who wrote the file can act on.
    """

    file: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}: {self.reason}"


@dataclass(frozen=True, slots=True)
class CaseFiles:
    """What the three input files hold once read.

    Attributes:
        families: the usable families, each with at least one typed relative.
        remains: the remains profiles (possibly with no locus left).
        problems: every row not used, or not wholly, in file order.
    """

    families: tuple[Family, ...]
    remains: tuple[Profile, ...]
    problems: tuple[RowProblem, ...] = field(default=())


def read_rows(path: str | Path, columns: Sequence[str]) -> Iterator[tuple[int, Row]]:
    """The rows of a CSV file with their line numbers, column names in lower case.

    Raises:
        CaseFileError: the file cannot be read, is not UTF-8, or lacks a required column.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CaseFileError(f"{path}: cannot be read ({error.strerror or error}).") from None
    except UnicodeDecodeError:
        raise CaseFileError(f"{path}: not a UTF-8 text file.") from None
    return _rows(io.StringIO(text, newline=""), str(path), columns)


def _rows(handle: io.StringIO, source: str, columns: Sequence[str]) -> Iterator[tuple[int, Row]]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise CaseFileError(f"{source}: the file is empty (a header row is expected).")
    names = [name.strip().lower() for name in header]
    absent = [c for c in columns if c not in names and c not in _OPTIONAL]
    if absent:
        raise CaseFileError(
            f"{source}: missing column(s) {', '.join(absent)}; expected {', '.join(columns)}."
        )
    return _numbered(reader, names, columns)


def _numbered(
    reader: Iterable[list[str]], names: list[str], columns: Sequence[str]
) -> Iterator[tuple[int, Row]]:
    position = {name: names.index(name) for name in columns if name in names}
    line = 1
    for values in reader:
        line += 1
        if not any(value.strip() for value in values):
            continue  # blank lines are not rows
        yield (
            line,
            {name: values[i].strip() if i < len(values) else "" for name, i in position.items()},
        )


# --- pedigrees --------------------------------------------------------------------------


@dataclass
class _Line:
    row: int
    person: str
    father: str | None
    mother: str | None
    sex: Sex
    missing: bool


def read_pedigrees(
    rows: Iterable[tuple[int, Row]], source: str = "pedigrees"
) -> tuple[dict[str, Pedigree], dict[str, int], list[RowProblem]]:
    """Pedigrees by family id from ``family, person, father, mother, sex, missing`` rows.

    Returns:
        the usable pedigrees; the first row of every family named in the file (usable or
        not), for messages about the family as a whole; and the problems.

    Example:
        >>> rows = [(2, {"family": "F1", "person": "mum", "sex": "F", "missing": "0"}),
        ...         (3, {"family": "F1", "person": "ana", "mother": "mum", "missing": "1"}),
        ...         (4, {"family": "F2", "person": "x", "father": "x", "missing": "1"})]
        >>> pedigrees, first, problems = read_pedigrees(rows, "P.csv")
        >>> sorted(pedigrees), first
        (['F1'], {'F1': 2, 'F2': 4})
        >>> print(problems[0])
        P.csv, row 4: person x is given as their own father; family F2 is left out.
    """
    lines: dict[str, list[_Line]] = defaultdict(list)
    first: dict[str, int] = {}
    broken: dict[str, list[RowProblem]] = defaultdict(list)
    problems: list[RowProblem] = []
    for row, values in rows:
        family = values.get("family", "")
        if not family:
            problems.append(RowProblem(source, row, "the family is empty."))
            continue
        first.setdefault(family, row)
        line, reason = _pedigree_line(row, values)
        if line is None:
            broken[family].append(RowProblem(source, row, reason))
        else:
            lines[family].append(line)
    pedigrees: dict[str, Pedigree] = {}
    for family in first:
        # a family with a bad row is left out; checking what is left would only report
        # the consequences (a parent not listed...) of that row
        found = broken[family] or _family_problems(family, lines[family], source)
        if not found:
            try:
                pedigrees[family] = _build(lines[family])
                continue
            except PedigreeError as error:  # anything the row checks did not foresee
                found = [RowProblem(source, first[family], str(error))]
        found.sort(key=lambda problem: problem.row)
        problems += [
            RowProblem(p.file, p.row, f"{p.reason.rstrip('.')}; family {family} is left out.")
            for p in found
        ]
    problems.sort(key=lambda problem: problem.row)
    return pedigrees, first, problems


def _pedigree_line(row: int, values: Row) -> tuple[_Line | None, str]:
    person = values.get("person", "")
    if not person or person in _NO_PARENT:
        return None, "the person is empty (0 stands for 'no parent' in PED files)."
    father = values.get("father", "")
    mother = values.get("mother", "")
    try:
        sex = parse_sex(values.get("sex", ""))
    except PedigreeError:
        return None, f"sex {values.get('sex')!r} is not M/F, 1/2 or empty."
    flag = values.get("missing", "").lower()
    if flag not in _YES | _NO:
        return None, f"missing {values.get('missing')!r} is not 1 or 0."
    for role, parent in (("father", father), ("mother", mother)):
        if parent == person:
            return None, f"person {person} is given as their own {role}."
    if father and father == mother and father not in _NO_PARENT:
        return None, f"person {person} has {father} as both father and mother."
    return (
        _Line(
            row,
            person,
            None if father in _NO_PARENT else father,
            None if mother in _NO_PARENT else mother,
            sex,
            flag in _YES,
        ),
        "",
    )


def _family_problems(family: str, lines: list[_Line], source: str) -> list[RowProblem]:
    found: list[RowProblem] = []

    def problem(row: int, reason: str) -> None:
        found.append(RowProblem(source, row, reason))

    people: dict[str, _Line] = {}
    for line in lines:
        if line.person in people:
            earlier = people[line.person].row
            problem(line.row, f"person {line.person} is listed twice in family {family} "
                    f"(first at row {earlier}).")  # fmt: skip
        else:
            people[line.person] = line
    roles: dict[str, tuple[str, int]] = {}
    for line in people.values():
        for role, parent, wrong in (
            ("father", line.father, Sex.FEMALE),
            ("mother", line.mother, Sex.MALE),
        ):
            if parent is None:
                continue
            if parent not in people:
                problem(line.row, f"{role} {parent} of {line.person} is not a person of family "
                        f"{family}.")  # fmt: skip
                continue
            if people[parent].sex == wrong:
                recorded = "female" if wrong == Sex.FEMALE else "male"
                problem(line.row, f"{role} {parent} of {line.person} is recorded as {recorded}.")
            other, at = roles.setdefault(parent, (role, line.row))
            if other != role:
                problem(line.row, f"{parent} is the {role} of {line.person} but the {other} of "
                        f"another (row {at}).")  # fmt: skip
    missing = [line for line in people.values() if line.missing]
    if not missing:
        problem(lines[0].row, f"family {family} has no missing person (missing = 1).")
    for line in missing[1:]:
        problem(line.row, f"a second missing person in family {family} (the first is "
                f"{missing[0].person}, row {missing[0].row}).")  # fmt: skip
    cycle = _cycle(people)
    if cycle:
        problem(people[cycle[0]].row, f"the pedigree has a cycle: {' -> '.join(cycle)} "
                "(someone is their own ancestor).")  # fmt: skip
    return found


def _cycle(people: Mapping[str, _Line]) -> list[str]:
    """A list of ids going round a cycle of child -> parent links, or [] when there is none."""
    state: dict[str, int] = {}
    for start in people:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(_parents(people, start)))]
        state[start] = 1
        path.append(start)
        while stack:
            person, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                stack.pop()
                path.pop()
                state[person] = 2
            elif state.get(parent) == 1:
                return path[path.index(parent) :] + [parent]
            elif not state.get(parent):
                state[parent] = 1
                path.append(parent)
                stack.append((parent, iter(_parents(people, parent))))
    return []


def _parents(people: Mapping[str, _Line], person: str) -> list[str]:
    line = people[person]
    return [p for p in (line.father, line.mother) if p is not None and p in people]


def _build(lines: list[_Line]) -> Pedigree:
    missing = next(line.person for line in lines if line.missing)
    return Pedigree.build(
        [Person(line.person, line.father, line.mother, line.sex) for line in lines], missing
    )


# --- profiles ---------------------------------------------------------------------------


def _genotype(
    values: Row, loci: Collection[str] | None, population: str
) -> tuple[str, Genotype] | str:
    """The canonical locus and genotype of a row, or the reason it cannot be used."""
    try:
        locus = normalise_locus(values.get("locus", ""))
    except ProfileError as error:
        return str(error)
    if loci is not None and locus not in loci:
        where = f" of {population}" if population else ""
        return f"unknown locus {values.get('locus')}: not in the allele frequencies{where}."
    try:
        return parse_genotype(locus, values.get("allele1", ""), values.get("allele2", ""))
    except ProfileError as error:
        return str(error)


class _Typing:
    """Genotypes of samples by locus, with a locus typed twice differently dropped.

    A sample is keyed by its label: the remains' sample id, or ``family/person`` for a
    reference (unique because a family's persons are).
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.genotypes: dict[str, dict[str, tuple[Genotype, int]]] = defaultdict(dict)
        self.dropped: set[tuple[str, str]] = set()
        self.problems: list[RowProblem] = []

    def add(self, sample: str, locus: str, genotype: Genotype, row: int) -> None:
        where = f"locus {locus} of sample {sample}"
        if (sample, locus) in self.dropped:
            self.problems.append(
                RowProblem(self.source, row, f"{where} is given again; it is left out.")
            )
            return
        earlier = self.genotypes[sample].get(locus)
        if earlier is None:
            self.genotypes[sample][locus] = (genotype, row)
        elif earlier[0] != genotype:
            del self.genotypes[sample][locus]
            self.dropped.add((sample, locus))
            self.problems.append(
                RowProblem(
                    self.source,
                    row,
                    f"{where} is {'/'.join(genotype)} "
                    f"here but {'/'.join(earlier[0])} at row {earlier[1]}"
                    "; the locus is left out.",
                )
            )

    def profile(self, sample: str) -> Profile:
        typed = {locus: genotype for locus, (genotype, _) in self.genotypes[sample].items()}
        return Profile(sample, MappingProxyType(typed))


def read_references(
    rows: Iterable[tuple[int, Row]],
    pedigrees: Mapping[str, Pedigree],
    named: Collection[str] = (),
    loci: Collection[str] | None = None,
    population: str = "",
    source: str = "references",
) -> tuple[list[Family], list[RowProblem]]:
    """Families from their pedigrees and ``family, sample, locus, allele1, allele2`` rows.

    Args:
        rows: numbered rows, as from :func:`read_rows`.
        pedigrees: the usable pedigrees by family id.
        named: every family named in the pedigrees file, usable or not (their rows are
            reported once as belonging to a family left out, not as unknown families).
        loci: the loci the frequency table has (None: any well-formed locus name).
        population: the table's name, for messages.
        source: the file's name, for messages.

    Returns:
        families with at least one typed relative, in the order of the pedigrees, and the
        problems (a family with no usable reference row is one of them).
    """
    typing = _Typing(source)
    samples: dict[str, set[str]] = defaultdict(set)
    skipped: dict[str, list[int]] = defaultdict(list)
    problems: list[RowProblem] = []
    for row, values in rows:
        family, sample = values.get("family", ""), values.get("sample", "")
        if family not in pedigrees:
            if family and family in named:
                skipped[family].append(row)
            else:
                problems.append(
                    RowProblem(source, row, f"family {family!r} is not in the pedigrees file.")
                )
            continue
        pedigree = pedigrees[family]
        if sample not in pedigree.ids or sample.endswith((":father", ":mother")):
            problems.append(
                RowProblem(
                    source,
                    row,
                    f"sample {sample!r} is not a person of family {family} in the pedigrees file.",
                )
            )
            continue
        if sample == pedigree.missing:
            problems.append(
                RowProblem(
                    source,
                    row,
                    f"sample {sample} is the missing person of "
                    f"family {family}; compare their own samples as remains.",
                )
            )
            continue
        found = _genotype(values, loci, population)
        if isinstance(found, str):
            problems.append(RowProblem(source, row, found))
            continue
        samples[family].add(sample)
        typing.add(f"{family}/{sample}", found[0], found[1], row)
    for family, rows_of in skipped.items():
        problems.append(
            RowProblem(
                source,
                rows_of[0],
                f"family {family} is left out (see the "
                f"pedigrees file): its {len(rows_of)} reference row(s) are "
                "not used.",
            )
        )
    families: list[Family] = []
    for family, pedigree in pedigrees.items():
        references = {}
        for sample in sorted(samples.get(family, ())):
            profile = typing.profile(f"{family}/{sample}")
            if len(profile):
                references[sample] = profile
        if references:
            families.append(Family(family, pedigree, references))
    problems += typing.problems
    problems.sort(key=lambda problem: problem.row)
    return families, problems


def read_unidentified(
    rows: Iterable[tuple[int, Row]],
    loci: Collection[str] | None = None,
    population: str = "",
    source: str = "unidentified",
) -> tuple[list[Profile], list[RowProblem]]:
    """Remains profiles from ``sample, locus, allele1, allele2`` rows, in order of first row.

    Example:
        >>> rows = [(2, {"sample": "PM-1", "locus": "TH01", "allele1": "9.3", "allele2": ""}),
        ...         (3, {"sample": "PM-1", "locus": "FGA", "allele1": "x", "allele2": "22"})]
        >>> profiles, problems = read_unidentified(rows, source="U.csv")
        >>> dict(profiles[0].genotypes)
        {'TH01': ('9.3', '9.3')}
        >>> print(problems[0])
        U.csv, row 3: Locus FGA, allele 'x': not a repeat number such as 15 or 9.3.
    """
    typing = _Typing(source)
    order: dict[str, None] = {}
    problems: list[RowProblem] = []
    for row, values in rows:
        sample = values.get("sample", "")
        if not sample:
            problems.append(RowProblem(source, row, "the sample is empty."))
            continue
        order.setdefault(sample, None)
        found = _genotype(values, loci, population)
        if isinstance(found, str):
            problems.append(RowProblem(source, row, found))
            continue
        typing.add(sample, found[0], found[1], row)
    problems += typing.problems
    problems.sort(key=lambda problem: problem.row)
    return [typing.profile(sample) for sample in order], problems


def read_case_files(
    pedigrees: str | Path,
    references: str | Path,
    unidentified: str | Path,
    loci: Collection[str] | None = None,
    population: str = "",
) -> CaseFiles:
    """Read the three input files of ``casework kinship``.

    Args:
        pedigrees, references, unidentified: paths of P.csv, R.csv and U.csv.
        loci: the loci the frequency table has; rows of other loci are reported as unknown.
        population: the table's name, for those messages.

    Raises:
        CaseFileError: a file cannot be read or lacks a required column.
    """
    pedigree_rows = read_rows(pedigrees, PEDIGREE_COLUMNS)
    reference_rows = read_rows(references, REFERENCE_COLUMNS)
    unidentified_rows = read_rows(unidentified, UNIDENTIFIED_COLUMNS)
    trees, first, tree_problems = read_pedigrees(pedigree_rows, str(pedigrees))
    families, reference_problems = read_references(
        reference_rows, trees, first, loci, population, str(references)
    )
    typed = {family.id for family in families}
    tree_problems += [
        RowProblem(
            str(pedigrees),
            first[family],
            f"family {family} has no usable reference profile; it cannot be compared.",
        )
        for family in trees
        if family not in typed
    ]
    tree_problems.sort(key=lambda problem: problem.row)
    remains, remains_problems = read_unidentified(
        unidentified_rows, loci, population, str(unidentified)
    )
    return CaseFiles(
        tuple(families),
        tuple(remains),
        (*tree_problems, *reference_problems, *remains_problems),
    )


def write_hits(path: str | Path, hits: Iterable[KinshipHit]) -> int:
    """Write ``unidentified, family, log10_lr, loci, rank`` rows; returns how many.

    log10 LRs are written with six decimals (``-inf`` for an exclusion).
    """
    written = 0
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HIT_COLUMNS)
        for hit in hits:
            value = "-inf" if hit.log10_lr == -math.inf else f"{hit.log10_lr:.6f}"
            writer.writerow([hit.remains, hit.family, value, hit.loci, hit.rank])
            written += 1
    return written
