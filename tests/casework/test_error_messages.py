"""Errors users read are translatable: every message a service raises is a catalogued msgid with a
Spanish, French and Arabic translation, rendered in the reader's language on pages and in API
bodies, and in English outside a request."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from tests.casework.factories import REMAINS

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "casework" / "translations"
LANGUAGES = ["es", "fr", "ar"]
ERROR_BASE = "CaseworkError"
# calls that translate their first argument (the msgid), eagerly or when read
TRANSLATING = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
# ApiError(status, message, ...): its message is the second argument
MESSAGE_POSITION = {"ApiError": 1}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def error_classes(trees: list[ast.Module]) -> set[str]:
    """The names of `CaseworkError` and every class that derives from it, however deep."""
    parents = {
        node.name: {_name(base) for base in node.bases}
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = {ERROR_BASE}
    while True:
        more = {name for name, bases in parents.items() if bases & found} - found
        if not more:
            return found
        found |= more


@dataclass(frozen=True)
class Problem:
    where: str
    why: str


def _message_argument(call: ast.Call, position: int) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == "message"), None)


def check_raised_messages(tree: ast.Module, where: str, errors: set[str]) -> list[Problem]:
    """Problems with the messages given to error constructors: a bare string, an f-string, a
    string built with `%`, `+` or `.format`, or a translation call without a literal msgid."""
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _name(node.func) in errors):
            continue
        constructor = _name(node.func) or ""
        message = _message_argument(node, MESSAGE_POSITION.get(constructor, 0))
        at = f"{where}:{node.lineno}"
        if isinstance(message, ast.Constant) and isinstance(message.value, str):
            problems.append(Problem(at, "a bare string: wrap it in _l(...)"))
        elif isinstance(message, ast.JoinedStr):
            problems.append(Problem(at, "an f-string: use _l('... %(name)s ...', name=...)"))
        elif isinstance(message, ast.BinOp):
            problems.append(Problem(at, "a string built with an operator: pass parameters"))
        elif isinstance(message, ast.Call) and _name(message.func) == "format":
            problems.append(Problem(at, "str.format: pass parameters to _l instead"))
        elif isinstance(message, ast.Call) and _name(message.func) in TRANSLATING:
            msgid = message.args[0] if message.args else None
            if not (isinstance(msgid, ast.Constant) and isinstance(msgid.value, str)):
                problems.append(Problem(at, "the translation call needs a literal msgid"))
    return problems


def msgids(tree: ast.Module) -> set[str]:
    """Every literal msgid passed to a translation call (the singular of a plural pair)."""
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node.func) in TRANSLATING
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def _sources() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "casework").rglob("*.py"))
        if "migrations" not in path.parts
    }


SOURCES = _sources()
ERRORS = error_classes(list(SOURCES.values()))


def test_the_error_classes_are_found() -> None:
    for name in ("ValidationError", "NotAllowed", "ConflictError", "ExchangeRefused", "ApiError"):
        assert name in ERRORS
    assert "CryptoError" not in ERRORS  # not a user's error: never shown as it is


def test_services_raise_translatable_messages() -> None:
    problems = [
        problem
        for where, tree in SOURCES.items()
        for problem in check_raised_messages(tree, where, ERRORS)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ('raise ValidationError("Too long.")', "a bare string"),
        ('raise NotAllowed(f"{case.reference} is closed.")', "an f-string"),
        ('raise FileProblem("Line %s." % line, field="file")', "an operator"),
        ('raise ConflictError("{}".format(ref))', "str.format"),
        ("raise ValidationError(_l(text))", "literal msgid"),
        ('raise ApiError(422, "Bad.")', "a bare string"),
        ('raise ExchangeRefused(message="No.", code="x")', "a bare string"),
    ],
)
def test_the_check_refuses_untranslatable_messages(source, why) -> None:
    problems = check_raised_messages(ast.parse(source), "example.py", ERRORS | {"FileProblem"})
    assert len(problems) == 1 and why in problems[0].why


@pytest.mark.parametrize(
    "source",
    [
        'raise ValidationError(_l("Keep this under %(limit)s characters.", limit=9), field="x")',
        'raise ApiError(403, _("Your role does not allow this."))',
        'raise ValidationError(error.message, field="identity")',  # made elsewhere, passed on
    ],
)
def test_the_check_accepts_translatable_messages(source) -> None:
    assert check_raised_messages(ast.parse(source), "example.py", ERRORS) == []


def _catalog(lang: str):
    with open(CATALOG / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_code_is_translated(lang) -> None:
    """A message added to casework/ without `make translations` and a translation fails here."""
    catalog = _catalog(lang)
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
        and not message.fuzzy
        and all((message.string,) if isinstance(message.string, str) else message.string)
    }
    used = set().union(*(msgids(tree) for tree in SOURCES.values()))
    assert len(used) > 300
    assert sorted(used - translated) == []


def test_a_message_renders_in_english_outside_a_request(app) -> None:
    from flask_babel import lazy_gettext as _l

    from casework.errors import ValidationError

    error = ValidationError(_l("Keep this under %(limit)s characters.", limit=200), field="notes")
    assert error.message == "Keep this under 200 characters." == str(error)
    with app.app_context():  # the CLI and background jobs: an app, no request
        assert error.message == "Keep this under 200 characters."
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert error.message == "Este texto debe tener menos de 200 caracteres."
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert error.message == "يجب ألا يتجاوز هذا النص 200 حرفًا."


def test_status_words_come_from_the_vocabulary(app, world) -> None:
    from casework.accounts.models import User
    from casework.cases.status import record_transition
    from casework.errors import ValidationError
    from casework.extensions import db
    from tests.casework.factories import make_remains

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        case = make_remains(db.session.get(User, world.user("forensic_officer")))
        with pytest.raises(ValidationError) as refused:
            record_transition(case, "repatriated", None)
        db.session.rollback()
        message = refused.value.message
    assert "« non identifié »" in message and "« rapatrié »" in message, message
    assert "inhumé sans identification" in message, message  # the list of next statuses too
    assert "unidentified" not in message
    # the words are rendered when read, like the sentence around them
    assert refused.value.message.startswith(
        "A case that is unidentified cannot become repatriated."
    )


def spanish(app, world, key: str) -> None:
    """Make the user of a role read the interface in Spanish."""
    from casework.accounts.models import User
    from casework.extensions import db

    with app.app_context():
        db.session.get(User, world.user(key)).language = "es"
        db.session.commit()


def test_a_spanish_form_shows_the_service_error_in_spanish(app, world, as_user) -> None:
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    spanish(app, world, "forensic_officer")
    client = as_user("forensic_officer")
    form = {**REMAINS, "recovery_date": "2025-09-15", "age_min": "50", "age_max": "30"}
    page = client.post("/remains/new", data={k: v for k, v in form.items() if v is not None})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'lang="es"' in text
    assert "El intervalo de edad está al revés" in text
    assert "runs backwards" not in text
    # a form's own checks (WTForms' messages, through Flask-WTF) speak Spanish as well
    form["recovery_uncertainty_m"] = "lots"
    page = client.post("/remains/new", data={k: v for k, v in form.items() if v is not None})
    assert page.status_code == 400 and "No es un valor entero válido" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnidentifiedRemains)) == 0
