"""An independent reader written from docs/exchange-format.md alone: it imports nothing from
`exchange/` (nor the test kit, which does) and reproduces the deterministic vectors byte for byte:
canonical JSON, pseudonyms, the version 1 and version 2 anonymisation of `anonymise.json` (Bloom
filters with BLIP; blinded name keys; shifted bands and cells; the vocabulary mapping read from
the spec's Appendix A), and the name keys, hashes, scalars and query round trip of
`names-v2.json`. (Envelopes are opened from the spec by `test_hpke_by_hand.py`.)"""

from __future__ import annotations

import ast
import base64
import hashlib
import hmac
import json
import re
import struct
import unicodedata
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import pysodium
import pytest

ROOT = Path(__file__).parents[2]
SPEC = (ROOT / "docs" / "exchange-format.md").read_text(encoding="utf-8")
VECTORS = Path(__file__).parent / "vectors"


def load(name: str):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# §2 canonical JSON ------------------------------------------------------------------------


def canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def test_canonical_json_vectors() -> None:
    for case in load("canonical-json.json")["cases"]:
        assert canonical(json.loads(case["input"])).decode() == case["canonical"]


# §6.1 pseudonyms --------------------------------------------------------------------------


def pseudonym(secret: bytes, recipient: str, local_id: str) -> str:
    message = b"mmx-exchange/v1 pseudonym\x00" + recipient.encode() + b"\x00" + local_id.encode()
    return b64(hmac.new(secret, message, hashlib.sha256).digest())


def test_pseudonym_vectors() -> None:
    for case in load("pseudonym.json")["cases"]:
        secret = bytes.fromhex(case["sender_secret_hex"])
        assert pseudonym(secret, case["recipient_id"], case["local_id"]) == case["pseudonym"]


# §6.2 tokens and keys; §12.2 Bloom filters ---------------------------------------------------


def tokens(parts: list[str]) -> list[str]:
    out = []
    for part in parts:
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", part) if not unicodedata.combining(ch)
        )
        text = "".join(ch if unicodedata.category(ch).startswith("L") else " " for ch in text)
        out.extend(unicodedata.normalize("NFC", text.casefold()).split())
    return out


def _spec_folds() -> list[tuple[str, str]]:
    start = SPEC.index("apply these replacements one after the other")
    text = SPEC[start : SPEC.index("then collapse every run", start)]
    return re.findall(r"`([a-z]+)→([a-z]+)`", text)


FOLDS = _spec_folds()
CLASSES = {
    letter: digit
    for letters, digit in re.findall(
        r"`([a-z ]+)`→(\d)", SPEC[SPEC.index("**phonetic key**") : SPEC.index("**short form**")]
    )
    for letter in letters.split()
}


def fold(token: str) -> str:
    if len(token) > 4 and token[-1] in "eh":
        token = token[:-1]
    for old, new in FOLDS:
        token = token.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", token)


def phonetic(folded: str) -> str:
    first = "a" if folded[0] in "aeiu" else folded[0]
    previous, digits = CLASSES.get(folded[0], ""), ""
    for ch in folded[1:]:
        if ch in "aeiu":
            previous = ""
            continue
        code = CLASSES.get(ch)
        if code is None:
            continue
        if code != previous:
            digits += code
        previous = code
    return first + digits


def keys_of(parts: list[str]) -> list[list[str]]:
    folded = sorted({fold(t) for t in tokens(parts)})[:16]
    return [[f"f:{f}", f"p:{phonetic(f)}", f"s:{f[:4]}"] for f in folded]


def bloom(parts: list[str], linkage: bytes) -> bytearray:
    key = hmac.new(linkage, b"mmx-exchange/v1 bloom-positions", hashlib.sha256).digest()
    bits = bytearray(128)
    grams = {f"_{t}_"[i : i + 2] for t in tokens(parts) for i in range(len(t) + 1)}
    for gram in grams:
        digest = hmac.new(key, gram.encode(), hashlib.sha256).digest()
        for (word,) in struct.iter_unpack(">H", digest):
            bits[(word % 1024) // 8] |= 0x80 >> ((word % 1024) % 8)
    return bits


def blip(bits: bytearray, secret: bytes, seed: bytes) -> bytes:
    key = hmac.new(secret, b"mmx-exchange/v1 bloom-blip", hashlib.sha256).digest()
    stream = b"".join(
        hmac.new(key, seed + struct.pack(">I", j), hashlib.sha256).digest() for j in range(32)
    )
    for i, draw in enumerate(stream):
        if draw < 16:
            mask = 0x80 >> (i % 8)
            bits[i // 8] = (bits[i // 8] | mask) if draw & 1 else (bits[i // 8] & ~mask & 0xFF)
    return bytes(bits)


# §6.2 blinding ---------------------------------------------------------------------------


def hash_to_group(key: str) -> bytes:
    digest = hashlib.sha512(b"mmx-exchange/v2 name-key\x00" + key.encode()).digest()
    return bytes(pysodium.crypto_core_ristretto255_from_hash(digest))


def scalar_for(secret: bytes, recipient: str) -> bytes:
    wide = hmac.new(
        secret, b"mmx-exchange/v2 name-blinding\x00" + recipient.encode(), hashlib.sha512
    ).digest()
    return bytes(pysodium.crypto_core_ristretto255_scalar_reduce(wide))


def mul(scalar: bytes, element: bytes) -> bytes:
    return bytes(pysodium.crypto_scalarmult_ristretto255(scalar, element))


def blinded(parts: list[str], scalar: bytes) -> list[list[str]]:
    tokens_ = sorted(
        tuple(mul(scalar, hash_to_group(k)) for k in token) for token in keys_of(parts)
    )
    return [[b64(e) for e in token] for token in tokens_]


# Appendix A vocabulary ------------------------------------------------------------------


def _list(title: str) -> list[str]:
    return re.search(rf"^- \*\*{title}\*\*: (.+)$", SPEC, re.MULTILINE).group(1).split(", ")


def _mapping(title: str) -> dict[str, str]:
    block = SPEC[SPEC.index(f"**{title}**") :].split("\n\n")[1]
    found = {}
    for term, words_ in re.findall(r"^- `([a-z-]+)`: (.+)$", block, re.MULTILINE):
        found.update(dict.fromkeys(words_.split(", "), term))
    return found


SYNONYMS, SIDES, PARTS = _mapping("Synonyms"), _mapping("Side words"), _mapping("Part words")
MARK_KINDS, MARK_TERMS = set(_list("mark kinds")), set(_list("mark terms"))
CATEGORIES, EFFECT_TERMS = set(_list("effect categories")), set(_list("effect terms"))


def words(text: str) -> list[str]:
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.casefold())


def terms(text: str, allowed: set[str]) -> list[str]:
    found = set()
    for word in words(text):
        if word in allowed:
            found.add(word)
        elif SYNONYMS.get(word) in allowed:
            found.add(SYNONYMS[word])
        elif word.endswith("s") and word[:-1] in allowed:
            found.add(word[:-1])
    return sorted(found)


def location(text: str) -> str:
    split = words(text.replace("-", " "))
    side = next((SIDES[w] for w in split if w in SIDES), None)
    parts = [PARTS[w] for w in split if w in PARTS]
    if "upper" in split and "upper-arm" in parts:
        parts = ["upper-arm"]
    if "forearm" in parts:
        parts = ["forearm"]
    if not parts:
        return "unspecified"
    return f"{side}-{parts[0]}" if side else parts[0]


# §6.3 generalisation --------------------------------------------------------------------


def band(low: int, high: int, width: int, offset: int, bounds: tuple[int, int]) -> dict:
    start = low - (low - offset) % width
    end = high - (high - offset) % width + width - 1
    return {"low": max(start, bounds[0]), "high": min(end, bounds[1])}


def cell(point: list[float], shift: dict | None) -> dict:
    lat, lon = point
    if shift is None:
        lat10 = int((Decimal(repr(lat)) * 10).to_integral_value(rounding=ROUND_FLOOR))
        lon10 = int((Decimal(repr(lon)) * 10).to_integral_value(rounding=ROUND_FLOOR))
        return {"lat10": min(lat10, 899), "lon10": -1800 if lon10 == 1800 else lon10}
    lon = -180.0 if lon == 180 else lon

    def index(value: float, offset: int) -> int:
        return int(
            ((Decimal(repr(value)) * 100 - offset) / 10).to_integral_value(rounding=ROUND_FLOOR)
        )

    top = (8999 - shift["lat100"]) // 10
    return {"lat10": min(index(lat, shift["lat100"]), top), "lon10": index(lon, shift["lon100"])}


def month(text: str | None) -> str | None:
    return None if text is None else text[:7]


def _common(local: dict) -> dict:
    dental = sorted(
        (
            {"tooth": d["tooth"], "state": d["state"].strip().lower().replace(" ", "-")}
            for d in local["dental"]
        ),
        key=lambda d: d["tooth"],
    )
    return {
        "marks": [
            {
                "kind": (terms(m["kind"], MARK_KINDS) or ["other"])[0],
                "location": location(m["location"]),
                "terms": terms(m["description"], MARK_TERMS),
            }
            for m in local["marks"]
        ],
        "effects": [
            {
                "category": (terms(e["category"].replace(" ", "-"), CATEGORIES) or ["other"])[0],
                "terms": terms(e["description"], EFFECT_TERMS),
            }
            for e in local["effects"]
        ],
        "dental": dental,
    }


def anonymise(local: dict, secret: bytes, recipient: str, linkage: bytes | None, shift) -> dict:
    zero = {"age": 0, "height": 0, "pmi": 0}
    offsets = shift or zero
    p = pseudonym(secret, recipient, local["local_id"])
    scalar = scalar_for(secret, recipient)

    def names(field: str, sets: list[list[str]]) -> list:
        usable = [parts for parts in sets if tokens(parts)][:8]
        if linkage is not None:
            return [
                b64(
                    blip(
                        bloom(parts, linkage),
                        secret,
                        p.encode() + b"\x00" + field.encode() + b"\x00" + struct.pack(">I", i),
                    )
                )
                for i, parts in enumerate(usable)
            ]
        return [blinded(parts, scalar) for parts in usable]

    if "given_names" in local:
        age = None
        seen = (
            None if local["last_seen_date"] is None else date.fromisoformat(local["last_seen_date"])
        )
        if local["birth_date"] and seen:
            born = date.fromisoformat(local["birth_date"])
            years = seen.year - born.year - ((seen.month, seen.day) < (born.month, born.day))
            age = band(max(years, 0), years, 5, offsets["age"], (0, 124))
        elif local["birth_year"] and seen:
            age = band(
                max(seen.year - local["birth_year"] - 1, 0),
                seen.year - local["birth_year"],
                5,
                offsets["age"],
                (0, 124),
            )
        elif local["stated_age"] is not None:
            age = band(local["stated_age"], local["stated_age"], 5, offsets["age"], (0, 124))
        height = local["height_cm"]
        return {
            "type": "missing-person",
            "pseudonym": p,
            "names": names(
                "names",
                [local["given_names"] + local["surnames"]] + [[a] for a in local["aliases"]],
            ),
            "sex": local["sex"],
            "age": age,
            "height_cm": None
            if height is None
            else band(height, height, 5, offsets["height"], (40, 254)),
            "nationality": None if local["nationality"] is None else local["nationality"].upper(),
            "last_seen_month": month(local["last_seen_date"]),
            "last_seen_cell": None
            if local["last_seen_point"] is None
            else cell(local["last_seen_point"], shift),
            "route": [c.upper() for c in local["route"]],
            **_common(local),
        }

    def rng(low, high, width, offset, bounds):
        if low is None and high is None:
            return None
        low = bounds[0] if low is None else low
        high = bounds[1] if high is None else high
        return band(low, high, width, offset, bounds)

    metres = local["found_uncertainty_m"]
    uncertainty = None
    if metres is not None:
        uncertainty = next(
            (b for b in (1, 2, 5, 10, 20, 50, 100, 200, 500) if metres <= b * 1000), 500
        )
    return {
        "type": "remains",
        "pseudonym": p,
        "document_names": names("document_names", [[n] for n in local["document_names"]]),
        "sex": local["sex"],
        "age": rng(local["age_min"], local["age_max"], 5, offsets["age"], (0, 124)),
        "stature_cm": rng(
            local["stature_min_cm"], local["stature_max_cm"], 5, offsets["height"], (40, 254)
        ),
        "found_month": month(local["found_date"]),
        "found_cell": None if local["found_point"] is None else cell(local["found_point"], shift),
        "found_uncertainty_km": uncertainty,
        "pmi_days": rng(
            local["pmi_min_days"], local["pmi_max_days"], 7, offsets["pmi"], (0, 36525)
        ),
        **_common(local),
    }


def test_anonymise_vectors_v1_and_v2() -> None:
    vector = load("anonymise.json")
    secret = bytes.fromhex(vector["sender_secret_hex"])
    linkage = bytes.fromhex(vector["linkage_secret_hex"])
    for case in vector["cases"]:
        mine = anonymise(case["local"], secret, vector["recipient_id"], linkage, None)
        assert canonical(mine) == canonical(case["shared"])
    shift = vector["coarsening_v2"]
    digest = hmac.new(
        secret, b"mmx-exchange/v2 coarsening\x00" + vector["recipient_id"].encode(), hashlib.sha256
    ).digest()
    assert shift == dict(
        zip(
            ("age", "height", "pmi", "lat100", "lon100"),
            (digest[0] % 5, digest[1] % 5, digest[2] % 7, digest[3] % 10, digest[4] % 10),
            strict=True,
        )
    )
    for case in vector["cases_v2"]:
        mine = anonymise(case["local"], secret, vector["recipient_id"], None, shift)
        assert canonical(mine) == canonical(case["shared"])


def test_names_v2_vectors() -> None:
    vector = load("names-v2.json")
    secret = bytes.fromhex(vector["sender_secret_hex"])
    for entry in vector["tokens"]:
        assert keys_of(entry["parts"]) == entry["keys"]
    for key, element in vector["hash_to_group"].items():
        assert b64(hash_to_group(key)) == element
    scalar = scalar_for(secret, vector["recipient_id"])
    assert scalar.hex() == vector["blinding_scalar_hex"]
    assert blinded(vector["blinded_name"]["parts"], scalar) == vector["blinded_name"]["name"]
    query = vector["query"]
    a = bytes.fromhex(query["scalar_hex"])
    entry = [mul(a, hash_to_group(k)) for token in keys_of(query["parts"]) for k in token]
    assert [b64(e) for e in entry] == query["entry"]
    answer = [mul(scalar, e) for e in entry]
    assert [b64(e) for e in answer] == query["answer"]
    inverse = bytes(pysodium.crypto_core_ristretto255_scalar_invert(a))
    unblinded = [mul(inverse, e) for e in answer]
    assert [b64(e) for e in unblinded] == query["unblinded"]
    shared = [[unb64(e) for e in token] for token in vector["blinded_name"]["name"]]
    levels = []
    for index in range(len(unblinded) // 3):
        own = unblinded[3 * index : 3 * index + 3]
        for level, kind in enumerate("fps"):
            if own[level] in {token[level] for token in shared}:
                levels.append([index, kind])
                break
    weights = {"f": 1.0, "p": 0.8, "s": 0.6}
    score = 2 * sum(weights[k] for _, k in levels) / (len(unblinded) // 3 + len(shared))
    assert levels == query["agreement"]["levels"]
    assert score == pytest.approx(query["agreement"]["score"])


def test_this_reader_imports_nothing_of_the_library() -> None:
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"exchange", "exchange_testkit", "casework", "matching"}
