"""Finding cases by name: exact tokens through the blind index, other spellings by fuzzy search.
The name is posted by the search form and never appears in a page's address."""

from __future__ import annotations

import pytest

from tests.casework.factories import make_missing, make_remains


def search(client, kind: str, name: str, *, similar: bool = False, **fields: str):
    """Post the list's search form and follow it to the results page."""
    data = {"name": name, **fields, **({"similar": "1"} if similar else {})}
    return client.post(f"/{kind}/", data=data, follow_redirects=True)


def test_similar_spellings_find_the_case_and_the_search_is_audited(
    app, world, as_user, client
) -> None:
    from casework.accounts.models import User
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        wanted = make_missing(liaison).reference
        other = make_missing(
            liaison, given_names="Yusuf", surnames="Abdi Hassan", aliases=""
        ).reference
    as_user("family_liaison")
    exact = search(client, "missing", "Jose Peres").get_data(as_text=True)
    assert wanted not in exact  # "Peres" is not a stored token
    similar = search(client, "missing", "Jose Peres", similar=True).get_data(as_text=True)
    assert wanted in similar and other not in similar
    transliterated = search(client, "missing", "Youssef Hasan", similar=True)
    assert other in transliterated.get_data(as_text=True)
    assert wanted not in transliterated.get_data(as_text=True)
    with app.app_context():
        searches = [e for e in db.session.query(AuditEntry).all() if '"similar names"' in e.details]
        assert len(searches) == 2 and "Peres" not in searches[0].details


def test_similar_search_on_documents_found_with_remains(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        reference = make_remains(db.session.get(User, world.user("forensic_officer"))).reference
    as_user("forensic_officer")
    page = search(client, "remains", "Perez Jose", similar=True).get_data(as_text=True)
    assert reference in page


def test_similar_search_only_looks_at_visible_cases(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        abroad = make_missing(
            db.session.get(User, world.user("officer_abroad")), nationality="HND"
        ).reference
    as_user("family_liaison")
    page = search(client, "missing", "Jose Perez", similar=True).get_data(as_text=True)
    assert abroad not in page


def test_a_query_without_letters_is_refused(as_user, client) -> None:
    as_user("family_liaison")
    assert search(client, "missing", "!!", similar=True).status_code == 400
    assert search(client, "missing", "--").status_code == 400


@pytest.mark.parametrize("kind", ["missing", "remains"])
def test_the_searched_name_never_appears_in_an_address(
    app, world, as_user, client, kind, monkeypatch
) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    monkeypatch.setattr("casework.cases.pages.PAGE_SIZE", 3)  # both kinds page through CasePages
    with app.test_request_context():
        liaison = db.session.get(User, world.user("supervisor"))
        for _ in range(4):  # more than a page of results
            (make_missing if kind == "missing" else make_remains)(liaison)
    as_user("supervisor")
    posted = client.post(
        f"/{kind}/", data={"name": "Perez Jose", "similar": "1", "status": "", "reference": ""}
    )
    assert posted.status_code == 303
    address = posted.headers["Location"]
    assert "Perez" not in address and "name" not in address and "search=" in address
    page = client.get(address).get_data(as_text=True)
    assert 'value="Perez Jose"' in page  # the form still shows what was searched
    assert "Perez" not in "".join(_links(page))  # pages and the export carry only the id
    next_page = [link for link in _links(page) if "page=2" in link]
    assert next_page and "search=" in next_page[0]
    assert 'value="Perez Jose"' in client.get(next_page[0].replace("&amp;", "&")).get_data(
        as_text=True
    )


def _links(page: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', page)


def test_a_name_in_the_address_is_refused(as_user, client) -> None:
    as_user("family_liaison")
    response = client.get("/missing/?name=Jose+Perez")
    assert response.status_code == 400
    assert b"never put in addresses" in response.data


def test_a_search_is_kept_for_its_browser_and_a_while_only(app, world, as_user, client, clock):
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        wanted = make_missing(db.session.get(User, world.user("family_liaison"))).reference
    as_user("family_liaison")
    address = client.post("/missing/", data={"name": "Perez"}).headers["Location"]
    assert wanted in client.get(address).get_data(as_text=True)
    other_browser = app.test_client()
    from tests.conftest import login

    login(other_browser, "family_liaison@home.example")
    elsewhere = other_browser.get(address).get_data(as_text=True)
    assert "expired" in elsewhere and 'value="Perez"' not in elsewhere
    clock.advance(minutes=29)
    client.get("/")  # keeps the signed-in session alive
    clock.advance(minutes=2)
    later = client.get(address).get_data(as_text=True)
    assert "That name search has expired" in later and 'value="Perez"' not in later


def test_the_export_follows_the_kept_search(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        supervisor = db.session.get(User, world.user("supervisor"))
        make_missing(supervisor)
        make_missing(supervisor, given_names="Yusuf", surnames="Abdi Hassan", aliases="")
    as_user("supervisor")
    address = client.post("/missing/", data={"name": "Yusuf"}).headers["Location"]
    search_id = address.split("search=")[1].split("&")[0]
    exported = client.get(f"/bulk/export/missing.csv?search={search_id}")
    assert exported.status_code == 200 and exported.headers["X-Case-Count"] == "1"
