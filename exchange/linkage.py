"""Privacy-preserving name linkage: names encoded as keyed Bloom filters (CLK-style) hardened with
keyed random bit flipping, and the Dice coefficient to compare them (spec §6.2).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import unicodedata
from collections.abc import Iterable

from exchange.pseudonym import check_secret
from exchange.vocabulary import fold_accents

FILTER_BITS = 1024
FILTER_BYTES = FILTER_BITS // 8
HASHES_PER_BIGRAM = 16
#: A bit is replaced by a keyed pseudo-random bit when its stream byte is below this (f = 1/16).
BLIP_THRESHOLD = 16
POSITIONS_LABEL = b"mmx-exchange/v1 bloom-positions"
BLIP_LABEL = b"mmx-exchange/v1 bloom-blip"


def name_tokens(parts: Iterable[str]) -> list[str]:
    """Normalise name parts into tokens: accents removed, case folded, letters only.

    Spaces, hyphens, apostrophes and any other non-letter split tokens, so "García-López" and
    "Garcia Lopez" give the same tokens.

    Example:
        >>> name_tokens(["María José", "García-López", "O'Neil"])
        ['maria', 'jose', 'garcia', 'lopez', 'o', 'neil']
    """
    tokens: list[str] = []
    for part in parts:
        letters = "".join(
            ch if unicodedata.category(ch).startswith("L") else " " for ch in fold_accents(part)
        )
        tokens.extend(unicodedata.normalize("NFC", letters.casefold()).split())
    return tokens


def name_bigrams(parts: Iterable[str]) -> set[str]:
    """The set of padded bigrams of all tokens: "_" + token + "_" cut into pairs of characters.

    The order of name parts does not matter, which suits double surnames and reordered names.

    Example:
        >>> sorted(name_bigrams(["Ali"]))
        ['_a', 'al', 'i_', 'li']
    """
    bigrams: set[str] = set()
    for token in name_tokens(parts):
        padded = f"_{token}_"
        bigrams.update(padded[i : i + 2] for i in range(len(padded) - 1))
    return bigrams


def encode_name(parts: Iterable[str], linkage_secret: bytes) -> bytes:
    """Encode a name as a 1024-bit Bloom filter keyed with the secret agreed with one peer.

    Each bigram ``g`` is hashed once: ``h = HMAC-SHA256(K, UTF-8(g))`` with
    ``K = HMAC-SHA256(linkage_secret, "mmx-exchange/v1 bloom-positions")``; its 16 positions are
    the 16 big-endian 16-bit words of ``h`` modulo 1024. Bit ``i`` is bit ``7 - i % 8`` of byte
    ``i // 8``. Use this to encode our own names when comparing with a peer's filters.

    Args:
        parts: given names, surnames (or a whole name) in any order.
        linkage_secret: the secret agreed with this peer, 32 bytes or more.

    Returns:
        128 bytes; all zero if the name has no letters.

    Example:
        >>> a = encode_name(["Amanuel", "Tesfay"], bytes(32))
        >>> b = encode_name(["Amanuel", "Tesfaye"], bytes(32))
        >>> round(dice(a, b), 2) > 0.8
        True
    """
    check_secret(linkage_secret, what="linkage secret")
    key = hmac.new(linkage_secret, POSITIONS_LABEL, hashlib.sha256).digest()
    bits = bytearray(FILTER_BYTES)
    for bigram in sorted(name_bigrams(parts)):
        digest = hmac.new(key, bigram.encode("utf-8"), hashlib.sha256).digest()
        for (word,) in struct.iter_unpack(">H", digest):
            position = word % FILTER_BITS
            bits[position // 8] |= 0x80 >> (position % 8)
    return bytes(bits)


def harden(bloom: bytes, sender_secret: bytes, seed: bytes) -> bytes:
    """Apply keyed random bit flipping (BLIP) so equal names do not give equal filters.

    A stream ``S`` of 1024 bytes is ``HMAC-SHA256(B, seed || uint32_be(j))`` for j = 0..31
    concatenated, with ``B = HMAC-SHA256(sender_secret, "mmx-exchange/v1 bloom-blip")``. For
    each bit ``i``: if ``S[i] < 16`` the bit becomes ``S[i] & 1``. The recipient cannot undo it
    (it does not know ``sender_secret``) and need not: it only computes Dice coefficients.

    Args:
        bloom: a filter from `encode_name`.
        sender_secret: our installation's secret (the pseudonym secret), never shared.
        seed: what makes the flips differ per record: see `blip_seed`.

    Example:
        >>> plain = encode_name(["Amanuel"], bytes(32))
        >>> hardened = harden(plain, bytes(32), blip_seed("p", "names", 0))
        >>> hardened != plain and dice(plain, hardened) > 0.8
        True
    """
    check_secret(sender_secret, what="sender secret")
    if len(bloom) != FILTER_BYTES:
        raise ValueError("a Bloom filter is 128 bytes")
    key = hmac.new(sender_secret, BLIP_LABEL, hashlib.sha256).digest()
    stream = b"".join(
        hmac.new(key, seed + struct.pack(">I", j), hashlib.sha256).digest()
        for j in range(FILTER_BITS // 32)
    )
    bits = bytearray(bloom)
    for i, draw in enumerate(stream):
        if draw < BLIP_THRESHOLD:
            mask = 0x80 >> (i % 8)
            if draw & 1:
                bits[i // 8] |= mask
            else:
                bits[i // 8] &= ~mask & 0xFF
    return bytes(bits)


def blip_seed(pseudonym: str, field: str, index: int) -> bytes:
    """The per-filter seed: UTF-8(pseudonym) 0x00 UTF-8(field) 0x00 uint32_be(index).

    Example:
        >>> blip_seed("p", "names", 1)
        b'p\\x00names\\x00\\x00\\x00\\x00\\x01'
    """
    return pseudonym.encode() + b"\x00" + field.encode() + b"\x00" + struct.pack(">I", index)


def dice(a: bytes, b: bytes) -> float:
    """Dice coefficient of two Bloom filters: 2·|a∧b| / (|a| + |b|); 0.0 if both are empty.

    Args:
        a: a filter (any length).
        b: a filter of the same length.

    Raises:
        ValueError: if the lengths differ.

    Example:
        >>> dice(b"\\xf0", b"\\xc0")
        0.6666666666666666
    """
    if len(a) != len(b):
        raise ValueError("Bloom filters of different lengths cannot be compared")
    ones_a = int.from_bytes(a, "big").bit_count()
    ones_b = int.from_bytes(b, "big").bit_count()
    if ones_a + ones_b == 0:
        return 0.0
    common = (int.from_bytes(a, "big") & int.from_bytes(b, "big")).bit_count()
    return 2 * common / (ones_a + ones_b)
