"""Where only a surname or only a given name agrees, whether the documents hold every reported
name weighs as well (``MatchSettings.name_all_reported_bits`` and ``name_unreported_bits``):
of the reports sharing a document's surname, the one holding no name the document lacks
comes first; the index finds it both ways as scoring every pair does."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date

import pytest

from matching import CandidateIndex, MatchSettings, MissingRecord, RemainsRecord, score_pair
from matching.scoring import all_reported_pair
from tests.matching.test_matching_index import brute_force, ranked_as_every_pair

AS_OF = date(2024, 1, 1)


def _log_odds(probability: float) -> float:
    return math.log2(probability / (1.0 - probability))


@pytest.mark.parametrize(
    ("reported", "document", "every"),
    [
        ((("",), ("Tiller",)), "TILLER", True),
        ((("Adam",), ("Tiller",)), "TILLER", False),
        ((("Adam",), ("Tiller",)), "ADAM TILLER", True),
        ((("Adam",), ("Tiller",)), "ADAM TILLRE", True),  # spellings that agree count
        ((("Adam",), ()), "ADAM TILLER", True),
        ((("Adam", "Jo"), ("Tiller",)), "ADAM TILLER", False),
        (((), ()), "ADAM", False),  # no reported name: nothing to find
    ],
)
def test_every_reported_name_found(
    reported: tuple[tuple[str, ...], tuple[str, ...]], document: str, every: bool
) -> None:
    given, surnames = reported
    person = MissingRecord("M", given_names=tuple(g for g in given if g), surnames=surnames)
    assert all_reported_pair(person, RemainsRecord("R", document_names=(document,))) is every


def test_a_report_holding_only_the_documents_surname_comes_first() -> None:
    settings = MatchSettings()
    body = RemainsRecord("R", document_names=("TILLER",))
    alone = MissingRecord("M1", surnames=("Tiller",))
    more = MissingRecord("M2", given_names=("Adam",), surnames=("Tiller",))
    first, second = score_pair(alone, body), score_pair(more, body)
    found, missed = settings.name_all_reported_bits[0], settings.name_unreported_bits[0]
    assert _log_odds(first.score) - _log_odds(second.score) == pytest.approx(found - missed)
    names = next(e for e in first.evidence if e.criterion == "names")
    assert "the report holds no name the documents lack" in names.text
    other = next(e for e in second.evidence if e.criterion == "names")
    assert "the report holds no name the documents lack" not in other.text
    index = CandidateIndex()
    index.add_many([more, alone])
    assert [c.missing_ref for c in index.candidates_for_remains(body, top_k=2)] == ["M1", "M2"]


def test_only_the_partial_levels_weigh_it() -> None:
    body = RemainsRecord("R", document_names=("ADAM TILLER",))
    person = MissingRecord("M", given_names=("Adam",), surnames=("Tiller",))
    off = MatchSettings(name_all_reported_bits=(0.0, 0.0), name_unreported_bits=(0.0, 0.0))
    # every name agrees: the names level says it all, the setting adds nothing
    assert score_pair(person, body).score == score_pair(person, body, settings=off).score
    given_only = RemainsRecord("R2", document_names=("ADAM",))
    alone = MissingRecord("M2", given_names=("Adam",))
    gap = _log_odds(score_pair(alone, given_only).score) - _log_odds(
        score_pair(alone, given_only, settings=off).score
    )
    assert gap == pytest.approx(MatchSettings().name_all_reported_bits[1])


GIVEN = ("Adam", "Ruby", "Kyle", "Ella", "Jayde", "Roy", "Mikayla")
SURNAMES = ("Tiller", "Webb", "Reid", "Mason", "Hand", "Paine")


@pytest.fixture(scope="module")
def blanked_caseload() -> tuple[list[MissingRecord], list[RemainsRecord]]:
    """Reports and documents with names left out, as FEBRL blanks fields: one name alone on
    either side, aliases now and then."""
    rng = random.Random(7)
    missing = []
    for i in range(90):
        given = () if rng.random() < 0.25 else (rng.choice(GIVEN),)
        surnames = () if given and rng.random() < 0.2 else (rng.choice(SURNAMES),)
        aliases = (rng.choice(GIVEN),) if rng.random() < 0.1 else ()
        missing.append(
            MissingRecord(f"M{i}", given_names=given, surnames=surnames, aliases=aliases)
        )
    remains = []
    for i, person in enumerate(missing[:45]):
        words = [*person.given_names, *person.surnames]
        if len(words) > 1 and rng.random() < 0.5:
            words.pop(rng.randrange(len(words)))
        if rng.random() < 0.2:
            words.append(rng.choice(GIVEN))
        remains.append(RemainsRecord(f"R{i}", document_names=(" ".join(words).upper(),)))
    return missing, remains


def test_the_index_weighs_it_as_scoring_every_pair(
    blanked_caseload: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = blanked_caseload
    index = CandidateIndex()
    index.add_many(missing)
    found = ranked_as_every_pair(index, remains, missing, 5, AS_OF)
    seen = sum(
        any("no name the documents lack" in e.text for e in candidate.evidence)
        for candidate in found
    )
    assert seen > 10  # the caseload does exercise it


def test_the_index_weighs_it_alike_from_the_missing_side(
    blanked_caseload: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = blanked_caseload
    index = CandidateIndex()
    index.add_many(remains)
    for person in missing:
        found = index.candidates_for_missing(person, top_k=3, as_of=AS_OF)
        expected = brute_force(index, person, remains, 3, AS_OF)
        assert [c.score for c in found] == pytest.approx([c.score for c in expected], rel=1e-9)


def test_the_full_match_weighs_it_as_scoring_every_pair(
    blanked_caseload: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = blanked_caseload
    index = CandidateIndex(settings=replace(MatchSettings()))
    index.add_many([*missing, *remains])
    by_remains: dict[str, list[float]] = {}
    for candidate in index.match_all(top_k=3, as_of=AS_OF, processes=1):
        by_remains.setdefault(candidate.remains_ref, []).append(candidate.score)
    for body in remains:
        expected = brute_force(index, body, missing, 3, AS_OF)
        assert by_remains.get(body.ref, []) == pytest.approx([c.score for c in expected], rel=1e-9)
