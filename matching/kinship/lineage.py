"""Lineage markers: Y-STR haplotypes (the father's line) and mtDNA control-region variants from
rCRS (the mother's line), compared as match or number of differences, with a haplotype frequency.

Lineage markers pass unchanged, but for mutation, to every man of a paternal line (Y) and every
child of a maternal line (mtDNA). They can exclude a line, and a match says only that the two
share a line; so a single difference is read as a possible mutation (inconclusive) and two or
more as an exclusion, the threshold being a setting (the rule of the SWGDAM Interpretation
Guidelines for mtDNA Analysis, 2019; the SWGDAM Y-STR Interpretation Guidelines, 2014, likewise
allow for mutation between relatives).

The frequency of a matching haplotype is a count in a database: ``(x + 1) / (N + 1)`` for a
haplotype seen ``x`` times among ``N``, which counts the questioned haplotype as one more
observation, so that a haplotype never seen gets ``1 / (N + 1)`` rather than zero (the
"augmented count" of Balding & Nichols, Forensic Sci. Int. 64:125–140, 1994, who add both
compared profiles and get ``(x + 2) / (N + 2)``; see Buckleton, Krawczak & Weir, Forensic Sci.
Int. Genet. 5:78–83, 2011, for the sampling questions). The likelihood ratio of a match, shared
line against unrelated, is then ``1 / frequency``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from matching.kinship.errors import KinshipError


class LineageError(KinshipError, ValueError):
    """A haplotype, a variant, a sequenced range or a count is malformed."""


class LineageVerdict(StrEnum):
    """What a lineage comparison says about a shared line."""

    MATCH = "match"
    INCONCLUSIVE = "inconclusive"  # fewer differences than the threshold: possibly a mutation
    EXCLUDED = "excluded"
    NOT_COMPARED = "not_compared"  # nothing typed or sequenced on both sides


@dataclass(frozen=True, slots=True)
class LineageSettings:
    """How lineage comparisons are read.

    Attributes:
        exclusion_differences: this many differing loci (Y-STR) or positions (mtDNA) or more
            exclude the line; fewer but at least one are inconclusive.
        ignore_length_variants: leave insertions and deletions in the mtDNA C-stretches and the
            AC repeat out of the comparison, as EMPOP searches and the SWGDAM guidelines do
            (their length is unstable, often heteroplasmic, and aligned differently by
            different laboratories).
    """

    exclusion_differences: int = 2
    ignore_length_variants: bool = True

    def __post_init__(self) -> None:
        if self.exclusion_differences < 1:
            raise LineageError("The exclusion threshold must be at least one difference.")


def verdict_for(differences: int, compared: bool, settings: LineageSettings) -> LineageVerdict:
    """The verdict for a number of differences, given the threshold in the settings."""
    if not compared:
        return LineageVerdict.NOT_COMPARED
    if differences >= settings.exclusion_differences:
        return LineageVerdict.EXCLUDED
    return LineageVerdict.INCONCLUSIVE if differences else LineageVerdict.MATCH


# ---------------------------------------------------------------------------------------------
# Haplotype frequency


@dataclass(frozen=True, slots=True)
class HaplotypeFrequency:
    """How common a haplotype is: given directly, or counted in a database.

    Build it with :meth:`from_count` or :meth:`given`.

    Example:
        >>> round(HaplotypeFrequency.from_count(3, 1199).likelihood_ratio, 6)
        300.0
    """

    value: float
    count: int | None = None
    database_size: int | None = None

    @classmethod
    def from_count(cls, count: int, database_size: int) -> HaplotypeFrequency:
        """The augmented count ``(count + 1) / (database_size + 1)`` (see the module text)."""
        if isinstance(count, bool) or not isinstance(count, int):
            raise LineageError(f"The haplotype count must be a whole number, not {count!r}.")
        if isinstance(database_size, bool) or not isinstance(database_size, int):
            raise LineageError(f"The database size must be a whole number, not {database_size!r}.")
        if database_size < 1:
            raise LineageError("The database must hold at least one haplotype.")
        if not 0 <= count <= database_size:
            raise LineageError(
                f"A haplotype cannot be seen {count} times in a database of {database_size}."
            )
        return cls((count + 1) / (database_size + 1), count, database_size)

    @classmethod
    def given(cls, value: float) -> HaplotypeFrequency:
        """A frequency estimated elsewhere (a discrete Laplace or kappa estimate, say)."""
        if not 0.0 < value <= 1.0:
            raise LineageError(f"A haplotype frequency must be above 0 and at most 1, not {value}.")
        return cls(float(value))

    @property
    def likelihood_ratio(self) -> float:
        """The LR of a match, shared line against unrelated."""
        return 1.0 / self.value

    def words(self) -> str:
        """What the frequency rests on, as a sentence about "the haplotype"."""
        if self.count is None:
            return f"The haplotype's frequency is given as {_share(self.value)}"
        return (
            f"The haplotype was seen {self.count} time{'' if self.count == 1 else 's'} in a "
            f"database of "
            f"{self.database_size:,}, a frequency of about {_share(self.value)} "
            f"(({self.count} + 1) / ({self.database_size:,} + 1))"
        )


def _share(value: float) -> str:
    if value >= 0.01:
        return f"{value * 100:.3g} %"
    return f"1 in {1 / value:,.0f}"


def _times(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


# ---------------------------------------------------------------------------------------------
# Y-STR haplotypes

_REPEAT = re.compile(r"^(\d{1,2})(?:\.(\d))?$")
_ALLELE_SEPARATOR = re.compile(r"[,/;\s]+")


@dataclass(frozen=True, slots=True)
class YLocus:
    """One typed Y-STR locus: its name as written and its alleles in tenths of a repeat.

    Alleles are sorted: the copies of a multi-copy locus (DYS385a/b, DYF387S1) are not told
    apart by most kits, so "14,11" and "11,14" are the same result.
    """

    name: str
    alleles: tuple[int, ...]

    @property
    def key(self) -> str:
        return locus_key(self.name)

    def words(self) -> str:
        return ",".join(_repeat_text(a) for a in self.alleles)


@dataclass(frozen=True, slots=True)
class YHaplotype:
    """A Y-STR haplotype: the typed loci, sorted by their normalised name."""

    loci: tuple[YLocus, ...]

    def by_key(self) -> dict[str, YLocus]:
        return {locus.key: locus for locus in self.loci}


def locus_key(name: str) -> str:
    """The name a locus is compared under: upper case, without spaces, dashes, dots, slashes
    or underscores ("DYS385a/b" and "DYS385AB", "Y-GATA-H4" and "YGATAH4" are one locus)."""
    return re.sub(r"[\s\-_./]", "", name).upper()


def _repeat_text(tenths: int) -> str:
    whole, part = divmod(tenths, 10)
    return f"{whole}.{part}" if part else str(whole)


def parse_repeat(text: str, *, locus: str) -> int:
    """A repeat number ("14", "9.3") in tenths of a repeat (140, 93)."""
    match = _REPEAT.match(text)
    if match is None:
        raise LineageError(
            f"Locus {locus}: {text!r} is not a repeat number (write 14, or 9.3 for a "
            "microvariant; several copies as 11,14)."
        )
    tenths = int(match.group(1)) * 10 + int(match.group(2) or 0)
    if tenths < 10:
        raise LineageError(f"Locus {locus}: {text!r} is not a repeat number of 1 or more.")
    return tenths


def parse_y_haplotype(typed: Mapping[str, str | int | float | None]) -> YHaplotype:
    """Read a Y-STR haplotype from locus -> allele(s).

    Values are repeat numbers ("14"), microvariants ("18.2") or several copies of a multi-copy
    locus ("11,14", also "11/14"); an empty value or ``None`` is a locus not typed.

    Raises:
        LineageError: a locus name is empty or given twice, or a value is not a repeat number.

    Example:
        >>> h = parse_y_haplotype({"DYS19": "14", "DYS385a/b": "14,11", "DYS448": ""})
        >>> [(locus.name, locus.words()) for locus in h.loci]
        [('DYS19', '14'), ('DYS385a/b', '11,14')]
    """
    loci: dict[str, YLocus] = {}
    for raw_name, raw_value in typed.items():
        name = str(raw_name).strip()
        key = locus_key(name)
        if not key or not re.fullmatch(r"[A-Z0-9]*[A-Z][A-Z0-9]*", key):
            raise LineageError(f"{raw_name!r} is not a Y-STR locus name.")
        if key in loci:
            raise LineageError(f"Locus {name} is given twice ({loci[key].name} and {name}).")
        if raw_value is None or isinstance(raw_value, bool):
            if raw_value is None:
                continue
            raise LineageError(f"Locus {name}: {raw_value!r} is not a repeat number.")
        text = str(raw_value).strip()
        if not text:
            continue
        parts = [part for part in _ALLELE_SEPARATOR.split(text) if part]
        alleles = tuple(sorted(parse_repeat(part, locus=name) for part in parts))
        loci[key] = YLocus(name, alleles)
    return YHaplotype(tuple(loci[key] for key in sorted(loci)))


@dataclass(frozen=True, slots=True)
class YDifference:
    """One locus where two haplotypes differ."""

    locus: str
    first: str
    second: str
    steps: int | None  # whole repeats apart, when the copies pair up; a mutation is usually 1

    def words(self) -> str:
        apart = ""
        if self.steps is not None:
            apart = f", {self.steps} repeat{'' if self.steps == 1 else 's'} apart"
        return f"{self.locus} {self.first} against {self.second}{apart}"


@dataclass(frozen=True, slots=True)
class YComparison:
    """Two Y-STR haplotypes compared over the loci typed in both.

    Attributes:
        verdict: match, inconclusive (a possible mutation), excluded, or not compared.
        compared_loci: how many loci were typed in both and compared.
        differences: the loci that differ.
        only_first, only_second: loci typed on one side only (not compared).
        frequency: how common the haplotype is, when given.
        likelihood_ratio: for a match with a frequency, shared line against unrelated.
        threshold: the number of differences that excludes.
    """

    verdict: LineageVerdict
    compared_loci: int
    differences: tuple[YDifference, ...]
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]
    frequency: HaplotypeFrequency | None
    likelihood_ratio: float | None
    threshold: int

    @property
    def differing_loci(self) -> int:
        return len(self.differences)

    def explanation(self) -> str:
        """The result in words an officer can check."""
        return _lineage_words(
            marker="Y-STR haplotypes",
            line="paternal line",
            verdict=self.verdict,
            compared=f"{self.compared_loci} {'locus' if self.compared_loci == 1 else 'loci'}",
            differences=[d.words() for d in self.differences],
            unit=("locus", "loci"),
            threshold=self.threshold,
            frequency=self.frequency,
            likelihood_ratio=self.likelihood_ratio,
            notes=_one_side_note(self.only_first, self.only_second),
        )


def _one_side_note(first: tuple[str, ...], second: tuple[str, ...]) -> list[str]:
    count = len(first) + len(second)
    if not count:
        return []
    return [
        f"{count} {'locus' if count == 1 else 'loci'} typed on one side only "
        f"({', '.join((*first, *second))}) {'was' if count == 1 else 'were'} not compared."
    ]


def _steps(first: tuple[int, ...], second: tuple[int, ...]) -> int | None:
    if len(first) != len(second):
        return None  # a copy more or less: a duplication or deletion, not a repeat step
    apart = sum(abs(a - b) for a, b in zip(first, second, strict=True))
    return apart // 10 if apart % 10 == 0 else None


def compare_y(
    first: YHaplotype,
    second: YHaplotype,
    *,
    frequency: HaplotypeFrequency | None = None,
    settings: LineageSettings | None = None,
) -> YComparison:
    """Compare two Y-STR haplotypes over the loci typed in both.

    Example:
        >>> a = parse_y_haplotype({"DYS19": "14", "DYS390": "24", "DYS391": "10"})
        >>> b = parse_y_haplotype({"DYS19": "14", "DYS390": "24", "DYS391": "11"})
        >>> result = compare_y(a, b)
        >>> result.verdict, result.differing_loci, result.compared_loci
        (<LineageVerdict.INCONCLUSIVE: 'inconclusive'>, 1, 3)
    """
    settings = settings or LineageSettings()
    left, right = first.by_key(), second.by_key()
    common = sorted(left.keys() & right.keys())
    differences = tuple(
        YDifference(
            left[key].name,
            left[key].words(),
            right[key].words(),
            _steps(left[key].alleles, right[key].alleles),
        )
        for key in common
        if left[key].alleles != right[key].alleles
    )
    verdict = verdict_for(len(differences), bool(common), settings)
    return YComparison(
        verdict=verdict,
        compared_loci=len(common),
        differences=differences,
        only_first=tuple(left[key].name for key in sorted(left.keys() - right.keys())),
        only_second=tuple(right[key].name for key in sorted(right.keys() - left.keys())),
        frequency=frequency,
        likelihood_ratio=(
            frequency.likelihood_ratio
            if frequency is not None and verdict is LineageVerdict.MATCH
            else None
        ),
        threshold=settings.exclusion_differences,
    )


# ---------------------------------------------------------------------------------------------
# mtDNA control region

RCRS_LENGTH = 16569  # positions of the revised Cambridge Reference Sequence (NC_012920)

# Homopolymeric C-stretches (HV1 16184–16193, HV2 303–315, HV3 568–573) and the AC repeat
# (515–524), widened a little where laboratories place the same indel differently.
LENGTH_VARIANT_REGIONS: tuple[tuple[int, int], ...] = (
    (16180, 16193),
    (303, 315),
    (515, 524),
    (568, 573),
)

_BASES = "ACGT"
# IUPAC codes for a point heteroplasmy (two bases) and N for a base that could not be read. The
# three-base codes (B, D, H, V) are not accepted: "D" means a deletion in mtDNA notation.
_AMBIGUITY: dict[str, frozenset[str]] = {
    "R": frozenset("AG"),
    "Y": frozenset("CT"),
    "S": frozenset("CG"),
    "W": frozenset("AT"),
    "K": frozenset("GT"),
    "M": frozenset("AC"),
}
_CODE_OF_PAIR = {bases: code for code, bases in _AMBIGUITY.items()}
_DELETION = "-"
_UNREAD = "N"

_VARIANT = re.compile(
    r"^(?P<ref>[ACGT])?(?P<pos>\d{1,5})(?:\.(?P<ins>\d{1,2}))?"
    r"(?P<call>[ACGTRYSWKMN]|[ACGT]/[ACGT]|DEL|D|-)$"
)
_RANGE_DELETION = re.compile(r"^(?P<start>\d{1,5})-(?P<end>\d{1,5})(?:DEL|D)$")
_VARIANT_SEPARATOR = re.compile(r"[\s,;]+")
_MAX_RANGE_DELETION = 50


@dataclass(frozen=True, slots=True, order=True)
class MitoVariant:
    """One difference from rCRS.

    Attributes:
        position: the rCRS position (1–16569); an insertion sits after it.
        insertion: 0 for a base of rCRS, n for the n-th base inserted after ``position``.
        call: the base (A, C, G, T), a point heteroplasmy as an IUPAC code (R, Y, S, W, K, M),
            N for a base not read, or "-" for a deletion.
        reference: the rCRS base when the notation gave it (the "A" of "A263G").
    """

    position: int
    insertion: int
    call: str
    reference: str | None = None

    @property
    def site(self) -> tuple[int, int]:
        return (self.position, self.insertion)

    @property
    def notation(self) -> str:
        return _site_text(self.site) + ("d" if self.call == _DELETION else self.call)

    @property
    def bases(self) -> frozenset[str]:
        """The bases seen: one, two for a heteroplasmy, none for a deletion."""
        if self.call == _DELETION:
            return frozenset()
        return _AMBIGUITY.get(self.call, frozenset(self.call))

    @property
    def heteroplasmic(self) -> bool:
        return self.call in _AMBIGUITY


def parse_mito_variant(text: str) -> tuple[MitoVariant, ...]:
    """Read one variant in the usual notation: "16519C", "A263G", "315.1C", "249d", "249del",
    "249-", "16093Y" or "16093C/T" (a point heteroplasmy), "523-524d" (a deletion of several
    bases, returned one per position).

    Raises:
        LineageError: the text is not a variant, or the position is outside rCRS.
    """
    raw = text
    text = text.strip().upper()
    ranged = _RANGE_DELETION.match(text)
    if ranged is not None:
        start, end = int(ranged.group("start")), int(ranged.group("end"))
        if not 1 <= start < end <= RCRS_LENGTH or end - start >= _MAX_RANGE_DELETION:
            raise LineageError(f"{raw!r} is not a deletion of rCRS positions.")
        return tuple(MitoVariant(p, 0, _DELETION) for p in range(start, end + 1))
    match = _VARIANT.match(text)
    if match is None:
        raise LineageError(
            f"{raw!r} is not an mtDNA variant (write it as position and base against rCRS: "
            "16519C, 315.1C for an insertion, 249d for a deletion, 16093Y for a heteroplasmy)."
        )
    position = int(match.group("pos"))
    insertion = int(match.group("ins") or 0)
    reference = match.group("ref")
    call = match.group("call")
    if not 1 <= position <= RCRS_LENGTH:
        raise LineageError(f"{raw!r}: rCRS has positions 1 to {RCRS_LENGTH} only.")
    if call in ("DEL", "D", "-"):
        call = _DELETION
    elif "/" in call:
        pair = frozenset(call.split("/"))
        if len(pair) == 1:
            call = next(iter(pair))
        else:
            call = _CODE_OF_PAIR[pair]
    if insertion:
        if call == _DELETION:
            raise LineageError(f"{raw!r}: an inserted base cannot be deleted.")
        if reference is not None:
            raise LineageError(f"{raw!r}: an insertion has no rCRS base before its position.")
    if reference is not None and call == reference:
        raise LineageError(f"{raw!r} is the rCRS base itself, not a difference from it.")
    return (MitoVariant(position, insertion, call, reference),)


def parse_ranges(ranges: str | Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Read sequenced ranges: "16024-16569, 1-576" or pairs; a range that runs past 16569 and
    on from 1 may be written as one ("16024-576"). Returned as sorted, merged, non-wrapping
    ranges.

    Example:
        >>> parse_ranges("16024-576")
        ((1, 576), (16024, 16569))
    """
    pairs: list[tuple[int, int]] = []
    if isinstance(ranges, str):
        for part in (p for p in _VARIANT_SEPARATOR.split(ranges.strip()) if p):
            bounds = part.split("-")
            if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
                raise LineageError(f"{part!r} is not a sequenced range (write 16024-16569).")
            pairs.append((int(bounds[0]), int(bounds[1])))
    else:
        for pair in ranges:
            if (
                not isinstance(pair, tuple | list)
                or len(pair) != 2
                or not all(isinstance(b, int) and not isinstance(b, bool) for b in pair)
            ):
                raise LineageError(f"{pair!r} is not a sequenced range (two positions).")
            pairs.append((pair[0], pair[1]))
    if not pairs:
        raise LineageError("No sequenced range was given.")
    spans: list[tuple[int, int]] = []
    for start, end in pairs:
        if not (1 <= start <= RCRS_LENGTH and 1 <= end <= RCRS_LENGTH):
            raise LineageError(
                f"The range {start}-{end} is outside rCRS (positions 1 to {RCRS_LENGTH})."
            )
        if start <= end:
            spans.append((start, end))
        else:  # runs across the origin of the circular genome
            spans.extend([(start, RCRS_LENGTH), (1, end)])
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _intersect(
    first: tuple[tuple[int, int], ...], second: tuple[tuple[int, int], ...]
) -> tuple[tuple[int, int], ...]:
    common = [
        (max(a0, b0), min(a1, b1))
        for a0, a1 in first
        for b0, b1 in second
        if max(a0, b0) <= min(a1, b1)
    ]
    return _merge(common)


def _inside(position: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(start <= position <= end for start, end in spans)


def _ranges_text(spans: tuple[tuple[int, int], ...]) -> str:
    # Show a range across the origin the way laboratories write it (16024–576).
    if len(spans) >= 2 and spans[0][0] == 1 and spans[-1][1] == RCRS_LENGTH:
        spans = ((spans[-1][0], spans[0][1]), *spans[1:-1])
    return ", ".join(f"{start}–{end}" for start, end in spans)


@dataclass(frozen=True, slots=True)
class MitoProfile:
    """An mtDNA profile: its differences from rCRS, sorted, and the ranges sequenced (``None``
    when not stated, in which case the comparison trusts the other side's ranges)."""

    variants: tuple[MitoVariant, ...]
    ranges: tuple[tuple[int, int], ...] | None = None

    def by_site(self) -> dict[tuple[int, int], MitoVariant]:
        return {variant.site: variant for variant in self.variants}


def parse_mito_profile(
    variants: str | Iterable[str],
    ranges: str | Iterable[tuple[int, int]] | None = None,
) -> MitoProfile:
    """Read an mtDNA profile: variants against rCRS (a string separated by spaces, commas or
    semicolons, or a list) and, optionally, the ranges sequenced.

    Raises:
        LineageError: a variant is malformed, given twice or contradicted at the same position,
            or lies outside the ranges sequenced.

    Example:
        >>> profile = parse_mito_profile("16189C 16519c 263G 315.1C 249del", "16024-576")
        >>> [v.notation for v in profile.variants]
        ['249d', '263G', '315.1C', '16189C', '16519C']
    """
    texts = (
        [t for t in _VARIANT_SEPARATOR.split(variants.strip()) if t]
        if isinstance(variants, str)
        else [str(t) for t in variants]
    )
    found: dict[tuple[int, int], MitoVariant] = {}
    for text in texts:
        for variant in parse_mito_variant(text):
            if variant.site in found:
                raise LineageError(
                    f"Position {_site_text(variant.site)} is given twice "
                    f"({found[variant.site].notation} and {variant.notation})."
                )
            found[variant.site] = variant
    spans = parse_ranges(ranges) if ranges is not None else None
    if spans is not None:
        outside = [v.notation for v in found.values() if not _inside(v.position, spans)]
        if outside:
            raise LineageError(
                f"{', '.join(sorted(outside))} lie{'s' if len(outside) == 1 else ''} outside "
                f"the ranges sequenced ({_ranges_text(spans)})."
            )
    return MitoProfile(tuple(sorted(found.values())), spans)


@dataclass(frozen=True, slots=True)
class MitoDifference:
    """One site where two mtDNA profiles differ ("rCRS" where a side has the reference)."""

    site: str
    first: str
    second: str

    def words(self) -> str:
        return f"{self.site}: {self.first} against {self.second}"


@dataclass(frozen=True, slots=True)
class MitoComparison:
    """Two mtDNA profiles compared within the range both sides sequenced.

    Attributes:
        verdict: match, inconclusive (a possible mutation), excluded, or not compared.
        differences: the sites that differ.
        compared_ranges: the ranges compared (``None``: neither side stated its ranges).
        compared_positions: how many rCRS positions that is (``None`` when not stated).
        shared_heteroplasmies: heteroplasmies that share a base with the other side, so are not
            counted as differences.
        ignored: length variants left out (see ``LineageSettings.ignore_length_variants``).
        not_compared: variants outside the common range or at a base not read on the other side.
        frequency, likelihood_ratio, threshold: as for ``YComparison``.
    """

    verdict: LineageVerdict
    differences: tuple[MitoDifference, ...]
    compared_ranges: tuple[tuple[int, int], ...] | None
    compared_positions: int | None
    shared_heteroplasmies: tuple[str, ...]
    ignored: tuple[str, ...]
    not_compared: tuple[str, ...]
    frequency: HaplotypeFrequency | None
    likelihood_ratio: float | None
    threshold: int

    @property
    def differing_positions(self) -> int:
        return len(self.differences)

    def explanation(self) -> str:
        """The result in words an officer can check."""
        notes: list[str] = []
        if self.shared_heteroplasmies:
            notes.append(
                f"Heteroplasmy at {', '.join(self.shared_heteroplasmies)} shares a base with the "
                "other side and is not counted as a difference."
            )
        if self.ignored:
            notes.append(
                f"Length variants in the C-stretches and AC repeat ({', '.join(self.ignored)}) "
                "are left out, as is usual."
            )
        if self.not_compared:
            notes.append(
                f"{', '.join(self.not_compared)} could not be compared (outside the range both "
                "sides sequenced, or a base not read)."
            )
        if self.compared_ranges is None:
            compared = None
        else:
            compared = (
                f"{self.compared_positions:,} positions ({_ranges_text(self.compared_ranges)})"
            )
        return _lineage_words(
            marker="mtDNA profiles",
            line="maternal line",
            verdict=self.verdict,
            compared=compared,
            differences=[d.words() for d in self.differences],
            unit=("position", "positions"),
            threshold=self.threshold,
            frequency=self.frequency,
            likelihood_ratio=self.likelihood_ratio,
            notes=notes,
        )


def _in_length_region(variant: MitoVariant) -> bool:
    indel = variant.insertion > 0 or variant.call == _DELETION
    return indel and any(start <= variant.position <= end for start, end in LENGTH_VARIANT_REGIONS)


def _site_text(site: tuple[int, int]) -> str:
    return f"{site[0]}.{site[1]}" if site[1] else str(site[0])


def _state(variant: MitoVariant | None) -> str:
    return "rCRS" if variant is None else variant.notation


def compare_mito(
    first: MitoProfile,
    second: MitoProfile,
    *,
    frequency: HaplotypeFrequency | None = None,
    settings: LineageSettings | None = None,
) -> MitoComparison:
    """Compare two mtDNA profiles within the range both sides sequenced.

    A site counts as one difference when the two sides show no base in common there (a
    substitution against rCRS, a deletion against a base, an insertion on one side only). A
    point heteroplasmy that shares a base with the other side is not a difference (SWGDAM
    mtDNA guidelines 2019); against rCRS it is taken to include the rCRS base unless the
    notation names an rCRS base it lacks ("T16093R"). A base not read (N) is not compared.

    Example:
        >>> a = parse_mito_profile("16189C 16519C 263G 315.1C", "16024-576")
        >>> b = parse_mito_profile("16189C 16519C 263G 309.1C 315.1C", "16024-16569 1-400")
        >>> result = compare_mito(a, b)
        >>> result.verdict, result.differing_positions, result.ignored
        (<LineageVerdict.MATCH: 'match'>, 0, ('309.1C',))
    """
    settings = settings or LineageSettings()
    if first.ranges is not None and second.ranges is not None:
        common: tuple[tuple[int, int], ...] | None = _intersect(first.ranges, second.ranges)
    else:
        common = first.ranges if first.ranges is not None else second.ranges
    left, right = first.by_site(), second.by_site()
    differences: list[MitoDifference] = []
    shared: list[str] = []
    ignored: list[str] = []
    not_compared: list[str] = []
    for site in sorted(left.keys() | right.keys()):
        a, b = left.get(site), right.get(site)
        if a is not None and b is not None and a.call == b.call:
            continue
        present = [v for v in (a, b) if v is not None]
        label = " / ".join(v.notation for v in present)
        if common is not None and not _inside(site[0], common):
            not_compared.append(label)
            continue
        if any(v.call == _UNREAD for v in present):
            not_compared.append(label)
            continue
        if settings.ignore_length_variants and any(_in_length_region(v) for v in present):
            ignored.append(label)
            continue
        if a is not None and b is not None:
            if a.bases & b.bases:
                shared.append(label)
                continue
        else:
            only = a if a is not None else b
            assert only is not None
            if only.heteroplasmic and (only.reference is None or only.reference in only.bases):
                shared.append(label)
                continue
        differences.append(MitoDifference(_site_text(site), _state(a), _state(b)))
    compared = common is None or bool(common)
    verdict = verdict_for(len(differences), compared, settings)
    return MitoComparison(
        verdict=verdict,
        differences=tuple(differences),
        compared_ranges=common,
        compared_positions=(
            None if common is None else sum(end - start + 1 for start, end in common)
        ),
        shared_heteroplasmies=tuple(shared),
        ignored=tuple(ignored),
        not_compared=tuple(not_compared),
        frequency=frequency,
        likelihood_ratio=(
            frequency.likelihood_ratio
            if frequency is not None and verdict is LineageVerdict.MATCH
            else None
        ),
        threshold=settings.exclusion_differences,
    )


# ---------------------------------------------------------------------------------------------
# Words shared by both markers


def _lineage_words(
    *,
    marker: str,
    line: str,
    verdict: LineageVerdict,
    compared: str | None,
    differences: list[str],
    unit: tuple[str, str],
    threshold: int,
    frequency: HaplotypeFrequency | None,
    likelihood_ratio: float | None,
    notes: list[str],
) -> str:
    count = len(differences)
    what = f"{count} {unit[0] if count == 1 else unit[1]}"
    # ``compared`` is None for mtDNA lists without a stated range: both lists are taken whole.
    where = f"at all {compared} compared" if compared else "(both lists compared whole)"
    of = f"{count} of {compared}" if compared else what
    if verdict is LineageVerdict.NOT_COMPARED:
        sentences = [f"The {marker} have nothing in common to compare: they say nothing."]
    elif verdict is LineageVerdict.MATCH:
        sentences = [
            f"The {marker} match {where}: the two may share a {line}, as every relative on that "
            "line would."
        ]
        if frequency is not None and likelihood_ratio is not None:
            sentences.append(
                f"{frequency.words()}, so the match is about {_times(likelihood_ratio)} "
                f"times more likely if they share a {line} than if they are unrelated."
            )
    elif verdict is LineageVerdict.INCONCLUSIVE:
        sentences = [
            f"The {marker} differ at {of} ({'; '.join(differences)}): this is consistent with "
            f"a mutation between relatives, so it neither confirms nor excludes a shared {line}."
        ]
    else:
        sentences = [
            f"The {marker} differ at {of} ({'; '.join(differences)}): {threshold} or more "
            f"differences exclude a shared {line}."
        ]
    return " ".join([*sentences, *notes])
