"""The family of a missing person: the contact log, where the search stands in plain words, and
the printable summary in the family's language."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from tests.casework.factories import make_missing, make_remains

CONTACT = {
    "contacted_at": "2026-05-30T16:45",
    "channel": "phone",
    "summary": "Told Rosa the DNA kit is on its way; she asked about the consulate.",
    "next_contact_due": "2026-06-15",
}


@pytest.fixture
def case(app, world):
    """A missing person with a reporting mother (who speaks Spanish) and a note."""
    from casework.accounts.models import User
    from casework.cases.services import add_note
    from casework.extensions import db
    from casework.missing.services import add_relative

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        person = make_missing(liaison)
        mother = add_relative(
            person,
            {"name": "Rosa Xitumul", "relationship_to_missing": "mother", "language": "es"},
        )
        add_note(person, liaison, "Internal: the brother may be hiding something.")
        return {"reference": person.reference, "id": person.id, "mother": str(mother.id)}


def _contacts(app):
    from casework.extensions import db
    from casework.missing.models import FamilyContact

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FamilyContact))


def test_liaison_logs_contacts_listed_newest_first_and_audited(app, case, as_user, client) -> None:
    from casework.audit.models import AuditEntry
    from casework.extensions import db
    from tests.casework.test_personal_data import _raw_dump

    as_user("family_liaison")
    url = f"/missing/{case['reference']}"
    first = client.post(f"{url}/contacts", data={**CONTACT, "relative_id": case["mother"]})
    assert first.status_code == 303
    older = {
        **CONTACT,
        "contacted_at": "2026-04-02T09:00",
        "channel": "visit",
        "summary": "First visit in Quetzaltenango; registered the search request.",
        "next_contact_due": "",
    }
    assert client.post(f"{url}/contacts", data=older).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Contact logged." in page or "Contact with the family" in page
    log = page.split('class="contact-log"', 1)[1].split("</table>", 1)[0]
    assert log.index("DNA kit") < log.index("First visit")  # newest first
    assert "Rosa Xitumul" in log and "Phone call" in log and "Visit" in log
    assert "Jun 15, 2026" in log
    with app.app_context():
        created = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "FamilyContact")
        ).all()
        assert len(created) == 2
        assert json.loads(created[0].details)["missing_person_id"] == str(case["id"])
        assert b"DNA kit is on its way" not in _raw_dump(db)  # stored encrypted


def _other_relative(app, world):
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.services import add_relative

    with app.test_request_context():
        other = make_missing(
            db.session.get(User, world.user("family_liaison")), surnames="Otro Caso"
        )
        return str(add_relative(other, {"name": "Ana", "relationship_to_missing": "sibling"}).id)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contacted_at": ""}, "This field is required"),
        ({"contacted_at": "yesterday"}, "Not a valid datetime"),
        ({"contacted_at": "2026-06-02T09:00"}, "in the future"),
        ({"channel": "carrier pigeon"}, "Not a valid choice"),
        ({"summary": "   "}, "This field is required"),
        ({"summary": "x" * 5001}, "5000"),
        ({"next_contact_due": "2026-05-01"}, "cannot be due before"),
        ({"next_contact_due": "soon"}, "Not a valid date"),
        ({"relative_id": str(uuid.uuid4())}, "relative of this case"),
        ({"relative_id": "not-a-uuid"}, "relative of this case"),
        ({"relative_id": "OTHER"}, "relative of this case"),
    ],
)
def test_bad_contacts_are_refused_and_nothing_is_stored(
    app, world, case, as_user, client, overrides, message
) -> None:
    if overrides.get("relative_id") == "OTHER":
        overrides = {"relative_id": _other_relative(app, world)}
    as_user("family_liaison")
    response = client.post(f"/missing/{case['reference']}/contacts", data={**CONTACT, **overrides})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _contacts(app) == 0


def test_only_the_owning_liaison_or_supervisor_logs_contacts(app, case, as_user, client) -> None:
    for role, code in (("forensic_officer", 403), ("auditor", 403), ("consular_gtm", 403)):
        as_user(role)
        response = client.post(f"/missing/{case['reference']}/contacts", data=CONTACT)
        assert response.status_code == code, role
    as_user("supervisor")
    assert client.post(f"/missing/{case['reference']}/contacts", data=CONTACT).status_code == 303
    assert _contacts(app) == 1


def test_the_log_and_plain_words_are_not_on_every_readers_page(app, case, as_user, client) -> None:
    as_user("family_liaison")
    client.post(f"/missing/{case['reference']}/contacts", data=CONTACT)
    as_user("forensic_officer")
    page = client.get(f"/missing/{case['reference']}").get_data(as_text=True)
    assert "DNA kit" not in page and "in plain words" not in page
    as_user("consular_gtm")  # speaks with families: reads the log, cannot add to it
    page = client.get(f"/missing/{case['reference']}").get_data(as_text=True)
    assert "DNA kit" in page and 'class="family-contact"' not in page


# where the search stands, in plain words


def _plain(app, reference):
    from casework.extensions import db
    from casework.missing.family import plain_status
    from casework.missing.models import MissingPerson

    db.session.expire_all()
    person = db.session.scalar(select(MissingPerson).where(MissingPerson.reference == reference))
    status = plain_status(person)
    return " ".join(status.paragraphs), " ".join(status.next_steps)


def test_plain_words_follow_the_search(app, world, case) -> None:
    from casework.accounts.models import Agency, Role, User
    from casework.accounts.services import create_user
    from casework.cases.status import change_status
    from casework.custody.models import Sample, SampleKind, SampleStatus
    from casework.extensions import db
    from casework.matches import services
    from casework.matches.models import CandidateMatch
    from casework.missing.models import MissingPerson
    from tests.conftest import PASSWORD

    reference = case["reference"]
    with app.test_request_context():
        text, steps = _plain(app, reference)
        assert "still searching for José Luis Pérez Xitumul" in text
        assert "No DNA sample from your family" in text
        assert "DNA sample" in steps and "Keep this page" in steps
        assert "last spoke" not in text

        db.session.add(
            Sample(
                barcode="REF-1",
                kind=SampleKind.REFERENCE,
                relative_id=uuid.UUID(case["mother"]),
                status=SampleStatus.PROFILED,
            )
        )
        db.session.commit()
        officer = db.session.get(User, world.user("forensic_officer"))
        remains = make_remains(officer)  # proposes a candidate for review
        text, steps = _plain(app, reference)
        assert "checking a possible lead" in text and "does not mean" in text
        assert "given 1 sample for DNA comparison. 1 of them has already been analysed." in text
        assert remains.reference not in text and "%" not in text

        candidate = db.session.scalar(
            select(CandidateMatch).where(CandidateMatch.remains_id == remains.id)
        )
        services.propose_identification(candidate, officer, ["dental"], None, candidate.version)
        text, _ = _plain(app, reference)
        assert "second specialist must confirm" in text

        second = create_user(
            agency=db.session.get(Agency, world.home),
            email="second@home.example",
            display_name="Second",
            role=Role.SUPERVISOR,
            password=PASSWORD,
        )
        db.session.expire_all()
        candidate = db.session.get(CandidateMatch, candidate.id)
        services.confirm_identification(candidate, second, candidate.version)
        text, steps = _plain(app, reference)
        assert "has been identified" in text and "meeting" in steps
        assert "DNA" not in text  # samples no longer matter to the family

    with app.test_request_context():
        other = make_missing(db.session.get(User, world.user("family_liaison")))
        liaison = db.session.get(User, world.user("family_liaison"))
        change_status(other, "found_alive", liaison, "Called home from Houston", other.version)
        assert "found alive" in _plain(app, other.reference)[0]
        third = make_missing(liaison, surnames="Ajú")
        change_status(third, "closed", liaison, "Family withdrew", third.version)
        assert "search has been closed" in _plain(app, third.reference)[0]
        assert db.session.scalar(select(func.count()).select_from(MissingPerson)) == 3


# the printable summary


def test_summary_shows_what_a_family_may_read_and_nothing_else(app, world, case, as_user, client):
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    with app.test_request_context():
        from casework.accounts.models import User

        remains = make_remains(db.session.get(User, world.user("forensic_officer"))).reference
    as_user("family_liaison")
    client.post(f"/missing/{case['reference']}/contacts", data=CONTACT)
    response = client.get(f"/missing/{case['reference']}/family-summary?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert case["reference"] in page and "José Luis Pérez Xitumul" in page
    assert "checking a possible lead" in page  # the candidate, without naming it
    assert "We last spoke with you on May 30, 2026." in page
    assert "We plan to contact you again by June 15, 2026." in page
    assert "Family_Liaison" in page and "family_liaison@home.example" in page
    assert "Pima County Medical Examiner" in page
    for secret in (
        remains,
        "Internal: the brother",  # case note
        "called his sister",  # circumstances
        "Broken left wrist",  # medical notes
        "DNA kit is on its way",  # the contact log's own words
        "Probability",
        "Candidate",
    ):
        assert secret not in page, secret
    assert 'class="top"' not in page and "Missing persons" not in page  # no app navigation
    assert "no-print" in page
    with app.app_context():
        exported = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert [json.loads(e.details)["language"] for e in exported] == ["en"]


@pytest.mark.parametrize(
    ("lang", "reference_word", "date"),
    [
        ("en", "Reference", "June 1, 2026"),
        ("es", "Referencia", "1 de junio de 2026"),
        ("fr", "Référence", "1 juin 2026"),
    ],
)
def test_summary_in_each_language(app, case, as_user, client, lang, reference_word, date) -> None:
    as_user("family_liaison")
    response = client.get(f"/missing/{case['reference']}/family-summary?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert f"<dt>{reference_word}</dt>" in page  # an existing string, through gettext
    assert date in page  # dates in the family's language
    assert re.search(rf'<option value="{lang}" selected>', page)
    # the toolbar stays in the language of the staff member printing it (English here)
    assert 'lang="en"' in page.split("<nav", 1)[1].split(">", 1)[0]


def test_summary_defaults_to_the_reporting_relatives_language(app, case, as_user, client) -> None:
    as_user("family_liaison")
    page = client.get(f"/missing/{case['reference']}/family-summary").get_data(as_text=True)
    assert '<html lang="es">' in page and "<dt>Referencia</dt>" in page


@pytest.mark.parametrize("lang", ["de", "xx", "es-MX", "<script>"])
def test_summary_refuses_an_unknown_language(app, case, as_user, client, lang) -> None:
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    as_user("family_liaison")
    response = client.get(
        f"/missing/{case['reference']}/family-summary", query_string={"lang": lang}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "can be printed in English, Español, Français, العربية only" in page
    assert "<script>" not in page.split("<main", 1)[1]
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export")) is None


def test_summary_access(app, case, as_user, client) -> None:
    url = f"/missing/{case['reference']}/family-summary?lang=es"
    expected = {
        "family_liaison": 200,
        "supervisor": 200,
        "consular_gtm": 200,  # the person is a Guatemalan national
        "consular_official": 404,  # a consulate of another country: not its national
        "forensic_officer": 403,
        "auditor": 403,
        "administrator": 403,
        "officer_abroad": 403,
    }
    got = {role: as_user(role).get(url).status_code for role in expected}
    assert got == expected
