"""Frequency databases: the shipped ones as package data, custom files, minimum frequencies."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from matching.kinship import SHIPPED_FILES, FrequencyError, load_frequencies


def test_shipped_databases_are_package_data_with_their_attribution() -> None:
    data = resources.files("matching.kinship") / "data"
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "Moretti" in readme and "MIT licence" in readme
    for name in SHIPPED_FILES:
        assert (data / name).is_file()


def test_shipped_populations_and_loci() -> None:
    database = load_frequencies()
    names = database.names()
    for wanted in ("SW Hispanic", "SE Hispanic", "Africa", "West Asia", "Middle Asia",
                   "South America", "Europe", "East Asia", "Caucasian"):  # fmt: skip
        assert wanted in names
    sw = database.population("sw  HISPANIC")
    assert len(sw.loci) == 23
    for table in sw.loci.values():
        assert sum(table.alleles.values()) == pytest.approx(1.0)
        assert table.n_alleles and table.n_alleles > 0


def test_unknown_population_names_the_known_ones() -> None:
    with pytest.raises(FrequencyError, match="Unknown population 'Atlantis'.*SW Hispanic"):
        load_frequencies().population("Atlantis")


def test_unknown_locus_is_a_clear_error() -> None:
    with pytest.raises(FrequencyError, match="no allele frequencies for locus D99S1"):
        load_frequencies().population("Africa").locus("D99S1")


def test_minimum_frequency_is_5_over_2n_when_n_is_known(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "population,locus,allele,frequency,n_alleles,note\n"
        "P,TH01,6,0.5,200,x\nP,TH01,7,0.5,200,y\n"
        "Q,TH01,6,0.25,,\nQ,TH01,7,0.75,,\n"
    )
    database = load_frequencies(path)
    assert database.population("P").locus("TH01").minimum(0.01) == pytest.approx(5 / 200)
    assert database.population("Q").locus("TH01").minimum(0.01) == 0.01
    alleles, founder = database.population("P").ladder("TH01", ["9.3", "6"], 0.01)
    assert alleles == ("6", "7", "9.3")
    assert founder == pytest.approx((0.5 / 1.025, 0.5 / 1.025, 0.025 / 1.025))


def test_frequencies_of_a_locus_are_scaled_to_one(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("population,locus,allele,frequency\nP,vwa,16,0.3\nP,VWA,17,0.9\n")
    table = load_frequencies(path).population("P").locus("vWA")
    assert dict(table.alleles) == {"16": pytest.approx(0.25), "17": pytest.approx(0.75)}


@pytest.mark.parametrize(
    ("text", "words"),
    [("population,locus,allele\nP,TH01,6\n", "missing column"),
     ("population,locus,allele,frequency\nP,TH01,6,abc\n", "row 2: frequency 'abc'"),
     ("population,locus,allele,frequency\nP,TH01,6,1.5\n", r"not in \(0, 1\]"),
     ("population,locus,allele,frequency\nP,TH01,6,0\n", r"not in \(0, 1\]"),
     ("population,locus,allele,frequency\nP,TH01,OL,0.1\n", "row 2: .*off-ladder"),
     ("population,locus,allele,frequency\n,TH01,6,0.1\n", "population is empty"),
     ("population,locus,allele,frequency\nP,TH01,6,0.1\nP,TH01,06,0.1\n", "row 3: .*twice"),
     ("population,locus,allele,frequency,n_alleles\nP,TH01,6,0.1,-4\n", "positive"),
     ("population,locus,allele,frequency\n", "no rows")],
)  # fmt: skip
def test_bad_tables_are_refused_with_file_and_row(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(FrequencyError, match=words):
        load_frequencies(path)


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FrequencyError, match="cannot be read"):
        load_frequencies(tmp_path / "absent.csv")
