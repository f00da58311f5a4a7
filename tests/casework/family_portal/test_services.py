"""The family portal's rules without HTTP: what a family may send, the challenge, the access
code and its lock-out, who sees a request, and what liaison staff decide."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.casework.factories import make_missing
from tests.conftest import PASSWORD

REQUEST = {
    "given_names": "María Elena",
    "surnames": "Quispe Mamani",
    "aliases": "Nena",
    "sex": "F",
    "birth_date": "1999-04-12",
    "birth_place": "El Alto",
    "nationality": "boliviana",
    "height_cm": "152",
    "marks": "mole on the left cheek",
    "dental": "gold crown on an upper front tooth",
    "clothing": "red jacket",
    "phones": "+591 700 00000",
    "last_contact_date": "2026-03-02",
    "last_contact_place": "Tapachula",
    "last_contact_how": "WhatsApp voice message",
    "reporter_name": "Rosa Mamani",
    "relationship": "mother",
    "contact_language": "es",
    "contact": "+591 711 11111",
    "consent_search": True,
    "consent_share": True,
    "consent_countries": "MEX; GTM",
    "consent_contact": True,
    "agency": "PCOME",
}


def photo_bytes(size: tuple[int, int] = (16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def solved(values: dict[str, Any]) -> dict[str, Any]:
    """The values with a challenge issued now and solved, as the portal's script does."""
    from casework.family_portal import challenge

    issued = challenge.issue()
    number = next(
        n for n in range(issued.maximum + 1) if challenge.digest(issued.salt, n) == issued.challenge
    )
    return {
        **values,
        "challenge_salt": issued.salt,
        "challenge": issued.challenge,
        "challenge_signature": issued.signature,
        "challenge_number": str(number),
    }


@pytest.fixture
def portal(app):
    app.config["FAMILY_CHALLENGE_MAX_NUMBER"] = 200  # quick to solve in the tests
    return app


def stored_counts() -> tuple[int, int, int]:
    from casework.extensions import db
    from casework.family_portal.models import FamilyRequest, FamilyRequestPhoto, SpentChallenge

    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (FamilyRequest, FamilyRequestPhoto, SpentChallenge)
    )


def submit(values: dict[str, Any] | None = None, photos=()) -> Any:
    from casework.family_portal.services import submit_request

    return submit_request(solved(values or REQUEST), photos, "es")


def test_a_request_is_stored_pending_encrypted_with_only_the_codes_hash(portal, world) -> None:
    from casework.audit.models import AuditEntry
    from casework.extensions import db
    from casework.family_portal.events import request_submitted
    from casework.family_portal.models import PhotoSubject, RequestStatus

    heard: list[Any] = []
    with portal.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        with request_submitted.connected_to(lambda sender: heard.append(sender.reference)):
            sent = submit(photos=[(PhotoSubject.PERSON, photo_bytes())])
        request = sent.request
        assert request.status is RequestStatus.PENDING
        assert request.reference.startswith("FR-") and heard == [request.reference]
        assert len(sent.access_code) == 14 and sent.access_code not in request.access_code_hash
        assert request.access_code_hash.startswith("$argon2id$")
        assert b"Quispe" not in (request.person_ct or b"")  # encrypted
        assert json.loads(request.person)["surnames"] == "Quispe Mamani"
        assert request.consent_countries == "MEX;GTM"
        assert len(request.photos) == 1
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type.like("FamilyRequest%"))
        ).all()
        assert entries and {entry.actor_label for entry in entries} == {"family portal"}
        assert {entry.remote_addr for entry in entries} == {None}


@dataclass(frozen=True)
class Bad:
    why: str
    change: dict[str, Any]
    field: str
    words: str


BAD = [
    Bad("no name", {"given_names": "", "surnames": "", "aliases": ""}, "given_names", "name"),
    Bad("bad date", {"last_contact_date": "2026-02-31"}, "last_contact_date", "date"),
    Bad("future date", {"last_contact_date": "2030-01-01"}, "last_contact_date", "future"),
    Bad("bad birth date", {"birth_date": "12/04/1999"}, "birth_date", "YYYY"),
    Bad("height", {"height_cm": "1520"}, "height_cm", "260"),
    Bad("no consent", {"consent_search": False}, "consent_search", "agreement"),
    Bad("no countries", {"consent_countries": ""}, "consent_countries", "countries"),
    Bad("bad country", {"consent_countries": "Mexico"}, "consent_countries", "ISO"),
    Bad("no reporter", {"reporter_name": " "}, "reporter_name", "name"),
    Bad("no contact", {"contact": ""}, "contact", "reach"),
    Bad("unknown agency", {"agency": "NOPE"}, "agency", "office"),
    Bad("honeypot", {"website": "http://spam.example"}, "website", "could not be accepted"),
]


@pytest.mark.parametrize("bad", BAD, ids=lambda bad: bad.why)
def test_bad_input_gets_a_clear_message_and_stores_nothing(portal, world, bad: Bad) -> None:
    from casework.errors import ValidationError

    with portal.test_request_context():
        with pytest.raises(ValidationError) as raised:
            submit({**REQUEST, **bad.change})
        assert raised.value.field == bad.field
        assert bad.words.lower() in raised.value.message.lower()
        assert stored_counts() == (0, 0, 0)


def test_a_missing_forged_or_replayed_challenge_is_refused(portal, world) -> None:
    from casework.errors import ValidationError
    from casework.family_portal.services import submit_request

    with portal.test_request_context():
        with pytest.raises(ValidationError, match="security check of this form is missing"):
            submit_request(REQUEST, [], "es")
        forged = {**solved(REQUEST), "challenge_signature": "0" * 64}
        with pytest.raises(ValidationError, match="not valid"):
            submit_request(forged, [], "es")
        assert stored_counts() == (0, 0, 0)
        once = solved(REQUEST)
        submit_request(once, [], "es")
        with pytest.raises(ValidationError, match="already been sent"):
            submit_request(once, [], "es")
        assert stored_counts() == (1, 0, 1)


def test_without_javascript_the_form_must_stay_open_a_while(portal, world, clock) -> None:
    from casework.errors import ValidationError
    from casework.family_portal.services import submit_request

    with portal.test_request_context():
        unsolved = {**solved(REQUEST), "challenge_number": ""}
        with pytest.raises(ValidationError, match="30 seconds") as raised:
            submit_request(unsolved, [], "es")
        assert raised.value.field == "challenge"
        wrong = {**unsolved, "challenge_number": "99999999"}  # a wrong answer is no answer
        with pytest.raises(ValidationError, match="30 seconds"):
            submit_request(wrong, [], "es")
        backdated = {**unsolved, "challenge_salt": unsolved["challenge_salt"][:-3] + "000"}
        with pytest.raises(ValidationError, match="not valid"):  # the time of issue is signed
            submit_request(backdated, [], "es")
        clock.advance(seconds=31)
        assert submit_request(unsolved, [], "es").request.reference
        stale = {**solved(REQUEST), "challenge_number": ""}
        clock.advance(hours=4)
        with pytest.raises(ValidationError, match="expired"):
            submit_request(stale, [], "es")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"%PDF-1.7 not a photo %%EOF", "JPEG, PNG or WebP"),
        (b"MZ\x90\x00 an executable", "not accepted"),
        (b"\xff\xd8\xff" + b"broken", "could not be read"),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_stored(portal, world, content, words) -> None:
    from casework.errors import ValidationError
    from casework.family_portal.models import PhotoSubject

    with portal.test_request_context():
        with pytest.raises(ValidationError, match=words):
            submit(photos=[(PhotoSubject.PERSON, content)])
        assert stored_counts() == (0, 0, 0)


def test_an_oversized_photo_is_refused_and_nothing_stored(portal, world) -> None:
    from casework.errors import ValidationError
    from casework.family_portal.models import PhotoSubject

    portal.config["ATTACHMENT_MAX_BYTES"] = 2000
    with portal.test_request_context():
        big = photo_bytes((400, 400))
        assert len(big) > 2000
        with pytest.raises(ValidationError, match="too large") as refused:
            submit(photos=[(PhotoSubject.PERSON, big)])
        assert refused.value.field == "photo_person"  # the message shows at its field
        assert stored_counts() == (0, 0, 0)


def test_photo_metadata_is_stripped(portal, world) -> None:
    from casework.family_portal.models import PhotoSubject

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, format="JPEG", exif=exif.tobytes())
    assert b"PhoneMaker" in out.getvalue()
    with portal.test_request_context():
        sent = submit(photos=[(PhotoSubject.PERSON, out.getvalue())])
        assert b"PhoneMaker" not in sent.request.photos[0].content


def test_wrong_codes_lock_the_reference_and_are_audited(portal, world, clock) -> None:
    from casework.audit.models import AuditEntry
    from casework.errors import ValidationError
    from casework.extensions import db
    from casework.family_portal.services import open_request

    with portal.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        sent = submit()
        reference, code = sent.request.reference, sent.access_code
        assert open_request(reference.lower(), code.lower().replace("-", " ")).id == sent.request.id
        for _ in range(5):
            with pytest.raises(ValidationError, match="not right"):
                open_request(reference, "AAAA-BBBB-CCCC")
        with pytest.raises(ValidationError, match="Too many wrong codes"):
            open_request(reference, code)  # even the right code, while locked
        with pytest.raises(ValidationError, match="not right"):
            open_request("FR-NOTHERE", code)
        refused = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "security")
        ).all()
        assert len(refused) == 7
        assert {entry.remote_addr for entry in refused} == {None}
        assert sum('"locked":true' in entry.details for entry in refused) == 1
        clock.advance(minutes=16)
        assert open_request(reference, code).id == sent.request.id


def _liaison_abroad(world) -> Any:
    from casework.accounts import services
    from casework.accounts.models import Agency, Role
    from casework.extensions import db
    from tests.conftest import PASSWORD

    return services.create_user(
        agency=db.session.get(Agency, world.abroad),
        email="liaison@gtm.example",
        display_name="Liaison abroad",
        role=Role.FAMILY_LIAISON,
        password=PASSWORD,
    )


def test_only_the_chosen_agencys_liaison_staff_see_a_request(portal, world) -> None:
    from casework.accounts.models import User
    from casework.errors import NotFound
    from casework.extensions import db
    from casework.family_portal.services import request_for, requests_for

    with portal.test_request_context():
        reference = submit().request.reference
        abroad = _liaison_abroad(world)
        for key, sees in [
            ("family_liaison", True),
            ("supervisor", True),
            ("forensic_officer", False),
            ("consular_official", False),
            ("auditor", False),
        ]:
            user = db.session.get(User, world.user(key))
            assert bool(requests_for(user)) is sees, key
        assert requests_for(abroad) == []
        with pytest.raises(NotFound):
            request_for(abroad, reference)


def test_the_default_agency_receives_a_request_with_none_chosen(portal, world) -> None:
    from casework.errors import ValidationError

    with portal.test_request_context():
        with pytest.raises(ValidationError, match="office"):
            submit({**REQUEST, "agency": ""})
        portal.config["FAMILY_DEFAULT_AGENCY"] = "PCOME"
        assert submit({**REQUEST, "agency": ""}).request.agency_id == world.home


def test_accept_makes_a_case_and_the_family_reads_its_plain_status(portal, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.family_portal.models import RequestStatus
    from casework.family_portal.services import accept_request, family_view, open_request

    with portal.test_request_context():
        sent = submit()
        liaison = db.session.get(User, world.user("family_liaison"))
        view = family_view(sent.request)
        assert "received your request" in view.paragraphs[0]
        case = accept_request(sent.request, liaison, sent.request.version, "bol")
        assert case.surnames == "Quispe Mamani" and case.nationality == "BOL"
        assert case.last_seen_place == "Tapachula" and "red jacket" in case.circumstances
        assert "gold crown" in case.medical_notes
        [relative] = case.relatives
        assert relative.name == "Rosa Mamani" and relative.consent_countries == "MEX;GTM"
        opened = open_request(sent.request.reference, sent.access_code)
        assert opened.status is RequestStatus.ACCEPTED
        view = family_view(opened)
        assert "still searching for María Elena Quispe Mamani" in view.paragraphs[0]


def test_news_of_a_death_is_never_shown_to_the_family(portal, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.family_portal.services import accept_request, family_view
    from casework.missing.models import MissingPersonStatus

    with portal.test_request_context():
        sent = submit()
        liaison = db.session.get(User, world.user("family_liaison"))
        case = accept_request(sent.request, liaison, sent.request.version)
        case.status = MissingPersonStatus.IDENTIFIED
        db.session.commit()
        view = family_view(sent.request)
        text = " ".join(view.paragraphs + view.next_steps)
        assert "will contact you" in text
        assert "identified" not in text and "Quispe" not in text


def test_decline_needs_a_reason_the_family_then_reads(portal, world) -> None:
    from casework.accounts.models import User
    from casework.errors import ConflictError, ValidationError
    from casework.extensions import db
    from casework.family_portal.services import decline_request, family_view

    with portal.test_request_context():
        sent = submit()
        liaison = db.session.get(User, world.user("family_liaison"))
        with pytest.raises(ValidationError, match="reason"):
            decline_request(sent.request, liaison, sent.request.version, "  ")
        with pytest.raises(ConflictError):
            decline_request(sent.request, liaison, sent.request.version + 7, "stale")
        reason = "This person is already being searched for by the Bolivian ombudsman."
        decline_request(sent.request, liaison, sent.request.version, reason)
        assert family_view(sent.request).decline_reason == reason
        with pytest.raises(ConflictError, match="already been decided"):
            decline_request(sent.request, liaison, sent.request.version, reason)


def test_a_likely_duplicate_is_flagged_and_merged(portal, world) -> None:
    from casework.accounts.models import User
    from casework.cases.models import CaseNote
    from casework.errors import ValidationError
    from casework.extensions import db
    from casework.family_portal.models import RequestStatus
    from casework.family_portal.services import likely_duplicates, merge_request

    with portal.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        existing = make_missing(liaison, given_names="Maria Elena", surnames="Quispe")
        make_missing(liaison, given_names="Yohannes", surnames="Berhane")
        sent = submit()
        assert [case.reference for case in likely_duplicates(liaison, sent.request)] == [
            existing.reference
        ]
        with pytest.raises(ValidationError, match="merge with"):
            merge_request(sent.request, liaison, sent.request.version, "MP-NOPE")
        merged = merge_request(sent.request, liaison, sent.request.version, existing.reference)
        assert merged.id == existing.id and sent.request.status is RequestStatus.MERGED
        note = db.session.scalars(
            select(CaseNote).where(CaseNote.missing_person_id == existing.id)
        ).one()
        assert sent.request.reference in note.body and "red jacket" in note.body
        assert "Rosa Mamani" in [relative.name for relative in existing.relatives]


def test_the_family_adds_information_and_withdraws_consent(portal, world) -> None:
    from casework.accounts.models import User
    from casework.errors import ValidationError
    from casework.extensions import db
    from casework.family_portal.services import accept_request, add_information, withdraw_consent
    from casework.missing.models import Relative

    with portal.test_request_context():
        sent = submit()
        request = sent.request
        with pytest.raises(ValidationError, match="Write what"):
            add_information(request, "contact", "  ", None)
        with pytest.raises(ValidationError, match="list"):
            add_information(request, "consent_withdrawn", "sneaky", None)
        with pytest.raises(ValidationError, match="photo"):
            add_information(request, "photo", "", None)
        add_information(request, "contact", "New number: +591 722 22222", None)
        add_information(request, "photo", "", photo_bytes())
        assert [a.kind.value for a in request.additions] == ["contact", "photo"]
        assert len(request.photos) == 1
        liaison = db.session.get(User, world.user("family_liaison"))
        accept_request(request, liaison, request.version)
        with pytest.raises(ValidationError, match="no longer"):
            withdraw_consent(request, [])
        withdraw_consent(request, ["consent_share"])
        relative = db.session.get(Relative, request.relative_id)
        assert relative.consent_to_share is False and relative.consent_countries is None
        assert request.consent_share is False and request.consent_withdrawn_at is not None
        assert request.consent_search is True  # what was not withdrawn stays


def test_a_new_request_notifies_the_chosen_agencys_liaison_staff(portal, world) -> None:
    from casework.errors import ValidationError
    from casework.extensions import db
    from casework.notifications.models import Notification, NotificationKind

    with portal.test_request_context():
        reference = submit().request.reference
        told = {
            (row.user_id, row.link)
            for row in db.session.scalars(
                select(Notification).where(Notification.kind == NotificationKind.FAMILY_REQUEST)
            )
        }
        link = f"/family-requests/{reference}"
        assert (world.user("family_liaison"), link) in told
        assert (world.user("supervisor"), link) in told
        assert world.user("forensic_officer") not in {user for user, _ in told}
        # a refused request tells nobody
        with pytest.raises(ValidationError):
            submit({**REQUEST, "birth_date": "12/04/1999"})
        assert len(list(db.session.scalars(select(Notification)))) == len(told)


def test_what_the_family_adds_after_acceptance_reaches_the_case_and_its_liaison(
    portal, world
) -> None:
    from casework.accounts.models import Agency, Role, User
    from casework.accounts.services import create_user
    from casework.extensions import db
    from casework.family_portal.services import (
        accept_request,
        add_information,
        sent_to_case,
        withdraw_consent,
    )
    from casework.notifications.models import Notification, NotificationKind

    def told(user_key: str) -> list[tuple[str | None, str]]:
        return [
            (row.detail, row.link)
            for row in db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == world.user(user_key),
                    Notification.kind == NotificationKind.FAMILY_REQUEST,
                )
                .order_by(Notification.created_at)
            )
        ]

    with portal.test_request_context():
        users = {key: db.session.get(User, world.user(key)) for key in world.users}
        sent = submit()
        request = sent.request
        add_information(request, "correction", "Her second surname is Mamani Choque", None)
        case = accept_request(request, users["family_liaison"], request.version)
        case_page = f"/missing/{case.reference}"
        add_information(request, "contact", "New number: +591 722 22222", None)
        add_information(request, "photo", "", photo_bytes())
        withdraw_consent(request, ["consent_contact"])

        for key in ("family_liaison", "supervisor"):
            assert told(key) == [
                (None, f"/family-requests/{request.reference}"),
                ("addition:correction", f"/family-requests/{request.reference}"),
                ("addition:contact", case_page),
                ("addition:photo", case_page),
                ("addition:consent_withdrawn", case_page),
            ], key
        assert told("forensic_officer") == []

        [shown] = sent_to_case(users["family_liaison"], case)
        assert shown.request.id == request.id
        assert [(a.kind.value, a.words) for a in shown.additions] == [
            ("correction", "Her second surname is Mamani Choque"),
            ("contact", "New number: +591 722 22222"),
            ("photo", None),
            ("consent_withdrawn", "consent_contact"),
        ]
        assert len(shown.photos) == 1
        # who may not read the request does not read its additions on the case either
        assert sent_to_case(users["forensic_officer"], case) == []
        supervisor_abroad = create_user(
            agency=db.session.get(Agency, world.abroad),
            email="supervisor@abroad.example",
            display_name="Supervisor abroad",
            role=Role.SUPERVISOR,
            password=PASSWORD,
        )
        assert sent_to_case(supervisor_abroad, case) == []
