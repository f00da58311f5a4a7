"""The public family portal on a phone: a relative sends a request in Spanish with a photo and
consent choices, a liaison finds it pending with a likely duplicate flagged and accepts it, and
the family reads where the search stands with its reference and code. Bad input on the phone
gets a clear message and stores nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.casework.factories import make_missing

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"


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


def test_a_relative_sends_a_request_a_liaison_accepts_it_the_family_follows_it(
    phone, sign_in, live_server, existing
) -> None:
    # bad input first: a wrong date is refused in Spanish, at its field, and nothing is stored
    fill_request(phone, live_server)
    phone.get_by_label("Fecha del último contacto", exact=False).fill("2026-02-30")
    expect(phone.locator(".challenge-state")).to_have_text("Listo para enviar.")
    phone.get_by_role("button", name="Enviar la solicitud").click()
    expect(phone.locator("#last_contact_date-error")).to_contain_text("AAAA-MM-DD")
    expect(phone.get_by_label("Apellidos", exact=True)).to_have_value("Choc Caal")

    phone.get_by_label("Fecha del último contacto", exact=False).fill("2026-02-03")
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

    # the liaison: pending, the likely duplicate flagged, accepted as a case
    staff = sign_in("family_liaison")
    staff.goto(live_server("/family-requests/"))
    row = staff.locator("tr", has_text=reference)
    expect(row).to_contain_text("Likely duplicate")
    expect(row).to_contain_text(existing)
    row.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("heading", name=f"Family request {reference}")).to_be_visible()
    expect(staff.locator("img[alt='the person']")).to_be_visible()
    staff.get_by_role("button", name="Accept as a missing-person case").click()
    expect(staff.get_by_role("status")).to_contain_text("Accepted as MP-")

    # the family reads where the search stands: a wrong code first
    phone.goto(live_server("/family/es/follow"))
    phone.get_by_label("Referencia (FR-...)").fill(reference)
    phone.get_by_label("Código de acceso").fill("AAAA-BBBB-CCCC")
    phone.get_by_role("button", name="Abrir mi solicitud").click()
    expect(phone.locator("#code-error")).to_contain_text("no es correcto")
    phone.get_by_label("Código de acceso").fill(code)
    phone.get_by_role("button", name="Abrir mi solicitud").click()
    expect(phone.locator(".family-status")).to_contain_text("Seguimos buscando a Wilmer Antonio")
    expect(phone.locator(".family-status")).not_to_contain_text("candidat")
    DOCS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(DOCS / "family-portal-status.png"), full_page=True)

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
