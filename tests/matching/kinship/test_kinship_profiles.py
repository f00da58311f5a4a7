"""STR profiles: names and alleles normalised, malformed values refused with the locus named."""

from __future__ import annotations

import pytest

from matching.kinship import (
    KNOWN_LOCI,
    Profile,
    ProfileError,
    load_frequencies,
    normalise_allele,
    normalise_locus,
    parse_genotype,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("9.3", "9.3"), ("9.30", "9.3"), ("09", "9"), (" 15 ", "15"), (15, "15"), (15.2, "15.2"),
     ("10.0", "10"), ("176", "176")],
)  # fmt: skip
def test_alleles_are_normalised(given: str | int | float, expected: str) -> None:
    assert normalise_allele(given) == expected


@pytest.mark.parametrize(
    ("given", "words"),
    [("OL", "off-ladder"), ("ol", "off-ladder"), ("", "empty"), ("-3", "negative"),
     ("abc", "not a repeat number"), ("9.35", "one digit"), ("0", "positive"), ("1e3", "not a")],
)  # fmt: skip
def test_bad_alleles_are_refused_naming_locus_and_value(given: str, words: str) -> None:
    with pytest.raises(ProfileError, match=words) as error:
        normalise_allele(given, "D3S1358")
    assert "D3S1358" in str(error.value)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("vwa", "vWA"), ("VWA", "vWA"), ("Penta D", "Penta D"), ("PentaD", "Penta D"),
     ("penta-e", "Penta E"), ("THO1", "TH01"), ("th01", "TH01"), ("d21s11", "D21S11"),
     ("fga", "FGA"), ("se33", "SE33"), ("ACTBP2", "SE33"), ("MyLocus 7", "MYLOCUS7")],
)  # fmt: skip
def test_locus_names_are_normalised(given: str, expected: str) -> None:
    assert normalise_locus(given) == expected


@pytest.mark.parametrize("given", ["", "  ", "D3-?", "AMEL", "Amelogenin"])
def test_bad_locus_names_are_refused(given: str) -> None:
    with pytest.raises(ProfileError):
        normalise_locus(given)


def test_every_shipped_locus_keeps_its_spelling() -> None:
    database = load_frequencies()
    for name in database.names():
        for locus in database.population(name).loci:
            assert locus in KNOWN_LOCI
            assert normalise_locus(locus) == locus


def test_genotypes_are_ordered_and_homozygotes_written_once() -> None:
    assert parse_genotype("TH01", "9.3", "6") == ("TH01", ("6", "9.3"))
    assert parse_genotype("TH01", "7", "") == ("TH01", ("7", "7"))
    assert parse_genotype("FGA", "22", "21.2") == ("FGA", ("21.2", "22"))


def test_profile_parse_accepts_pairs_strings_and_single_alleles() -> None:
    profile = Profile.parse("PM-9", {"d8s1179": ["14", "12"], "TH01": "9.3", "vWA": "16/17"})
    assert dict(profile.genotypes) == {
        "D8S1179": ("12", "14"),
        "TH01": ("9.3", "9.3"),
        "vWA": ("16", "17"),
    }
    assert profile.loci == {"D8S1179", "TH01", "vWA"}
    assert len(profile) == 3


@pytest.mark.parametrize(
    ("alleles", "words"),
    [({"TH01": ("6", "7", "8")}, "more than two alleles"),
     ({"vWA": "16,17", "VWA": "15,16"}, "given twice"),
     ({"TH01": "OL,7"}, "off-ladder"),
     ({"TH01": None}, "not an allele")],
)  # fmt: skip
def test_bad_profiles_are_refused(alleles: dict[str, object], words: str) -> None:
    with pytest.raises(ProfileError, match=words):
        Profile.parse("PM-1", alleles)


def test_untyped_loci_are_absent() -> None:
    assert Profile.parse("PM-2", {}).genotypes == {}
