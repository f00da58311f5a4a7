"""Casework through real clicks and typing: remains with a sample and a transfer, a missing
person with a relative, a switch to Spanish."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_officer_logs_remains_with_a_sample_and_a_transfer(sign_in, screenshot) -> None:
    page = sign_in("forensic_officer")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Unidentified remains"
    ).click()
    page.get_by_role("link", name="Log remains").click()
    expect(page.get_by_role("heading", name="Log unidentified remains")).to_be_visible()

    page.get_by_label("Recovered on").fill("2025-09-15")
    page.get_by_label("Recovered at (place)").fill("Altar Valley, Arizona")
    page.get_by_label("Latitude").fill("31.70412")
    page.get_by_label("Longitude").fill("-111.40235")
    page.get_by_label("Uncertainty of the point (metres)").fill("50")
    page.get_by_label("Condition").select_option("skeletonised")
    page.get_by_label("Estimated sex").select_option(label="Male")
    page.get_by_label("Age from").fill("25")
    page.get_by_label("Age to").fill("40")
    page.get_by_label("Names read on documents").fill("JOSE L PEREZ")
    page.get_by_label("Storage location").fill("Cooler 3, bay 12")
    screenshot("remains-form")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Logged as")
    reference = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"[A-Z]+-[A-Z0-9-]+", reference), reference
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Sep 15, 2025")
    expect(facts).to_contain_text("(31.70412, -111.40235 ± 50 m)")
    expect(facts).to_contain_text("skeletonised")

    page.get_by_role("link", name="Record a sample").click()
    page.get_by_label("Barcode").fill("PCOME-S-0042")
    page.get_by_label("Kind").select_option("bone")
    page.get_by_label("Laboratory").fill("UNT Center for Human Identification")
    page.get_by_role("button", name="Record sample").click()
    expect(page.get_by_role("status")).to_contain_text("Sample recorded.")

    page.get_by_role("link", name="Record a custody transfer").click()
    page.get_by_label("What changes hands").select_option(label=f"The remains ({reference})")
    page.get_by_label("Handed over by").fill("PCOME intake")
    page.get_by_label("Received by").fill("PCOME morgue, cooler 3")
    page.get_by_label("When (UTC)").fill("2025-09-16T10:30")
    page.get_by_label("Why").fill("Storage pending examination")
    page.get_by_role("button", name="Record transfer").click()
    expect(page.get_by_role("status")).to_contain_text("Transfer recorded.")

    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.get_by_role("link", name="PCOME-S-0042")).to_be_visible()
    custody = page.get_by_role("table").filter(has_text="PCOME morgue, cooler 3")
    expect(custody).to_contain_text("Sep 16, 2025")
    expect(custody).to_contain_text("PCOME intake")
    expect(custody).to_contain_text("Storage pending examination")
    screenshot("remains-case")


def test_liaison_registers_a_missing_person_and_a_consenting_relative(sign_in, screenshot) -> None:
    page = sign_in("family_liaison")
    page.get_by_role("link", name="Missing persons").first.click()
    page.get_by_role("link", name="Register a missing person").click()
    page.get_by_label("Given names").fill("Amanuel")
    page.get_by_label("Surnames").fill("Tesfay Gebremedhin")
    page.get_by_label("Sex", exact=True).select_option(label="Male")
    page.get_by_label("Birth date").fill("1998")
    page.get_by_label("Nationality").fill("ERI")
    page.get_by_label("Last seen on").fill("2025-05-02")
    page.get_by_label("Last seen at (place)").fill("Zuwara")
    page.get_by_label("Latitude").fill("32.93")
    page.get_by_label("Longitude").fill("12.08")
    page.get_by_label("The journey included a sea crossing").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Registered as")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amanuel Tesfay Gebremedhin")

    page.get_by_role("link", name="Add a relative").click()
    page.get_by_label("Name", exact=True).fill("Selam Tesfay")
    page.get_by_label("Relationship to the missing person").select_option("sibling")
    page.get_by_label("Contact details").fill("+291 7 123 456")
    page.get_by_label("Language for contact").fill("ti")
    page.get_by_label("Consents to sharing the case with other authorities").check()
    page.get_by_label("With which countries").fill("ITA; MLT")
    page.get_by_role("button", name="Add relative").click()

    expect(page.get_by_role("status")).to_contain_text("Relative added.")
    relatives = page.get_by_role("list").filter(has_text="Selam Tesfay")
    expect(relatives).to_contain_text("sibling")
    expect(relatives).to_contain_text("consents to share with ITA")
    screenshot("missing-case")


def test_user_switches_to_spanish(sign_in, screenshot) -> None:
    page = sign_in("supervisor")
    page.get_by_role("link", name="Supervisor").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_label("Language").select_option(label="Español")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Su cuenta")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Guardado.")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="Restos sin identificar").click()
    page.get_by_role("link", name="Registrar restos").click()
    for label in ("Recuperados el", "Latitud", "Longitud", "Sexo estimado", "Notas del examen"):
        expect(page.get_by_label(label)).to_be_visible()
    expect(page.get_by_label("Estado de conservación")).to_contain_text("esqueletizado")
    screenshot("remains-form-es")
    page.get_by_role("link", name="Supervisor").click()  # and back, so other tests read English
    page.get_by_label("Idioma").select_option(label="English")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
