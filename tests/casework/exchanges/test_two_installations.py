"""Two installations on loopback, each with its own database and keys; the one that searches
for the dead is served by a real HTTP server. Export → push → import → hit → disclosure
request → approval → response, end to end, with both audit trails intact."""

from __future__ import annotations

import base64
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.casework.factories import make_missing, make_remains
from tests.conftest import PASSWORD, _base_settings, login

LINKAGE = "5e" * 32


@dataclass
class Installation:
    app: Any
    authority_id: str
    users: dict[str, str]  # role -> e-mail

    def client(self, role: str) -> Any:
        client = self.app.test_client()
        response = login(client, self.users[role], PASSWORD)
        assert response.status_code == 302
        return client


def _installation(
    migrated: dict[str, str],
    root: Path,
    clock: Any,
    *,
    name: str,
    master: bytes,
    authority_id: str,
    country: str,
    roles: tuple[str, ...],
) -> Installation:
    from casework import create_app
    from casework.accounts import services
    from casework.accounts.models import AgencyKind, Role
    from casework.commands import ensure_data_key
    from casework.exchanges.identity import create_identity
    from casework.extensions import db

    database = root / f"{name}.db"
    shutil.copyfile(migrated["sqlite"], database)
    settings = _base_settings(root / f"{name}-instance", f"sqlite:///{database}", clock)
    settings["MASTER_KEY"] = base64.b64encode(master).decode()
    app = create_app(settings)
    users = {}
    with app.test_request_context():
        ensure_data_key()
        agency = services.create_agency(
            authority_id.upper()[:10], country, f"{name} office", AgencyKind.FORENSIC_INSTITUTE
        )
        for role in roles:
            email = f"{role}@{name}.example"
            services.create_user(
                agency=agency,
                email=email,
                display_name=f"{role} {name}",
                role=Role(role),
                password=PASSWORD,
            )
            users[role] = email
        create_identity(authority_id, country, f"{name} authority")
        db.session.remove()
    return Installation(app, authority_id, users)


@pytest.fixture
def pair(migrated, tmp_path, clock) -> Iterator[tuple[Installation, Installation, str]]:
    """Guatemala (families' reports) and Arizona (remains), Arizona listening on loopback."""
    guatemala = _installation(
        migrated,
        tmp_path,
        clock,
        name="gtm",
        master=b"g" * 32,
        authority_id="gtm-mre",
        country="GTM",
        roles=("family_liaison", "supervisor", "auditor"),
    )
    arizona = _installation(
        migrated,
        tmp_path,
        clock,
        name="usa",
        master=b"u" * 32,
        authority_id="usa-pcome",
        country="USA",
        roles=("forensic_officer", "supervisor"),
    )
    server = make_server("127.0.0.1", 0, arizona.app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    inbox = f"http://127.0.0.1:{server.server_port}/exchange/inbox"
    yield guatemala, arizona, inbox
    server.shutdown()
    thread.join(5)
    for side in (guatemala, arizona):
        with side.app.app_context():
            from casework.extensions import db

            db.session.remove()
            db.engine.dispose()


def _cli(app: Any, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _fingerprint(output: str) -> str:
    return output.split("Fingerprint: ")[1].strip()


def _trust_each_other(guatemala: Installation, arizona: Installation, inbox: str, tmp: Path):
    files = {}
    for side in (guatemala, arizona):
        path = tmp / f"{side.authority_id}.json"
        files[side.authority_id] = (
            path,
            _fingerprint(_cli(side.app, "exchange", "keys", "show", "--out", str(path))),
        )
    path, fingerprint = files["usa-pcome"]
    _cli(
        guatemala.app,
        "exchange",
        "trust",
        "add",
        str(path),
        "--valid-until",
        "2027-06-01",
        "--linkage-secret",
        LINKAGE,
        "--fingerprint",
        fingerprint,
        "--inbox-url",
        inbox,
    )
    path, fingerprint = files["gtm-mre"]
    _cli(
        arizona.app,
        "exchange",
        "trust",
        "add",
        str(path),
        "--valid-until",
        "2027-06-01",
        "--linkage-secret",
        LINKAGE,
        "--fingerprint",
        fingerprint,
    )


def _one(app: Any, model: Any, **where: Any) -> Any:
    from casework.extensions import db

    with app.app_context():
        query = select(model).filter_by(**where)
        row = db.session.scalars(query).one()
        db.session.expunge(row)
        return row


def _count(app: Any, model: Any) -> int:
    from casework.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_export_push_import_hit_request_approval_response(pair, tmp_path) -> None:
    from casework.accounts.models import User
    from casework.audit.models import AuditEntry
    from casework.exchanges.models import (
        CrossBorderHit,
        Disclosure,
        DisclosureStatus,
        ForeignRecord,
        MessageKind,
        OutgoingMessage,
        PeerAuthority,
    )
    from casework.exchanges.trust import get_peer, update_peer
    from casework.extensions import db
    from casework.jobs.models import Job, JobKind, JobState
    from casework.jobs.services import create as create_job
    from casework.jobs.services import run as run_job
    from casework.jobs.services import stop_embedded_jobs
    from casework.missing.services import add_relative

    guatemala, arizona, inbox = pair
    _trust_each_other(guatemala, arizona, inbox, tmp_path)

    # each side's own cases
    with guatemala.app.test_request_context():
        liaison = db.session.scalar(select(User).filter_by(email=guatemala.users["family_liaison"]))
        person = make_missing(liaison)
        add_relative(
            person,
            {
                "name": "Rosa Xitumul",
                "relationship_to_missing": "mother",
                "contact": "+502 5555 0101",
                "consent_to_share": "y",
                "consent_countries": "USA; MEX",
            },
        )
        person_ref = person.reference
    with arizona.app.test_request_context():
        officer = db.session.scalar(select(User).filter_by(email=arizona.users["forensic_officer"]))
        remains_id = make_remains(officer).id

    # Guatemala shares its consented reports with Arizona and pushes the bundle to its inbox
    peer_usa = _one(guatemala.app, PeerAuthority, authority_id="usa-pcome")
    family = guatemala.client("family_liaison")
    exported = family.post(
        "/exchange/export", data={"recipient": str(peer_usa.id), "include_missing": "y"}
    )
    assert exported.status_code == 200, exported.data[:600]
    assert "attachment" in exported.headers["Content-Disposition"]
    assert b"Xitumul" not in exported.data and b"Rosa" not in exported.data
    bundle = _one(guatemala.app, OutgoingMessage, kind=MessageKind.BUNDLE)
    assert bundle.record_count == 1 and bundle.sequence == 1
    pushed = family.post(f"/exchange/outbox/{bundle.id}/push")
    assert pushed.status_code == 302

    # Arizona stored the anonymised record (v2: names only as blinded keys) and found the hit
    foreign = _one(arizona.app, ForeignRecord)
    assert foreign.bundle_id == bundle.message_id and "Xitumul" not in foreign.content
    assert foreign.format_version == 2
    hit = _one(arizona.app, CrossBorderHit, remains_id=remains_id)
    with arizona.app.app_context():
        criteria = {item["criterion"] for item in json.loads(hit.evidence)}
    assert "encoded_names" not in criteria  # Arizona cannot compare names on its own

    # Arizona asks Guatemala to blind the names of its cases (a name query, carried as a file);
    # Guatemala answers and pushes the answer to Arizona's inbox; the hit now weighs names
    query = _one(arizona.app, OutgoingMessage, kind=MessageKind.NAME_QUERY)
    assert query.record_count == 1  # the one remains case with a document name
    query_file = tmp_path / "name-query.json"
    query_file.write_bytes(query.envelope)
    assert "Imported name-query" in _cli(guatemala.app, "exchange", "import", str(query_file))
    answer = _one(guatemala.app, OutgoingMessage, kind=MessageKind.NAME_ANSWER)
    assert answer.pushed_at is not None
    hit = _one(arizona.app, CrossBorderHit, remains_id=remains_id)
    assert hit.score > 0.5
    with arizona.app.app_context():
        evidence = {item["criterion"]: item for item in json.loads(hit.evidence)}
    assert "encoded_names" in evidence  # names compared only through the name query

    # pushing the same bundle again changes nothing
    again = family.post(f"/exchange/outbox/{bundle.id}/push")
    assert again.status_code == 302
    assert _count(arizona.app, ForeignRecord) == 1

    # a forged message is refused with the library's code, as JSON (and audited, content-free)
    forged = bytearray(bundle.envelope)
    spot = forged.index(b'"ciphertext":"') + 200
    forged[spot] = ord("A") if forged[spot] != ord("A") else ord("B")
    refused = arizona.app.test_client().post("/exchange/inbox", data=bytes(forged))
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "bad-signature"

    # Arizona's officer sees the hit without Guatemala's personal data, and asks for it
    officer_client = arizona.client("forensic_officer")
    page = officer_client.get(f"/exchange/hits/{hit.id}")
    assert page.status_code == 200 and b"Xitumul" not in page.data
    asked = officer_client.post(
        f"/exchange/hits/{hit.id}/request",
        data={
            "purpose": "identification",
            "fields": ["given_names", "surnames", "family_contact"],
            "justification": "Dental chart and stature agree; a document names JOSE L PEREZ.",
        },
    )
    assert asked.status_code == 302, asked.data[:800]
    request_message = _one(arizona.app, OutgoingMessage, kind=MessageKind.DISCLOSURE_REQUEST)
    download = officer_client.get(f"/exchange/outbox/{request_message.id}")
    request_file = tmp_path / "request.json"
    request_file.write_bytes(download.data)

    # Guatemala imports the request as a file; its supervisor approves two of the three fields
    assert "Imported disclosure-request" in _cli(
        guatemala.app, "exchange", "import", str(request_file)
    )
    incoming = _one(guatemala.app, Disclosure)
    assert incoming.status is DisclosureStatus.AWAITING_DECISION
    assert incoming.missing_person_id is not None
    with guatemala.app.test_request_context():  # decided while Arizona's inbox is unknown
        update_peer(get_peer("usa-pcome"), linkage_secret=None, inbox_url="")
    supervisor = guatemala.client("supervisor")
    decided = supervisor.post(
        f"/exchange/disclosures/{incoming.id}/decide",
        data={
            "decision": "approve",
            "fields": ["given_names", "surnames"],
            "reason": "Identification; the family's contact is passed on by the consulate.",
        },
    )
    assert decided.status_code == 302, decided.data[:800]
    with guatemala.app.app_context():
        replies = db.session.scalars(
            select(OutgoingMessage)
            .where(OutgoingMessage.kind.not_in([MessageKind.BUNDLE, MessageKind.NAME_ANSWER]))
            .order_by(OutgoingMessage.kind)
        ).all()
        kinds = [message.kind for message in replies]
        ids = {message.kind: message.id for message in replies}
    assert sorted(kinds) == [MessageKind.DISCLOSURE_DECISION, MessageKind.DISCLOSURE_RESPONSE]

    # the response reaches Arizona ahead of its decision (as when two workers push them):
    # Arizona refuses it until it holds the decision, and the push is tried again, not dropped
    with guatemala.app.test_request_context():
        update_peer(get_peer("usa-pcome"), linkage_secret=None, inbox_url=inbox)
        response_push = create_job(
            JobKind.EXCHANGE_PUSH, {"message_id": str(ids[MessageKind.DISCLOSURE_RESPONSE])}
        ).id
        overtaken = db.session.get(Job, response_push)
        assert overtaken.state is JobState.QUEUED and overtaken.error == "refused"
    assert supervisor.post(f"/exchange/outbox/{ids[MessageKind.DISCLOSURE_DECISION]}/push")
    with guatemala.app.test_request_context():
        assert run_job(response_push) is JobState.DONE
        stop_embedded_jobs(guatemala.app)  # the retry its refusal scheduled is not needed

    # Arizona holds the approved fields, encrypted at rest, and nothing else
    answered = _one(arizona.app, Disclosure)
    assert answered.status is DisclosureStatus.ANSWERED
    assert b"Xitumul" not in answered.disclosed_ct
    page = officer_client.get(f"/exchange/disclosures/{answered.id}")
    assert "Pérez Xitumul" in page.get_data(as_text=True)
    assert "5555" not in page.get_data(as_text=True)

    # both audit trails hold every step and are intact
    for side, expected in (
        (guatemala, {"export", "import", "update"}),
        (arizona, {"export", "import", "view", "import_refused"}),
    ):
        with side.app.app_context():
            actions = set(db.session.scalars(select(AuditEntry.action)))
        assert expected <= actions
        assert "Audit trail intact" in _cli(side.app, "audit", "verify")
    assert person_ref
