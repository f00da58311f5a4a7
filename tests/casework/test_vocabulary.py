"""Words for stored codes: translated when the code only repeats itself, kept otherwise."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from casework.missing.models import MissingPersonStatus
from casework.vocabulary import label


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """An app on an empty in-memory database: enough for translations."""
    from casework import create_app
    from tests.conftest import MASTER_KEY

    return create_app(
        {
            "DATABASE_URL": "sqlite://",
            "MASTER_KEY": MASTER_KEY,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
        }
    )


@pytest.mark.parametrize(
    ("code", "shown", "english", "spanish"),
    [
        (MissingPersonStatus.FOUND_ALIVE, None, "found alive", "hallado con vida"),
        ("sent_to_lab", None, "sent to the laboratory", "enviada al laboratorio"),
        ("forensic_officer", "forensic officer", "forensic officer", "perito forense"),
        ("bone", "bone", "bone", "hueso"),
        ("remains", "The remains (UR-1)", "The remains (UR-1)", "The remains (UR-1)"),
        ("U", _l("Unknown"), "Unknown", "Desconocido"),
        ("es", "es", "Español", "Español"),
        ("new_code_nobody_named", None, "new code nobody named", "new code nobody named"),
        (None, None, "—", "—"),
    ],
)
def test_label(bare_app, code, shown, english, spanish) -> None:
    with bare_app.test_request_context():
        assert label(code, shown) == english
        with force_locale("es"):
            assert label(code, shown) == spanish
