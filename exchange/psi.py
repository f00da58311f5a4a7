"""Names compared by private set intersection (spec §6.2, §7.6): commutative blinding of name keys
on ristretto255 (RFC 9496, through libsodium). The owner blinds its records' keys with a secret
scalar per recipient; the recipient learns which of its own keys agree only by asking the owner
to blind them too (a name query), which the owner caps, rate-limits and audits.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pysodium

from exchange.errors import ErrorCode, ExchangeError, MalformedMessageError
from exchange.namekeys import KEY_KINDS, MAX_TOKENS, TokenKeys, name_keys
from exchange.pseudonym import check_secret

ELEMENT_BYTES = 32
HASH_LABEL = b"mmx-exchange/v2 name-key\x00"
BLINDING_LABEL = b"mmx-exchange/v2 name-blinding\x00"
IDENTITY = bytes(ELEMENT_BYTES)

#: One token of a shared name: its three blinded keys (folded, phonetic, short form).
BlindedToken = tuple[bytes, bytes, bytes]
#: One shared name: its blinded tokens, sorted by their bytes.
BlindedName = tuple[BlindedToken, ...]


def hash_to_group(key: str) -> bytes:
    """The ristretto255 element of a name key: ``from_hash(SHA-512(label || UTF-8(key)))``
    (RFC 9496 §4.3.4, libsodium ``crypto_core_ristretto255_from_hash``).

    Example:
        >>> len(hash_to_group("f:amanuel"))
        32
    """
    digest = hashlib.sha512(HASH_LABEL + key.encode("utf-8")).digest()
    return bytes(pysodium.crypto_core_ristretto255_from_hash(digest))


def blinding_scalar(sender_secret: bytes, recipient_id: str) -> bytes:
    """The owner's secret scalar for one recipient: HMAC-SHA-512 of the recipient id under the
    sender secret, reduced mod the group order (RFC 9496 §4.4). Never leaves the owner.

    Example:
        >>> blinding_scalar(bytes(32), "ita-labanof") != blinding_scalar(bytes(32), "grc-hp")
        True
    """
    check_secret(sender_secret, what="sender secret")
    wide = hmac.new(
        sender_secret, BLINDING_LABEL + recipient_id.encode("utf-8"), hashlib.sha512
    ).digest()
    return bytes(pysodium.crypto_core_ristretto255_scalar_reduce(wide))


def random_scalar() -> bytes:
    """A fresh random non-zero scalar (a query's blinding factor)."""
    return bytes(pysodium.crypto_core_ristretto255_scalar_random())


def invert(scalar: bytes) -> bytes:
    """The scalar's inverse mod the group order."""
    return bytes(pysodium.crypto_core_ristretto255_scalar_invert(scalar))


def check_element(value: bytes, *, what: str = "name element") -> bytes:
    """Refuse anything but the canonical encoding of a non-identity ristretto255 element.

    Raises:
        MalformedMessageError: ``schema-violation``.
    """
    if (
        len(value) != ELEMENT_BYTES
        or value == IDENTITY
        or not pysodium.crypto_core_ristretto255_is_valid_point(value)
    ):
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION, f"The {what} is not a ristretto255 element."
        )
    return value


def multiply(scalar: bytes, element: bytes) -> bytes:
    """``scalar · element`` on ristretto255.

    Example:
        >>> a, b, h = random_scalar(), random_scalar(), hash_to_group("f:ali")
        >>> multiply(a, multiply(b, h)) == multiply(b, multiply(a, h))
        True
    """
    try:
        return bytes(pysodium.crypto_scalarmult_ristretto255(scalar, element))
    except ValueError:  # libsodium refuses a result that is the identity
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION, "A name element multiplies to the identity."
        ) from None


def blind_name(keys: Sequence[TokenKeys], scalar: bytes) -> BlindedName:
    """Blind every key of a name with the owner's scalar; tokens sorted by their bytes, so the
    order of name parts does not show.

    Example:
        >>> name = blind_name(name_keys(["Amanuel Tesfay"]), blinding_scalar(bytes(32), "x"))
        >>> len(name), len(name[0])
        (2, 3)
    """
    tokens = [tuple(multiply(scalar, hash_to_group(key)) for key in token.keys()) for token in keys]
    return tuple(sorted(tokens))  # type: ignore[arg-type]


def blind_names(
    name_sets: Iterable[Sequence[str]], sender_secret: bytes, recipient_id: str, limit: int
) -> tuple[BlindedName, ...]:
    """The blinded names of one record for one recipient (names without letters skipped).

    Example:
        >>> len(blind_names([["Ali"], ["?"]], bytes(32), "ita-labanof", 8))
        1
    """
    scalar = blinding_scalar(sender_secret, recipient_id)
    usable = [keys for keys in (name_keys(parts) for parts in name_sets) if keys][:limit]
    return tuple(blind_name(keys, scalar) for keys in usable)


# The querying side --------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingQuery:
    """What the querier keeps until the answer comes: each entry's keys and blinding scalar.

    Attributes:
        entries: for each entry (one of our names), its token keys.
        scalars: the random scalar each entry was blinded with (secret; never sent).
    """

    entries: tuple[tuple[TokenKeys, ...], ...]
    scalars: tuple[bytes, ...]

    def elements(self) -> list[list[bytes]]:
        """The blinded elements to send: per entry, per token, the three keys, in that order."""
        return [
            [multiply(scalar, hash_to_group(key)) for token in keys for key in token.keys()]
            for keys, scalar in zip(self.entries, self.scalars, strict=True)
        ]


def prepare_query(names: Sequence[Sequence[str]]) -> PendingQuery:
    """Turn our names (each a list of parts) into a query, each entry under a fresh scalar, so
    the owner cannot even see which of our entries share a token.

    Example:
        >>> pending = prepare_query([["Amanuel", "Tesfay"]])
        >>> [len(entry) for entry in pending.elements()]
        [6]
    """
    entries = tuple(name_keys(parts) for parts in names)
    return PendingQuery(entries, tuple(random_scalar() for _ in entries))


@dataclass(frozen=True)
class TokenAgreement:
    """How one of our tokens agrees with a token of a shared name.

    Attributes:
        token: the index of our token in the entry.
        level: the best agreeing key: ``f`` (same folded spelling), ``p`` (same phonetic key)
            or ``s`` (same short form).
    """

    token: int
    level: str


@dataclass(frozen=True)
class NameAgreement:
    """How one of our names agrees with one shared name: per token, the best level.

    Attributes:
        own_tokens: how many tokens our name has.
        shared_tokens: how many tokens the shared name has.
        tokens: one agreement for each of our tokens that agrees with some shared token.
    """

    own_tokens: int
    shared_tokens: int
    tokens: tuple[TokenAgreement, ...]

    @property
    def score(self) -> float:
        """A Dice-like similarity in 0..1: agreeing tokens weighted 1 (folded), 0.8
        (phonetic), 0.6 (short form), over the mean token count.

        Example:
            >>> NameAgreement(2, 2, (TokenAgreement(0, "f"), TokenAgreement(1, "p"))).score
            0.9
        """
        weights = {"f": 1.0, "p": 0.8, "s": 0.6}
        total = self.own_tokens + self.shared_tokens
        if total == 0:
            return 0.0
        return 2 * sum(weights[t.level] for t in self.tokens) / total


def unblind_answer(pending: PendingQuery, answer: Sequence[Sequence[bytes]]) -> list[list[bytes]]:
    """Remove our scalars from the owner's answer: per entry, the owner-blinded keys in the same
    order as `PendingQuery.elements`, now comparable with the shared names of its bundle.

    Raises:
        MalformedMessageError: ``schema-violation`` if the answer's shape differs.
    """
    if len(answer) != len(pending.entries):
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION, "The answer has another number of entries."
        )
    result = []
    for keys, scalar, row in zip(pending.entries, pending.scalars, answer, strict=True):
        if len(row) != len(keys) * len(KEY_KINDS):
            raise MalformedMessageError(
                ErrorCode.SCHEMA_VIOLATION, "An answer entry has another number of elements."
            )
        inverse = invert(scalar)
        result.append([multiply(inverse, element) for element in row])
    return result


def agreement(own: Sequence[bytes], shared: BlindedName) -> NameAgreement:
    """Compare one unblinded entry of ours (3 elements per token) with one shared name.

    Example:
        >>> scalar = blinding_scalar(bytes(32), "ita-labanof")
        >>> shared = blind_name(name_keys(["Mohammed Aly"]), scalar)
        >>> own = [multiply(scalar, hash_to_group(k)) for t in name_keys(["Mohamed Ali"])
        ...        for k in t.keys()]
        >>> agreement(own, shared).score
        1.0
    """
    by_level = [{token[level] for token in shared} for level in range(len(KEY_KINDS))]
    found = []
    for index in range(len(own) // len(KEY_KINDS)):
        keys = own[index * len(KEY_KINDS) : (index + 1) * len(KEY_KINDS)]
        for level, kind in enumerate(KEY_KINDS):
            if keys[level] in by_level[level]:
                found.append(TokenAgreement(index, kind))
                break
    return NameAgreement(len(own) // len(KEY_KINDS), len(shared), tuple(found))


# The owner's side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryLimits:
    """What an owner answers (spec §7.6); an installation may set tighter ones.

    Attributes:
        max_entries: entries in one query message.
        max_elements_per_entry: elements in one entry (3 per token).
        budget: elements answered per querier within `window_hours`.
        window_hours: the rolling window of the budget.
    """

    max_entries: int = 500
    max_elements_per_entry: int = MAX_TOKENS * len(KEY_KINDS)
    budget: int = 20_000
    window_hours: int = 24


DEFAULT_QUERY_LIMITS = QueryLimits()


def answer_elements(
    entries: Sequence[Sequence[bytes]],
    *,
    sender_secret: bytes,
    querier_id: str,
    spent: int,
    limits: QueryLimits = DEFAULT_QUERY_LIMITS,
) -> list[list[bytes]]:
    """Blind a querier's elements with our scalar for it, within the caps and its budget.

    Args:
        entries: the query's entries (already checked as elements).
        sender_secret: our secret (the scalar per recipient comes from it).
        querier_id: the peer that asks (its scalar is the one its bundles were blinded with).
        spent: elements already answered for this peer within the window.
        limits: caps and budget.

    Raises:
        ExchangeError: ``query-limit`` if the message or the budget is exceeded; nothing is
            answered then.
    """
    if len(entries) > limits.max_entries or any(
        len(row) > limits.max_elements_per_entry for row in entries
    ):
        raise ExchangeError(
            ErrorCode.QUERY_LIMIT,
            f"A name query holds at most {limits.max_entries} entries of at most "
            f"{limits.max_elements_per_entry} elements.",
        )
    asked = sum(len(row) for row in entries)
    if spent + asked > limits.budget:
        raise ExchangeError(
            ErrorCode.QUERY_LIMIT,
            f"{querier_id} asked for {spent + asked} name elements within "
            f"{limits.window_hours} hours; the budget is {limits.budget}.",
        )
    scalar = blinding_scalar(sender_secret, querier_id)
    return [[multiply(scalar, element) for element in row] for row in entries]
