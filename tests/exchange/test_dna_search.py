"""Cross-border DNA search (spec §7.7): Spain sends a consenting family's pedigree and reference
profiles (no names, no barcodes); Italy runs them against its remains with the kinship engine and
answers hit or no hit with the LR; bad searches are refused. The conversion to the engine here is
the seam the application will use (the library itself never imports the engine)."""

from __future__ import annotations

import math
import random

import pytest
from exchange_testkit import ITALY, NOW, SPAIN

from exchange import (
    DnaAnswer,
    DnaResult,
    DnaSearch,
    ErrorCode,
    ExchangeError,
    InMemoryReplayGuard,
    MalformedMessageError,
    PedigreeMember,
    SharedFamily,
    TrustList,
    check_answer,
    open_dna_answer,
    open_dna_search,
    record_pseudonym,
    seal_dna_answer,
    seal_dna_search,
)
from exchange.dna import family_to_json, search_from_json, search_payload
from matching.kinship import (
    Family,
    KinshipSearch,
    LocusFrequencies,
    MutationModel,
    Pedigree,
    PopulationFrequencies,
    Profile,
)
from matching.kinship.pedigree import Person
from matching.kinship.settings import KinshipSettings

LOCI = [f"L{i:02d}" for i in range(20)]
ALLELES = [str(a) for a in range(8, 18)]  # ten alleles of frequency 0.1 at every locus
TABLE = PopulationFrequencies(
    "demo", {locus: LocusFrequencies(dict.fromkeys(ALLELES, 0.1)) for locus in LOCI}
)
SEARCH_ID = "6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48"


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if int(a) <= int(b) else (b, a)


def _world(seed: int = 3):
    """A father and mother; their missing son (whose remains Italy holds) and his brother."""
    rng = random.Random(seed)
    father = {locus: [rng.choice(ALLELES), rng.choice(ALLELES)] for locus in LOCI}
    mother = {locus: [rng.choice(ALLELES), rng.choice(ALLELES)] for locus in LOCI}

    def child() -> dict[str, tuple[str, str]]:
        return {
            locus: _pair(rng.choice(father[locus]), rng.choice(mother[locus])) for locus in LOCI
        }

    stranger = {locus: _pair(rng.choice(ALLELES), rng.choice(ALLELES)) for locus in LOCI}
    return {locus: _pair(*mother[locus]) for locus in LOCI}, child(), child(), stranger


def _family(mother, brother) -> SharedFamily:
    return SharedFamily(
        pseudonym=record_pseudonym(SPAIN.sender_secret, ITALY.authority_id, "MP-2026-0042"),
        population="demo",
        members=(
            PedigreeMember("f", None, None, "male"),
            PedigreeMember("m", None, None, "female"),
            PedigreeMember("missing", "f", "m", "male"),
            PedigreeMember("b", "f", "m", "male"),
        ),
        missing="missing",
        references={"m": mother, "b": brother},
        ystr={"b": {"DYS19": "14", "DYS390": "24"}},
        mtdna={"m": ("16519C", "263G", "73G")},
    )


def _engine_family(family: SharedFamily) -> Family:
    """The seam: a received family as the kinship engine's input."""
    people = [Person(m.label, m.father, m.mother, m.sex) for m in family.members]  # type: ignore[arg-type]
    return Family(
        family.pseudonym,
        Pedigree.build(people, family.missing),
        {
            label: Profile.parse(
                f"{family.pseudonym}/{label}", {k: ",".join(v) for k, v in p.items()}
            )
            for label, p in family.references.items()
        },
    )


def test_search_and_answer_round_trip_with_the_kinship_engine() -> None:
    mother, son, brother, stranger = _world()
    search = DnaSearch(SEARCH_ID, (_family(mother, brother),))
    raw = seal_dna_search(
        search,
        sender_id=SPAIN.authority_id,
        sender_keys=SPAIN.keys,
        recipient=ITALY.entry,
        sequence=1,
        now=NOW,
    )
    assert b"MP-2026-0042" not in raw
    received = open_dna_search(
        raw,
        own_id=ITALY.authority_id,
        own_keys=ITALY.keys,
        trust=TrustList([SPAIN.entry]),
        guard=InMemoryReplayGuard(),
        now=NOW,
    )
    assert received.content == search
    # Italy runs the families against its remains: the son's, and a stranger's
    remains = {
        "PM-1": Profile.parse("PM-1", {k: ",".join(v) for k, v in son.items()}),
        "PM-2": Profile.parse("PM-2", {k: ",".join(v) for k, v in stranger.items()}),
    }
    engine = KinshipSearch(
        TABLE,
        KinshipSettings(mutation_model=MutationModel.NONE),
        [_engine_family(f) for f in received.content.families],
        remains.values(),
    )
    results = []
    for family in received.content.families:
        best = max(remains, key=lambda sample: engine.log10_lr(sample, family.pseudonym))
        log10 = engine.log10_lr(best, family.pseudonym)
        hit = log10 >= 4
        results.append(
            DnaResult(
                family.pseudonym,
                hit,
                round(log10 * 1000) if hit else None,
                record_pseudonym(ITALY.sender_secret, SPAIN.authority_id, best) if hit else None,
            )
        )
    assert engine.log10_lr("PM-2", search.families[0].pseudonym) < 1  # the stranger
    answer_raw = seal_dna_answer(
        DnaAnswer(SEARCH_ID, tuple(results)),
        sender_id=ITALY.authority_id,
        sender_keys=ITALY.keys,
        recipient=SPAIN.entry,
        sequence=1,
        now=NOW,
    )
    answer = open_dna_answer(
        answer_raw,
        own_id=SPAIN.authority_id,
        own_keys=SPAIN.keys,
        trust=TrustList([ITALY.entry]),
        guard=InMemoryReplayGuard(),
        now=NOW,
    ).content
    assert answer is not None
    check_answer(answer, search)
    [result] = answer.results
    assert result.hit and result.log10_lr_milli > 4000
    assert result.remains == record_pseudonym(ITALY.sender_secret, SPAIN.authority_id, "PM-1")


def test_the_answered_lr_is_the_textbook_one() -> None:
    """One locus, mother (8, 9), remains (8, 12): LR = 1 / (4 p_8) = 2.5 by hand."""
    family = SharedFamily(
        pseudonym="A" * 43,
        population="demo",
        members=(
            PedigreeMember("m", None, None, "female"),
            PedigreeMember("x", None, None, "male"),
            PedigreeMember("c", "x", "m", "male"),
        ),
        missing="c",
        references={"m": {"L00": ("8", "9")}},
    )
    engine = KinshipSearch(
        TABLE,
        KinshipSettings(mutation_model=MutationModel.NONE),
        [
            _engine_family(
                search_from_json(search_payload(DnaSearch(SEARCH_ID, (family,)))).families[0]
            )
        ],
        [Profile.parse("PM-9", {"L00": "8,12"})],
    )
    log10 = engine.log10_lr("PM-9", "A" * 43)
    assert math.isclose(10**log10, 1 / (4 * 0.1), rel_tol=1e-9)
    assert round(log10 * 1000) == 398  # what the answer carries: log10(2.5) in thousandths


def _with(change) -> dict:
    mother, _, brother, _ = _world()
    payload = search_payload(DnaSearch(SEARCH_ID, (_family(mother, brother),)))
    change(payload["families"][0])
    return payload


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f["references"]["m"].__setitem__(0, ["L00", "8", "9", "10"]),  # a mixture
        lambda f: f["references"]["m"].__setitem__(0, ["L00", "OL", "9"]),  # off-ladder
        lambda f: f["references"]["m"].__setitem__(0, ["L00", "12", "9"]),  # not smaller first
        lambda f: f["references"]["m"].__setitem__(0, ["L00", 8, 9]),  # numbers, not strings
        lambda f: f["references"]["m"].reverse(),  # loci not sorted
        lambda f: f["references"].update(missing=[["L00", "8", "9"]]),  # the missing person
        lambda f: f["references"].update(z=[["L00", "8", "9"]]),  # nobody in the pedigree
        lambda f: f["pedigree"].insert(0, f["pedigree"].pop(2)),  # a child before its parents
        lambda f: f["pedigree"][2].update(father="m"),  # a mother as father
        lambda f: f["pedigree"][2].update(mother=None),  # one parent only
        lambda f: f.update(pseudonym="Amanuel Tesfay"),  # a name instead of a pseudonym
        lambda f: f["pedigree"][0].update(id="Juan Pérez"),  # a name as a pedigree label
        lambda f: f["mtdna"].update(m=["73G", "16519C"]),  # unsorted variants
        lambda f: f.update(references={}),  # nobody typed
    ],
)
def test_bad_searches_are_refused(change) -> None:
    with pytest.raises(MalformedMessageError) as caught:
        search_from_json(_with(change))
    assert caught.value.code is ErrorCode.SCHEMA_VIOLATION


def test_answers_are_read_strictly_and_matched_to_the_search() -> None:
    from exchange.dna import answer_from_json, answer_payload

    mother, _, brother, _ = _world()
    search = DnaSearch(SEARCH_ID, (_family(mother, brother),))
    pseudonym = search.families[0].pseudonym
    for bad in (
        DnaResult(pseudonym, True, None, "B" * 43),  # a hit without its LR
        DnaResult(pseudonym, False, 5000, None),  # a no-hit that leaks an LR
        DnaResult(pseudonym, True, 5000, None),  # a hit without the remains to ask about
    ):
        with pytest.raises(MalformedMessageError):
            answer_from_json(answer_payload(DnaAnswer(SEARCH_ID, (bad,))))
    with pytest.raises(MalformedMessageError):
        check_answer(DnaAnswer(SEARCH_ID, (DnaResult("C" * 43, False, None, None),)), search)
    with pytest.raises(ExchangeError) as writer:
        seal_dna_answer(
            DnaAnswer(SEARCH_ID, (DnaResult(pseudonym, True, -3, "B" * 43),)),
            sender_id=ITALY.authority_id,
            sender_keys=ITALY.keys,
            recipient=SPAIN.entry,
            sequence=1,
            now=NOW,
        )
    assert writer.value.code is ErrorCode.INVALID_ARGUMENT
    assert family_to_json(search.families[0])["references"]["m"][0] == ["L00", *mother["L00"]]
