"""The repatriation pages: the nationals list, starting one, steps with bad and good input."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _repatriation_id(app):
    from casework.extensions import db
    from casework.repatriation.models import Repatriation

    with app.app_context():
        found = db.session.scalar(select(Repatriation.id))
        db.session.remove()
        return found


@pytest.fixture
def started(app, as_user, identified, clock):
    consul = as_user("consular_gtm")
    response = consul.post(f"/repatriation/remains/{identified.reference}/start")
    assert response.status_code == 303
    clock.advance(days=20)
    return _repatriation_id(app)


def test_the_consul_sees_identified_nationals_and_starts(app, as_user, identified) -> None:
    page = as_user("consular_gtm").get("/repatriation/").get_data(as_text=True)
    assert identified.reference in page and "José Luis Pérez Xitumul" in page
    assert "Start repatriation" in page

    other = as_user("consular_official").get("/repatriation/").get_data(as_text=True)
    assert identified.reference not in other and "No identified remains" in other
    staff = as_user("supervisor").get("/repatriation/").get_data(as_text=True)
    assert identified.reference in staff and "Start repatriation" not in staff


def test_starting_twice_says_so(app, as_user, started, identified) -> None:
    again = as_user("consular_gtm").post(f"/repatriation/remains/{identified.reference}/start")
    assert again.status_code == 400
    assert "already under way" in again.get_data(as_text=True)


def test_overdue_steps_stand_out_in_words(app, as_user, started, identified) -> None:
    consul = as_user("consular_gtm")
    detail = consul.get(f"/repatriation/{started}").get_data(as_text=True)
    assert "1 step is overdue." in detail and "⚠ Overdue" in detail
    listing = consul.get("/repatriation/").get_data(as_text=True)
    assert "1 step overdue" in listing
    dashboard = consul.get("/").get_data(as_text=True)
    assert "Open repatriations: <strong>1</strong>" in dashboard
    assert "⚠ Overdue steps</span>: <strong>1</strong>" in dashboard
    # staff of the agency holding the remains see it too, from the case
    remains = as_user("supervisor").get(f"/remains/{identified.reference}").get_data(as_text=True)
    assert "Repatriation in progress" in remains and "1 step overdue" in remains


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("family_notified", {"completed_on": "2026-07-30"}, "in the future"),
        ("family_notified", {"completed_on": "2026-05-01"}, "before the identification"),
        ("family_notified", {"completed_on": "31/02/2026"}, "Not a valid date value"),
        ("transport", {"completed_on": "2026-06-10"}, "needs death certificate"),
        ("handed_over", {"completed_on": "2026-06-10"}, "needs transport completed first"),
        ("family_notified", {"responsible_user": "nobody"}, "Choose the responsible person"),
        ("family_notified", {"notes": "x" * 5001}, "5000"),
    ],
)
def test_bad_step_input_is_refused_and_changes_nothing(
    app, as_user, started, kind, data, message
) -> None:
    from casework.extensions import db
    from casework.repatriation.models import RepatriationStep

    consul = as_user("consular_gtm")
    response = consul.post(
        f"/repatriation/{started}/steps/{kind}",
        data={"due_date": "2026-06-08", "document": (io.BytesIO(PDF), "cert.pdf"), **data},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        steps = db.session.scalars(select(RepatriationStep)).all()
        assert all(step.completed_on is None and step.notes is None for step in steps)
        from casework.attachments.models import Attachment

        assert db.session.scalar(select(Attachment.id)) is None
        db.session.remove()


def test_unknown_step_is_not_found(as_user, started) -> None:
    assert as_user("consular_gtm").get(f"/repatriation/{started}/steps/parade").status_code == 404


def test_only_the_consul_of_the_nationality_manages(as_user, started) -> None:
    assert as_user("supervisor").get(f"/repatriation/{started}").status_code == 200
    assert as_user("supervisor").get(f"/repatriation/{started}/steps/transport").status_code == 403
    assert as_user("consular_official").get(f"/repatriation/{started}").status_code == 404
    assert as_user("officer_abroad").get(f"/repatriation/{started}").status_code == 404
    assert as_user("family_liaison").get(f"/repatriation/{started}").status_code == 403


def test_steps_through_to_handed_over(app, as_user, started, identified) -> None:
    consul = as_user("consular_gtm")
    for kind, day in [
        ("family_notified", "2026-06-03"),
        ("death_certificate", "2026-06-05"),
        ("transit_permit", "2026-06-08"),
        ("family_consent", "2026-06-08"),
        ("transport", "2026-06-15"),
        ("handed_over", "2026-06-18"),
    ]:
        data = {"completed_on": day, "notes": f"Notes on {kind}", "responsible_name": "F. Ixcoy"}
        if kind == "death_certificate":
            data["document"] = (io.BytesIO(PDF), "certificate.pdf")
            data["document_caption"] = "Certificate from the Pima registrar"
        response = consul.post(
            f"/repatriation/{started}/steps/{kind}", data=data, content_type="multipart/form-data"
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    detail = consul.get(f"/repatriation/{started}").get_data(as_text=True)
    assert "Certificate from the Pima registrar" in detail and "Notes on transport" in detail
    assert "Closed on" in detail and "Not applicable" in detail and "Overdue" not in detail
    remains = consul.get(f"/remains/{identified.reference}").get_data(as_text=True)
    assert "Status: repatriated" in remains and "Repatriation closed on Jun 18, 2026" in remains
    closed = consul.get(f"/repatriation/{started}/steps/buried")
    assert closed.status_code == 200  # the form shows; saving it is refused
    refused = consul.post(
        f"/repatriation/{started}/steps/buried", data={"completed_on": "2026-06-19"}
    )
    assert refused.status_code == 400 and "closed" in refused.get_data(as_text=True)


def test_reading_names_and_notes_is_audited(app, as_user, started) -> None:
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    def views() -> int:
        with app.app_context():
            count = db.session.scalar(select(db.func.count()).where(AuditEntry.action == "view"))
            db.session.remove()
            return count

    client = as_user("supervisor")
    before = views()
    client.get(f"/repatriation/{started}")
    client.get("/repatriation/")
    assert views() == before + 2
