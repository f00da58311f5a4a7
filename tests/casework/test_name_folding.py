"""Name folding is one function per library, and the blind name index it feeds keeps the digests
it stored before: a name typed today finds a case indexed by earlier code."""

from __future__ import annotations

import pytest

from casework.crypto import blind_digest
from casework.personal_data import normalise_name
from exchange.linkage import name_tokens
from exchange.vocabulary import words
from matching.vocabulary import plain_text

# Computed with the code before the folding was made one function (four copies of NFKD and
# dropping combining marks), with the index key bytes 0..31: what databases hold today.
STORED = [  # name, digests of its tokens
    (
        "José  de la Cruz-Pérez",
        [
            "dc56a66f944a3dacd499d220704b1600",
            "5e0534abc9a8f8094408242dae5c34f6",
            "2ec9ad0f49ee777e1c7a0a23ca48694f",
            "e6cc99d91549d734689e03568baf8502",
            "b8dac35b1e4f538a7d7a9c81f14ba302",
        ],
    ),
    (
        "María José GARCÍA-LÓPEZ",
        [
            "de470c46089ce37294b5a3fb205f2758",
            "dc56a66f944a3dacd499d220704b1600",
            "7ed14e283bb72b29c9b56b3dc800f4b6",
            "c55d10b36f5b76fadc27b983daa8ba06",
        ],
    ),
    ("O'Neil", ["90255eb4a65526c66588044b4c89b60b", "e0d4e322e030bf2afcf1f27d1833a305"]),
    ("Straße", ["1e0bbf148a4bbabd60a8b41ea462fa1b"]),
    ("Ǆuro Đurić", ["14fd03e1dfa5d012bd7048f3477906c2", "0fc7276c6767f9b44ccae9c81ad379fc"]),
    ("ﬁnn", ["d8fb4997ffd133cb2c41ab25bd126139"]),
    ("İstanbul", ["7ee7e4406ae350b57f1527fde7d131a4"]),
    ("Ολυμπία Σωκράτης", ["4bfa3a82c48a0ad6f7037b5460b55173", "f2295c73438e97dcdc6817d8d9129e0e"]),
    (
        "محمد عبد القادر",
        [
            "6743d19d48536de25b0a4d8775c00a70",
            "a0964bc367ca43b8c631c3797bfa90f7",
            "89084d1b27f218ce9b77f735a54c4431",
        ],
    ),
    (
        "Nguyễn Thị Minh Khai",
        [
            "1a246483ec566be6457bc84daa9da781",
            "084bc0a2d49ef82d1d5b1de5c1b284f3",
            "6a18929147dc0c9c344c385e28ac6d91",
            "e20dcc3f9bb24e7229b72986bbc3ba40",
        ],
    ),
    ("Ægir Ørn", ["0b5989c445a5b6dd86c5967f2faf1baf", "c0a34ce75aea6615ba47205e13f50186"]),
    ("Œdipe", ["7dd9035bc2294db0dfff7f39b0690dfd"]),
    ("Ḥasan Ṣāliḥ", ["d3d0b71caf3453e93f9a38d74bce8d39", "d743e9b00f5c1d725aa843d82a124c09"]),
    (
        "Wolde-Mariam Gebre_Selassie",
        [
            "4787f3d866d8f411508b168aaf76b6f6",
            "6e0b3a320a228ee338ddfb5ef12d3104",
            "7bff2d7e65c20bec4699a67d2695b137",
            "50af11a30f84620321a8cfed4cd2f0be",
        ],
    ),
    (
        "Zoë ½ Ⅻ ²3",
        [
            "a6da3139b983e9c884760bdf3a7fb9fe",
            "7761b1cc25227dfca0bd6d972acc52ab",
            "80ddc33417b469e126d6fdd676dad740",
            "b0b505cdd40fca12c96dfbac5f5b6e57",
            "3ee88a3571799eb29a26ae3175274bd7",
        ],
    ),
    ("Ｊｏｓé", ["dc56a66f944a3dacd499d220704b1600"]),
    ("ሰላም ተስፋዬ", ["095e604efe3d85187251ba337448d0fc", "a9320edd1c3d06efdaf18afb6226255e"]),
    ("Çağrı Şahin", ["748cde818a3a238e5b5595609be3427a", "7ec7b4a6465be2dda1536e4e2d9d4b7f"]),
    ("Łukasz Żółć", ["95f3b9fb493c8212777754922bc76408", "e6930754e7a1bce1fc8ff00499361752"]),
    ("ΆΣΟΣ", ["4c93c558cbdf385d4a7007de077f243b"]),
]
# name, then as the engine, the Bloom filter tokens and the shared vocabulary folded it
FOLDED = [
    (
        "José  de la Cruz-Pérez",
        "jose de la cruz perez",
        ["jose", "de", "la", "cruz", "perez"],
        ["jose", "de", "la", "cruz-perez"],
    ),
    (
        "María José GARCÍA-LÓPEZ",
        "maria jose garcia lopez",
        ["maria", "jose", "garcia", "lopez"],
        ["maria", "jose", "garcia-lopez"],
    ),
    ("O'Neil", "o'neil", ["o", "neil"], ["o", "neil"]),
    ("Straße", "stra e", ["strasse"], ["strasse"]),
    ("Ǆuro Đurić", "dzuro uric", ["dzuro", "đuric"], ["dzuro", "đuric"]),
    ("ﬁnn", "finn", ["finn"], ["finn"]),
    ("İstanbul", "istanbul", ["istanbul"], ["istanbul"]),
    ("Ολυμπία Σωκράτης", "", ["ολυμπια", "σωκρατησ"], ["ολυμπια", "σωκρατησ"]),
    ("محمد عبد القادر", "", ["محمد", "عبد", "القادر"], ["محمد", "عبد", "القادر"]),
    (
        "Nguyễn Thị Minh Khai",
        "nguyen thi minh khai",
        ["nguyen", "thi", "minh", "khai"],
        ["nguyen", "thi", "minh", "khai"],
    ),
    ("Ægir Ørn", "gir rn", ["ægir", "ørn"], ["ægir", "ørn"]),
    ("Œdipe", "dipe", ["œdipe"], ["œdipe"]),
    ("Ḥasan Ṣāliḥ", "hasan salih", ["hasan", "salih"], ["hasan", "salih"]),
    (
        "Wolde-Mariam Gebre_Selassie",
        "wolde mariam gebre selassie",
        ["wolde", "mariam", "gebre", "selassie"],
        ["wolde-mariam", "gebre", "selassie"],
    ),
    ("Zoë ½ Ⅻ ²3", "zoe 1 2 xii 23", ["zoe", "xii"], ["zoe", "xii"]),
    ("Ｊｏｓé", "jose", ["jose"], ["jose"]),
    ("ሰላም ተስፋዬ", "", ["ሰላም", "ተስፋዬ"], ["ሰላም", "ተስፋዬ"]),
    ("Çağrı Şahin", "cagr sahin", ["cagrı", "sahin"], ["cagrı", "sahin"]),
    ("Łukasz Żółć", "ukasz zo c", ["łukasz", "zołc"], ["łukasz", "zołc"]),
    ("ΆΣΟΣ", "", ["ασοσ"], ["ασοσ"]),
]

KEY = bytes(range(32))


@pytest.mark.parametrize(("name", "digests"), STORED)
def test_blind_index_digests_are_those_stored_before(name: str, digests: list[str]) -> None:
    assert [blind_digest(KEY, token).hex() for token in normalise_name(name)] == digests


@pytest.mark.parametrize(("name", "engine", "bloom", "shared"), FOLDED)
def test_the_libraries_fold_as_before(
    name: str, engine: str, bloom: list[str], shared: list[str]
) -> None:
    assert plain_text(name) == engine
    assert name_tokens([name]) == bloom
    assert words(name) == shared


def test_folding_is_written_once_per_library() -> None:
    """Only the two libraries' `fold_accents` decompose text; everything else calls them."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    folding = sorted(
        str(path.relative_to(root))
        for package in ("casework", "matching", "exchange")
        for path in (root / package).rglob("*.py")
        if '"NFKD"' in path.read_text(encoding="utf-8")
    )
    assert folding == ["exchange/vocabulary.py", "matching/vocabulary.py"]
