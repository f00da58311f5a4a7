"""Lineage markers: Y-STR and mtDNA parsing, comparison, thresholds, frequencies and words."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.errors import MatchingError
from matching.kinship import lineage
from matching.kinship.lineage import (
    HaplotypeFrequency,
    LineageError,
    LineageSettings,
    LineageVerdict,
    MitoVariant,
    compare_mito,
    compare_y,
    parse_mito_profile,
    parse_mito_variant,
    parse_ranges,
    parse_y_haplotype,
)

BASE_Y = {
    "DYS19": "14",
    "DYS389I": "13",
    "DYS389II": "29",
    "DYS390": "24",
    "DYS391": "10",
    "DYS392": "13",
    "DYS393": "13",
    "DYS385a/b": "11,14",
    "DYS439": "12",
    "DYS458": "17.2",
}


def test_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(lineage)
    assert result.attempted >= 8
    assert result.failed == 0


# --- Y-STR parsing ----------------------------------------------------------------------------


def test_y_haplotype_keeps_typed_loci_and_sorts_copies() -> None:
    haplotype = parse_y_haplotype(
        {"DYS385a/b": "14, 11", "DYS458": "17.2", "DYS448": "", "DYS456": None, "DYS19": 14}
    )
    typed = {locus.name: locus.alleles for locus in haplotype.loci}
    assert typed == {"DYS385a/b": (110, 140), "DYS458": (172,), "DYS19": (140,)}


@pytest.mark.parametrize(
    "first, second",
    [
        ("DYS385a/b", "DYS385AB"),
        ("Y-GATA-H4", "YGATAH4"),
        ("DYS389 I", "dys389i"),
        ("DYS_439", "DYS439"),
    ],
)
def test_locus_names_compare_in_one_spelling(first: str, second: str) -> None:
    result = compare_y(parse_y_haplotype({first: "12"}), parse_y_haplotype({second: "12"}))
    assert (result.compared_loci, result.verdict) == (1, LineageVerdict.MATCH)


@pytest.mark.parametrize(
    "typed, message",
    [
        ({"DYS19": "fourteen"}, "not a repeat number"),
        ({"DYS19": "14.12"}, "not a repeat number"),
        ({"DYS19": "0"}, "1 or more"),
        ({"DYS19": "-3"}, "not a repeat number"),
        ({"DYS19": "14;;x"}, "not a repeat number"),
        ({"DYS19": True}, "not a repeat number"),
        ({"": "14"}, "not a Y-STR locus name"),
        ({"123": "14"}, "not a Y-STR locus name"),
        ({"DYS385a/b": "11,14", "DYS385ab": "11,14"}, "given twice"),
    ],
)
def test_malformed_y_haplotypes_are_refused(typed: dict[str, object], message: str) -> None:
    with pytest.raises(LineageError, match=message):
        parse_y_haplotype(typed)  # type: ignore[arg-type]


def test_lineage_errors_are_matching_errors_and_value_errors() -> None:
    with pytest.raises(MatchingError):
        parse_y_haplotype({"DYS19": "x"})
    with pytest.raises(ValueError):
        parse_mito_variant("x")


# --- Y-STR comparison -------------------------------------------------------------------------


def _with(**changes: str | None) -> dict[str, str | None]:
    typed: dict[str, str | None] = dict(BASE_Y)
    for key, value in changes.items():
        typed[key.replace("_", "/")] = value
    return typed


@pytest.mark.parametrize(
    "changes, verdict, differing",
    [
        ({}, LineageVerdict.MATCH, 0),
        ({"DYS391": "11"}, LineageVerdict.INCONCLUSIVE, 1),
        ({"DYS391": "11", "DYS19": "15"}, LineageVerdict.EXCLUDED, 2),
        ({"DYS391": "11", "DYS19": "15", "DYS439": "13"}, LineageVerdict.EXCLUDED, 3),
        ({"DYS385a_b": "11,15"}, LineageVerdict.INCONCLUSIVE, 1),
        ({"DYS385a_b": "11,14,15"}, LineageVerdict.INCONCLUSIVE, 1),  # an extra copy
        ({"DYS458": "17"}, LineageVerdict.INCONCLUSIVE, 1),  # microvariant against whole
        ({"DYS391": None, "DYS19": ""}, LineageVerdict.MATCH, 0),  # untyped: not compared
    ],
)
def test_y_comparison_counts_differing_loci(
    changes: dict[str, str | None], verdict: LineageVerdict, differing: int
) -> None:
    result = compare_y(parse_y_haplotype(BASE_Y), parse_y_haplotype(_with(**changes)))
    assert result.verdict is verdict
    assert result.differing_loci == differing
    untyped = sum(1 for value in changes.values() if not value)
    assert result.compared_loci == len(BASE_Y) - untyped
    assert len(result.only_first) == untyped and result.only_second == ()


def test_y_difference_steps() -> None:
    result = compare_y(
        parse_y_haplotype({"DYS19": "14", "DYS385": "11,14", "DYS458": "17.2", "DYS439": "12"}),
        parse_y_haplotype({"DYS19": "16", "DYS385": "11,13", "DYS458": "17", "DYS439": "12,13"}),
        settings=LineageSettings(exclusion_differences=5),
    )
    steps = {d.locus: d.steps for d in result.differences}
    # 2 repeats; 1 repeat in one copy; 0.2 of a repeat is no whole step; a copy more is no step
    assert steps == {"DYS19": 2, "DYS385": 1, "DYS458": None, "DYS439": None}
    assert result.verdict is LineageVerdict.INCONCLUSIVE


def test_the_exclusion_threshold_is_a_setting() -> None:
    a = parse_y_haplotype(BASE_Y)
    b = parse_y_haplotype(_with(DYS391="11", DYS19="15"))
    assert compare_y(a, b).verdict is LineageVerdict.EXCLUDED
    assert compare_y(a, b, settings=LineageSettings(3)).verdict is LineageVerdict.INCONCLUSIVE
    assert compare_y(a, a, settings=LineageSettings(1)).verdict is LineageVerdict.MATCH
    one = parse_y_haplotype(_with(DYS391="11"))
    assert compare_y(a, one, settings=LineageSettings(1)).verdict is LineageVerdict.EXCLUDED
    with pytest.raises(LineageError, match="at least one"):
        LineageSettings(0)


def test_no_common_locus_is_not_compared() -> None:
    result = compare_y(parse_y_haplotype({"DYS19": "14"}), parse_y_haplotype({"DYS390": "24"}))
    assert result.verdict is LineageVerdict.NOT_COMPARED
    assert result.compared_loci == 0 and result.likelihood_ratio is None
    assert "nothing in common" in result.explanation()


def test_y_match_likelihood_ratio_from_a_database_count() -> None:
    a = parse_y_haplotype(BASE_Y)
    # Seen 3 times among 1,199: (3 + 1) / (1,199 + 1) = 1/300, LR 300.
    result = compare_y(a, a, frequency=HaplotypeFrequency.from_count(3, 1199))
    assert result.likelihood_ratio == pytest.approx(300.0)
    words = result.explanation()
    assert "match at all 10 loci compared" in words
    assert "seen 3 times in a database of 1,199" in words
    assert "about 300 times more likely if they share a paternal line" in words
    # A mismatch carries no LR, even with a frequency.
    other = parse_y_haplotype(_with(DYS391="11"))
    assert compare_y(a, other, frequency=HaplotypeFrequency.given(0.01)).likelihood_ratio is None


def test_y_explanations_name_the_differences() -> None:
    a = parse_y_haplotype(BASE_Y)
    inconclusive = compare_y(a, parse_y_haplotype(_with(DYS391="11", DYS439=None)))
    words = inconclusive.explanation()
    assert "differ at 1 of 9 loci" in words
    assert "DYS391 10 against 11, 1 repeat apart" in words
    assert "consistent with a mutation" in words
    assert "1 locus typed on one side only (DYS439) was not compared" in words
    excluded = compare_y(a, parse_y_haplotype(_with(DYS391="11", DYS19="15")))
    assert "2 or more differences exclude a shared paternal line" in excluded.explanation()


# --- Haplotype frequency ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "count, size, value",
    [(0, 99, 0.01), (1, 1, 1.0), (9, 999, 0.01), (0, 1, 0.5)],
)
def test_augmented_count(count: int, size: int, value: float) -> None:
    frequency = HaplotypeFrequency.from_count(count, size)
    assert frequency.value == pytest.approx(value)
    assert frequency.likelihood_ratio == pytest.approx(1 / value)


@pytest.mark.parametrize(
    "count, size, message",
    [
        (-1, 10, "cannot be seen"),
        (11, 10, "cannot be seen"),
        (0, 0, "at least one"),
        (1.5, 10, "whole number"),
        (1, "10", "whole number"),
        (True, 10, "whole number"),
    ],
)
def test_bad_counts_are_refused(count: object, size: object, message: str) -> None:
    with pytest.raises(LineageError, match=message):
        HaplotypeFrequency.from_count(count, size)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0.0, -0.1, 1.5, float("nan")])
def test_bad_frequencies_are_refused(value: float) -> None:
    with pytest.raises(LineageError, match="frequency"):
        HaplotypeFrequency.given(value)


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_augmented_count_is_a_probability_above_the_plain_count(count: int, size: int) -> None:
    if count > size:
        count, size = size, count
    value = HaplotypeFrequency.from_count(count, size).value
    assert 0.0 < value <= 1.0
    assert value >= count / size or count == size


# --- mtDNA parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("16519C", [MitoVariant(16519, 0, "C")]),
        ("263g", [MitoVariant(263, 0, "G")]),
        ("A263G", [MitoVariant(263, 0, "G", "A")]),
        ("315.1C", [MitoVariant(315, 1, "C")]),
        ("309.2c", [MitoVariant(309, 2, "C")]),
        ("249d", [MitoVariant(249, 0, "-")]),
        ("249DEL", [MitoVariant(249, 0, "-")]),
        ("249-", [MitoVariant(249, 0, "-")]),
        ("16093Y", [MitoVariant(16093, 0, "Y")]),
        ("16093T/C", [MitoVariant(16093, 0, "Y")]),
        ("152N", [MitoVariant(152, 0, "N")]),
        ("523-524d", [MitoVariant(523, 0, "-"), MitoVariant(524, 0, "-")]),
        (" 73G ", [MitoVariant(73, 0, "G")]),
    ],
)
def test_mito_variant_notation(text: str, expected: list[MitoVariant]) -> None:
    assert list(parse_mito_variant(text)) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("16519", "not an mtDNA variant"),
        ("C", "not an mtDNA variant"),
        ("16519X", "not an mtDNA variant"),
        ("16519B", "not an mtDNA variant"),  # three-base codes are not heteroplasmies here
        ("16519C!", "not an mtDNA variant"),
        ("0C", "positions 1 to 16569"),
        ("16570C", "positions 1 to 16569"),
        ("315.1d", "inserted base cannot be deleted"),
        ("A315.1C", "insertion has no rCRS base"),
        ("A263A", "rCRS base itself"),
        ("524-523d", "not a deletion"),
        ("100-200d", "not a deletion"),
    ],
)
def test_malformed_mito_variants_are_refused(text: str, message: str) -> None:
    with pytest.raises(LineageError, match=message):
        parse_mito_variant(text)


def test_mito_profile_sorts_and_writes_variants_back() -> None:
    profile = parse_mito_profile(["16519C", "263G", "315.1C", "249d", "16093Y", "73G"])
    assert [v.notation for v in profile.variants] == [
        "73G",
        "249d",
        "263G",
        "315.1C",
        "16093Y",
        "16519C",
    ]
    assert profile.ranges is None


@pytest.mark.parametrize(
    "variants, ranges, message",
    [
        ("263G 263A", None, "given twice"),
        ("263G 263G", None, "given twice"),
        ("249d 249C", None, "given twice"),
        ("263G 16519C", "16024-16569", "263G lies outside"),
        ("263G", "16024", "not a sequenced range"),
        ("263G", "1-600-700", "not a sequenced range"),
        ("263G", "1-17000", "outside rCRS"),
        ("263G", [(1, 600, 3)], "two positions"),
        ("263G", [600], "two positions"),
        ("263G", [("1", "600")], "two positions"),
        ("263G", [], "No sequenced range"),
    ],
)
def test_malformed_mito_profiles_are_refused(variants: str, ranges: object, message: str) -> None:
    with pytest.raises(LineageError, match=message):
        parse_mito_profile(variants, ranges)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("16024-16569, 1-576", ((1, 576), (16024, 16569))),
        ("16024-576", ((1, 576), (16024, 16569))),
        ("1-300;200-400 16000-16100", ((1, 400), (16000, 16100))),
        ("1-300 301-400", ((1, 400),)),
    ],
)
def test_ranges_wrap_and_merge(text: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert parse_ranges(text) == expected


# --- mtDNA comparison -------------------------------------------------------------------------

H1 = "16189C 16519C 73G 263G 315.1C"


def test_identical_profiles_match_over_the_common_range() -> None:
    result = compare_mito(
        parse_mito_profile(H1, "16024-576"), parse_mito_profile(H1, "16024-16569 1-400")
    )
    assert result.verdict is LineageVerdict.MATCH
    assert result.compared_ranges == ((1, 400), (16024, 16569))
    assert result.compared_positions == 400 + 546  # 1-400 and 16024-16569
    assert "match at all 946 positions (16024–400) compared" in result.explanation()


@pytest.mark.parametrize(
    "second, verdict, differing",
    [
        ("16189C 16519C 73G 263G 315.1C", LineageVerdict.MATCH, 0),
        ("16189C 73G 263G 315.1C", LineageVerdict.INCONCLUSIVE, 1),  # back to rCRS at 16519
        ("16189C 16519C 73G 263G 315.1C 16311C", LineageVerdict.INCONCLUSIVE, 1),
        ("16189C 16519C 73G 263A 315.1C", LineageVerdict.INCONCLUSIVE, 1),  # G against A
        ("16189C 16519C 73d 263G 315.1C", LineageVerdict.INCONCLUSIVE, 1),  # deletion
        ("16189C 16519C 263G 315.1C 16311C", LineageVerdict.EXCLUDED, 2),
        ("16223T 16311C 263G 315.1C", LineageVerdict.EXCLUDED, 5),
    ],
)
def test_mito_differences(second: str, verdict: LineageVerdict, differing: int) -> None:
    result = compare_mito(parse_mito_profile(H1), parse_mito_profile(second))
    assert (result.verdict, result.differing_positions) == (verdict, differing)
    reverse = compare_mito(parse_mito_profile(second), parse_mito_profile(H1))
    assert (reverse.verdict, reverse.differing_positions) == (verdict, differing)


def test_length_variants_in_the_c_stretches_are_ignored_unless_asked() -> None:
    a = parse_mito_profile("263G 309.1C 315.1C 16193.1C 523-524d")
    b = parse_mito_profile("263G 315.1C")
    result = compare_mito(a, b)
    assert result.verdict is LineageVerdict.MATCH
    assert result.ignored == ("309.1C", "523d", "524d", "16193.1C")
    assert "Length variants in the C-stretches" in result.explanation()
    strict = compare_mito(a, b, settings=LineageSettings(ignore_length_variants=False))
    assert strict.differing_positions == 4
    assert strict.verdict is LineageVerdict.EXCLUDED
    # A substitution inside a C-stretch (16189C) is not a length variant: it still counts.
    assert compare_mito(parse_mito_profile("16189C"), parse_mito_profile("")).differing_positions


def test_heteroplasmy_sharing_a_base_is_not_a_difference() -> None:
    het = parse_mito_profile("16093Y 263G")
    assert compare_mito(het, parse_mito_profile("16093C 263G")).verdict is LineageVerdict.MATCH
    assert compare_mito(het, parse_mito_profile("263G")).verdict is LineageVerdict.MATCH
    result = compare_mito(het, parse_mito_profile("16093A 263G"))  # A is not C or T
    assert result.differing_positions == 1
    # With the rCRS base written (T16093R: rCRS T, seen A/G), rCRS does not share a base.
    named = parse_mito_profile("T16093R 263G")
    assert compare_mito(named, parse_mito_profile("263G")).differing_positions == 1
    words = compare_mito(het, parse_mito_profile("263G")).explanation()
    assert "Heteroplasmy at 16093Y shares a base" in words


def test_differences_outside_the_common_range_or_unread_are_not_compared() -> None:
    a = parse_mito_profile("16189C 263G 16519C", "16024-576")
    b = parse_mito_profile("16189C 263N", "16024-16400 1-576")
    result = compare_mito(a, b)
    # 16519C lies beyond b's range; 263 was not read in b.
    assert result.verdict is LineageVerdict.MATCH
    assert result.not_compared == ("263G / 263N", "16519C")
    assert "could not be compared" in result.explanation()


def test_one_side_ranges_limit_the_comparison() -> None:
    a = parse_mito_profile("16189C", "16024-16569")
    result = compare_mito(a, parse_mito_profile("16189C 263A 16519C"))
    assert result.compared_ranges == ((16024, 16569),)
    assert result.verdict is LineageVerdict.INCONCLUSIVE  # only 16519C counts
    assert result.not_compared == ("263A",)


def test_disjoint_ranges_compare_nothing() -> None:
    result = compare_mito(parse_mito_profile("", "1-100"), parse_mito_profile("", "200-300"))
    assert result.verdict is LineageVerdict.NOT_COMPARED
    assert result.compared_positions == 0


def test_mito_match_likelihood_ratio_and_exclusion_words() -> None:
    a = parse_mito_profile(H1)
    match = compare_mito(a, a, frequency=HaplotypeFrequency.from_count(19, 1999))
    assert match.likelihood_ratio == pytest.approx(100.0)
    assert "may share a maternal line" in match.explanation()
    assert "about 100 times more likely" in match.explanation()
    excluded = compare_mito(a, parse_mito_profile("16223T 263G 315.1C"))
    words = excluded.explanation()
    assert excluded.likelihood_ratio is None
    assert "2 or more differences exclude a shared maternal line" in words
    assert "16223: rCRS against 16223T" in words


_SITES = st.sampled_from(["73G", "263G", "16189C", "16223T", "16311C", "16519C", "150T", "195C"])


@given(st.sets(_SITES), st.sets(_SITES))
def test_mito_difference_count_is_the_symmetric_difference(a: set[str], b: set[str]) -> None:
    result = compare_mito(parse_mito_profile(sorted(a)), parse_mito_profile(sorted(b)))
    assert result.differing_positions == len(a ^ b)
    expected = (
        LineageVerdict.MATCH
        if not a ^ b
        else LineageVerdict.INCONCLUSIVE
        if len(a ^ b) == 1
        else LineageVerdict.EXCLUDED
    )
    assert result.verdict is expected
