"""Lineage markers across borders (spec §7.7): the Y-STR and mtDNA results of a consenting
family's references as the DNA search carries them, and, answering a peer's search, whether our
remains' lineage markers exclude a received family's paternal or maternal line."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from casework.dna.models import MarkerSystem
from casework.dna.stored import lineage_of
from exchange import PedigreeMember, SharedFamily
from exchange.dna import ALLELE, LOCUS, MAX_LOCI, MAX_MTDNA_VARIANTS, MTDNA_VARIANT
from matching.kinship import (
    KinshipError,
    LineageVerdict,
    compare_mito,
    compare_y,
    parse_mito_profile,
    parse_y_haplotype,
)

_SEPARATORS = re.compile(r"[\s,;]+")


def shared_ystr(sample_id: uuid.UUID) -> dict[str, str]:
    """The reference's newest Y-STR result as the format carries it: one allele per marker
    (multi-copy markers such as DYS385a/b, written "11,14", and null alleles are left out)."""
    typed = lineage_of(sample_id, MarkerSystem.Y_STR) or {}
    found = {
        marker: str(value)
        for marker, value in sorted(typed.items())
        if LOCUS.match(marker) and ALLELE.match(str(value))
    }
    return dict(list(found.items())[:MAX_LOCI])


def shared_mtdna(sample_id: uuid.UUID) -> tuple[str, ...] | None:
    """The reference's newest mtDNA variants (relative to rCRS), sorted and distinct (none: the
    same as rCRS); None when not sequenced. The sequenced range does not travel: the
    comparison then trusts the remains' range."""
    typed = lineage_of(sample_id, MarkerSystem.MTDNA)
    if typed is None:
        return None
    variants = {
        variant
        for variant in _SEPARATORS.split(str(typed.get("variants") or ""))
        if variant and MTDNA_VARIANT.match(variant)
    }
    return tuple(sorted(variants))[:MAX_MTDNA_VARIANTS]


def _line_root(members: Mapping[str, PedigreeMember], label: str, parent: str) -> str:
    """The founder at the top of `label`'s father's (or mother's) line within the pedigree."""
    seen = label
    while (above := getattr(members[seen], parent)) is not None:
        seen = above
    return seen


def _same_line(family: SharedFamily, parent: str) -> list[str]:
    """Typed members who share the missing person's line: the same top founder through
    fathers (Y) or mothers (mtDNA); for the Y line, men only."""
    members = {member.label: member for member in family.members}
    root = _line_root(members, family.missing, parent)
    return [
        label
        for label, member in members.items()
        if label != family.missing
        and _line_root(members, label, parent) == root
        and (parent == "mother" or member.sex == "male")
    ]


def lineage_exclusion(family: SharedFamily, remains_sample_id: uuid.UUID) -> tuple[str, ...]:
    """The lineage systems ("mtdna", "ystr") whose markers of our remains sample exclude the
    family's line: a typed relative on the missing person's paternal (Y-STR) or maternal
    (mtDNA) line whose haplotype the remains' differs from beyond the engine's mutation
    allowance. Nothing compared excludes nothing."""
    excluded: list[str] = []
    ours_y = lineage_of(remains_sample_id, MarkerSystem.Y_STR)
    if ours_y is not None:
        for label in _same_line(family, "father"):
            markers = family.ystr.get(label)
            if not markers:
                continue
            try:
                comparison = compare_y(parse_y_haplotype(ours_y), parse_y_haplotype(markers))
            except KinshipError:
                continue
            if comparison.verdict is LineageVerdict.EXCLUDED:
                excluded.append("ystr")
                break
    ours_mt = lineage_of(remains_sample_id, MarkerSystem.MTDNA)
    if ours_mt is not None:
        for label in _same_line(family, "mother"):
            variants = family.mtdna.get(label)
            if variants is None:
                continue
            try:
                comparison_mt = compare_mito(
                    parse_mito_profile(ours_mt["variants"], ours_mt["range"] or None),
                    parse_mito_profile(" ".join(variants)),
                )
            except KinshipError:
                continue
            if comparison_mt.verdict is LineageVerdict.EXCLUDED:
                excluded.append("mtdna")
                break
    return tuple(sorted(excluded))
