"""Marks, clothing and effects: synonyms in English, Spanish and French; marks by kind and place."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from matching import Mark, MissingRecord, RemainsRecord, effect_concepts, pair_levels, parse_mark
from matching.weights import CRITERIA


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("hoodie", "hooded sweatshirt"),
        ("black hoodie", "sudadera con capucha negra"),
        ("jeans", "denim trousers"),
        ("blue jeans", "vaqueros azules"),
        ("rosary", "prayer beads"),
        ("rosary", "chapelet"),
        ("mobile phone", "celular"),
        ("life jacket", "gilet de sauvetage"),
        ("trainers", "baskets"),
    ],
)
def test_synonyms_share_a_concept(first: str, second: str) -> None:
    assert effect_concepts(first)
    assert effect_concepts(first) == effect_concepts(second)


def test_unknown_words_give_no_concept() -> None:
    assert effect_concepts("something else entirely") == frozenset()


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("tattoo left forearm rose", Mark("tattoo", "arm", "left", "rose")),
        ("Cicatriz en la rodilla derecha", Mark("scar", "leg", "right", "")),
        ("tatouage dos aigle", Mark("tattoo", "back", "", "aigle")),
        ("amputated finger, right hand", Mark("amputation", "hand", "right", "")),
        ("birthmark", Mark("birthmark", "", "", "")),
    ],
)
def test_parse_mark(text: str, mark: Mark) -> None:
    assert parse_mark(text) == mark


def test_text_without_a_mark_kind_is_not_a_mark() -> None:
    assert parse_mark("left arm") is None


@dataclass(frozen=True)
class MarkCase:
    why: str
    am: tuple[str, ...]
    pm: tuple[str, ...]
    expected: str


MARK_CASES = [
    MarkCase(
        "same tattoo, same motif",
        ("tattoo left forearm rose",),
        ("tattoo on left arm: a rose",),
        "detailed",
    ),
    MarkCase(
        "same motif in Spanish",
        ("tattoo left forearm rose",),
        ("tatuaje brazo izquierdo rosa",),
        "detailed",
    ),
    MarkCase("same motif in French", ("tattoo back eagle",), ("tatouage dos aigle",), "detailed"),
    MarkCase(
        "same tattoo, motif not described",
        ("tattoo left forearm rose",),
        ("tatuaje brazo izquierdo",),
        "kind_and_place",
    ),
    MarkCase(
        "same kind and place",
        ("scar left knee",),
        ("cicatriz rodilla izquierda",),
        "kind_and_place",
    ),
    MarkCase(
        "side unknown on one side", ("tattoo arm eagle",), ("tattoo left arm",), "kind_and_place"
    ),
    MarkCase("other side of the body", ("tattoo left arm",), ("tattoo right arm",), "kind_only"),
    MarkCase("different kinds", ("tattoo left arm",), ("scar chest",), "disagree"),
    MarkCase("no marks reported", (), ("scar chest",), "not compared"),
]


@pytest.mark.parametrize("case", MARK_CASES, ids=lambda c: c.why)
def test_mark_levels(case: MarkCase) -> None:
    def marks(texts: tuple[str, ...]) -> tuple[Mark, ...]:
        return tuple(m for t in texts if (m := parse_mark(t)) is not None)

    levels = pair_levels(
        [MissingRecord("M1", marks=marks(case.am))], [RemainsRecord("R1", marks=marks(case.pm))]
    )
    assert ("not compared", *CRITERIA["marks"])[int(levels["marks"][0])] == case.expected


@pytest.mark.parametrize(
    ("am", "pm", "expected"),
    [
        (("black hoodie", "rosary"), ("sudadera con capucha", "prayer beads"), "several"),
        (("black hoodie", "rosary"), ("chapelet",), "one"),
        (("black hoodie",), ("sandals",), "none"),
        (("black hoodie",), ("unrecognised thing",), "not compared"),
        ((), ("sandals",), "not compared"),
    ],
)
def test_effect_levels(am: tuple[str, ...], pm: tuple[str, ...], expected: str) -> None:
    levels = pair_levels([MissingRecord("M1", effects=am)], [RemainsRecord("R1", effects=pm)])
    assert ("not compared", *CRITERIA["effects"])[int(levels["effects"][0])] == expected
