"""Layer 2: sharing our cases as an anonymised bundle (consent, period, sequence, audit) and
importing a peer's bundle: all-or-nothing, idempotent, every refusal stores nothing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.casework.exchanges.builders import (
    counts,
    make_identity,
    make_peer,
    peer_bundle,
    peer_remains,
)
from tests.casework.factories import make_missing, make_remains


@pytest.fixture
def peer(app, world):
    with app.test_request_context():
        make_identity()
        return make_peer(country="GTM")


def _user(role, world):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user(role))


def _open_as_peer(peer, raw, now=None):
    """What the peer reads from our bundle (its own trust list holds us)."""
    from exchange import InMemoryReplayGuard, TrustList, import_bundle

    return import_bundle(
        raw,
        own_id=peer.authority_id,
        own_keys=peer.keys,
        trust=TrustList([peer.us]),
        guard=InMemoryReplayGuard(),
        now=now or datetime(2026, 6, 1, 12, tzinfo=UTC),
    )


def test_export_shares_remains_of_the_period_and_consented_reports_only(app, world, peer):
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.models import ExportedRecord, PeerAuthority
    from casework.extensions import db
    from casework.missing.services import add_relative
    from exchange import SharedMissingPerson, SharedRemains

    with app.test_request_context():
        officer, liaison = _user("forensic_officer", world), _user("family_liaison", world)
        inside = make_remains(officer)
        make_remains(officer, recovery_date=date(2024, 1, 5))  # outside the period
        consented = make_missing(liaison)
        add_relative(
            consented,
            {
                "name": "Rosa",
                "relationship_to_missing": "mother",
                "consent_to_share": "y",
                "consent_countries": "GTM",
            },
        )
        elsewhere = make_missing(liaison, surnames="Lopez")
        add_relative(
            elsewhere,
            {
                "name": "Ana",
                "relationship_to_missing": "sister",
                "consent_to_share": "y",
                "consent_countries": "MEX",
            },
        )
        make_missing(liaison, surnames="Sin Consentimiento")
        divided = make_missing(liaison, surnames="Familia Dividida")
        add_relative(
            divided,
            {
                "name": "Luis",
                "relationship_to_missing": "father",
                "consent_to_share": "y",
                "consent_countries": "*",
            },
        )
        add_relative(divided, {"name": "Marta", "relationship_to_missing": "wife"})
        recipient = db.session.get(PeerAuthority, peer.row_id)
        message = export_records(
            recipient, Selection(date(2025, 1, 1), date(2025, 12, 31), True), officer
        )
        second = export_records(recipient, Selection(None, None, True), officer)
        assert (message.sequence, second.sequence) == (1, 2)
        mapped = {
            row.remains_id or row.missing_person_id
            for row in db.session.scalars(select(ExportedRecord))
        }
        assert mapped == {inside.id, consented.id}
        envelope = message.envelope
    received = _open_as_peer(peer, envelope)
    kinds = sorted(type(record).__name__ for record in received.content)
    assert kinds == [SharedMissingPerson.__name__, SharedRemains.__name__]
    assert b"Xitumul" not in envelope and b"PEREZ" not in envelope


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ((date(2025, 2, 1), date(2025, 1, 1), False), "ends before"),
        ((date(2025, 2, 1), None, False), "both ends"),
        ((None, None, False), "Choose something"),
    ],
)
def test_export_refuses_a_bad_selection(app, world, peer, selection, message):
    from casework.errors import ValidationError
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.models import PeerAuthority
    from casework.extensions import db

    with app.test_request_context():
        recipient = db.session.get(PeerAuthority, peer.row_id)
        with pytest.raises(ValidationError, match=message):
            export_records(recipient, Selection(*selection))
        assert counts()["OutgoingMessage"] == 0


def test_export_to_a_revoked_peer_is_refused_and_nothing_is_kept(app, world, peer):
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.models import PeerAuthority
    from casework.exchanges.trust import revoke_peer
    from casework.extensions import db

    with app.test_request_context():
        recipient = db.session.get(PeerAuthority, peer.row_id)
        revoke_peer(recipient)
        with pytest.raises(ExchangeRefused, match="revoked") as caught:
            export_records(recipient, Selection(None, None, True))
        assert caught.value.code == "recipient-revoked"
        assert counts()["OutgoingMessage"] == 0


def test_export_command_writes_the_bundle(app, world, peer, runner, tmp_path):
    with app.test_request_context():
        make_remains(_user("forensic_officer", world))
    out = tmp_path / "bundle.json"
    result = runner.invoke(
        args=[
            "exchange",
            "export",
            "--recipient",
            "gtm-inacif",
            "--remains-from",
            "2025-01-01",
            "--remains-to",
            "2025-12-31",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "1 records" in result.output
    assert len(_open_as_peer(peer, out.read_bytes()).content) == 1
    bad = runner.invoke(
        args=["exchange", "export", "--recipient", "nobody", "--out", str(tmp_path / "x.json")]
    )
    assert bad.exit_code == 2 and "trust list" in bad.output


def test_export_form_downloads_the_bundle_and_audits_it(app, world, peer, as_user):
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    client = as_user("forensic_officer")
    assert client.get("/exchange/export").status_code == 200
    bad = client.post(
        "/exchange/export", data={"recipient": str(peer.row_id), "remains_from": "2025-03-01"}
    )
    assert bad.status_code == 400 and "both ends" in bad.get_data(as_text=True)
    unknown = client.post("/exchange/export", data={"recipient": "nobody", "include_missing": "y"})
    assert unknown.status_code == 400
    good = client.post(
        "/exchange/export", data={"recipient": str(peer.row_id), "include_missing": "y"}
    )
    assert good.status_code == 200 and good.mimetype == "application/json"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
        assert "gtm-inacif" in entry.details


def test_import_stores_foreign_records_once(app, peer):
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import ForeignRecord
    from casework.extensions import db

    raw = peer_bundle(peer, [peer_remains("PM-1"), peer_remains("PM-2", age_min=50, age_max=60)])
    with app.test_request_context():
        first = receive(raw)
        assert first.new and first.records == 2
        before = counts()
        again = receive(raw)
        assert not again.new and counts() == before
        rows = db.session.scalars(select(ForeignRecord)).all()
        assert {row.bundle_id for row in rows} == {first.message_id}
        assert all(len(row.pseudonym) == 43 for row in rows)


def test_a_later_bundle_updates_the_same_pseudonym(app, peer):
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import ForeignRecord
    from casework.extensions import db

    with app.test_request_context():
        receive(peer_bundle(peer, [peer_remains("PM-1")], sequence=1))
        later = receive(peer_bundle(peer, [peer_remains("PM-1", age_min=30)], sequence=2))
        rows = db.session.scalars(select(ForeignRecord)).all()
        assert len(rows) == 1 and rows[0].bundle_id == later.message_id


def _tampered(raw: bytes) -> bytes:
    forged = bytearray(raw)
    spot = forged.index(b'"ciphertext":"') + 100
    forged[spot] = ord("A") if forged[spot] != ord("A") else ord("B")
    return bytes(forged)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda peer: b"not json at all", "malformed"),
        (lambda peer: _tampered(peer_bundle(peer, [peer_remains()])), "bad-signature"),
        (lambda peer: peer_bundle(peer, [peer_remains()], sequence=1), "out-of-order"),
        (
            lambda peer: peer_bundle(
                peer, [peer_remains()], sequence=9, now=datetime(2026, 4, 1, tzinfo=UTC)
            ),
            "expired",
        ),
        (lambda peer: "revoke", "sender-revoked"),
    ],
)
def test_every_refusal_stores_nothing(app, peer, make, code):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import PeerAuthority
    from casework.exchanges.trust import revoke_peer
    from casework.extensions import db

    with app.test_request_context():
        receive(peer_bundle(peer, [peer_remains("PM-0")], sequence=5))
        raw = make(peer)
        if raw == "revoke":
            revoke_peer(db.session.get(PeerAuthority, peer.row_id))
            raw = peer_bundle(peer, [peer_remains()], sequence=6)
        before = counts()
        with pytest.raises(ExchangeRefused) as caught:
            receive(raw)
        assert caught.value.code == code
        assert caught.value.message
        assert counts() == before


def test_import_without_own_keys_says_what_to_do(app, world):
    from casework.errors import SetupError
    from casework.exchanges.inbox import receive

    with app.test_request_context(), pytest.raises(SetupError, match="keys init"):
        receive(b"{}")


def test_import_form_and_command_show_the_refusal(app, peer, as_user, runner, tmp_path):
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    client = as_user("family_liaison")
    assert client.get("/exchange/import").status_code == 200
    assert client.post("/exchange/import", data={}).status_code == 400
    bad = client.post(
        "/exchange/import",
        data={"message": (io.BytesIO(b"\xff\xfe"), "bundle.json")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "malformed" in bad.get_data(as_text=True)
    raw = peer_bundle(peer, [peer_remains()])
    good = client.post(
        "/exchange/import",
        data={"message": (io.BytesIO(raw), "bundle.json")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302, good.get_data(as_text=True)[-1500:]
    path = tmp_path / "bundle.json"
    path.write_bytes(raw)
    again = runner.invoke(args=["exchange", "import", str(path)])
    assert again.exit_code == 0 and "nothing changed" in again.output
    path.write_bytes(b"[]")
    refused = runner.invoke(args=["exchange", "import", str(path)])
    assert refused.exit_code == 2 and "Error" in refused.output
    with app.app_context():
        imports = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")
        )
        assert imports == 1


def test_a_refusal_reads_in_the_officers_language_and_the_peer_gets_the_code(
    app, world, peer, as_user, client
):
    """The library words its errors in English; the import page says them in the officer's
    language by their code, and a peer's inbox answer keeps the library's words and code."""
    from casework.accounts.models import User
    from casework.exchanges.models import PeerAuthority
    from casework.exchanges.trust import revoke_peer
    from casework.extensions import db

    raw = peer_bundle(peer, [peer_remains()])
    with app.test_request_context():
        revoke_peer(db.session.get(PeerAuthority, peer.row_id))
        db.session.get(User, world.user("family_liaison")).language = "es"
        db.session.commit()
    page = as_user("family_liaison").post(
        "/exchange/import",
        data={"message": (io.BytesIO(raw), "bundle.json")},
        content_type="multipart/form-data",
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'lang="es"' in text
    assert "Las claves del remitente fueron revocadas: no se acepta nada de él." in text
    assert "(sender-revoked)" in text and "revoked" not in text.replace("(sender-revoked)", "")
    answer = client.post("/exchange/inbox", data=raw, headers={"Accept-Language": "es"})
    assert answer.status_code == 400
    refusal = answer.get_json()["error"]
    assert refusal["code"] == "sender-revoked" and "revoked" in refusal["message"]


def test_every_refusal_code_of_the_library_has_a_sentence_here():
    from casework.exchanges.errors import REFUSALS
    from exchange import ErrorCode

    assert set(REFUSALS) == {code.value for code in ErrorCode}


def test_inbox_answers_json(app, peer, client):
    raw = peer_bundle(peer, [peer_remains()], lifetime=timedelta(days=2))
    first = client.post("/exchange/inbox", data=raw)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {
        "ok": True,
        "kind": "bundle",
        "id": first.get_json()["id"],
        "status": "new",
    }
    assert client.post("/exchange/inbox", data=raw).get_json()["status"] == "already-imported"
    refused = client.post("/exchange/inbox", data=b"{}")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "schema-violation"
