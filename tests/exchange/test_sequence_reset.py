"""A stolen key's message with sequence 2^53 - 1 blocks its sender only until the keys are rotated
and a reset signed under the fresh keys arrives (spec §5.6)."""

from __future__ import annotations

import pytest
from exchange_testkit import NOW, SPAIN, VALID_FROM, VALID_UNTIL, Authority, seeded_keys

from exchange import (
    ErrorCode,
    ExchangeError,
    FreshnessError,
    InMemoryReplayGuard,
    TrustedAuthority,
    TrustList,
    commit_import,
    export_bundle,
    import_bundle,
)
from exchange.envelope import MAX_SEQUENCE
from exchange.replay import MessageKind
from exchange.reset import SequenceReset, commit_reset, open_sequence_reset, seal_sequence_reset

ROTATED = seeded_keys("esp-cnp/rotated")
ROTATED_ENTRY = TrustedAuthority(
    "esp-cnp", "ESP", "Centro Nacional", ROTATED.public, VALID_FROM, VALID_UNTIL
)


def _bundle(keys, italy: Authority, sequence: int) -> bytes:
    return export_bundle(
        [],
        sender_id="esp-cnp",
        sender_keys=keys,
        recipient=italy.entry,
        sequence=sequence,
        now=NOW,
    )


def _import(raw: bytes, italy: Authority, trust: TrustList, guard: InMemoryReplayGuard) -> None:
    received = import_bundle(
        raw, own_id=italy.authority_id, own_keys=italy.keys, trust=trust, guard=guard, now=NOW
    )
    commit_import(received, guard)


def _reset(keys, italy: Authority, continue_after: int = 3) -> bytes:
    return seal_sequence_reset(
        SequenceReset(MessageKind.BUNDLE, continue_after, "keys rotated after a theft"),
        sender_id="esp-cnp",
        sender_keys=keys,
        recipient=italy.entry,
        now=NOW,
    )


def _open(raw: bytes, italy: Authority, trust: TrustList, guard: InMemoryReplayGuard):
    return open_sequence_reset(
        raw, own_id=italy.authority_id, own_keys=italy.keys, trust=trust, guard=guard, now=NOW
    )


def test_stolen_key_blocks_only_until_a_reset_under_fresh_keys(italy: Authority) -> None:
    guard = InMemoryReplayGuard()
    old_trust = TrustList([SPAIN.entry])
    for sequence in (1, 2, 3):
        _import(_bundle(SPAIN.keys, italy, sequence), italy, old_trust, guard)
    # the thief's message with the largest sequence there is
    _import(_bundle(SPAIN.keys, italy, MAX_SEQUENCE), italy, old_trust, guard)
    with pytest.raises(FreshnessError) as blocked:
        _import(_bundle(SPAIN.keys, italy, 4), italy, old_trust, guard)
    assert blocked.value.code is ErrorCode.OUT_OF_ORDER

    # a reset under the stolen (still trusted) keys is refused: they already sent bundles
    with pytest.raises(FreshnessError) as stale:
        _open(_reset(SPAIN.keys, italy), italy, old_trust, guard)
    assert stale.value.code is ErrorCode.RESET_REFUSED

    # Spain rotates its keys (compared out of band); the old ones stop being trusted
    new_trust = TrustList([ROTATED_ENTRY])
    raw_reset = _reset(ROTATED, italy)
    received = _open(raw_reset, italy, new_trust, guard)
    assert received.content == SequenceReset(MessageKind.BUNDLE, 3, "keys rotated after a theft")
    commit_reset(received, guard)
    _import(_bundle(ROTATED, italy, 4), italy, new_trust, guard)  # the sender's own next number

    # the same reset again is a replay (nothing changes); a second reset under the keys is refused
    assert _open(raw_reset, italy, new_trust, guard).is_new is False
    with pytest.raises(FreshnessError) as again:
        _open(_reset(ROTATED, italy, 0), italy, new_trust, guard)
    assert again.value.code is ErrorCode.RESET_REFUSED
    # the stolen keys cannot sign anything any more
    with pytest.raises(ExchangeError) as thief:
        _import(_bundle(SPAIN.keys, italy, 5), italy, new_trust, guard)
    assert thief.value.code is ErrorCode.BAD_SIGNATURE


def test_reset_only_affects_its_own_kind(italy: Authority) -> None:
    guard = InMemoryReplayGuard()
    _import(_bundle(SPAIN.keys, italy, MAX_SEQUENCE), italy, TrustList([SPAIN.entry]), guard)
    trust = TrustList([ROTATED_ENTRY])
    received = open_sequence_reset(
        seal_sequence_reset(
            SequenceReset(MessageKind.DISCLOSURE_REQUEST, 0, "rotation"),
            sender_id="esp-cnp",
            sender_keys=ROTATED,
            recipient=italy.entry,
            now=NOW,
        ),
        own_id=italy.authority_id,
        own_keys=italy.keys,
        trust=trust,
        guard=guard,
        now=NOW,
    )
    before = guard.snapshot()
    commit_reset(received, guard)
    assert guard.last_sequence("esp-cnp", MessageKind.BUNDLE) == MAX_SEQUENCE
    assert guard.last_sequence("esp-cnp", MessageKind.DISCLOSURE_REQUEST) == 0
    assert guard.snapshot() != before


@pytest.mark.parametrize(
    "reset",
    [
        SequenceReset(MessageKind.SEQUENCE_RESET, 0, "resets are not reset"),
        SequenceReset(MessageKind.BUNDLE, -1, "negative"),
        SequenceReset(MessageKind.BUNDLE, MAX_SEQUENCE, "nothing could follow"),
        SequenceReset(MessageKind.BUNDLE, 0, ""),
        SequenceReset(MessageKind.BUNDLE, 0, "x" * 2001),
    ],
)
def test_bad_resets_are_not_written(reset: SequenceReset, italy: Authority) -> None:
    with pytest.raises(ExchangeError) as caught:
        seal_sequence_reset(
            reset, sender_id="esp-cnp", sender_keys=ROTATED, recipient=italy.entry, now=NOW
        )
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT


def test_reset_of_an_unknown_kind_is_a_schema_violation() -> None:
    from exchange import MalformedMessageError

    with pytest.raises(MalformedMessageError) as caught:
        SequenceReset.from_json(
            {
                "format": "mmx-sequence-reset",
                "version": 1,
                "kind": "everything",
                "continue_after": 0,
                "reason": "r",
            }
        )
    assert caught.value.code is ErrorCode.SCHEMA_VIOLATION
