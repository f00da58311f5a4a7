"""Spanish, French and Arabic: every catalogued string translated, compiled, and shown to the user;
Arabic pages run right to left."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "casework" / "translations"
LANGUAGES = ["es", "fr", "ar"]  # complete
IN_PROGRESS: list[str] = []  # partly translated: untranslated entries show in English


def _forms(value) -> tuple[str, ...]:
    """A message's id or text as a tuple: one item, or one per plural form."""
    return (value,) if isinstance(value, str) else tuple(value)


def _po(lang: str):
    with open(CATALOG / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang) -> None:
    catalog = _po(lang)
    messages = [message for message in catalog if message.id]
    assert len(messages) > 200
    untranslated = [message.id for message in messages if not all(_forms(message.string))]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", LANGUAGES + IN_PROGRESS)
def test_placeholders_survive_translation(lang) -> None:
    import re

    def placeholders(text: str) -> set[str]:
        return set(re.findall(r"%\(\w+\)[sd]", text))

    for message in _po(lang):
        if message.id and message.string:
            wanted = set().union(*(placeholders(text) for text in _forms(message.id)))
            for text in _forms(message.string):  # every plural form keeps them all
                assert placeholders(text) == wanted, message.id


@pytest.mark.parametrize("lang", LANGUAGES + IN_PROGRESS)
def test_compiled_catalog_matches_the_po_file(lang) -> None:
    with open(CATALOG / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = {
            _forms(message.id): _forms(message.string) for message in read_mo(handle) if message.id
        }
    written = {
        _forms(message.id): _forms(message.string)
        for message in _po(lang)
        if message.id and message.string
    }
    assert compiled == written, "run `make translations-compile`"


@pytest.mark.parametrize("lang", LANGUAGES + IN_PROGRESS)
def test_each_language_holds_exactly_the_extracted_messages(lang) -> None:
    from babel.messages.pofile import read_po as read

    with open(CATALOG / "messages.pot", "rb") as handle:
        template_ids = {message.id for message in read(handle) if message.id}
    assert template_ids == {message.id for message in _po(lang) if message.id}


def test_arabic_is_offered_and_its_pages_run_right_to_left(as_user, world, client) -> None:
    login = client.get("/auth/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in login and "تسجيل الدخول" in login and "كلمة المرور" in login
    english = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in english and "Sign in" in english

    officer = as_user("forensic_officer")
    account = officer.get("/auth/account").get_data(as_text=True)
    assert 'value="ar"' in account and "العربية" in account and 'dir="ltr"' in account
    assert officer.post("/auth/account", data={"language": "ar"}).status_code == 302
    dashboard = officer.get("/").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in dashboard
    for word in ("نظرة عامة", "الأشخاص المفقودون", "رفات مجهولة الهوية", "الخريطة"):
        assert word in dashboard
    assert "Overview" not in dashboard
    spanish = officer.post("/auth/account", data={"language": "es"})
    assert spanish.status_code == 302
    assert 'lang="es" dir="ltr"' in officer.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused(as_user, world) -> None:
    officer = as_user("forensic_officer")
    refused = officer.post("/auth/account", data={"language": "xx"})
    assert refused.status_code == 400
    assert 'lang="en" dir="ltr"' in officer.get("/").get_data(as_text=True)


def _as_spanish(as_user, role):
    client = as_user(role)
    assert client.post("/auth/account", data={"language": "es"}).status_code == 302
    return client


def test_a_spanish_user_sees_spanish_pages(as_user, world) -> None:
    client = _as_spanish(as_user, "forensic_officer")
    dashboard = client.get("/").get_data(as_text=True)
    assert 'lang="es"' in dashboard
    for word in ("Resumen", "Personas desaparecidas", "Restos sin identificar", "Mapa"):
        assert word in dashboard
    assert "Overview" not in dashboard
    form = client.get("/remains/new").get_data(as_text=True)
    for label in ("Recuperados el", "Latitud", "Longitud", "Sexo estimado", "Guardar"):
        assert label in form
    assert "esqueletizado" in form  # the choices of a select, not only its label
    assert "Recovered on" not in form
    account = client.get("/auth/account").get_data(as_text=True)
    assert "Español" in account and "Français" in account and "perito forense" in account


def test_a_french_user_sees_french_pages_and_dates(as_user, world, app) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_remains

    with app.test_request_context():
        reference = make_remains(db.session.get(User, world.user("forensic_officer"))).reference
    client = as_user("forensic_officer")
    client.post("/auth/account", data={"language": "fr"})
    page = client.get(f"/remains/{reference}").get_data(as_text=True)
    assert "Retrouvés" in page and "squelettisé" in page and "non identifié" in page
    assert "15 sept. 2025" in page  # format_date in the user's language


def test_map_filters_are_translated(as_user, world) -> None:
    page = _as_spanish(as_user, "family_liaison").get("/map/").get_data(as_text=True)
    assert "Mapa de casos" in page and "persona desaparecida" in page and "sin identificar" in page
    bad = _as_spanish(as_user, "family_liaison").get("/map/cases.geojson?kind=x")
    assert bad.status_code == 400 and "Tipo de caso desconocido." in bad.get_data(as_text=True)
