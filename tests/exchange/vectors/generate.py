"""Write the exchange test vectors (run once: `python tests/exchange/vectors/generate.py`).

Deterministic parts (canonical JSON, keys, fingerprints, pseudonyms, Bloom filters, anonymised
records) come out identical on every run; the signed and encrypted envelopes are randomised, so
re-running replaces them with other, equally valid ones. The tests never regenerate.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from exchange_testkit import (  # noqa: E402
    GREECE,
    ITALY,
    NOW,
    SPAIN,
    VALID_FROM,
    VALID_UNTIL,
    sample_missing_person,
    sample_remains,
)

from exchange import (  # noqa: E402
    DisclosureRequest,
    Officer,
    Purpose,
    RecordType,
    TrustList,
    dice,
    export_bundle,
    export_private_keys,
    format_fingerprint,
    record_pseudonym,
    seal_disclosure_request,
    share_missing_person,
    share_remains,
)
from exchange.bundle import bundle_payload  # noqa: E402
from exchange.coarsening import Coarsening  # noqa: E402
from exchange.disclosure import request_payload  # noqa: E402
from exchange.envelope import EnvelopeHeader, signed_bytes  # noqa: E402
from exchange.linkage import blip_seed, encode_name, harden, name_bigrams, name_tokens  # noqa: E402
from exchange.records import MissingPersonRecord, RemainsRecord  # noqa: E402
from exchange.replay import MessageKind  # noqa: E402
from exchange.shared import record_to_json  # noqa: E402
from exchange.wire import b64url_encode, canonical_json, format_timestamp  # noqa: E402

LINKAGE_SECRET = hashlib.sha256(b"esp-cnp/ita-labanof linkage").digest()
CANONICAL_INPUTS = [
    ("key order and whitespace", '{ "b" : 2, "a" : [ 1 , true , null ] }'),
    ("nested objects sorted at every level", '{"z":{"y":1,"x":{"b":0,"a":-5}},"a":{}}'),
    ("non-ASCII kept as UTF-8, escapes undone", '{"name":"Jos\\u00e9 \\u20ac \\ud834\\udd1e"}'),
    ("control characters escaped", '{"t":"line\\nnext\\ttab \\u0001 \\u007f \\"q\\" \\\\"}'),
    ("largest safe integers", '{"max":9007199254740991,"min":-9007199254740991,"zero":-0}'),
    ("solidus and U+2028 not escaped", '{"s":"a\\/b \\u2028"}'),
]


def local_record_json(record: MissingPersonRecord | RemainsRecord) -> dict[str, object]:
    """The local record as plain JSON for the vector file (dates ISO, points as [lat, lon])."""
    out: dict[str, object] = {}
    for name, value in vars(record).items():
        if isinstance(value, date):
            out[name] = value.isoformat()
        elif hasattr(value, "lat"):
            out[name] = [value.lat, value.lon]
        elif isinstance(value, tuple):
            out[name] = [vars(v) if hasattr(v, "__dataclass_fields__") else v for v in value]
        else:
            out[name] = value
    return out


def main() -> None:
    canonical = [
        {
            "description": description,
            "input": text,
            "canonical": canonical_json(json.loads(text)).decode("utf-8"),
            "canonical_hex": canonical_json(json.loads(text)).hex(),
        }
        for description, text in CANONICAL_INPUTS
    ]
    write("canonical-json.json", {"cases": canonical})

    keys = {
        authority.authority_id: {
            "seeds_hex": {name: raw.hex() for name, raw in authority.keys.seeds().items()},
            "public": authority.keys.public.to_json(),
            "fingerprint_hex": authority.keys.public.fingerprint.hex(),
            "fingerprint_display": format_fingerprint(authority.keys.public.fingerprint),
            "sender_secret_hex": authority.sender_secret.hex(),
        }
        for authority in (SPAIN, ITALY, GREECE)
    }
    key_file = export_private_keys(SPAIN.keys, b"vector passphrase 2026", scrypt_log2_n=17)
    write(
        "keys.json",
        {
            "authorities": keys,
            "key_file": {
                "passphrase": "vector passphrase 2026",
                "file": key_file.decode(),
                "authority_id": "esp-cnp",
            },
            "trust_list": TrustList([SPAIN.entry, GREECE.entry]).to_json().decode(),
        },
    )

    pseudonyms = [
        {
            "sender_secret_hex": SPAIN.sender_secret.hex(),
            "recipient_id": recipient,
            "local_id": local_id,
            "pseudonym": record_pseudonym(SPAIN.sender_secret, recipient, local_id),
        }
        for recipient, local_id in [
            ("ita-labanof", "MP-2026-0042"),
            ("grc-hp", "MP-2026-0042"),
            ("ita-labanof", "PM-2026-0107"),
            ("ita-labanof", "número-ü"),
        ]
    ]
    write("pseudonym.json", {"cases": pseudonyms})

    names = [
        ["Amanuel", "Tesfay Gebremariam"],
        ["María José", "García-López"],
        ["Abd al-Rahman", "Ould Mohamed"],
        ["Ἀλέξανδρος"],
    ]
    bloom_cases = []
    for index, parts in enumerate(names):
        plain = encode_name(parts, LINKAGE_SECRET)
        seed = {"pseudonym": pseudonyms[0]["pseudonym"], "field": "names", "index": index}
        hardened = harden(plain, SPAIN.sender_secret, blip_seed(**seed))
        bloom_cases.append(
            {
                "name_parts": parts,
                "tokens": name_tokens(parts),
                "bigrams": sorted(name_bigrams(parts)),
                "filter": b64url_encode(plain),
                "blip_seed": seed,
                "blip_seed_hex": blip_seed(**seed).hex(),
                "hardened": b64url_encode(hardened),
            }
        )
    a = encode_name(names[0], LINKAGE_SECRET)
    b = encode_name(["Amanuel", "Tesfaye"], LINKAGE_SECRET)
    write(
        "bloom.json",
        {
            "linkage_secret_hex": LINKAGE_SECRET.hex(),
            "sender_secret_hex": SPAIN.sender_secret.hex(),
            "bits": 1024,
            "hashes_per_bigram": 16,
            "blip_threshold": 16,
            "cases": bloom_cases,
            "dice": [
                {"a": b64url_encode(a), "b": b64url_encode(b), "dice": round(dice(a, b), 12)},
            ],
        },
    )

    shared_mp = share_missing_person(
        sample_missing_person(),
        recipient_id="ita-labanof",
        sender_secret=SPAIN.sender_secret,
        linkage_secret=LINKAGE_SECRET,
    )
    shared_pm = share_remains(
        sample_remains(),
        recipient_id="ita-labanof",
        sender_secret=SPAIN.sender_secret,
        linkage_secret=LINKAGE_SECRET,
    )
    write(
        "anonymise.json",
        {
            "recipient_id": "ita-labanof",
            "sender_secret_hex": SPAIN.sender_secret.hex(),
            "linkage_secret_hex": LINKAGE_SECRET.hex(),
            "cases": [
                {
                    "local": local_record_json(sample_missing_person()),
                    "shared": record_to_json(shared_mp),
                },
                {"local": local_record_json(sample_remains()), "shared": record_to_json(shared_pm)},
            ],
            # version 2: the same records without a linkage secret (blinded names, offsets)
            "coarsening_v2": Coarsening.for_recipient(SPAIN.sender_secret, "ita-labanof").to_json(),
            "cases_v2": [
                {
                    "local": local_record_json(local),
                    "shared": record_to_json(
                        share(local, recipient_id="ita-labanof", sender_secret=SPAIN.sender_secret)
                    ),
                }
                for local, share in (
                    (sample_missing_person(), share_missing_person),
                    (sample_remains(), share_remains),
                )
            ],
        },
    )
    write_names_v2()
    write_dna()

    bundle_id = "6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48"
    envelope = export_bundle(
        [shared_mp, shared_pm],
        sender_id="esp-cnp",
        sender_keys=SPAIN.keys,
        recipient=ITALY.entry,
        sequence=1,
        now=NOW,
        lifetime=timedelta(days=14),
        bundle_id=bundle_id,
    )
    header = EnvelopeHeader(
        MessageKind.BUNDLE,
        bundle_id,
        "esp-cnp",
        "ita-labanof",
        1,
        NOW,
        NOW + timedelta(days=14),
    )
    document = json.loads(envelope)
    unsigned = {k: v for k, v in document.items() if k != "signatures"}
    request = DisclosureRequest(
        request_id="3d0c5e2a-7b1f-4e8a-a6c9-0f2b4d6e8a1c",
        pseudonym=shared_pm.pseudonym,
        record_type=RecordType.REMAINS,
        purpose=Purpose.IDENTIFICATION,
        justification="Candidate match with our report 2026/117: dental 36 filled.",
        requested_fields=frozenset({"case_reference", "case_officer"}),
        requested_by=Officer("Dr A. Rossi", "forensic odontologist"),
    )
    request_envelope = seal_disclosure_request(
        request,
        sender_id="ita-labanof",
        sender_keys=ITALY.keys,
        recipient=SPAIN.entry,
        sequence=1,
        now=NOW,
    )
    write(
        "envelopes.json",
        {
            "check_at": format_timestamp(NOW + timedelta(hours=1)),
            "trust_valid": [format_timestamp(VALID_FROM), format_timestamp(VALID_UNTIL)],
            "cases": [
                {
                    "description": "bundle from esp-cnp to ita-labanof",
                    "kind": "bundle",
                    "sender": "esp-cnp",
                    "recipient": "ita-labanof",
                    "envelope": envelope.decode(),
                    "hpke_info_hex": header.hpke_info().hex(),
                    "signed_bytes_sha256": hashlib.sha256(signed_bytes(unsigned)).hexdigest(),
                    "payload": canonical_json(bundle_payload([shared_mp, shared_pm])).decode(),
                },
                {
                    "description": "disclosure request from ita-labanof to esp-cnp",
                    "kind": "disclosure-request",
                    "sender": "ita-labanof",
                    "recipient": "esp-cnp",
                    "envelope": request_envelope.decode(),
                    "payload": canonical_json(request_payload(request)).decode(),
                },
            ],
        },
    )


def write_names_v2() -> None:
    """Vectors of §6.2, §6.3 and §7.6: keys, hashes, scalars, a query round trip, offsets."""
    from exchange.namekeys import name_keys
    from exchange.psi import (
        agreement,
        blind_names,
        blinding_scalar,
        hash_to_group,
        invert,
        multiply,
    )
    from exchange.wire import b64url_encode as enc

    names = [["Amanuel", "Tesfay", "Gebremariam"], ["Mohammed", "Aly"], ["Fatimah", "Abdulrahman"]]
    tokens = [
        {"parts": parts, "keys": [list(k.keys()) for k in name_keys(parts)]} for parts in names
    ]
    all_keys = sorted({key for entry in tokens for token in entry["keys"] for key in token})
    scalar_b = blinding_scalar(SPAIN.sender_secret, "ita-labanof")
    shared = blind_names(
        [["Amanuel", "Tesfay", "Gebremariam"]], SPAIN.sender_secret, "ita-labanof", 8
    )
    query_parts = ["Emmanuel", "Tesfaye", "Gebremariam"]
    query_scalar = bytes(pysodium_reduce(hashlib.sha512(b"vector query scalar").digest()))
    keys = [key for token in name_keys(query_parts) for key in token.keys()]
    query = [multiply(query_scalar, hash_to_group(key)) for key in keys]
    answer = [multiply(scalar_b, element) for element in query]
    unblinded = [multiply(invert(query_scalar), element) for element in answer]
    found = agreement(unblinded, shared[0])
    write(
        "names-v2.json",
        {
            "sender_secret_hex": SPAIN.sender_secret.hex(),
            "recipient_id": "ita-labanof",
            "tokens": tokens,
            "hash_to_group": {key: enc(hash_to_group(key)) for key in all_keys},
            "blinding_scalar_hex": scalar_b.hex(),
            "blinded_name": {
                "parts": ["Amanuel", "Tesfay", "Gebremariam"],
                "name": [[enc(e) for e in token] for token in shared[0]],
            },
            "query": {
                "parts": query_parts,
                "scalar_hex": query_scalar.hex(),
                "entry": [enc(e) for e in query],
                "answer": [enc(e) for e in answer],
                "unblinded": [enc(e) for e in unblinded],
                "agreement": {
                    "own_tokens": found.own_tokens,
                    "shared_tokens": found.shared_tokens,
                    "levels": [[t.token, t.level] for t in found.tokens],
                    "score": found.score,
                },
            },
        },
    )


def write_dna() -> None:
    """Vectors of §7.7: a DNA search with lineage markers and its canonical plaintext, an older
    family without them (read as empty, written back with both empty), answers with and without
    a lineage exclusion, and payloads a reader must refuse (``schema-violation``)."""
    from exchange.dna import answer_from_json, answer_payload, search_from_json, search_payload

    missing = record_pseudonym(SPAIN.sender_secret, "ita-labanof", "mp-0001")
    remains = record_pseudonym(ITALY.sender_secret, "esp-cnp", "ur-0042")
    pedigree = [
        {"id": "f", "father": None, "mother": None, "sex": "male"},
        {"id": "m", "father": None, "mother": None, "sex": "female"},
        {"id": "missing", "father": "f", "mother": "m", "sex": "male"},
        {"id": "b", "father": "f", "mother": "m", "sex": "male"},
    ]
    family = {
        "pseudonym": missing,
        "population": "SW Hispanic",
        "pedigree": pedigree,
        "missing": "missing",
        "references": {
            "b": [["D3S1358", "15", "16"], ["TH01", "6", "9.3"]],
            "m": [["D3S1358", "15", "15"]],
        },
        "ystr": {"b": [["DYS19", "14"], ["DYS390", "24"]]},
        "mtdna": {"m": ["16519C", "263G", "73G"]},
    }
    older = {k: v for k, v in family.items() if k not in ("ystr", "mtdna")}
    search_id = "6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48"

    def search(families: list[object]) -> dict[str, object]:
        return {
            "format": "mmx-dna-search",
            "version": 2,
            "search_id": search_id,
            "families": families,
        }

    def answer(result: dict[str, object]) -> dict[str, object]:
        return {
            "format": "mmx-dna-answer",
            "version": 2,
            "search_id": search_id,
            "results": [result],
        }

    hit = {"pseudonym": missing, "hit": True, "log10_lr_milli": 5231, "remains": remains}
    no_hit = {"pseudonym": missing, "hit": False, "log10_lr_milli": None, "remains": None}
    searches = [
        ("with lineage markers", search([family])),
        ("an older sender: no ystr, no mtdna (read as empty)", search([older])),
    ]
    answers = [
        ("a hit", answer(hit)),
        ("a hit the Y-STR excludes", answer({**hit, "lineage_exclusion": ["ystr"]})),
        ("a hit both lines exclude", answer({**hit, "lineage_exclusion": ["mtdna", "ystr"]})),
        ("no hit", answer(no_hit)),
    ]
    refused = [
        ("lineage_exclusion on a no-hit", answer({**no_hit, "lineage_exclusion": ["ystr"]})),
        ("an unknown lineage system", answer({**hit, "lineage_exclusion": ["x-str"]})),
        ("systems not sorted", answer({**hit, "lineage_exclusion": ["ystr", "mtdna"]})),
        ("an empty lineage_exclusion", answer({**hit, "lineage_exclusion": []})),
        ("an unknown member of a family", search([{**family, "names": []}])),
    ]
    write(
        "dna.json",
        {
            "searches": [
                {
                    "description": text,
                    "payload": payload,
                    "canonical": canonical_json(search_payload(search_from_json(payload))).decode(),
                }
                for text, payload in searches
            ],
            "answers": [
                {
                    "description": text,
                    "payload": payload,
                    "canonical": canonical_json(answer_payload(answer_from_json(payload))).decode(),
                }
                for text, payload in answers
            ],
            "refused": [{"description": text, "payload": payload} for text, payload in refused],
        },
    )


def pysodium_reduce(wide: bytes) -> bytes:
    import pysodium

    return bytes(pysodium.crypto_core_ristretto255_scalar_reduce(wide))


def write(name: str, content: object) -> None:
    (HERE / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["dna"]:  # only the DNA vectors: the envelopes stay as they are
        write_dna()
    else:
        main()
