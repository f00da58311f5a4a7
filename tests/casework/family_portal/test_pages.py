"""The portal's pages through HTTP: a request sent in Spanish without JavaScript, the family's
page opened with reference and code, nothing about the visitor kept, the limits, and the
liaison's pending list and decisions."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.casework.family_portal.test_services import REQUEST, photo_bytes, solved

VISITOR = "198.51.100.23"


@pytest.fixture
def portal(app):
    app.config["FAMILY_CHALLENGE_MAX_NUMBER"] = 200
    return app


def form_of(client, path: str = "/family/es/request") -> dict[str, str]:
    page = client.get(path, environ_base={"REMOTE_ADDR": VISITOR}).get_data(as_text=True)
    hidden = dict(re.findall(r'<input[^>]*name="(challenge\w*)"[^>]*value="([^"]*)"', page))
    return hidden


def post_request(client, values: dict[str, Any], files: dict[str, bytes] | None = None) -> Any:
    data: dict[str, Any] = {
        k: ("y" if v is True else v) for k, v in values.items() if v is not False
    }
    for name, content in (files or {}).items():
        data[name] = (io.BytesIO(content), "photo.jpg")
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path="/family/es/request",
        method="POST",
        data=data,
        environ_base={"REMOTE_ADDR": VISITOR, "HTTP_USER_AGENT": "TestPhone/1.0"},
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:  # a large body is spooled to a temporary file, which a refused request never reads
        environ["wsgi.input"].close()
        builder.close()


def count(model: Any) -> int:
    from casework.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def sent_codes(page: str) -> tuple[str, str]:
    reference = re.search(r'class="reference">([^<]+)<', page).group(1)
    code = re.search(r'class="code">([^<]+)<', page).group(1)
    return reference, code


def test_the_portal_speaks_the_language_of_its_address(client, portal, world) -> None:
    assert (
        client.get("/family/", headers={"Accept-Language": "fr"})
        .headers["Location"]
        .endswith("/family/fr/")
    )
    page = client.get("/family/ar/").get_data(as_text=True)
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    page = client.get("/family/es/request").get_data(as_text=True)
    assert "Enviar una solicitud de búsqueda" in page
    assert 'name="challenge_number"' in page and "<noscript>" in page
    assert client.get("/family/xx/").status_code == 404
    assert "dirección de internet" in client.get("/family/es/your-data").get_data(as_text=True)


def test_a_request_sent_without_javascript_and_followed(
    client, portal, world, clock, caplog
) -> None:
    from casework.audit.models import AuditEntry
    from casework.extensions import db
    from casework.family_portal.models import FamilyRequest

    caplog.set_level(logging.DEBUG)
    challenge = form_of(client)
    early = post_request(client, {**REQUEST, **challenge}, {"photo_person": photo_bytes()})
    assert early.status_code == 400
    assert "30 segundos" in early.get_data(as_text=True)  # in Spanish, the words kept
    assert "Quispe Mamani" in early.get_data(as_text=True)
    clock.advance(seconds=40)
    sent = post_request(client, {**REQUEST, **challenge}, {"photo_person": photo_bytes()})
    assert sent.status_code == 200, sent.get_data(as_text=True)[:2000]
    assert sent.headers["Cache-Control"] == "no-store"
    reference, code = sent_codes(sent.get_data(as_text=True))

    with portal.app_context():
        # nothing about the visitor: not in the audit trail, not in any stored row, not in logs
        entries = db.session.scalars(select(AuditEntry)).all()
        assert entries and all(entry.remote_addr is None for entry in entries)
        for table in ("family_request", "family_request_photo", "audit_entry"):
            for row in db.session.execute(text(f"SELECT * FROM {table}")).all():
                for value in row:
                    blob = value if isinstance(value, bytes) else str(value).encode()
                    assert VISITOR.encode() not in blob and b"TestPhone" not in blob
        assert count(FamilyRequest) == 1
    assert VISITOR not in caplog.text and "TestPhone" not in caplog.text

    wrong = client.post("/family/es/follow", data={"reference": reference, "code": "AAAA"})
    assert wrong.status_code == 400
    assert "no es correcto" in wrong.get_data(as_text=True), wrong.get_data(as_text=True)
    opened = client.post("/family/es/follow", data={"reference": reference, "code": code})
    assert opened.status_code == 302
    mine = client.get("/family/es/mine").get_data(as_text=True)
    assert reference in mine and "Hemos recibido su solicitud" in mine

    added = client.post(
        "/family/es/mine/add", data={"kind": "contact", "words": "Nuevo número: +591 722"}
    )
    assert added.status_code == 302
    empty = client.post("/family/es/mine/add", data={"kind": "correction", "words": ""})
    assert empty.status_code == 400 and "Escriba" in empty.get_data(as_text=True)
    client.post("/family/es/leave")
    assert client.get("/family/es/mine").status_code == 302  # closed: the code is needed again


@pytest.mark.parametrize(
    ("change", "files", "words"),
    [
        ({"last_contact_date": "2026-13-45"}, {}, "AAAA-MM-DD"),
        ({"challenge": "", "challenge_salt": "", "challenge_signature": ""}, {}, "seguridad"),
        ({}, {"photo_person": b"x" * 3000}, "demasiado grande"),
        ({"consent_search": False}, {}, "acuerdo"),
    ],
    ids=["bad date", "missing challenge", "oversized photo", "no consent"],
)
def test_bad_input_on_the_form_says_so_in_spanish_and_stores_nothing(
    client, portal, world, change, files, words
) -> None:
    from casework.family_portal.models import FamilyRequest, SpentChallenge

    portal.config["ATTACHMENT_MAX_BYTES"] = 2000
    with portal.test_request_context():
        values = {**solved(REQUEST), **change}
    response = post_request(client, values, files)
    assert response.status_code in (400, 413)
    assert words in response.get_data(as_text=True)
    with portal.app_context():
        assert count(FamilyRequest) == 0 and count(SpentChallenge) == 0


def test_a_body_larger_than_two_photos_is_refused_before_it_is_read(client, portal, world) -> None:
    from casework.family_portal.models import FamilyRequest

    portal.config["ATTACHMENT_MAX_BYTES"] = 1000
    huge = {"photo_person": b"\xff\xd8\xff" + b"x" * (1024 * 1024 + 8000)}
    with portal.test_request_context():
        values = solved(REQUEST)
    response = post_request(client, values, huge)
    assert response.status_code == 413
    assert "demasiado grandes" in response.get_data(as_text=True)
    with portal.app_context():
        assert count(FamilyRequest) == 0


def test_codes_and_requests_are_rate_limited_per_connection(settings, world, caplog) -> None:
    from casework import create_app

    caplog.set_level(logging.DEBUG)
    limited = create_app(
        {**settings, "RATELIMIT_ENABLED": True, "FAMILY_CODE_RATE_LIMIT": "3 per minute"}
    )
    try:
        _rate_limited(limited.test_client())
    finally:
        with limited.app_context():
            from casework.extensions import db

            db.session.remove()
            db.engine.dispose()
    assert VISITOR not in caplog.text  # the limiter logs its key: a hash, not the address


def _rate_limited(client) -> None:
    answers = [
        client.post(
            "/family/fr/follow",
            data={"reference": "FR-AAAAAAAA", "code": "x"},
            environ_base={"REMOTE_ADDR": VISITOR},
        ).status_code
        for _ in range(4)
    ]
    assert answers == [400, 400, 400, 429]
    blocked = client.post(
        "/family/fr/follow",
        data={"reference": "FR-A", "code": "x"},
        environ_base={"REMOTE_ADDR": VISITOR},
    )
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    other = client.post(
        "/family/fr/follow",
        data={"reference": "FR-AAAAAAAA", "code": "x"},
        environ_base={"REMOTE_ADDR": "192.0.2.1"},
    )
    assert other.status_code == 400  # another connection is not held back


def test_the_liaison_sees_decides_and_the_family_reads_it(client, portal, world, as_user) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_missing

    with portal.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        existing = make_missing(liaison, given_names="María Elena", surnames="Quispe Mamani")
        existing_reference = existing.reference
        values = solved(REQUEST)
    sent = post_request(client, values, {"photo_person": photo_bytes()})
    reference, code = sent_codes(sent.get_data(as_text=True))

    officer = as_user("forensic_officer")
    assert officer.get("/family-requests/").status_code == 403
    staff = as_user("family_liaison")
    listing = staff.get("/family-requests/").get_data(as_text=True)
    assert reference in listing and existing_reference in listing and "Likely duplicate" in listing
    detail = staff.get(f"/family-requests/{reference}").get_data(as_text=True)
    assert "Rosa Mamani" in detail and "red jacket" in detail
    photo = re.search(r'src="(/family-requests/[^"]+/photos/[^"]+)"', detail).group(1)
    assert staff.get(photo).mimetype == "image/jpeg"
    refused = staff.post(
        f"/family-requests/{reference}/decline", data={"version": "1", "reason": ""}
    )
    assert refused.status_code == 400 and "Give the reason" in refused.get_data(as_text=True)
    accepted = staff.post(f"/family-requests/{reference}/accept", data={"version": "1"})
    assert accepted.status_code == 302 and "/missing/" in accepted.headers["Location"]
    again = staff.post(f"/family-requests/{reference}/accept", data={"version": "1"})
    assert again.status_code == 409

    family = portal.test_client()
    family.post("/family/en/follow", data={"reference": reference, "code": code})
    page = family.get("/family/en/mine").get_data(as_text=True)
    assert "We are still searching for" in page
    assert "candidate" not in page.lower() and "score" not in page.lower()


def test_one_form_sent_twice_at_once_stores_one_request_and_never_fails(
    client, portal, world
) -> None:
    """A double tap on a slow connection: one request stored, the other told it was sent."""
    from casework.family_portal.models import FamilyRequest
    from tests.casework.test_concurrency import _chain_intact, _together

    with portal.test_request_context():
        values = solved(REQUEST)
    clients = [portal.test_client() for _ in range(2)]
    answers = _together([lambda c=c: post_request(c, values) for c in clients])
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 400], answers
    refused = next(answer for answer in answers if answer.status_code == 400)
    page = refused.get_data(as_text=True)
    assert "ya se envió" in page
    assert values["challenge"] not in page  # a fresh challenge: sending again works
    with portal.app_context():
        assert count(FamilyRequest) == 1
    _chain_intact(portal)


def test_two_liaisons_accepting_at_once_make_one_case(client, portal, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.models import MissingPerson
    from tests.casework.test_concurrency import _clients, _together

    with portal.test_request_context():
        values = solved(REQUEST)
    reference, _code = sent_codes(post_request(client, values).get_data(as_text=True))
    with portal.app_context():
        emails = [
            db.session.get(User, world.user(key)).email for key in ("family_liaison", "supervisor")
        ]
    staff = [_clients(portal, email, 1)[0] for email in emails]
    answers = _together(
        [
            lambda s=s: s.post(f"/family-requests/{reference}/accept", data={"version": "1"})
            for s in staff
        ]
    )
    assert sorted(answer.status_code for answer in answers) == [302, 409], answers
    with portal.app_context():
        assert count(MissingPerson) == 1


def test_the_case_page_shows_what_the_family_added_to_its_liaison(
    client, portal, world, as_user
) -> None:
    from casework.extensions import db
    from casework.family_portal.models import FamilyRequest
    from casework.family_portal.services import add_information

    with portal.test_request_context():
        values = solved(REQUEST)
    sent = post_request(client, values, {"photo_person": photo_bytes()})
    reference, _code = sent_codes(sent.get_data(as_text=True))
    staff = as_user("family_liaison")
    accepted = staff.post(f"/family-requests/{reference}/accept", data={"version": "1"})
    case_page = accepted.headers["Location"]
    with portal.test_request_context():
        request = db.session.scalar(
            select(FamilyRequest).where(FamilyRequest.reference == reference)
        )
        add_information(request, "contact", "Nuevo número: +591 733 33333", None)
        db.session.remove()

    page = staff.get(case_page).get_data(as_text=True)
    assert "Sent by the family through the portal" in page
    assert f"Family request {reference}" in page and "+591 733 33333" in page
    photo = re.search(r'src="(/family-requests/[^"]+/photos/[^"]+)"', page).group(1)
    assert staff.get(photo).mimetype == "image/jpeg"
    # the forensic officer reads the case, not what the family sent
    officer_page = as_user("forensic_officer").get(case_page)
    assert officer_page.status_code == 200
    assert "+591 733 33333" not in officer_page.get_data(as_text=True)
