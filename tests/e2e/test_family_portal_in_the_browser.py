"""The public family portal on a phone, the issue's "done when" in one journey: a relative sends
a request in Spanish with a photo and consent choices, a liaison (on a phone too) finds it
pending with a likely duplicate flagged and accepts it, the family reads where the search stands
with its reference and code and adds a new contact, and when remains are recorded that the
engine proposes for the case, the liaison is notified and finds the family's addition on the
case. A bad date, a missing challenge, an oversized photo and a wrong code each get a clear
message and store nothing."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.casework.factories import make_missing, make_remains

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"  # shown in the README


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (180, 120, 90)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="es-ES", is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], "the content security policy blocked: " + "; ".join(blocked)


@pytest.fixture
def existing(live_server) -> str:
    from sqlalchemy import select

    from casework.accounts.models import User
    from casework.extensions import db

    with live_server.app.test_request_context():
        liaison = db.session.scalar(
            select(User).where(User.email == live_server.users["family_liaison"])
        )
        case = make_missing(
            liaison,
            given_names="Wilmer Antonio",
            surnames="Choc Caal",
            last_seen_lat=None,
            last_seen_lon=None,
            intended_route="",
        )
        reference = case.reference
        db.session.remove()
    return reference


def fill_request(page, live_server) -> None:
    page.goto(live_server("/family/es/request"))
    page.get_by_label("Nombres", exact=True).fill("Wilmer Antonio")
    page.get_by_label("Apellidos", exact=True).fill("Choc Caal")
    page.get_by_label("Sexo").select_option("M")
    page.locator("#birth_date").fill("1998-05-10")
    page.locator("#height_cm").fill("170")
    page.get_by_label("Marcas, cicatrices y tatuajes, y en qué parte del cuerpo").fill(
        "Tatuaje de una cruz en el brazo derecho"
    )
    page.get_by_label("Una foto reciente de la persona", exact=False).set_input_files(
        files=[{"name": "wilmer.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.get_by_label("Dónde estaba en el último contacto").fill("Altar, Sonora")
    page.get_by_label("Su nombre", exact=True).fill("Marta Caal")
    page.get_by_label("Usted es su").select_option("mother")
    page.get_by_label("Una forma segura de contactarle", exact=False).fill("+502 5555 0000")
    page.get_by_label("Buscar a esta persona en este país.").check()
    page.get_by_label("Compartir la solicitud con las autoridades", exact=False).check()
    page.get_by_label("Qué países", exact=False).fill("GTM; MEX")
    page.get_by_label("Contactarme sobre la búsqueda.").check()


def stored(live_server) -> tuple[int, int, int, int]:
    """Requests, photos, spent challenges and additions stored: a refusal changes none."""
    from sqlalchemy import func, select

    from casework.extensions import db
    from casework.family_portal.models import (
        FamilyRequest,
        FamilyRequestAddition,
        FamilyRequestPhoto,
        SpentChallenge,
    )

    with live_server.app.test_request_context():
        counts = tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (FamilyRequest, FamilyRequestPhoto, SpentChallenge, FamilyRequestAddition)
        )
        db.session.remove()
    return counts


def noise_jpeg(side: int) -> bytes:
    """A photo that does not compress: its size grows with its side."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="JPEG")
    return out.getvalue()


def remains_like_the_accepted_case(live_server) -> None:
    """Remains recorded by the forensic officer that the engine proposes for the accepted case:
    the name read on a document, a man, found weeks after the last contact near Altar."""
    from sqlalchemy import select

    from casework.accounts.models import User
    from casework.extensions import db

    with live_server.app.test_request_context():
        officer = db.session.scalar(
            select(User).where(User.email == live_server.users["forensic_officer"])
        )
        make_remains(
            officer,
            recovery_date=date(2026, 3, 20),
            recovery_place="Altar, Sonora",
            recovery_lat=30.71,
            recovery_lon=-111.83,
            document_names="WILMER ANTONIO CHOC CAAL",
            pmi_min_days=20,
            pmi_max_days=60,
            dental="",
        )
        db.session.remove()


def test_a_relative_sends_a_request_a_liaison_accepts_it_the_family_follows_it(
    phone, sign_in, live_server, existing
) -> None:
    # bad input first: each refused with a clear message, in Spanish, and nothing is stored
    before = stored(live_server)
    fill_request(phone, live_server)
    phone.get_by_label("Fecha del último contacto", exact=False).fill("2026-02-30")
    expect(phone.locator(".challenge-state")).to_have_text("Listo para enviar.")
    phone.get_by_role("button", name="Enviar la solicitud").click()
    expect(phone.locator("#last_contact_date-error")).to_contain_text("AAAA-MM-DD")
    expect(phone.get_by_label("Apellidos", exact=True)).to_have_value("Choc Caal")
    assert stored(live_server) == before

    # a missing challenge (what a program posting the form sends)
    phone.get_by_label("Fecha del último contacto", exact=False).fill("2026-02-03")
    expect(phone.locator(".challenge-state")).to_have_text("Listo para enviar.")
    phone.evaluate(
        """() => ['challenge_salt', 'challenge', 'challenge_signature', 'challenge_number']
            .forEach(name => { document.querySelector(`[name=${name}]`).value = ''; })"""
    )
    phone.get_by_role("button", name="Enviar la solicitud").click()
    expect(phone.locator("#challenge-error")).to_contain_text("Falta la comprobación de seguridad")
    expect(phone.get_by_label("Nombres", exact=True)).to_have_value("Wilmer Antonio")
    assert stored(live_server) == before

    # an oversized photo: refused at its field
    limit = live_server.app.config["ATTACHMENT_MAX_BYTES"]
    live_server.app.config["ATTACHMENT_MAX_BYTES"] = 50_000
    try:
        big = noise_jpeg(300)
        assert len(big) > 50_000
        phone.get_by_label("Una foto reciente de la persona", exact=False).set_input_files(
            files=[{"name": "grande.jpg", "mimeType": "image/jpeg", "buffer": big}]
        )
        expect(phone.locator(".challenge-state")).to_have_text("Listo para enviar.")
        phone.get_by_role("button", name="Enviar la solicitud").click()
        error = phone.locator("#photo_person-error")
        expect(error).to_contain_text("demasiado grande")
        expect(phone.locator("#photo_person")).to_have_attribute(
            "aria-describedby", "photo_person-error"
        )
        assert stored(live_server) == before
    finally:
        live_server.app.config["ATTACHMENT_MAX_BYTES"] = limit

    phone.get_by_label("Una foto reciente de la persona", exact=False).set_input_files(
        files=[{"name": "wilmer.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    expect(phone.locator(".challenge-state")).to_have_text("Listo para enviar.")
    phone.get_by_role("button", name="Enviar la solicitud").click()
    expect(phone.get_by_role("heading", name="Su solicitud ha sido enviada")).to_be_visible()
    reference = phone.locator(".reference").inner_text().strip()
    code = phone.locator(".code").inner_text().strip()
    assert reference.startswith("FR-") and len(code) == 14
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"

    # the liaison, on a phone too: pending, the likely duplicate flagged, accepted as a case
    staff = sign_in("family_liaison")
    staff.set_viewport_size(PHONE)
    staff.goto(live_server("/family-requests/"))
    row = staff.locator("tr", has_text=reference)
    expect(row).to_contain_text("Likely duplicate")
    expect(row).to_contain_text(existing)
    row.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("heading", name=f"Family request {reference}")).to_be_visible()
    expect(staff.locator("img[alt='the person']")).to_be_visible()
    staff.get_by_role("button", name="Accept as a missing-person case").click()
    expect(staff.get_by_role("status")).to_contain_text("Accepted as MP-")
    case = staff.get_by_role("heading", level=1).inner_text().split(" · ")[0].strip()
    assert case.startswith("MP-") and case != existing

    # the family reads where the search stands: a wrong code first opens nothing
    phone.goto(live_server("/family/es/follow"))
    phone.get_by_label("Referencia (FR-...)").fill(reference)
    phone.get_by_label("Código de acceso").fill("AAAA-BBBB-CCCC")
    phone.get_by_role("button", name="Abrir mi solicitud").click()
    expect(phone.locator("#code-error")).to_contain_text("no es correcto")
    expect(phone.locator(".family-status")).to_have_count(0)
    phone.get_by_label("Código de acceso").fill(code)
    phone.get_by_role("button", name="Abrir mi solicitud").click()
    expect(phone.locator(".family-status")).to_contain_text("Seguimos buscando a Wilmer Antonio")
    expect(phone.locator(".family-status")).not_to_contain_text("candidat")
    DOCS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(DOCS / "family-portal-status.png"), full_page=True)

    # the liaison has read what earlier tests on this server left
    staff.goto(live_server("/notifications/"))
    mark_all = staff.get_by_role("button", name="Mark all read")
    if mark_all.count():
        mark_all.click()
        expect(mark_all).to_have_count(0)  # done before anything new arrives

    # the family adds a new contact after the acceptance
    phone.get_by_label("¿Qué está añadiendo?").select_option("contact")
    phone.get_by_label("Sus palabras").fill("Nuevo número de Marta: +502 5555 1111")
    phone.get_by_role("button", name="Enviar", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("Gracias")

    # remains found that the engine proposes for the case: the liaison is told
    remains_like_the_accepted_case(live_server)
    staff.goto(live_server("/"))
    link = staff.locator("header").get_by_role("link", name="Notifications")
    expect(link.locator(".badge")).to_be_visible()
    link.click()
    told = staff.locator("li.notification.unread")
    expect(told.filter(has_text=reference)).to_contain_text("sent something new: new contact")
    candidate = told.filter(has_text=case).filter(
        has_text="New candidate above the review threshold"
    )
    expect(candidate).to_have_count(1)
    candidate.get_by_role("button", name="Open").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(case)
    assert "/matches/" in staff.url

    # the case's page shows what the family sent, to its liaison
    staff.goto(live_server(f"/missing/{case}"))
    sent = staff.locator("section.from-families")
    expect(sent).to_contain_text(f"Family request {reference}")
    expect(sent).to_contain_text("+502 5555 1111")
    expect(sent.locator("img")).to_be_visible()

    phone.goto(live_server("/family/es/request"))
    phone.screenshot(path=str(DOCS / "family-portal-request.png"), full_page=False)


def test_the_form_is_sent_without_javascript_after_the_wait(browser, live_server) -> None:
    context = browser.new_context(viewport=PHONE, locale="ar", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server("/family/ar/request"))
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        page.locator("#given_names").fill("يوهانس")
        page.locator("#reporter_name").fill("سبأ")
        page.locator("#contact").fill("+291 7 000 000")
        page.locator("#consent_search").check()
        page.locator("button[type=submit], input[type=submit]").last.click()
        # the no-JavaScript path asks to wait: the words stay, in Arabic
        expect(page.locator("#challenge-error")).to_contain_text("JavaScript")
        expect(page.locator("#given_names")).to_have_value("يوهانس")
    finally:
        context.close()
