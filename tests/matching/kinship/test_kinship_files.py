"""Reading the files of `casework kinship`: PED conventions, the simulation's codes, problems
by file and row, and the hits written back."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matching.kinship import KinshipHit, Sex
from matching.kinship.files import (
    CaseFileError,
    read_case_files,
    read_pedigrees,
    read_references,
    read_rows,
    read_unidentified,
    write_hits,
)


def _rows(*rows: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    return [(number, row) for number, row in enumerate(rows, start=2)]


def _person(family: str, person: str, father="", mother="", sex="", missing="0") -> dict[str, str]:
    return {"family": family, "person": person, "father": father, "mother": mother, "sex": sex,
            "missing": missing}  # fmt: skip


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (("M", "F", "1"), (Sex.MALE, Sex.FEMALE)),  # the simulation's M/F and 1/0
        (("1", "2", "1"), (Sex.MALE, Sex.FEMALE)),  # PED 1/2
        (("male", "Female", "yes"), (Sex.MALE, Sex.FEMALE)),
        (("", "0", "true"), (Sex.UNKNOWN, Sex.UNKNOWN)),
    ],
)
def test_sex_and_missing_codes(codes: tuple[str, str, str], expected: tuple[Sex, Sex]) -> None:
    father, mother, flag = codes
    rows = _rows(
        _person("F1", "dad", sex=father),
        _person("F1", "mum", sex=mother),
        _person("F1", "kid", "dad", "mum", missing=flag),
    )
    pedigrees, first, problems = read_pedigrees(rows, "P.csv")
    assert problems == [] and first == {"F1": 2}
    pedigree = pedigrees["F1"]
    assert pedigree.missing == "kid"
    assert (pedigree.person("dad").sex, pedigree.person("mum").sex) == expected


def test_ped_zero_parents_and_one_parent_given() -> None:
    rows = _rows(
        _person("F1", "mum", "0", "0", "F"),
        _person("F1", "kid", "0", "mum", missing="1"),
    )
    pedigrees, _, problems = read_pedigrees(rows)
    assert problems == []
    kid = pedigrees["F1"].person("kid")
    assert kid.mother == "mum" and kid.father == "kid:father"  # added, untyped


def test_families_need_not_be_contiguous_and_a_bad_family_leaves_the_rest() -> None:
    rows = _rows(
        _person("F1", "mum", sex="F"),
        _person("F2", "dad", sex="M", mother="dad"),
        _person("F1", "kid", mother="mum", missing="1"),
        _person("F2", "kid", father="dad", missing="1"),
        _person("", "nobody"),
    )
    pedigrees, first, problems = read_pedigrees(rows, "P.csv")
    assert list(pedigrees) == ["F1"] and first == {"F1": 2, "F2": 3}
    assert [(p.row, p.reason) for p in problems] == [
        (3, "person dad is given as their own mother; family F2 is left out."),
        (6, "the family is empty."),
    ]


def test_a_parent_both_father_and_mother_and_duplicates() -> None:
    rows = _rows(
        _person("F1", "p"),
        _person("F1", "q", sex="F"),
        _person("F1", "a", "p", "q", missing="1"),
        _person("F1", "b", "q", "p"),
        _person("F1", "a"),
    )
    _, _, problems = read_pedigrees(rows, "P.csv")
    reasons = [str(problem) for problem in problems]
    assert "P.csv, row 5: father q of b is recorded as female; family F1 is left out." in reasons
    assert any(r.startswith("P.csv, row 5: q is the father of b but the mother") for r in reasons)
    assert any(r.startswith("P.csv, row 6: person a is listed twice") for r in reasons)


def test_references_keep_what_is_good_and_drop_what_is_not() -> None:
    pedigrees, first, _ = read_pedigrees(
        _rows(
            _person("F1", "mum", sex="F"),
            _person("F1", "kid", mother="mum", missing="1"),
            _person("F2", "dad", sex="M"),
            _person("F2", "kid", father="dad", missing="1"),
        )
    )
    rows = _rows(
        {"family": "F1", "sample": "mum", "locus": "vwa", "allele1": "17", "allele2": "16"},
        {"family": "F1", "sample": "mum", "locus": "VWA", "allele1": "16", "allele2": "17"},
        {"family": "F1", "sample": "mum", "locus": "TH01", "allele1": "9.30", "allele2": ""},
        {"family": "F1", "sample": "kid:father", "locus": "TH01", "allele1": "6", "allele2": "7"},
        {"family": "F2", "sample": "dad", "locus": "TH01", "allele1": "", "allele2": "7"},
    )
    families, problems = read_references(rows, pedigrees, first, {"vWA", "TH01"}, "Lab", "R.csv")
    assert [family.id for family in families] == ["F1"]
    mum = families[0].references["mum"]
    assert dict(mum.genotypes) == {"vWA": ("16", "17"), "TH01": ("9.3", "9.3")}
    assert mum.sample == "F1/mum"
    assert [(p.row, p.reason) for p in problems] == [
        (5, "sample 'kid:father' is not a person of family F1 in the pedigrees file."),
        (6, "Locus TH01: an allele is empty."),
    ]


def test_remains_profiles_in_order_and_conflicts_dropped_once() -> None:
    rows = _rows(
        {"sample": "PM-2", "locus": "TH01", "allele1": "6", "allele2": "7"},
        {"sample": "PM-1", "locus": "TH01", "allele1": "6", "allele2": "7"},
        {"sample": "PM-1", "locus": "TH01", "allele1": "6", "allele2": "8"},
        {"sample": "PM-1", "locus": "TH01", "allele1": "6", "allele2": "7"},
        {"sample": "PM-1", "locus": "FGA", "allele1": "-2", "allele2": "7"},
    )
    profiles, problems = read_unidentified(rows, None, source="U.csv")
    assert [p.sample for p in profiles] == ["PM-2", "PM-1"]
    assert dict(profiles[1].genotypes) == {}
    assert [str(p) for p in problems] == [
        "U.csv, row 4: locus TH01 of sample PM-1 is 6/8 here but 6/7 at row 3; the locus is "
        "left out.",
        "U.csv, row 5: locus TH01 of sample PM-1 is given again; it is left out.",
        "U.csv, row 6: Locus FGA, allele '-2': an allele is a repeat number and cannot be "
        "negative.",
    ]


def test_files_with_bom_extra_columns_blank_lines_and_a_family_without_references(
    tmp_path: Path,
) -> None:
    p = tmp_path / "P.csv"
    p.write_text(
        "\ufeffFamily,Person,Father,Mother,Sex,Missing,Note\n"
        "F1,mum,,,F,0,x\n\nF1,kid,,mum,,1,x\nF2,dad,,,M,0,\nF2,kid,dad,,,1,\n",
        encoding="utf-8",
    )
    r = tmp_path / "R.csv"
    r.write_text("family,sample,locus,allele1\nF1,mum,TH01,7\n", encoding="utf-8")
    u = tmp_path / "U.csv"
    u.write_text("sample,locus,allele1,allele2,kit\nPM-1,TH01,7,9.3,GlobalFiler\n")
    files = read_case_files(p, r, u, {"TH01"}, "Lab")
    assert [family.id for family in files.families] == ["F1"]
    assert dict(files.families[0].references["mum"].genotypes) == {"TH01": ("7", "7")}
    assert [dict(profile.genotypes) for profile in files.remains] == [{"TH01": ("7", "9.3")}]
    assert [str(problem) for problem in files.problems] == [
        f"{p}, row 5: family F2 has no usable reference profile; it cannot be compared."
    ]


def test_unusable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="cannot be read"):
        list(read_rows(tmp_path / "absent.csv", ("sample",)))
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(CaseFileError, match="the file is empty"):
        read_rows(tmp_path / "empty.csv", ("sample",))
    (tmp_path / "latin.csv").write_bytes("sample\nJosé\n".encode("latin-1"))
    with pytest.raises(CaseFileError, match="not a UTF-8 text file"):
        read_rows(tmp_path / "latin.csv", ("sample",))
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(CaseFileError, match="cannot be read"):
        read_rows(tmp_path / "folder.csv", ("sample",))


def test_hits_are_written_with_six_decimals(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    count = write_hits(
        out,
        [
            KinshipHit("PM-1", "F1", 12.3456789, 21, 1),
            KinshipHit("PM-1", "F2", -math.inf, 3, 2),
        ],
    )
    assert count == 2
    assert out.read_text(encoding="utf-8").splitlines() == [
        "unidentified,family,log10_lr,loci,rank",
        "PM-1,F1,12.345679,21,1",
        "PM-1,F2,-inf,3,2",
    ]
