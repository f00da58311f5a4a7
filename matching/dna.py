"""DNA evidence for one (missing person, remains) pair as a criterion of the candidate engine.

The kinship engine's likelihood ratio is already a likelihood ratio of the kind the engine sums:
its weight is log2 LR (log10 LR x log2 10), added to the other criteria's weights, which are
log2 likelihood ratios too. Lineage markers (Y-STR, mtDNA) that differ at the exclusion
threshold exclude the pair, as a date or a tooth that cannot fit does; so does an autosomal LR
of 0 (only possible without a mutation model). The words are those of
:mod:`matching.kinship.reading`, so the officer reads the same sentence as in the DNA report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matching.errors import RecordError
from matching.kinship.reading import Relation, english, read_likelihood_ratio
from matching.records import MissingRecord, RemainsRecord, Sex

#: log2 of 10: a log10 LR times this is the same LR in bits, the engine's unit of weight.
LOG2_10 = math.log2(10.0)


@dataclass(frozen=True, slots=True)
class DnaEvidence:
    """What DNA says about one pair: the kinship LR and whether a lineage excludes.

    Attributes:
        missing_ref: the missing person's ref (the family's missing person).
        remains_ref: the remains' ref.
        log10_lr: log10 of the kinship LR of the remains' profile against the family's
            references, or None when only lineage markers were compared.
        loci: loci compared (0 when not known).
        relatives: how each typed relative is related to the missing person ("mother",
            "brother"...; see :class:`matching.kinship.Relation`), for the words.
        lineage_excluded: the Y-STR or mtDNA comparison excludes the shared line.
        lineage_note: the lineage comparison in words (e.g. ``YComparison.explanation()``).

    Raises:
        RecordError: a log10 LR that is not a number (or plus infinity), a negative count of
            loci, or an unknown relationship.

    Example:
        >>> dna = DnaEvidence("M1", "R1", 6.5, 21, ("mother",))
        >>> round(dna.weight, 2), dna.excludes
        (21.59, False)
    """

    missing_ref: str
    remains_ref: str
    log10_lr: float | None = None
    loci: int = 0
    relatives: tuple[str, ...] = ()
    lineage_excluded: bool = False
    lineage_note: str = ""

    def __post_init__(self) -> None:
        if not self.missing_ref or not self.remains_ref:
            raise RecordError("DNA evidence names both the missing person and the remains")
        if self.log10_lr is not None and (math.isnan(self.log10_lr) or self.log10_lr == math.inf):
            raise RecordError(f"{self.log10_lr!r} is not a log10 likelihood ratio")
        if self.loci < 0:
            raise RecordError(f"a count of loci cannot be negative ({self.loci})")
        for relative in self.relatives:
            try:
                Relation(relative.strip().lower().replace(" ", "_").replace("-", "_"))
            except ValueError:
                raise RecordError(f"{relative!r} is not a relationship the reading knows") from None

    @property
    def excludes(self) -> bool:
        """A lineage exclusion, or an autosomal LR of 0."""
        return self.lineage_excluded or self.log10_lr == -math.inf

    @property
    def weight(self) -> float:
        """log2 LR, the engine's weight (0 without an LR, minus infinity for an LR of 0)."""
        return 0.0 if self.log10_lr is None else self.log10_lr * LOG2_10

    def exclusion_text(self) -> str:
        """Why the DNA excludes the pair ("" when it does not)."""
        reasons = []
        if self.log10_lr == -math.inf:
            reasons.append("the DNA profiles cannot be those of relatives so related")
        if self.lineage_excluded:
            note = f" ({self.lineage_note})" if self.lineage_note else ""
            reasons.append(f"the lineage markers exclude a shared line{note}")
        return "; ".join(reasons)

    def text(self, sex: Sex = Sex.UNKNOWN) -> str:
        """The evidence in words; ``sex`` is the missing person's, for "her" or "his".

        Example:
            >>> print(DnaEvidence("M1", "R1", 6.5, 21, ("mother", "brother")).text(Sex.FEMALE))
            DNA (21 loci): The DNA is about 3.2 million times more likely if these remains are \
the missing person's, given her mother's and brother's samples, than if they are of someone \
unrelated. On the ENFSI verbal scale this is extremely strong support for these remains being \
the missing person's.
        """
        parts = []
        if self.log10_lr is not None:
            reading = read_likelihood_ratio(self.log10_lr, self.relatives, sex=sex.value)
            parts.append(english(reading))
        if self.lineage_excluded:
            parts.append(self.lineage_note or "The lineage markers exclude a shared line.")
        elif self.lineage_note:
            parts.append(self.lineage_note)
        loci = f" ({self.loci} loci)" if self.loci else ""
        return f"DNA{loci}: " + " ".join(parts)


def pair_dna(missing: MissingRecord, remains: RemainsRecord) -> DnaEvidence | None:
    """The DNA evidence of a pair: the remains record's when it has one, else the missing
    person's, else None.

    Example:
        >>> from matching.records import MissingRecord, RemainsRecord
        >>> dna = DnaEvidence("M1", "R1", 2.0)
        >>> pair_dna(MissingRecord("M1"), RemainsRecord("R1", dna=(dna,))) is dna
        True
    """
    for evidence in remains.dna:
        if evidence.missing_ref == missing.ref:
            return evidence
    for evidence in missing.dna:
        if evidence.remains_ref == remains.ref:
            return evidence
    return None
