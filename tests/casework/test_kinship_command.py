"""`casework kinship` on small files: exact LRs checked against the textbook formulas, the
ranking, bad rows reported by file, row and reason, and the files or arguments it refuses.

Without mutation (rate 0) and theta = 0 the single-locus LRs are the textbook ones (Evett & Weir,
Interpreting DNA Evidence, 1998, ch. 7; Buckleton, Triggs & Walsh, Forensic DNA Evidence
Interpretation, 2005, ch. 7), with k0, k1, k2 the IBD probabilities of the relationship:
  parent - child sharing a, remains ab:          1 / (4 p_a)
  parent ab - child aa:                          1 / (2 p_a)
  parent ab - child ab:                          (p_a + p_b) / (4 p_a p_b)
  both parents ab and cc, remains ac:            (1/2) / (2 p_a p_c) = 1 / (4 p_a p_c)
  full siblings (k = 1/4, 1/2, 1/4), ab and ab:  (1 + p_a + p_b + 2 p_a p_b) / (8 p_a p_b)
  full siblings, ab and ac:                      1/4 + 1 / (8 p_a);  no allele shared: 1/4
  half siblings (k = 1/2, 1/2, 0), ab and ac:    1/2 + 1 / (8 p_a);  ab and ab:
                                                 1/2 + (p_a + p_b) / (8 p_a p_b)
"""

from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from casework.cli import build_cli
from casework.kinship_commands import kinship

FREQUENCIES = """population,locus,allele,frequency,source
Lab,TH01,6,0.2,x
Lab,TH01,7,0.3,x
Lab,TH01,9.3,0.5,x
Lab,vWA,14,0.1,x
Lab,vWA,15,0.2,x
Lab,vWA,16,0.3,x
Lab,vWA,17,0.4,x
"""
P = {"6": 0.2, "7": 0.3, "9.3": 0.5, "14": 0.1, "15": 0.2, "16": 0.3, "17": 0.4}

# A: the mother (only the mother given: the father is added untyped). B: a full sibling.
# C: both parents. D: a paternal half sibling.
PEDIGREES = """family,person,father,mother,sex,missing
A,mum,,,F,0
A,ana,,mum,F,1
B,dad,,,1,0
B,mum,,,2,0
B,kid,dad,mum,0,1
B,sib,dad,mum,0,0
C,dad,0,0,M,0
C,mum,0,0,F,0
C,leo,dad,mum,M,1
D,dad,,,M,0
D,m1,,,F,0
D,m2,,,F,0
D,lost,dad,m1,,1
D,half,dad,m2,,0
"""
REFERENCES = """family,sample,locus,allele1,allele2
A,mum,TH01,6,7
A,mum,VWA,14,15
B,sib,TH01,7,6
B,sib,vWA,16,17
C,dad,TH01,6,7
C,mum,TH01,9.3,
D,half,TH01,6,7
"""
UNIDENTIFIED = """sample,locus,allele1,allele2
PM1,TH01,6,9.3
PM1,vWA,14,14
PM2,TH01,6,7
PM2,vWA,16,17
"""

# Expected LR of each pair, by the formulas above.
PM1 = {
    "A": (1 / (4 * P["6"])) * (1 / (2 * P["14"])),
    "B": (1 / 4 + 1 / (8 * P["6"])) * (1 / 4),
    "C": 1 / (4 * P["6"] * P["9.3"]),
    "D": 1 / 2 + 1 / (8 * P["6"]),
}
PM2 = {
    "A": 0.0,  # vWA: the mother is 14/15, the remains 16/17: excluded without mutation
    "B": ((1 + P["6"] + P["7"] + 2 * P["6"] * P["7"]) / (8 * P["6"] * P["7"]))
    * ((1 + P["16"] + P["17"] + 2 * P["16"] * P["17"]) / (8 * P["16"] * P["17"])),
    "C": 0.0,  # the mother is 9.3/9.3: her child must carry 9.3
    "D": 1 / 2 + (P["6"] + P["7"]) / (8 * P["6"] * P["7"]),
}
LOCI = {("PM1", "A"): 2, ("PM1", "B"): 2, ("PM1", "C"): 1, ("PM1", "D"): 1}


def _write(folder: Path, **files: str) -> dict[str, Path]:
    paths = {}
    for name, text in files.items():
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return _write(
        tmp_path,
        P=PEDIGREES,
        R=REFERENCES,
        U=UNIDENTIFIED,
        F=FREQUENCIES,
    )


def _run(files: dict[str, Path], *extra: str) -> tuple[int, str, str, list[dict[str, str]]]:
    out = files["P"].parent / "out.csv"
    out.unlink(missing_ok=True)
    args = ["--pedigrees", str(files["P"]), "--references", str(files["R"])]
    args += ["--unidentified", str(files["U"]), "--out", str(out)]
    if "F" in files:
        args += ["--frequencies", str(files["F"]), "--population", "lab"]
    result = CliRunner().invoke(kinship, [*args, *extra])
    rows = []
    if out.exists():
        with out.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    return result.exit_code, result.stdout, result.stderr, rows


def test_exact_lrs_and_ranking_against_the_textbook_formulas(files: dict[str, Path]) -> None:
    code, stdout, stderr, rows = _run(files, "--mutation-rate", "0")
    assert code == 0, stderr
    assert stderr == ""
    assert list(rows[0]) == ["unidentified", "family", "log10_lr", "loci", "rank"]
    got = [(r["unidentified"], r["family"], r["rank"]) for r in rows]
    # best first; pairs with log10 LR below 0 (B for PM1) and exclusions are not written
    assert got == [
        ("PM1", "A", "1"),
        ("PM1", "C", "2"),
        ("PM1", "D", "3"),
        ("PM2", "B", "1"),
        ("PM2", "D", "2"),
    ]
    for row in rows:
        expected = (PM1 if row["unidentified"] == "PM1" else PM2)[row["family"]]
        assert float(row["log10_lr"]) == pytest.approx(math.log10(expected), abs=2e-6)
        if row["unidentified"] == "PM1":
            assert int(row["loci"]) == LOCI[("PM1", row["family"])]
    assert "5 hits for 2 remains profiles against 4 families" in stdout


def test_top_and_threshold_and_exclusions(files: dict[str, Path]) -> None:
    code, _, _, rows = _run(files, "--mutation-rate", "0", "--min-log10-lr", "-inf")
    assert code == 0
    pm2 = [(r["family"], r["log10_lr"]) for r in rows if r["unidentified"] == "PM2"]
    assert pm2[:2] == [("B", f"{math.log10(PM2['B']):.6f}"), ("D", f"{math.log10(PM2['D']):.6f}")]
    assert sorted(pm2[2:]) == [("A", "-inf"), ("C", "-inf")]
    code, _, _, rows = _run(files, "--mutation-rate", "0", "--top", "1", "--min-log10-lr", "0.5")
    assert [(r["unidentified"], r["family"]) for r in rows] == [("PM1", "A"), ("PM2", "B")]
    code, _, _, rows = _run(files, "--mutation-rate", "0", "--min-log10-lr", "5")
    assert code == 0 and rows == []


def test_mutation_keeps_a_one_step_inconsistency_from_excluding(files: dict[str, Path]) -> None:
    files["U"].write_text("sample,locus,allele1,allele2\nPM3,vWA,16,16\n", encoding="utf-8")
    code, _, _, rows = _run(files, "--min-log10-lr", "-inf")  # default: stepwise, 0.002
    assert code == 0
    by_family = {r["family"]: float(r["log10_lr"]) for r in rows}
    # the mother is 14/15: a 15 -> 16 step mutation explains the remains, with a small LR
    assert -5 < by_family["A"] < -1


def test_theta_recomputes_the_shortlist(files: dict[str, Path]) -> None:
    """theta = 0.03 for the mother and PM1, from the Balding-Nichols sampling formula
    P(next allele is a | n alleles seen, m of them a) = (m theta + (1 - theta) p_a) /
    (1 + (n - 1) theta): at TH01 (mother 67, remains 6 9.3) the LR is
    (1 + 2 theta) / (4 (theta + (1 - theta) p_6)); at vWA (mother 14 15, remains 14 14) it is
    (1 + 2 theta) / (2 (2 theta + (1 - theta) p_14))."""
    theta = 0.03
    code, _, stderr, rows = _run(
        files, "--theta", str(theta), "--mutation-model", "none", "--min-log10-lr", "-inf"
    )
    assert code == 0, stderr
    pair = next(r for r in rows if (r["unidentified"], r["family"]) == ("PM1", "A"))
    th01 = (1 + 2 * theta) / (4 * (theta + (1 - theta) * P["6"]))
    vwa = (1 + 2 * theta) / (2 * (2 * theta + (1 - theta) * P["14"]))
    assert float(pair["log10_lr"]) == pytest.approx(math.log10(th01 * vwa), abs=2e-6)
    assert pair["rank"] == "1"


def test_theta_with_the_stepwise_model_is_refused(files: dict[str, Path]) -> None:
    code, _, stderr, rows = _run(files, "--theta", "0.01")
    assert code == 2 and rows == []
    assert "--mutation-model equal" in stderr


BAD_PEDIGREES = (
    PEDIGREES
    + """E,a,b,,M,0
E,b,a,,M,0
E,lost,a,,M,1
G,dad,,,F,0
G,lost,dad,,M,1
H,lost,ghost,,M,1
I,dad,,,M,0
I,kid,dad,,M,0
J,a,,,X,1
K,x,,,M,1
K,y,,,M,1
"""
)
BAD_REFERENCES = (
    REFERENCES
    + """A,mum,D99S1,10,11
A,mum,FGA,20,21
B,nobody,TH01,6,7
B,kid,TH01,6,7
Z,x,TH01,6,7
A,mum,TH01,6,9.3
C,dad,vWA,abc,14
C,dad,vWA,OL,14
E,a,TH01,6,7
D,half,vWA,14,14
D,half,vWA,15,15
"""
)
BAD_UNIDENTIFIED = (
    UNIDENTIFIED
    + """PM1,AMEL,X,Y
PM1,FGA,21,22
PM2,TH01,6,7
PM3,TH01,six,7
,TH01,6,7
"""
)


def test_bad_rows_are_reported_by_file_row_and_reason(tmp_path: Path) -> None:
    files = _write(tmp_path, P=BAD_PEDIGREES, R=BAD_REFERENCES, U=BAD_UNIDENTIFIED, F=FREQUENCIES)
    code, stdout, stderr, rows = _run(files, "--mutation-rate", "0")
    assert code == 0, stderr
    lines = stderr.strip().splitlines()
    p, r, u = (str(files[name]) for name in "PRU")
    expected = [
        (p, 16, "the pedigree has a cycle: a -> b -> a"),
        (p, 20, "father dad of lost is recorded as female; family G is left out"),
        (p, 21, "father ghost of lost is not a person of family H; family H is left out"),
        (p, 22, "family I has no missing person (missing = 1); family I is left out"),
        (p, 24, "sex 'X' is not M/F, 1/2 or empty"),
        (p, 26, "a second missing person in family K (the first is x, row 25)"),
        (r, 9, "unknown locus D99S1: not in the allele frequencies of Lab"),
        (r, 10, "unknown locus FGA"),
        (r, 11, "sample 'nobody' is not a person of family B"),
        (r, 12, "sample kid is the missing person of family B"),
        (r, 13, "family 'Z' is not in the pedigrees file"),
        (r, 14, "locus TH01 of sample A/mum is 6/9.3 here but 6/7 at row 2"),
        (r, 15, "Locus vWA, allele 'abc': not a repeat number"),
        (r, 16, "Locus vWA, allele 'OL': off-ladder"),
        (r, 17, "family E is left out (see the pedigrees file)"),
        (r, 19, "locus vWA of sample D/half is 15/15 here but 14/14 at row 18"),
        (u, 6, "Locus AMEL: a sex or Y marker"),
        (u, 7, "unknown locus FGA"),
        (u, 9, "Locus TH01, allele 'six'"),
        (u, 10, "the sample is empty"),
    ]
    for name, row, reason in expected:
        prefix = f"{name}, row {row}: "
        assert any(line.startswith(prefix) and reason in line for line in lines), (
            name,
            row,
            reason,
            lines,
        )
    assert f"{len(lines)} row problem(s) reported" in stdout
    # the rest is used: the good families still give the textbook values; family A lost its
    # conflicting TH01 and keeps vWA; PM3's only row was bad, so it has no hit
    got = {(row["unidentified"], row["family"]): float(row["log10_lr"]) for row in rows}
    assert got[("PM1", "C")] == pytest.approx(math.log10(PM1["C"]), abs=2e-6)
    assert got[("PM2", "B")] == pytest.approx(math.log10(PM2["B"]), abs=2e-6)
    assert got[("PM1", "A")] == pytest.approx(math.log10(1 / (2 * P["14"])), abs=2e-6)
    assert {family for _, family in got} <= {"A", "B", "C", "D"}
    assert not any(remains == "PM3" for remains, _ in got)


def test_a_sample_name_reads_without_the_separator(tmp_path: Path) -> None:
    files = _write(
        tmp_path,
        P=PEDIGREES,
        R=REFERENCES + "A,mum,TH01,6,9.3\n",
        U=UNIDENTIFIED,
        F=FREQUENCIES,
    )
    _, _, stderr, _ = _run(files, "--mutation-rate", "0")
    assert "locus TH01 of sample A/mum is 6/9.3 here but 6/7 at row 2" in stderr
    assert "\x00" not in stderr


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("P", "family,person,sex\nA,x,M\n", "missing column(s) father, mother, missing"),
        ("R", "family,sample,locus\n", "missing column(s) allele1"),
        ("U", "", "the file is empty"),
        ("F", "population,locus,allele\nLab,TH01,6\n", "missing column(s) frequency"),
    ],
)
def test_a_file_without_its_columns_exits_2(
    files: dict[str, Path], name: str, text: str, message: str
) -> None:
    files[name].write_text(text, encoding="utf-8")
    code, _, stderr, rows = _run(files)
    assert code == 2 and rows == []
    assert message in stderr and str(files[name]) in stderr


def test_a_file_not_in_utf8_exits_2(files: dict[str, Path]) -> None:
    files["U"].write_bytes(b"sample,locus,allele1,allele2\nPM\xff,TH01,6,7\n")
    code, _, stderr, _ = _run(files)
    assert code == 2 and "not a UTF-8 text file" in stderr


def test_a_missing_file_exits_2(files: dict[str, Path]) -> None:
    files["R"] = files["R"].parent / "absent.csv"
    code, _, stderr, rows = _run(files)
    assert code == 2 and rows == []
    assert "absent.csv" in stderr and "does not exist" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--population", "Atlantis"], "Unknown population 'Atlantis'"),
        (["--theta", "0.9"], "0.9 is not in the range"),
        (["--top", "0"], "0 is not in the range"),
        (["--mutation-model", "random"], "'random' is not one of"),
        (["--min-log10-lr", "high"], "'high' is not a valid float"),
    ],
)
def test_bad_arguments_exit_2(files: dict[str, Path], args: list[str], message: str) -> None:
    code, _, stderr, _ = _run(files, *args)
    assert code == 2
    assert message in stderr


def test_an_output_that_cannot_be_written_exits_2(files: dict[str, Path]) -> None:
    args = ["--pedigrees", str(files["P"]), "--references", str(files["R"])]
    args += ["--unidentified", str(files["U"]), "--frequencies", str(files["F"])]
    args += ["--population", "Lab", "--out", str(files["P"].parent / "no" / "out.csv")]
    result = CliRunner().invoke(kinship, args)
    assert result.exit_code == 2 and "cannot be written" in result.stderr


def test_shipped_frequencies_by_default(tmp_path: Path) -> None:
    files = _write(tmp_path, P=PEDIGREES, R=REFERENCES, U=UNIDENTIFIED)
    code, stdout, stderr, rows = _run(files)
    assert code == 0, stderr
    assert "SW Hispanic" in stdout
    assert rows[0]["unidentified"] == "PM1" and rows[0]["family"] == "A"


def test_the_command_needs_no_app(files: dict[str, Path], monkeypatch) -> None:
    """Production mode with no key and no database: the app is never built."""
    import casework.cli

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("casework kinship built the app")

    monkeypatch.setattr(casework.cli, "create_app", refuse)
    out = files["P"].parent / "out.csv"
    args = ["kinship", "--pedigrees", str(files["P"]), "--references", str(files["R"])]
    args += ["--unidentified", str(files["U"]), "--frequencies", str(files["F"])]
    args += ["--population", "Lab", "--out", str(out)]
    result = CliRunner().invoke(build_cli(), args, env={"CASEWORK_MODE": "production"})
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("unidentified,family,log10_lr,loci,rank")


def test_the_simulations_files_rank_each_true_family_first(tmp_path: Path) -> None:
    """The benchmark's simulation writes sex as M/F and missing as 1/0: read as they are, and
    with both parents typed the true family comes first for every remains."""
    from bench.kinship_simulation import read_frequencies, simulate, write_files

    simulation = simulate(
        read_frequencies("SW Hispanic"),
        families=12,
        unrelated=3,
        kinds=["both_parents", "child_partner"],
        max_loss=0.2,
        seed=5,
    )
    written = write_files(simulation, tmp_path)
    out = tmp_path / "out.csv"
    args = ["--pedigrees", str(written["pedigrees.csv"])]
    args += ["--references", str(written["references.csv"])]
    args += ["--unidentified", str(written["unidentified.csv"]), "--out", str(out)]
    result = CliRunner().invoke(kinship, [*args, "--top", "3"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    with out.open(encoding="utf-8") as handle:
        best = {r["unidentified"]: r for r in csv.DictReader(handle) if r["rank"] == "1"}
    for remains in simulation.remains:
        if remains.family is not None:
            assert best[remains.sample]["family"] == remains.family
            assert float(best[remains.sample]["log10_lr"]) > 4


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only(monkeypatch) -> None:
    from casework.console import progress_bar

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar("Family tables", "locus") as progress:
        progress(12, 23)
    assert "Family tables" in terminal.getvalue() and "12/23" in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with progress_bar("Family tables", "locus") as progress:
        progress(12, 23)
    assert piped.getvalue() == ""
