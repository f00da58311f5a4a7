"""A consul repatriates an identified national: the list, the start, every step with its date
(a PDF death certificate uploaded on the way), and the case ends as repatriated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONSUL = "consul@gtm-consulate.example"


@pytest.fixture(scope="module")
def national(live_server) -> str:
    """Remains identified (two signatures, on 1 May 2026) as a Guatemalan national, and a consul
    of Guatemala; returns the remains reference."""
    from casework.accounts import services
    from casework.accounts.models import AgencyKind, Role, User
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from tests.casework.repatriation.builders import identify
    from tests.conftest import PASSWORD

    with live_server.app.test_request_context():
        staff = {
            role: db.session.scalar(db.select(User).where(User.email == email))
            for role, email in live_server.users.items()
        }
        _, remains = identify(
            staff["family_liaison"],
            staff["forensic_officer"],
            staff["supervisor"],
            given_names="Ana Lucía",
            surnames="Tzoc Ajú",
        )
        db.session.execute(
            update(CandidateMatch)
            .where(CandidateMatch.remains_id == remains.id)
            .values(decided_at=datetime(2026, 5, 1, 9, tzinfo=UTC))
        )
        consulate = services.create_agency(
            "GTM-CONS-TUS", "GTM", "Consulate of Guatemala in Tucson", AgencyKind.CONSULATE
        )
        services.create_user(
            agency=consulate,
            email=CONSUL,
            display_name="Consul Morales",
            role=Role.CONSULAR_OFFICIAL,
            password=PASSWORD,
        )
        db.session.commit()
        reference = remains.reference
        db.session.remove()
    live_server.users["consular_official"] = CONSUL
    return reference


def _save_step(page, label: str, completed: str, **extra: str) -> None:
    page.get_by_role("link", name=f"Update {label}").click()
    page.get_by_label("Completed on").fill(completed)
    for field, value in extra.items():
        page.get_by_label(field).fill(value)
    page.get_by_role("button", name="Save step").click()
    expect(page.get_by_role("status").first).to_contain_text("Step saved.")


def test_consul_repatriates_an_identified_national(sign_in, screenshot, national, page) -> None:
    sign_in("consular_official")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Repatriations").click()
    expect(page.get_by_role("heading", name="Identified nationals")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=national)
    expect(row).to_contain_text("Ana Lucía Tzoc Ajú")
    expect(row).to_contain_text("May 1, 2026")
    screenshot("repatriation-nationals")
    row.get_by_role("button", name="Start repatriation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Repatriation of {national}")
    page.get_by_role("link", name="Update family notified").click()
    page.get_by_label("Due date").fill("2026-05-20")
    page.get_by_label("Notes").fill("Sister in Quetzaltenango to be called first.")
    page.get_by_role("button", name="Save step").click()
    overdue = page.locator("#step-family_notified")
    expect(overdue).to_contain_text("⚠ Overdue")
    expect(page.get_by_text("1 step is overdue.")).to_be_visible()
    screenshot("repatriation-overdue")

    # the order is enforced: no transport before the papers and the consent
    page.get_by_role("link", name="Update transport").click()
    page.get_by_label("Completed on").fill("2026-05-25")
    page.get_by_role("button", name="Save step").click()
    expect(page.locator("#completed_on-error")).to_contain_text("needs death certificate")
    page.get_by_role("link", name="Back to the repatriation").click()

    _save_step(page, "family notified", "2026-05-04")
    expect(page.locator("#step-family_notified")).not_to_contain_text("Overdue")
    page.get_by_role("link", name="Update death certificate").click()
    page.get_by_label("Completed on").fill("2026-05-08")
    page.get_by_label("Attach a document").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label("Caption of the document").fill("Death certificate, Pima County")
    page.get_by_role("button", name="Save step").click()
    certificate = page.locator("#step-death_certificate")
    expect(certificate).to_contain_text("Death certificate, Pima County")
    expect(certificate.get_by_role("link", name="Download")).to_be_visible()
    _save_step(page, "transit permit", "2026-05-12")
    _save_step(
        page,
        "family consent",
        "2026-05-12",
        **{"Responsible (name, if not a colleague)": "Rosa Tzoc"},
    )
    _save_step(page, "transport", "2026-05-20")
    screenshot("repatriation-steps")
    _save_step(page, "handed over to the family", "2026-05-22")

    expect(page.locator("dl.facts")).to_contain_text("Closed on May 22, 2026")
    expect(page.locator("#step-buried")).to_contain_text("Not applicable")
    expect(page.get_by_text("Overdue")).to_have_count(0)
    page.locator("dl.facts").get_by_role("link", name=national).click()
    expect(page.locator("p.status")).to_have_text("Status: repatriated")
    screenshot("repatriation-remains-repatriated")
