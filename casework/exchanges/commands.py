"""`casework exchange …`: our keys, the trust list, bundles and messages as files."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from casework.console import act_as_cli, fail
from casework.errors import CaseworkError

if TYPE_CHECKING:
    from casework.exchanges.models import OutgoingMessage

exchange = AppGroup("exchange", help="Exchange with other authorities.")
keys = AppGroup("keys", help="This installation's exchange identity and keys.")
trust = AppGroup("trust", help="The trust list of peer authorities.")
exchange.add_command(keys)
exchange.add_command(trust)


def _as_cli(command: str) -> None:
    act_as_cli(f"exchange {command}")


def _delivered(message: OutgoingMessage) -> str:
    """What became of a message just sealed: the same three cases the pages say."""
    from casework.exchanges.outbox import Delivery, delivery

    peer = message.peer
    sent = delivery(peer, [message])
    if sent is Delivery.DELIVERED:
        return f"delivered to {peer.authority_id}."
    if sent is Delivery.QUEUED:
        return f"it goes to the inbox of {peer.authority_id} as soon as that inbox can be reached."
    return "the peer has no inbox: send it with `exchange outbox`."


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


@keys.command("init")
@click.option("--authority-id", required=True, help="e.g. usa-pcome: lowercase, digits, hyphens.")
@click.option("--country", required=True, help="ISO 3166 alpha-3 of this authority.")
@click.option("--name", required=True, help="The authority's name, as peers will see it.")
def keys_init(authority_id: str, country: str, name: str) -> None:
    """Generate this installation's long-term exchange keys (once)."""
    from casework.exchanges.identity import create_identity, display_fingerprint

    _as_cli("keys init")
    try:
        identity = create_identity(authority_id, country, name)
    except CaseworkError as error:
        fail(error)
    click.echo(f"Created the exchange keys of {identity.authority_id}.")
    click.echo(f"Fingerprint: {display_fingerprint(identity.fingerprint)}")


@keys.command("show")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the public key file here instead of printing it.",
)
def keys_show(out: Path | None) -> None:
    """Print our public key file (give it to peers) and the fingerprint to read out to them."""
    from casework.exchanges.identity import display_fingerprint, public_identity, require_identity

    try:
        identity = require_identity()
    except CaseworkError as error:
        fail(error)
    document = public_identity(identity)
    if out is None:
        click.echo(document.decode())
    else:
        out.write_bytes(document)
        click.echo(f"Public key file written to {out}.")
    click.echo(f"Fingerprint: {display_fingerprint(identity.fingerprint)}")


@trust.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--valid-until", required=True, type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])
)
@click.option(
    "--valid-from",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Default: now.",
)
@click.option(
    "--linkage-secret",
    default=None,
    envvar="CASEWORK_LINKAGE_SECRET",
    help=(
        "Hexadecimal, agreed with the peer (or CASEWORK_LINKAGE_SECRET); needed only to read its"
        " version 1 bundles during the transition."
    ),
)
@click.option(
    "--fingerprint",
    default=None,
    help="The fingerprint the peer read out to you; asked for when not given.",
)
@click.option("--inbox-url", default=None, help="The peer's inbox address, for pushing messages.")
def trust_add(
    file: Path,
    valid_until: datetime,
    valid_from: datetime | None,
    linkage_secret: str | None,
    fingerprint: str | None,
    inbox_url: str | None,
) -> None:
    """Trust the authority whose public key file is FILE."""
    from casework.exchanges.trust import add_peer

    _as_cli("trust add")
    if fingerprint is None:
        fingerprint = click.prompt("Fingerprint as read out by the peer")
    try:
        peer = add_peer(
            file.read_bytes(),
            valid_until=_utc(valid_until),
            valid_from=_utc(valid_from),
            linkage_secret=linkage_secret,
            confirmed_fingerprint=fingerprint,
            inbox_url=inbox_url,
        )
    except CaseworkError as error:
        fail(error)
    click.echo(f"Trusted {peer.authority_id} ({peer.country}) until {peer.valid_until:%Y-%m-%d}.")


@trust.command("list")
def trust_list() -> None:
    """List the trusted authorities."""
    from casework.exchanges.identity import display_fingerprint
    from casework.exchanges.trust import peers

    rows = peers()
    if not rows:
        click.echo("No authority is trusted yet.")
    for peer in rows:
        state = f"revoked {peer.revoked_at:%Y-%m-%d}" if peer.revoked_at else "trusted"
        click.echo(
            f"{peer.id}  {peer.authority_id}  {peer.country}  {peer.name}  "
            f"{peer.valid_from:%Y-%m-%d}..{peer.valid_until:%Y-%m-%d}  {state}\n"
            f"    {display_fingerprint(peer.fingerprint)}"
        )


@trust.command("revoke")
@click.argument("peer_id")
def trust_revoke(peer_id: str) -> None:
    """Revoke a peer's keys (by row id or authority id): nothing from it is accepted any more."""
    from casework.exchanges.trust import get_peer, revoke_peer

    _as_cli("trust revoke")
    try:
        peer = get_peer(peer_id)
        revoke_peer(peer)
    except CaseworkError as error:
        fail(error)
    click.echo(f"Revoked {peer.authority_id}.")


@trust.command("rotate")
@click.argument("peer_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--fingerprint",
    default=None,
    help="The new fingerprint the peer read out to you; asked for when not given.",
)
def trust_rotate(peer_id: str, file: Path, fingerprint: str | None) -> None:
    """Replace a peer's keys with those in its new public key FILE (compared out of band)."""
    from casework.exchanges.trust import get_peer, rotate_peer_keys

    _as_cli("trust rotate")
    if fingerprint is None:
        fingerprint = click.prompt("New fingerprint as read out by the peer")
    try:
        peer = get_peer(peer_id)
        rotate_peer_keys(peer, file.read_bytes(), confirmed_fingerprint=fingerprint)
    except CaseworkError as error:
        fail(error)
    click.echo(f"New keys trusted for {peer.authority_id}.")


@exchange.command("reset-sequence")
@click.option("--recipient", required=True, help="Trust-list row id or authority id.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(
        [
            "bundle",
            "disclosure-request",
            "disclosure-decision",
            "disclosure-response",
            "name-query",
            "name-answer",
            "dna-search",
            "dna-answer",
        ]
    ),
)
@click.option("--reason", required=True, help="Why (kept in both audit trails).")
def reset_sequence(recipient: str, kind: str, reason: str) -> None:
    """Seal a sequence reset for a peer, after it has our new keys (spec §5.6)."""
    from casework.exchanges.models import MessageKind
    from casework.exchanges.resets import send_reset
    from casework.exchanges.trust import get_peer

    _as_cli("reset-sequence")
    try:
        message = send_reset(get_peer(recipient), MessageKind(kind), reason)
    except CaseworkError as error:
        fail(error)
    click.echo(f"Sequence reset {message.id} sealed; {_delivered(message)}")


@exchange.command("dna-search")
@click.option("--recipient", required=True, help="Trust-list row id or authority id.")
def dna_search(recipient: str) -> None:
    """Send a peer the pedigrees and reference profiles of the families who agreed to a DNA
    search with its country (spec §7.7); its answer arrives in the inbox."""
    from casework.exchanges.dna_search import send_search
    from casework.exchanges.trust import get_peer

    _as_cli("dna-search")
    try:
        message = send_search(get_peer(recipient))
    except CaseworkError as error:
        fail(error)
    if message is None:
        click.echo("No family has agreed to a DNA search with that country: nothing sent.")
        return
    click.echo(
        f"DNA search {message.id} sealed with {message.record_count} families; "
        f"{_delivered(message)}"
    )


@exchange.command("export")
@click.option("--recipient", required=True, help="Trust-list row id or authority id.")
@click.option("--remains-from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--remains-to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option(
    "--missing/--no-missing",
    "include_missing",
    default=True,
    show_default=True,
    help="Include missing persons whose families agreed to share with that country.",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export(
    recipient: str,
    remains_from: datetime | None,
    remains_to: datetime | None,
    include_missing: bool,
    out: Path,
) -> None:
    """Write an anonymised, signed, encrypted bundle for one recipient."""
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.trust import get_peer

    _as_cli("export")
    try:
        message = export_records(
            get_peer(recipient),
            Selection(
                remains_from.date() if remains_from else None,
                remains_to.date() if remains_to else None,
                include_missing,
            ),
        )
    except CaseworkError as error:
        fail(error)
    out.write_bytes(message.envelope)
    click.echo(
        f"Bundle {message.sequence} for {message.peer.authority_id}: "
        f"{message.record_count} records written to {out}."
    )


@exchange.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Import a bundle or a disclosure message received from a peer."""
    from casework.exchanges.inbox import receive

    _as_cli("import")
    try:
        receipt = receive(file.read_bytes())
    except CaseworkError as error:
        fail(error)
    if not receipt.new:
        click.echo("Already imported; nothing changed.")
    else:
        click.echo(
            f"Imported {receipt.kind.value} {receipt.message_id} from {receipt.sender}"
            + (f": {receipt.records} records." if receipt.kind.value == "bundle" else ".")
        )


@exchange.command("hits")
@click.option("--peer", "peer_id", default=None, help="Only this peer's records.")
def refresh_hits(peer_id: str | None) -> None:
    """Recompute cross-border hits of the records received from peers."""
    from casework.exchanges.hits import refresh_for_peer
    from casework.exchanges.trust import get_peer, peers

    try:
        chosen = [get_peer(peer_id)] if peer_id else peers()
    except CaseworkError as error:
        fail(error)
    total = sum(refresh_for_peer(peer) for peer in chosen)
    click.echo(f"{total} hits stored.")


@exchange.command("outbox")
@click.argument("message_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--push", "push_it", is_flag=True, help="Send it to the peer's inbox.")
def outbox(message_id: str, out: Path | None, push_it: bool) -> None:
    """Write a message we sealed (by its message id) to a file, or push it to the peer."""
    from sqlalchemy import select

    from casework.db import db
    from casework.exchanges.models import OutgoingMessage
    from casework.exchanges.transport import push

    _as_cli("outbox")
    message = db.session.scalar(
        select(OutgoingMessage).where(OutgoingMessage.message_id == message_id)
    )
    if message is None:
        click.echo(f"Error: no message {message_id} was sent.", err=True)
        sys.exit(2)
    if out is not None:
        out.write_bytes(message.envelope)
        click.echo(f"Written to {out}.")
    if push_it:
        try:
            status = push(message)
        except CaseworkError as error:
            fail(error)
        click.echo(f"Delivered ({status}).")
