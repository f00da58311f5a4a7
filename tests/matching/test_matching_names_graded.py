"""Names as records write them: graded similarity, name frequencies learned from the caseload,
short forms, record conventions, hard contradictions and the caseload prior."""

from __future__ import annotations

from datetime import date

import pytest

from matching import (
    CandidateIndex,
    MatchingError,
    MatchSettings,
    MissingRecord,
    RemainsRecord,
    Sex,
)
from matching.names import fold_token, token_similarity

AS_OF = date(2024, 1, 1)


def _crowd(count: int) -> list[MissingRecord]:
    """A caseload where José, López and Hernández are common, as on the US–Mexico border."""
    given = ("José", "Juan", "Luis", "Carlos", "Miguel")
    surnames = ("López", "Hernández", "García", "Martínez", "Pérez")
    return [
        MissingRecord(
            f"C{i}",
            given_names=(given[i % len(given)],),
            surnames=(f"{surnames[i % 5]} {surnames[(i // 5) % 5]}",),
            sex=Sex.MALE,
        )
        for i in range(count)
    ]


def test_a_rare_surname_agreeing_outweighs_a_common_given_name_and_surname() -> None:
    rare = MissingRecord(
        "M1", given_names=("Eladio",), surnames=("Quintanilla Hernández",), sex=Sex.MALE
    )
    common = MissingRecord("M2", given_names=("José",), surnames=("López Hernández",))
    index = CandidateIndex()
    index.add_many([rare, common, *_crowd(200)])
    body = RemainsRecord("R1", document_names=("JOSE ELADIO QUINTANILLA HERNANDEZ",))
    found = index.candidates_for_remains(body, top_k=3, as_of=AS_OF)
    assert found[0].missing_ref == "M1"
    assert (
        index.name_frequency(fold_token("quintanilla"))
        > 0
        > index.name_frequency(fold_token("lopez"))
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [("hernandez", "hernandes"), ("quintanilla", "quintanila"), ("traore", "traori")],
)
def test_a_slip_scores_below_the_same_name_and_above_nothing(first: str, second: str) -> None:
    exact = token_similarity(fold_token(first), fold_token(first))
    slip = token_similarity(fold_token(first), fold_token(second + "x"))
    assert exact == 100.0
    assert 0.0 < slip < exact
    assert token_similarity(fold_token(first), fold_token("zzzzzz")) == 0.0


def test_a_one_letter_slip_ranks_above_a_looser_likeness() -> None:
    index = CandidateIndex()
    index.add_many(
        [
            MissingRecord("M1", given_names=("Ana",), surnames=("Quintanilla",)),
            MissingRecord("M2", given_names=("Ana",), surnames=("Quintanar",)),
        ]
    )
    found = index.candidates_for_remains(
        RemainsRecord("R1", document_names=("ANA QUINTANILA",)), as_of=AS_OF
    )
    assert [c.missing_ref for c in found][:1] == ["M1"]
    assert found[0].score > found[1].score


def test_a_short_form_agrees_and_the_evidence_says_so() -> None:
    index = CandidateIndex()
    index.add_many(
        [
            MissingRecord("M1", given_names=("Pipe",), surnames=("Quispe",)),
            MissingRecord("M2", given_names=("Mateo",), surnames=("Quispe",)),
        ]
    )
    found = index.candidates_for_remains(
        RemainsRecord("R1", document_names=("FELIPE QUISPE",)), as_of=AS_OF
    )
    assert found[0].missing_ref == "M1"
    names = next(e for e in found[0].evidence if e.criterion == "names")
    assert "Pipe is a short form of Felipe" in names.text


@pytest.mark.parametrize(
    "written",
    ["QUINTANILLA-HERNANDEZ, JOSE ELADIO", "Quintanilla Hernández José Eladio", "jose eladio"],
)
def test_medical_examiner_and_family_forms_of_a_name_agree(written: str) -> None:
    person = MissingRecord("M1", given_names=("José Eladio",), surnames=("Quintanilla Hernández",))
    index = CandidateIndex()
    index.add_many([person, MissingRecord("M2", given_names=("Rosa",), surnames=("Soto",))])
    found = index.candidates_for_remains(RemainsRecord("R1", document_names=(written,)))
    assert found[0].missing_ref == "M1"
    assert found[0].evidence[0].criterion == "names"
    assert found[0].evidence[0].weight > 0


def _document_of_someone_else() -> tuple[list[MissingRecord], RemainsRecord]:
    named = MissingRecord("M1", given_names=("Yusuf",), surnames=("Abdi",), sex=Sex.FEMALE, age=30)
    consistent = MissingRecord(
        "M2",
        given_names=("Omar",),
        sex=Sex.MALE,
        age=31,
        last_seen_date=date(2023, 5, 1),
        last_seen_lat=31.5,
        last_seen_lon=-111.5,
    )
    body = RemainsRecord(
        "R1",
        sex=Sex.MALE,
        age_min=25,
        age_max=35,
        found_date=date(2023, 5, 20),
        found_lat=31.52,
        found_lon=-111.52,
        document_names=("YUSUF ABDI",),
    )
    return [named, consistent], body


def test_a_name_on_remains_of_the_wrong_sex_does_not_carry_the_candidate() -> None:
    people, body = _document_of_someone_else()
    index = CandidateIndex(settings=MatchSettings(voiding_contradictions=frozenset({"sex", "age"})))
    index.add_many(people)
    found = index.candidates_for_remains(body, as_of=AS_OF)
    assert [c.missing_ref for c in found] == ["M2", "M1"]
    names = next(e for e in found[1].evidence if e.criterion == "names")
    assert names.weight <= 0
    assert "someone else" in names.text
    assert index.score_pair(people[0], body, as_of=AS_OF).score == pytest.approx(found[1].score)


def test_by_default_an_estimated_sex_does_not_void_the_names() -> None:
    people, body = _document_of_someone_else()
    index = CandidateIndex()
    index.add_many(people)
    assert index.candidates_for_remains(body, as_of=AS_OF)[0].missing_ref == "M1"


def test_a_setting_makes_a_contradiction_exclude_outright() -> None:
    people, body = _document_of_someone_else()
    index = CandidateIndex(settings=MatchSettings(excluding_contradictions=frozenset({"sex"})))
    index.add_many(people)
    assert [c.missing_ref for c in index.candidates_for_remains(body, as_of=AS_OF)] == ["M2"]
    with pytest.raises(MatchingError, match="excluding_contradictions"):
        MatchSettings(excluding_contradictions=frozenset({"height"}))


def test_an_age_decades_off_voids_the_names() -> None:
    person = MissingRecord("M1", given_names=("Ana",), surnames=("Ruiz",), age=70)
    body = RemainsRecord("R1", age_min=18, age_max=25, document_names=("ANA RUIZ",))
    index = CandidateIndex()
    index.add(person)
    candidate = index.candidates_for_remains(body, as_of=AS_OF)[0]
    assert next(e for e in candidate.evidence if e.criterion == "names").weight <= 0


def test_the_caseload_prior_makes_candidates_compete() -> None:
    twins = [MissingRecord(f"M{i}", given_names=("Ana",), surnames=("Ruiz",)) for i in range(2)]
    body = RemainsRecord("R1", document_names=("ANA RUIZ",))
    index = CandidateIndex(settings=MatchSettings(reported_share=1.0))
    index.add_many([*twins, *_crowd(50)])
    found = index.candidates_for_remains(body, top_k=60, as_of=AS_OF)
    assert found[0].score == pytest.approx(found[1].score)
    assert 0.45 < found[0].score <= 0.5
    assert sum(c.score for c in found) == pytest.approx(1.0)
    lone = CandidateIndex(settings=MatchSettings(reported_share=1.0))
    lone.add_many([twins[0], *_crowd(50)])
    assert lone.candidates_for_remains(body, as_of=AS_OF)[0].score > 0.9


@pytest.mark.parametrize("share", [0.0, 1.5, -0.1])
def test_a_reported_share_outside_zero_one_is_refused(share: float) -> None:
    with pytest.raises(MatchingError, match="reported_share"):
        MatchSettings(reported_share=share)
