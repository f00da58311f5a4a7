"""Finding cases by name: exact tokens through the blind index, other spellings by fuzzy search."""

from __future__ import annotations

from tests.casework.factories import make_missing, make_remains


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
    exact = client.get("/missing/?name=Jose+Peres").get_data(as_text=True)
    assert wanted not in exact  # "Peres" is not a stored token
    similar = client.get("/missing/?name=Jose+Peres&similar=1").get_data(as_text=True)
    assert wanted in similar and other not in similar
    transliterated = client.get("/missing/?name=Youssef+Hasan&similar=1").get_data(as_text=True)
    assert other in transliterated and wanted not in transliterated
    with app.app_context():
        searches = [e for e in db.session.query(AuditEntry).all() if '"similar names"' in e.details]
        assert len(searches) == 2 and "Peres" not in searches[0].details


def test_similar_search_on_documents_found_with_remains(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        reference = make_remains(db.session.get(User, world.user("forensic_officer"))).reference
    as_user("forensic_officer")
    page = client.get("/remains/?name=Perez+Jose&similar=1").get_data(as_text=True)
    assert reference in page


def test_similar_search_only_looks_at_visible_cases(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        abroad = make_missing(
            db.session.get(User, world.user("officer_abroad")), nationality="HND"
        ).reference
    as_user("family_liaison")
    assert abroad not in client.get("/missing/?name=Jose+Perez&similar=1").get_data(as_text=True)


def test_a_query_without_letters_is_refused(as_user, client) -> None:
    as_user("family_liaison")
    assert client.get("/missing/?name=%21%21&similar=1").status_code == 400
    assert client.get("/missing/?name=--").status_code == 400
