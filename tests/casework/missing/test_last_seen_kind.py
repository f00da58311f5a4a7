"""The kind of last-seen place (home, departure point, on the route): kept from the form, the
API (tests/casework/api/test_endpoints.py) and an imported file, shown on the case, and passed
to the matching engine."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.casework.factories import MISSING


def _form(**overrides):
    data = {**MISSING, "last_seen_date": "2025-07-02", **overrides}
    return {key: value for key, value in data.items() if value is not None}


def _case(app, reference):
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    db.session.expire_all()
    return db.session.scalar(select(MissingPerson).where(MissingPerson.reference == reference))


def test_the_form_keeps_the_kind_and_the_engine_reads_it(app, as_user, client) -> None:
    from casework.matches.records import missing_record
    from casework.missing.models import LastSeenKind
    from matching import LastSeenKind as EngineKind

    as_user("family_liaison")
    created = client.post("/missing/new", data=_form(last_seen_kind="home"))
    assert created.status_code == 302
    reference = created.headers["Location"].rsplit("/", 1)[-1]
    with app.test_request_context():
        case = _case(app, reference)
        assert case.last_seen_kind is LastSeenKind.HOME
        assert missing_record(case).last_seen_kind is EngineKind.HOME
    assert "At home, before the journey" in client.get(f"/missing/{reference}").get_data(
        as_text=True
    )
    edit_page = client.get(f"/missing/{reference}/edit").get_data(as_text=True)
    assert '<option selected value="home">' in edit_page or ('value="home" selected' in edit_page)


def test_the_label_and_the_choices_speak_the_users_language(app, world, as_user) -> None:
    client = as_user("family_liaison")
    for language, label, choice in (
        ("es", "Tipo de lugar donde se le vio por última vez", "En casa, antes del viaje"),
        ("fr", "Type de lieu où la personne a été vue pour la dernière fois", "À la maison"),
        ("ar", "نوع مكان آخر مشاهدة", "في المنزل، قبل الرحلة"),
    ):
        assert client.post("/auth/account", data={"language": language}).status_code == 302
        page = client.get("/missing/new").get_data(as_text=True)
        assert label in page and choice in page, language


def test_a_case_without_the_kind_says_not_known(app, as_user, client) -> None:
    from casework.missing.models import LastSeenKind

    as_user("family_liaison")
    created = client.post("/missing/new", data=_form())
    reference = created.headers["Location"].rsplit("/", 1)[-1]
    with app.test_request_context():
        assert _case(app, reference).last_seen_kind is LastSeenKind.UNKNOWN


def test_an_imported_file_may_carry_the_kind(app, world, runner, tmp_path) -> None:
    from casework.missing.models import LastSeenKind

    good = tmp_path / "good.csv"
    good.write_text(
        "ref,given_names,surnames,last_seen_kind\nL-1,Eladio,Quintanilla,home\nL-2,Ana,Ruiz,\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        args=["import", "missing", str(good), "--agency", "PCOME", "--no-rematch"]
    )
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        from casework.extensions import db
        from casework.missing.models import MissingPerson

        kinds = dict(
            db.session.execute(
                select(MissingPerson.external_reference, MissingPerson.last_seen_kind)
            ).all()
        )
        assert kinds == {"L-1": LastSeenKind.HOME, "L-2": LastSeenKind.UNKNOWN}


def test_an_imported_file_with_an_unknown_kind_stores_nothing(app, world, runner, tmp_path) -> None:
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    bad = tmp_path / "bad.csv"
    bad.write_text("ref,given_names,last_seen_kind\nL-1,Eladio,school\n", encoding="utf-8")
    result = runner.invoke(args=["import", "missing", str(bad), "--agency", "PCOME"])
    assert result.exit_code == 1, result.output
    assert "column last_seen_kind" in result.output and "home, departure" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MissingPerson)) == 0
