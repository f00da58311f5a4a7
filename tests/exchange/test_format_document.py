"""docs/exchange-format.md states the same vocabulary, error codes and limits as the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exchange import DEFAULT_LIMITS, DISCLOSABLE_FIELDS, ErrorCode
from exchange import vocabulary as v
from exchange.envelope import HPKE_INFO_LABEL, SIGNATURE_LABEL, SUITE_NAME
from exchange.keys import FINGERPRINT_PREFIX, ML_DSA_CONTEXT
from exchange.linkage import BLIP_LABEL, POSITIONS_LABEL
from exchange.pseudonym import PSEUDONYM_LABEL

SPEC = (Path(__file__).parents[2] / "docs" / "exchange-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("title", "terms"),
    [
        ("mark kinds", v.MARK_KINDS),
        ("body parts", v.BODY_PARTS),
        ("mark terms", v.MARK_TERMS),
        ("effect categories", v.EFFECT_CATEGORIES),
        ("effect terms", v.EFFECT_TERMS),
        ("dental states", v.DENTAL_STATES),
    ],
)
def test_vocabulary_lists_match(title: str, terms: frozenset[str]) -> None:
    match = re.search(rf"^- \*\*{title}\*\*: (.+)$", SPEC, re.MULTILINE)
    assert match, title
    assert match.group(1).split(", ") == sorted(terms)


def test_every_error_code_is_documented() -> None:
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", SPEC, re.MULTILINE))
    assert {code.value for code in ErrorCode} <= documented


def test_disclosable_fields_match() -> None:
    line = next(line for line in SPEC.splitlines() if line.startswith("Disclosable fields:"))
    following = SPEC[SPEC.index(line) :].split("\n\n")[0]
    assert sorted(re.findall(r"`([a-z_]+)`", following)) == sorted(DISCLOSABLE_FIELDS)


@pytest.mark.parametrize(
    "label",
    [
        SIGNATURE_LABEL,
        HPKE_INFO_LABEL,
        FINGERPRINT_PREFIX,
        PSEUDONYM_LABEL,
        POSITIONS_LABEL,
        BLIP_LABEL,
    ],
)
def test_labels_are_documented(label: bytes) -> None:
    text = label.rstrip(b"\x00").decode()
    assert f'"{text}"' in SPEC


def test_suite_context_and_limits_are_documented() -> None:
    assert f'"{SUITE_NAME}"' in SPEC
    assert f'"{ML_DSA_CONTEXT.decode()}"' in SPEC
    assert DEFAULT_LIMITS.max_records == 5000 and "| records per bundle | 5000 |" in SPEC
    assert DEFAULT_LIMITS.max_lifetime.days == 30 and "≤ 30 days" in SPEC
    assert DEFAULT_LIMITS.max_envelope_bytes == 24 * 2**20 and "| envelope size | 24 MiB |" in SPEC
    assert DEFAULT_LIMITS.max_payload_bytes == 16 * 2**20 and "| 16 MiB |" in SPEC


@pytest.mark.parametrize(
    ("title", "mapping"),
    [("Synonyms", v._SYNONYMS), ("Side words", v._SIDE_WORDS), ("Part words", v._PART_WORDS)],
)
def test_appendix_word_lists_match(title: str, mapping: dict[str, str]) -> None:
    """Appendix A publishes the word lists, so anonymise.json is reproducible from the text."""
    block = SPEC[SPEC.index(f"**{title}**") :].split("\n\n")[1]
    published = {}
    for line in block.splitlines():
        term, words = re.match(r"^- `([a-z-]+)`: (.+)$", line).groups()  # type: ignore[union-attr]
        published.update(dict.fromkeys(words.split(", "), term))
    assert published == dict(mapping)


def test_v2_labels_folds_and_offsets_are_documented() -> None:
    from exchange.coarsening import COARSENING_LABEL
    from exchange.namekeys import FOLDS, PHONETIC_CLASSES
    from exchange.psi import BLINDING_LABEL, HASH_LABEL

    for label in (COARSENING_LABEL, BLINDING_LABEL, HASH_LABEL):
        text = label.rstrip(b"\x00").decode()
        assert f'"{text}"' in SPEC
    assert ", ".join(f"`{old}→{new}`" for old, new in FOLDS).replace(", ", ",") in (
        SPEC.replace(",\n   ", ",").replace(", ", ",")
    )
    classes: dict[str, list[str]] = {}
    for letter, digit in PHONETIC_CLASSES.items():
        classes.setdefault(digit, []).append(letter)
    for digit, letters in classes.items():
        assert f"`{' '.join(sorted(letters))}`→{digit}" in SPEC
