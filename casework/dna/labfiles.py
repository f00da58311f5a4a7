"""Reading laboratory files into profiles: the long CSV of `casework kinship`
(`sample, locus, allele1, allele2`) and a GeneMapper ID-X style table (`Sample Name, Marker,
Allele 1, Allele 2, ...`, tab or comma). Every problem is kept with its file, row and locus; a
file with any problem is used for nothing (the import is all-or-nothing)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from matching.kinship import KNOWN_LOCI, ProfileError, normalise_locus, parse_genotype

# markers a sex-typing kit reports that are not autosomal STRs: left out, not a problem
_SKIPPED_MARKERS = {"AMEL", "AMELOGENIN", "YINDEL", "DYS391"}


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in a laboratory file, where it is."""

    file: str
    row: int
    locus: str
    message: str | LazyString

    def __str__(self) -> str:
        where = _l("%(file)s, row %(row)d", file=self.file, row=self.row)
        if self.locus:
            where = _l(
                "%(file)s, row %(row)d, locus %(locus)s",
                file=self.file,
                row=self.row,
                locus=self.locus,
            )
        return f"{where}: {self.message}"


@dataclass
class LabFile:
    """The profiles a file holds: barcode -> locus -> genotype, and the problems found."""

    name: str
    profiles: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")  # pragma: no cover - latin-1 decodes anything


def _key(name: str) -> str:
    return "".join(name.lower().split()).replace("_", "")


def read_lab_file(name: str, raw: bytes) -> LabFile:
    """Parse one file; the shape is told by its header.

    Example:
        >>> found = read_lab_file("u.csv", b"sample,locus,allele1,allele2\\nPM-1,TH01,6,9.3\\n")
        >>> found.profiles, found.problems
        ({'PM-1': {'TH01': ('6', '9.3')}}, [])
    """
    result = LabFile(name)
    text = _decode(raw)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        result.problems.append(FileProblem(name, 1, "", _l("The file is empty.")))
        return result
    columns = [_key(column) for column in header]
    if "samplename" in columns and "marker" in columns:
        sample_at, locus_at = columns.index("samplename"), columns.index("marker")
        allele_at = [i for i, column in enumerate(columns) if column.startswith("allele")]
    elif "sample" in columns and "locus" in columns:
        sample_at, locus_at = columns.index("sample"), columns.index("locus")
        allele_at = [i for i, column in enumerate(columns) if column.startswith("allele")]
    else:
        result.problems.append(
            FileProblem(
                name,
                1,
                "",
                _l(
                    "The header is neither sample, locus, allele1, allele2 nor Sample Name, "
                    "Marker, Allele 1, Allele 2."
                ),
            )
        )
        return result
    if not allele_at:
        result.problems.append(FileProblem(name, 1, "", _l("The header names no allele column.")))
        return result
    seen: dict[tuple[str, str], int] = {}
    profiles: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue

        def cell(index: int, values: list[str] = values) -> str:
            return values[index].strip() if index < len(values) else ""

        barcode, locus_text = cell(sample_at), cell(locus_at)
        alleles = [cell(i) for i in allele_at if cell(i)]
        if not barcode:
            result.problems.append(FileProblem(name, number, locus_text, _l("No sample barcode.")))
            continue
        if _key(locus_text).upper() in _SKIPPED_MARKERS:
            continue
        try:
            locus = normalise_locus(locus_text)
            if locus not in KNOWN_LOCI:
                raise ProfileError(locus)
        except ProfileError:
            result.problems.append(
                FileProblem(name, number, locus_text, _l("Not a locus this system knows."))
            )
            continue
        if any(allele.upper().replace(" ", "") in {"OL", "O.L.", "?"} for allele in alleles):
            result.problems.append(
                FileProblem(
                    name,
                    number,
                    locus,
                    _l("An off-ladder allele (OL): resolve it at the laboratory first."),
                )
            )
            continue
        if len(set(alleles)) > 2:
            result.problems.append(
                FileProblem(
                    name,
                    number,
                    locus,
                    _l(
                        "More than two alleles (%(alleles)s): a mixture, which cannot be "
                        "used for kinship.",
                        alleles=", ".join(alleles),
                    ),
                )
            )
            continue
        if not alleles:
            continue  # an untyped locus (degraded sample): simply absent
        distinct = list(dict.fromkeys(alleles))
        try:
            _, genotype = parse_genotype(
                locus, distinct[0], distinct[1] if len(distinct) > 1 else None
            )
        except ProfileError:
            result.problems.append(
                FileProblem(
                    name,
                    number,
                    locus,
                    _l("An allele is not a repeat number such as 15 or 9.3."),
                )
            )
            continue
        previous = seen.get((barcode, locus))
        if previous is not None and profiles[barcode].get(locus) != genotype:
            result.problems.append(
                FileProblem(
                    name,
                    number,
                    locus,
                    _l(
                        "Sample %(barcode)s has other alleles at this locus in row %(row)d.",
                        barcode=barcode,
                        row=previous,
                    ),
                )
            )
            continue
        seen[(barcode, locus)] = number
        profiles[barcode][locus] = genotype
    result.profiles = dict(profiles)
    return result
