"""Names across naming cultures: normalisation, transliteration, partial and reordered names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from matching import (
    BlockedNameSearch,
    MissingRecord,
    NameSearch,
    RemainsRecord,
    bloom_dice,
    name_keys,
    pair_levels,
    search_names,
)
from matching.names import keys_agree, name_tokens
from matching.weights import CRITERIA

NAME_LEVELS = ("not compared", *CRITERIA["names"])


@dataclass(frozen=True)
class NameCase:
    why: str
    document: str
    given: tuple[str, ...]
    surnames: tuple[str, ...]
    expected: str
    aliases: tuple[str, ...] = ()


NAME_CASES = [
    NameCase(
        "transliteration Mohamed/Muhammad", "Muhammad Benali", ("Mohamed",), ("Benali",), "full"
    ),
    NameCase("transliteration Youssef/Yusuf", "YUSUF HADDAD", ("Youssef",), ("Haddad",), "full"),
    NameCase(
        "Gebre/Ghebre, patronymic", "Ghebre Tesfay", ("Gebre",), ("Tesfaye", "Kidane"), "full"
    ),
    NameCase("accents Traoré/Traore", "Moussa Traore", ("Moussa",), ("Traoré",), "full"),
    NameCase("Musa/Moussa", "Musa Kone", ("Moussa",), ("Koné",), "full"),
    NameCase(
        "Spanish double surname, one missing",
        "José López",
        ("José", "Luis"),
        ("López", "García"),
        "full",
    ),
    NameCase(
        "Spanish particles de la, y",
        "María de la Cruz y Pérez",
        ("María",),
        ("Cruz", "Pérez"),
        "full",
    ),
    NameCase(
        "patronymic: given + father of given + father + grandfather",
        "Yonas Tekle",
        ("Yonas",),
        ("Tekle", "Haile"),
        "full",
    ),
    NameCase("reordered surname first", "Diallo Mamadou", ("Mamadou",), ("Diallo",), "full"),
    NameCase("particle ould", "Mohamed ould Salem", ("Mohamed",), ("Salem",), "full"),
    NameCase("Arabic article al-", "Khaled al-Amrani", ("Khalid",), ("Amrani",), "full"),
    NameCase("one typo", "Abdoulaye Cisse", ("Abdoulaye",), ("Cissé",), "full"),
    NameCase("typo in longer name", "Gebremedin Yonas", ("Yonas",), ("Gebremedhin",), "full"),
    NameCase(
        "document has an extra unknown name",
        "Ana Ruiz Soto",
        ("Ana",),
        ("Ruiz",),
        "given_and_surname",
    ),
    NameCase("surname only: maybe a relative", "Pedro Ruiz", ("Ana",), ("Ruiz",), "surname_only"),
    NameCase("given name only", "Ana Flores", ("Ana",), ("Ruiz",), "given_only"),
    NameCase(
        "alias counts as a given name", "Abu Bakr", ("Ali",), ("Hassan",), "given_only", ("Bakr",)
    ),
    NameCase("nothing agrees", "Kevin Mejía", ("Ana",), ("Ruiz",), "disagree"),
    NameCase("short names must match exactly", "Ala Sow", ("Ali",), ("Ba",), "disagree"),
]


@pytest.mark.parametrize("case", NAME_CASES, ids=lambda case: case.why)
def test_name_levels(case: NameCase) -> None:
    missing = MissingRecord(
        "M1", given_names=case.given, surnames=case.surnames, aliases=case.aliases
    )
    remains = RemainsRecord("R1", document_names=(case.document,))
    level = int(pair_levels([missing], [remains])["names"][0])
    assert NAME_LEVELS[level] == case.expected


@pytest.mark.parametrize(
    ("missing", "remains"),
    [
        (MissingRecord("M1"), RemainsRecord("R1", document_names=("Ana Ruiz",))),
        (MissingRecord("M1", given_names=("Ana",)), RemainsRecord("R1")),
        (MissingRecord("M1", given_names=("",)), RemainsRecord("R1", document_names=("  ",))),
    ],
)
def test_missing_names_are_not_compared(missing: MissingRecord, remains: RemainsRecord) -> None:
    assert int(pair_levels([missing], [remains])["names"][0]) == 0


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("  María-José  de LA Peña ", ["maria", "jose", "pena"]),
        ("Abd el Rahman bin Said", ["abdelrahman", "said"]),
        ("N'Diaye", ["ndiaye"]),
        ("", []),
    ],
)
def test_name_tokens(name: str, tokens: list[str]) -> None:
    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Mohammed", "Mamadou"),
        ("Abderrahmane", "Abdulrahman"),
        ("Youssouf", "Yusuf"),
        ("Djibril", "Jibril"),
        ("Fatoumata", "Fatuma"),
    ],
)
def test_transliteration_variants_share_a_key(first: str, second: str) -> None:
    assert name_keys(first) == name_keys(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Chérif", "Sharif"), ("Hernández", "Hernandes"), ("Gebremedhin", "Gebremedin")],
)
def test_spelling_variants_agree(first: str, second: str) -> None:
    assert keys_agree(name_keys(first)[0], name_keys(second)[0])


def test_distinct_names_do_not_agree() -> None:
    assert not keys_agree(name_keys("Pedro")[0], name_keys("Kevin")[0])
    assert not keys_agree(name_keys("Ali")[0], name_keys("Ala")[0])


def test_name_search_finds_variants_and_ranks_closest_first() -> None:
    people = [
        ("M1", ["Muhammad Traoré"]),
        ("M2", ["Ana María López García"]),
        ("M3", ["Mohamed Diallo", "Abu Ali"]),
        ("M4", ["Kevin Mejía"]),
    ]
    hits = NameSearch(people).search("Mohammed Traore")
    assert [hit.ref for hit in hits][:1] == ["M1"]
    assert "M4" not in [hit.ref for hit in hits]
    assert [hit.ref for hit in search_names("lopez garcia ana", people)] == ["M2"]
    assert search_names("", people) == []
    assert NameSearch([]).search("Ana") == []


def test_name_search_gives_one_hit_per_person() -> None:
    people = [("M1", ["Abu Ali", "Ali Hassan"])]
    assert len(search_names("Ali", people, min_score=50)) == 1


def test_blocked_search_scores_like_the_full_search() -> None:
    people = [
        ("M1", ["Muhammad Traoré"]),
        ("M2", ["Ana María López García"]),
        ("M3", ["Mohamed Diallo", "Abu Ali"]),
        ("M4", ["Kevin Mejía"]),
        ("M5", ["Abdulrahman"]),
        ("M6", ["Ana Gonzales"]),
    ]
    full, blocked = NameSearch(people), BlockedNameSearch(people)
    for query in ("Mohammed Traore", "lopez garcia ana", "Ali", "Kevin", "Ana Gonsalez"):
        assert blocked.search(query, min_score=60) == full.search(query, min_score=60), query
    # no key in common, but the first letters of one: still scored
    assert [hit.ref for hit in blocked.search("Abdulrahmen", min_score=90)] == ["M5"]
    assert blocked.search("") == [] and BlockedNameSearch([]).search("Ana") == []


def test_blocked_search_scores_at_most_max_candidates() -> None:
    people = [(f"C{i}", [f"Ana Perez{chr(97 + i % 26)}"]) for i in range(100)]
    people.append(("RARE", ["Ana Xitumul"]))
    search = BlockedNameSearch(people, max_candidates=10)
    # the rare key is scored first, the common one only up to the cap
    hits = search.search("Ana Xitumul", limit=50, min_score=50)
    assert hits[0].ref == "RARE" and len(hits) <= 10
    assert len(NameSearch(people).search("Ana Xitumul", limit=50, min_score=50)) > 10


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (bytes([0b1111_0000, 0]), bytes([0b1111_0000, 0]), 1.0),
        (bytes([0b1111_0000, 0]), bytes([0b0000_1111, 0]), 0.0),
        (bytes([0b1111_0000]), bytes([0b1100_0000]), 2 * 2 / 6),
        (bytes([0]), bytes([0]), None),
        (bytes([1]), bytes([1, 0]), None),
    ],
)
def test_bloom_dice(first: bytes, second: bytes, expected: float | None) -> None:
    assert bloom_dice(first, second) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("missing_bloom", "remains_bloom", "level"),
    [
        (bytes([255, 255, 0, 0]), bytes([255, 255, 0, 0]), "strong"),
        (bytes([255, 255, 0, 0]), bytes([255, 0, 0, 0]), "partial"),
        (bytes([255, 255, 0, 0]), bytes([0, 0, 255, 255]), "disagree"),
    ],
)
def test_encoded_names_compare_when_plaintext_is_absent(
    missing_bloom: bytes, remains_bloom: bytes, level: str
) -> None:
    missing = MissingRecord("M1", name_bloom=missing_bloom)
    remains = RemainsRecord("R1", name_bloom=remains_bloom)
    levels = pair_levels([missing], [remains])
    assert CRITERIA["encoded_names"][int(levels["encoded_names"][0]) - 1] == level


def test_plaintext_names_take_precedence_over_blooms() -> None:
    missing = MissingRecord("M1", given_names=("Ana",), name_bloom=bytes([255]))
    remains = RemainsRecord("R1", document_names=("Ana",), name_bloom=bytes([0b1000_0000]))
    levels = pair_levels([missing], [remains])
    assert int(levels["encoded_names"][0]) == 0
    assert int(levels["names"][0]) != 0


def test_token_shares_kept_as_cases_are_added_equal_a_recount() -> None:
    import numpy as np

    from matching.name_index import NameTokens

    tokens = NameTokens(1)
    rng = np.random.default_rng(7)
    keys = ["ana", "ruiz", "diallo", "jose", "maria", "traore"]
    for slot in range(300):
        if rng.random() < 0.2:
            tokens.add(slot, [])  # a case with no name: not a named case
            continue
        # a key may come twice in one case (given name and surname): counted once
        chosen = [str(k) for k in rng.choice(keys, int(rng.integers(1, 4)), replace=True)]
        tokens.add(slot, [(key, i % 2) for i, key in enumerate(chosen)])
        if slot % 37 == 0:
            held = [len(set(slots)) for slots in tokens._slots]
            named = sum(1 for s in range(slot + 1) if any(s in slots for slots in tokens._slots))
            assert tokens._shares().tolist() == [count / named for count in held]
    assert tokens.key_bits("diallo", 5.0) != 0.0


def test_cached_look_ups_follow_the_cases_added() -> None:
    import numpy as np

    from matching.name_index import NameTokens

    keys = ["ana", "anna", "ruiz", "ruis", "diallo", "djalo", "jose", "maria", "mariam"]
    queries = ["ana", "ruiz", "diallo", "mariam", "jalo", "josef"]
    rng = np.random.default_rng(11)
    kept = NameTokens(1)
    added: list[tuple[int, list[tuple[str, int]]]] = []
    for slot in range(120):
        # now and then a name not seen before
        pool = keys if rng.random() < 0.9 else [f"new{slot}", "ana"]
        tokens = [(str(key), 0) for key in rng.choice(pool, 2)]
        kept.add(slot, tokens)
        added.append((slot, tokens))
        fresh = NameTokens(1)
        for at, held in added:
            fresh.add(at, held)
        for key in queries:
            # the look-ups kept across adds answer as those of an index built anew
            assert kept.spelt_slots(key).tolist() == fresh.spelt_slots(key).tolist()
            for mine, theirs in zip(kept.near_slots(key), fresh.near_slots(key), strict=True):
                assert mine.tolist() == theirs.tolist()
    assert kept.spelt_slots("diallo").size > 0 and kept.near_slots("diallo")[0].size > 0
