"""Near misses: a document name that agrees with no reported name but comes close to one is
weak evidence of its own (criterion ``name_near``), never an agreement."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from matching import (
    CandidateIndex,
    MissingRecord,
    RemainsRecord,
    Weights,
    default_weights,
    score_pair,
)
from matching.estimation import LabelledPair, estimate_weights, pair_levels
from matching.names import NEAR_CLOSE, NEAR_LOOSE, NEAR_NONE, name_keys, near_band, near_text
from matching.weights import CRITERIA
from tests.matching.test_matching_index import brute_force, ranked_as_every_pair

AS_OF = date(2024, 1, 1)


def _band(document: str, reported: str) -> int:
    (first,), (second,) = name_keys(document), name_keys(reported)
    return near_band(first, second)


@pytest.mark.parametrize(
    ("document", "reported", "band"),
    [
        # folded, Webb is "uib" and Wbeb "ubib": short keys never agree, one edit is close
        ("Wbeb", "Webb", NEAR_CLOSE),
        ("Riy", "Roy", NEAR_CLOSE),
        ("Tomsen", "Thompson", NEAR_CLOSE),
        ("Lowae", "Lowe", NEAR_CLOSE),
        ("Fenwicsk", "Fenwick", NEAR_NONE),  # they agree (ratio >= 80): not a near miss
        ("Cjleb", "Caleb", NEAR_NONE),  # they agree too
        # controls that must come near nothing
        ("Webb", "Smith", NEAR_NONE),
        ("Ali", "Omar", NEAR_NONE),
        ("Garnett", "Lodge", NEAR_NONE),
        ("J", "Jo", NEAR_NONE),  # an initial comes near nothing: it agrees by rule or not
    ],
)
def test_near_bands(document: str, reported: str, band: int) -> None:
    assert _band(document, reported) == band


def test_a_looser_likeness_is_near_not_close() -> None:
    assert _band("Hand", "Hardy") == NEAR_LOOSE  # two edits
    assert _band("Weber", "Wheeler") == NEAR_LOOSE


def _levels(person: MissingRecord, body: RemainsRecord) -> dict[str, int]:
    return {c: int(v[0]) for c, v in pair_levels([person], [body]).items()}


def test_a_near_miss_adds_weak_evidence_and_never_lifts_the_names_level() -> None:
    person = MissingRecord("M1", given_names=("Mikayla",), surnames=("Webb",))
    near = RemainsRecord("R1", document_names=("MIKAYLA WBEB",))
    other = RemainsRecord("R2", document_names=("MIKAYLA SMITH",))
    same = RemainsRecord("R3", document_names=("MIKAYLA WEBB",))
    near_levels, other_levels = _levels(person, near), _levels(person, other)
    # the surname does not agree: the names level is the same as for another surname
    assert near_levels["names"] == other_levels["names"]
    assert CRITERIA["names"][near_levels["names"] - 1] == "given_only"
    assert CRITERIA["name_near"][near_levels["name_near"] - 1] == "close"
    assert CRITERIA["name_near"][other_levels["name_near"] - 1] == "none"
    # every document name agrees: nothing is left to come near
    assert _levels(person, same)["name_near"] == 0
    scores = [score_pair(person, body).score for body in (same, near, other)]
    assert scores[0] > scores[1] > scores[2]


def test_a_name_split_in_two_is_a_close_near_miss() -> None:
    person = MissingRecord("M1", given_names=("Thomas",), surnames=("Paine",))
    split = RemainsRecord("R1", document_names=("PA INE THOMAS",))
    assert CRITERIA["name_near"][_levels(person, split)["name_near"] - 1] == "close"
    (line,) = [e for e in score_pair(person, split).evidence if e.criterion == "name_near"]
    assert "Pa Ine is Paine written in two words" in line.text
    # controls: a whole name next to another is no split name (Lachlan Whte is not
    # "lachlanwhte" for Lachlan), nor is an initial half of one
    lachlan = MissingRecord("M2", given_names=("Lachlan",), surnames=("Reid",))
    for document in ("LACHLAN WHTE", "LACHLA N"):
        body = RemainsRecord("R2", document_names=(document,))
        assert CRITERIA["name_near"][_levels(lachlan, body)["name_near"] - 1] == "none"


def test_the_evidence_says_how_close_the_near_miss_is() -> None:
    person = MissingRecord("M1", given_names=("Mikayla",), surnames=("Webb",))
    body = RemainsRecord("R1", document_names=("MIKAYLA WBEB",))
    (line,) = [e for e in score_pair(person, body).evidence if e.criterion == "name_near"]
    assert "Wbeb is close to Webb (two letters swapped)" in line.text
    assert "not an agreement" in line.text
    assert line.weight == pytest.approx(default_weights().weight("name_near", "close"), abs=0.01)
    assert near_text("lowae", "lowe") == "Lowae is close to Lowe (one letter added)"


def _typed(name: str, rng: random.Random) -> str:
    """A name as a hurried clerk types it: a letter swapped, dropped, doubled or changed, or
    the name split in two."""
    if len(name) < 3:
        return name
    at = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(5)
    if kind == 4 and " " not in name:
        return name[:at] + " " + name[at:]
    if kind == 0:
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if kind == 1:
        return name[:at] + name[at + 1 :]
    if kind == 2:
        return name[:at] + name[at] + name[at:]
    return name[:at] + rng.choice("aeiourstnl") + name[at + 1 :]


GIVEN = ("Mikayla", "Kyle", "Blake", "Ruby", "Jayde", "Roy", "Lachlan", "Keira", "Ella", "Ned")
SURNAMES = ("Webb", "Wehr", "Lowe", "Reid", "Dixon", "Mason", "Frew", "Rees", "Paine", "Hand")


@pytest.fixture(scope="module")
def typed_caseload() -> tuple[list[MissingRecord], list[RemainsRecord]]:
    """Short, common names typed twice wrong: near misses and ties everywhere."""
    rng = random.Random(13)
    missing = [
        MissingRecord(f"M{i}", given_names=(rng.choice(GIVEN),), surnames=(rng.choice(SURNAMES),))
        for i in range(120)
    ]
    remains = []
    for i, person in enumerate(missing[:40]):
        given, surname = person.given_names[0], person.surnames[0]
        document = f"{_typed(_typed(given, rng), rng)} {_typed(surname, rng)}"
        remains.append(RemainsRecord(f"R{i}", document_names=(document.upper(),)))
    return missing, remains


def test_the_index_ranks_near_misses_as_scoring_every_pair(
    typed_caseload: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = typed_caseload
    index = CandidateIndex()
    index.add_many(missing)
    found = ranked_as_every_pair(index, remains, missing, 5, AS_OF)
    near_seen = sum(any(e.criterion == "name_near" for e in c.evidence) for c in found)
    assert near_seen > 20  # the caseload does exercise near misses


def test_the_index_ranks_near_misses_alike_from_the_missing_side(
    typed_caseload: tuple[list[MissingRecord], list[RemainsRecord]],
) -> None:
    missing, remains = typed_caseload
    index = CandidateIndex()
    index.add_many(remains)
    for person in missing[:40]:
        found = index.candidates_for_missing(person, top_k=3, as_of=AS_OF)
        expected = brute_force(index, person, remains, 3, AS_OF)
        assert [c.score for c in found] == pytest.approx([c.score for c in expected], rel=1e-9)


def test_near_misses_are_re_estimated_with_the_other_levels() -> None:
    person = MissingRecord("M1", given_names=("Mikayla",), surnames=("Webb",))
    near = RemainsRecord("R1", document_names=("MIKAYLA WBEB",))
    stranger = MissingRecord("M2", given_names=("Mikayla",), surnames=("Smith",))
    pairs = [LabelledPair(person, near, True)] * 50 + [LabelledPair(stranger, near, False)] * 50
    new = estimate_weights(pairs)
    assert new.weight("name_near", "close") > default_weights().weight("name_near", "close")


def test_a_weights_file_saved_before_near_misses_takes_their_defaults() -> None:
    saved = json.loads(default_weights().to_json())
    del saved["criteria"]["name_near"]
    assert Weights.from_json(json.dumps(saved)) == default_weights()


def test_one_document_name_counts_for_one_role_only() -> None:
    # "emiily" (folded "imili") agrees with Emiily and, by ratio, with Miles (folded "milis"):
    # one written word is not both the given name and the surname
    body = RemainsRecord("R1", document_names=("EMIILY PAIE",))
    miles = MissingRecord("M1", given_names=("Emiily",), surnames=("Miles",))
    paine = MissingRecord("M2", given_names=("Emiily",), surnames=("Paine",))
    assert CRITERIA["names"][_levels(miles, body)["names"] - 1] == "given_only"
    assert score_pair(paine, body).score > score_pair(miles, body).score
    # control: two document names, one for each role, still agree on both
    both = RemainsRecord("R2", document_names=("EMIILY MILES",))
    assert CRITERIA["names"][_levels(miles, both)["names"] - 1] == "full"
