"""Printable case files: the detail pages link a print stylesheet that leaves the app out and
keeps the whole case file in."""

from __future__ import annotations

import re

from tests.casework.factories import make_missing, make_remains


def test_remains_detail_prints_as_a_case_file(app, world, as_user) -> None:
    from casework.accounts.models import User
    from casework.cases.services import add_note
    from casework.custody.services import record_sample
    from casework.extensions import db

    with app.test_request_context():
        officer = db.session.get(User, world.user("forensic_officer"))
        case = make_remains(officer)
        add_note(case, officer, "Bagged and tagged at the scene.")
        record_sample(case, {"barcode": "PCOME-S-0009", "kind": "bone", "lab": "UNT"})
        reference = case.reference
    page = as_user("forensic_officer").get(f"/remains/{reference}").get_data(as_text=True)
    assert re.search(r'<link rel="stylesheet" media="print" href="/static/print.css', page)
    header = page.split('class="print-header"')[1].split("</div>")[0]
    assert f"Case file {reference}" in header and "Printed Jun 1, 2026" in header
    assert "Print case file" in page
    for section in (
        "Samples",
        "Chain of custody",
        "Notes",
        "Distinguishing marks",
        "Dental record",
    ):
        assert f"<h2>{section}</h2>" in page, section
    assert "PCOME-S-0009" in page and "Bagged and tagged at the scene." in page


def test_missing_detail_prints_too(app, world, as_user) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        reference = make_missing(db.session.get(User, world.user("family_liaison"))).reference
    page = as_user("family_liaison").get(f"/missing/{reference}").get_data(as_text=True)
    assert 'media="print" href="/static/print.css' in page and f"Case file {reference}" in page
    for section in ("Relatives", "Notes", "Clothing and effects"):
        assert f"<h2>{section}</h2>" in page


def test_print_stylesheet_leaves_the_app_out(client) -> None:
    with client.get("/static/print.css") as response:
        css = response.get_data(as_text=True)
    hidden = css.split("{ display: none !important; }")[0]
    for selector in ("header.top", "nav", ".flash", "button", "form", ".button"):
        assert selector in hidden, selector
    assert ".print-header { display: flex !important" in css
    assert "@page" in css and "page-break-inside: avoid" in css
    with client.get("/static/casework.css") as response:
        screen = response.get_data(as_text=True)
    assert ".print-header { display: none; }" in screen
