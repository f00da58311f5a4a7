"""The candidate index: exact top K (same answer as scoring every pair), upkeep, bulk matching."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from matching import (
    Candidate,
    CandidateIndex,
    MatchingError,
    MatchSettings,
    MissingRecord,
    RemainsRecord,
    Sex,
    default_weights,
    score_pair,
)
from matching.features import missing_name_tokens
from matching.names import INITIAL_SIMILARITY

AS_OF = date(2023, 6, 1)
Population = tuple[list[MissingRecord], list[RemainsRecord]]


def brute_force(
    index: CandidateIndex,
    query: MissingRecord | RemainsRecord,
    others: list,
    top_k: int,
    as_of: date = AS_OF,
) -> list[Candidate]:
    """Every pair scored alone, with the index's name frequencies (learned from its caseload)."""
    scored = [
        index.score_pair(query, other, as_of=as_of)
        if isinstance(query, MissingRecord)
        else index.score_pair(other, query, as_of=as_of)
        for other in others
    ]
    scored = [c for c in scored if not any(e.criterion == "exclusion" for e in c.evidence)]
    return sorted(scored, key=lambda c: -c.score)[:top_k]


def ranked_as_every_pair(
    index: CandidateIndex,
    remains: list[RemainsRecord],
    missing: list[MissingRecord],
    top_k: int = 5,
    as_of: date = AS_OF,
) -> list[Candidate]:
    """Each remains' top K from the index, checked against scoring every pair (scores, and
    the evidence of each candidate as ``score_pair`` gives it); every candidate found."""
    found_all: list[Candidate] = []
    for body in remains:
        found = index.candidates_for_remains(body, top_k=top_k, as_of=as_of)
        expected = brute_force(index, body, missing, top_k, as_of)
        assert [c.score for c in found] == pytest.approx([c.score for c in expected], rel=1e-9)
        for candidate in found:
            person = next(m for m in missing if m.ref == candidate.missing_ref)
            assert candidate.evidence == index.score_pair(person, body, as_of=as_of).evidence
        found_all.extend(found)
    return found_all


def test_index_finds_the_same_top_k_as_scoring_every_pair(population: Population) -> None:
    missing, remains = population
    index = CandidateIndex()
    index.add_many(missing)
    for body in remains:
        found = index.candidates_for_remains(body, top_k=5, as_of=AS_OF)
        expected = brute_force(index, body, missing, 5)
        assert [c.score for c in found] == pytest.approx([c.score for c in expected], rel=1e-9)
        for candidate in found:
            again = index.score_pair(
                next(m for m in missing if m.ref == candidate.missing_ref), body, as_of=AS_OF
            )
            assert candidate.evidence == again.evidence
            assert candidate.score == pytest.approx(again.score, rel=1e-9)


def test_same_top_k_from_the_missing_side(population: Population) -> None:
    missing, remains = population
    index = CandidateIndex()
    index.add_many(remains)
    for person in missing[:60]:
        found = index.candidates_for_missing(person, top_k=3, as_of=AS_OF)
        expected = brute_force(index, person, remains, 3)
        assert [c.score for c in found] == pytest.approx([c.score for c in expected], rel=1e-9)
        assert all(c.missing_ref == person.ref for c in found)


def test_match_all_ranks_every_remains_and_agrees_across_processes(
    population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("matching.index._CHUNK", 8)  # several blocks, so workers share them
    missing, remains = population
    index = CandidateIndex()
    index.add_many([*missing, *remains])
    progress: list[tuple[int, int]] = []
    alone = index.match_all(
        top_k=4, as_of=AS_OF, processes=1, progress=lambda d, t: progress.append((d, t))
    )
    assert progress[-1] == (len(remains), len(remains))
    forked = index.match_all(top_k=4, as_of=AS_OF, processes=2)
    assert sorted(alone, key=lambda c: (c.remains_ref, c.missing_ref)) == sorted(
        forked, key=lambda c: (c.remains_ref, c.missing_ref)
    )
    by_remains: dict[str, list[Candidate]] = {}
    for candidate in alone:
        by_remains.setdefault(candidate.remains_ref, []).append(candidate)
    assert set(by_remains) <= {r.ref for r in remains}
    for body in remains[:10]:
        expected = index.candidates_for_remains(body, top_k=4, as_of=AS_OF)
        assert [c.score for c in by_remains.get(body.ref, [])] == [c.score for c in expected]


def test_excluded_pairs_are_never_proposed() -> None:
    index = CandidateIndex()
    index.add(MissingRecord("M1", last_seen_date=date(2024, 5, 20)))
    index.add(MissingRecord("M2", last_seen_date=date(2024, 4, 20)))
    found = index.candidates_for_remains(RemainsRecord("R1", found_date=date(2024, 5, 1)))
    assert [c.missing_ref for c in found] == ["M2"]


def test_add_update_remove() -> None:
    index = CandidateIndex()
    index.add_many([MissingRecord("M1", sex=Sex.MALE), MissingRecord("M2", sex=Sex.FEMALE)])
    remains = RemainsRecord("R1", sex=Sex.FEMALE)
    assert index.candidates_for_remains(remains)[0].missing_ref == "M2"
    index.update(MissingRecord("M2", sex=Sex.MALE))
    index.update(MissingRecord("M1", sex=Sex.FEMALE))
    assert index.candidates_for_remains(remains)[0].missing_ref == "M1"
    index.remove(MissingRecord("M1"))
    assert [c.missing_ref for c in index.candidates_for_remains(remains)] == ["M2"]
    assert index.missing_count == 1 and len(index) == 1
    index.remove(MissingRecord("unknown"))
    with pytest.raises(MatchingError, match="M2"):
        index.add(MissingRecord("M2"))
    with pytest.raises(MatchingError, match="M9"):
        index.add_many([MissingRecord("M9"), MissingRecord("M9")])


def test_new_names_become_searchable_after_add() -> None:
    index = CandidateIndex()
    index.add(MissingRecord("M1", given_names=("Ana",), surnames=("Ruiz",)))
    remains = RemainsRecord("R1", document_names=("Awa Sow",))
    assert not any(
        e.criterion == "names" and e.weight > 0
        for c in index.candidates_for_remains(remains)
        for e in c.evidence
    )
    index.add(MissingRecord("M2", given_names=("Awa",), surnames=("Sow",)))
    best = index.candidates_for_remains(remains)[0]
    assert best.missing_ref == "M2" and best.evidence[0].criterion == "names"


def test_review_threshold_is_a_setting() -> None:
    person = MissingRecord(
        "M1",
        given_names=("Ana",),
        surnames=("Ruiz",),
        sex=Sex.FEMALE,
        height_cm=160,
        last_seen_date=date(2024, 5, 1),
    )
    body = RemainsRecord(
        "R1",
        document_names=("Ana Ruiz",),
        sex=Sex.FEMALE,
        stature_min_cm=155,
        stature_max_cm=165,
        found_date=date(2024, 5, 9),
    )
    for threshold, review in ((0.5, True), (0.9999999, False)):
        index = CandidateIndex(settings=MatchSettings(review_threshold=threshold))
        index.add(person)
        assert index.candidates_for_remains(body)[0].review is review
    index = CandidateIndex(review_threshold=0.9999999)
    index.add(person)
    assert index.candidates_for_remains(body)[0].review is False


def test_empty_index_and_top_k_limits() -> None:
    index = CandidateIndex()
    assert index.candidates_for_remains(RemainsRecord("R1")) == []
    assert index.match_all() == []
    index.add_many([MissingRecord(f"M{i}") for i in range(5)])
    assert len(index.candidates_for_remains(RemainsRecord("R1"), top_k=3)) == 3
    assert index.candidates_for_remains(RemainsRecord("R1"), top_k=0) == []


def test_query_need_not_be_open_and_open_query_uses_its_new_version() -> None:
    index = CandidateIndex()
    person = MissingRecord("M1", height_cm=170)
    index.add_many([person, RemainsRecord("R1", stature_min_cm=165, stature_max_cm=175)])
    changed = replace(person, height_cm=200)
    [candidate] = index.candidates_for_missing(changed)
    assert candidate.evidence[0].weight < 0


def test_a_surname_also_written_in_an_alias_still_agrees_as_a_surname() -> None:
    person = MissingRecord(
        "M1", given_names=("José Luis",), surnames=("Pérez Xitumul",), aliases=("Jose Perez",)
    )
    body = RemainsRecord("R1", document_names=("JOSE L PEREZ",))
    index = CandidateIndex()
    index.add(person)
    from_index = index.candidates_for_remains(body)[0]
    alone = score_pair(person, body)
    assert from_index.score == pytest.approx(alone.score)
    names = next(e for e in from_index.evidence if e.criterion == "names")
    # the L stands for Luis (an initial): every document name agrees, the L a little less
    shortfall = MatchSettings().name_similarity_bits * (100.0 - INITIAL_SIMILARITY)
    assert names.weight == pytest.approx(
        default_weights().weight("names", "full") - shortfall, abs=0.01
    )


def test_a_missing_persons_query_looks_document_names_up_in_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each look-up pass reads the whole reported vocabulary, and a new reported name empties
    the look-ups: the document tokens a person's names meet are looked up together."""
    index = CandidateIndex(workers=1)
    spellings = ("Mohamed", "Mohammed", "Muhammad", "Mohamad", "Mahamat", "Mouhamed")
    index.add_many(
        [
            *(
                MissingRecord(f"M{i}", given_names=(name,), surnames=("Diallo",))
                for i, name in enumerate(spellings)
            ),
            *(
                RemainsRecord(f"R{i}", document_names=(f"{name} Diallo",))
                for i, name in enumerate(spellings)
            ),
        ]
    )
    person = MissingRecord("M-NEW", given_names=("Mohammad",), surnames=("Dialo",))
    index.add(person)  # a new reported name: the look-ups start afresh
    reported = index._missing.tokens._rules
    passes: list[int] = []
    compare = reported.compare
    monkeypatch.setattr(
        reported,
        "compare",
        lambda keys, workers=1, near=True: passes.append(len(keys)) or compare(keys, workers, near),
    )
    found = index.candidates_for_missing(person, top_k=6, as_of=AS_OF)
    documents = index._remains.tokens
    met = {
        documents.vocabulary[i]
        for key, _role in missing_name_tokens(person)
        for i in documents.similar(key)[0].tolist()
    }
    assert len(met) >= 2 and passes == [len(met)]
    assert {c.remains_ref for c in found} == {f"R{i}" for i in range(len(spellings))}
    for candidate in found:
        body = index.record(candidate.remains_ref)
        assert isinstance(body, RemainsRecord)
        assert candidate.score == index.score_pair(person, body, as_of=AS_OF).score
