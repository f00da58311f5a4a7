"""The repatriation rules, without HTTP: who starts one, step order, dates, overdue, the end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.errors import NotAllowed, ValidationError

IDENTIFIED_ON = date(2026, 6, 1)  # the test clock's day, when the supervisor confirmed


@pytest.fixture
def started(ctx, world, identified, clock):
    """A repatriation started by the Guatemalan consul; the clock then moves 20 days on."""
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains
    from casework.repatriation.services import start_repatriation

    consul = db.session.get(User, world.user("consular_gtm"))
    remains = db.session.get(UnidentifiedRemains, identified.remains_id)
    repatriation = start_repatriation(consul, remains)
    clock.advance(days=20)
    return repatriation, consul


def _complete(consul, repatriation, kind, day, **extra):
    from casework.repatriation.models import StepKind
    from casework.repatriation.services import update_step

    step = repatriation.step(StepKind(kind))
    data = {"due_date": step.due_date, "completed_on": day, **extra}
    return update_step(consul, step, data, document=extra.pop("document", None))


def test_start_makes_every_step_with_due_dates(started) -> None:
    from casework.repatriation.models import STEP_ORDER

    repatriation, _ = started
    assert [step.kind for step in repatriation.ordered_steps()] == list(STEP_ORDER)
    assert repatriation.identified_on == IDENTIFIED_ON
    family = repatriation.step("family_notified")
    assert family.due_date == IDENTIFIED_ON + timedelta(days=7)
    assert repatriation.step("buried").due_date is None


def test_only_a_consul_of_the_nationality_starts_once(ctx, world, identified) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains
    from casework.repatriation.models import Repatriation
    from casework.repatriation.services import start_repatriation

    remains = db.session.get(UnidentifiedRemains, identified.remains_id)
    for key in ("consular_official", "supervisor"):  # a US consul; staff of the holding agency
        with pytest.raises(NotAllowed):
            start_repatriation(db.session.get(User, world.user(key)), remains)
    consul = db.session.get(User, world.user("consular_gtm"))
    start_repatriation(consul, remains)
    with pytest.raises(ValidationError, match="already under way"):
        start_repatriation(consul, remains)
    assert db.session.query(Repatriation).count() == 1


def test_unidentified_remains_cannot_be_repatriated(ctx, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.repatriation.services import start_repatriation
    from tests.casework.factories import make_remains

    remains = make_remains(db.session.get(User, world.user("forensic_officer")))
    with pytest.raises(ValidationError, match="not identified"):
        start_repatriation(db.session.get(User, world.user("consular_gtm")), remains)


def test_overdue_steps_are_those_past_due_and_not_done(started) -> None:
    from casework.repatriation.services import today

    repatriation, consul = started
    now = today()
    assert now == IDENTIFIED_ON + timedelta(days=20)
    assert [step.kind.value for step in repatriation.overdue_steps(now)] == ["family_notified"]
    _complete(consul, repatriation, "family_notified", now - timedelta(days=2))
    assert repatriation.overdue_steps(now) == []
    assert repatriation.overdue_steps(now + timedelta(days=10))[0].kind.value == "death_certificate"


@pytest.mark.parametrize(
    ("kind", "done_first", "message"),
    [
        ("transport", (), "needs death certificate, transit permit, family consent completed"),
        ("transport", ("death_certificate", "transit_permit"), "needs family consent completed"),
        ("handed_over", ("death_certificate",), "needs transport completed first"),
        ("buried", ("death_certificate",), "needs family consent completed first"),
    ],
)
def test_steps_wait_for_those_they_need(started, kind, done_first, message) -> None:
    repatriation, consul = started
    for earlier in done_first:
        _complete(consul, repatriation, earlier, IDENTIFIED_ON + timedelta(days=3))
    with pytest.raises(ValidationError, match=message):
        _complete(consul, repatriation, kind, IDENTIFIED_ON + timedelta(days=10))
    assert repatriation.step(kind).completed_on is None


def test_dates_in_the_future_or_before_the_identification_are_refused(started) -> None:
    repatriation, consul = started
    with pytest.raises(ValidationError, match="in the future"):
        _complete(consul, repatriation, "family_notified", IDENTIFIED_ON + timedelta(days=21))
    with pytest.raises(ValidationError, match="before the identification"):
        _complete(consul, repatriation, "family_notified", IDENTIFIED_ON - timedelta(days=1))
    step = repatriation.step("family_notified")
    from casework.repatriation.services import update_step

    with pytest.raises(ValidationError, match="due date is before the identification"):
        update_step(consul, step, {"due_date": IDENTIFIED_ON - timedelta(days=3)})
    assert step.completed_on is None and step.due_date == IDENTIFIED_ON + timedelta(days=7)


def test_a_step_cannot_be_done_before_what_it_needs(started) -> None:
    repatriation, consul = started
    for kind in ("death_certificate", "transit_permit", "family_consent"):
        _complete(consul, repatriation, kind, IDENTIFIED_ON + timedelta(days=10))
    with pytest.raises(
        ValidationError, match="transport cannot be completed before the death certificate"
    ):
        _complete(consul, repatriation, "transport", IDENTIFIED_ON + timedelta(days=9))
    _complete(consul, repatriation, "transport", IDENTIFIED_ON + timedelta(days=12))
    with pytest.raises(ValidationError, match="depends on this one"):
        _complete(consul, repatriation, "transit_permit", None)
    with pytest.raises(ValidationError, match="depends on this one"):
        _complete(consul, repatriation, "transit_permit", IDENTIFIED_ON + timedelta(days=13))
    assert repatriation.step("transit_permit").completed_on == IDENTIFIED_ON + timedelta(days=10)


def test_handing_over_closes_it_and_the_remains_are_repatriated(started) -> None:
    from casework.remains.models import RemainsStatus

    repatriation, consul = started
    day = IDENTIFIED_ON + timedelta(days=5)
    for kind in ("family_notified", "death_certificate", "transit_permit", "family_consent"):
        _complete(
            consul, repatriation, kind, day, notes=f"{kind} done", responsible_name="R. Ixcoy"
        )
    assert repatriation.remains.status is RemainsStatus.IDENTIFIED
    _complete(consul, repatriation, "transport", day + timedelta(days=2))
    _complete(
        consul,
        repatriation,
        "handed_over",
        day + timedelta(days=3),
        responsible_user=str(consul.id),
    )

    assert repatriation.closed_on == day + timedelta(days=3)
    assert repatriation.remains.status is RemainsStatus.REPATRIATED
    assert repatriation.step("buried").not_applicable
    assert repatriation.step("handed_over").responsible_user == consul
    assert repatriation.overdue_steps(day + timedelta(days=400)) == []
    with pytest.raises(ValidationError, match="closed"):
        _complete(consul, repatriation, "buried", day + timedelta(days=4))


def test_burial_needs_no_transport_and_also_ends_as_repatriated(started) -> None:
    from casework.remains.models import RemainsStatus

    repatriation, consul = started
    day = IDENTIFIED_ON + timedelta(days=5)
    _complete(consul, repatriation, "death_certificate", day)
    _complete(consul, repatriation, "family_consent", day)
    _complete(consul, repatriation, "buried", day + timedelta(days=1))
    assert repatriation.remains.status is RemainsStatus.REPATRIATED
    assert repatriation.step("handed_over").not_applicable


def test_a_responsible_colleague_must_be_of_the_same_agency(started, world) -> None:
    repatriation, consul = started
    stranger = world.user("supervisor")  # the US agency holding the remains
    with pytest.raises(ValidationError, match="responsible person"):
        _complete(consul, repatriation, "family_notified", None, responsible_user=str(stranger))
    with pytest.raises(ValidationError, match="responsible person"):
        _complete(consul, repatriation, "family_notified", None, responsible_user="not-a-uuid")


def test_a_refused_document_leaves_the_step_unchanged(started) -> None:
    from casework.attachments.models import Attachment
    from casework.extensions import db

    repatriation, consul = started
    with pytest.raises(ValidationError, match="not accepted"):
        _complete(consul, repatriation, "death_certificate", IDENTIFIED_ON, document=b"plain text")
    assert repatriation.step("death_certificate").completed_on is None
    assert db.session.query(Attachment).count() == 0
    with pytest.raises(ValidationError, match="in the future"):
        _complete(
            consul,
            repatriation,
            "death_certificate",
            IDENTIFIED_ON + timedelta(days=30),
            document=b"%PDF-1.4\n%%EOF\n",
        )
    assert db.session.query(Attachment).count() == 0
    _complete(
        consul, repatriation, "death_certificate", IDENTIFIED_ON, document=b"%PDF-1.4\n%%EOF\n"
    )
    (stored,) = db.session.query(Attachment).all()
    assert stored.repatriation_step_id == repatriation.step("death_certificate").id


def test_dashboard_counts(started, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.repatriation.services import counts_for

    repatriation, consul = started
    assert counts_for(consul) == (1, 1)
    assert counts_for(db.session.get(User, world.user("supervisor"))) == (1, 1)
    assert counts_for(db.session.get(User, world.user("consular_official"))) == (0, 0)
    assert counts_for(db.session.get(User, world.user("officer_abroad"))) == (0, 0)


def test_step_notes_and_names_are_stored_encrypted(started) -> None:
    from casework.extensions import db
    from tests.casework.test_personal_data import _raw_dump

    repatriation, consul = started
    _complete(
        consul,
        repatriation,
        "family_notified",
        IDENTIFIED_ON,
        notes="Sister Rosa reached in Quetzaltenango",
        responsible_name="Brother Ixcoy",
    )
    assert repatriation.step("family_notified").notes.startswith("Sister Rosa")
    dump = _raw_dump(db)
    assert b"Quetzaltenango" not in dump and b"Ixcoy" not in dump


def test_every_saved_step_moves_the_version_and_a_stale_one_is_refused(started) -> None:
    from casework.errors import ConflictError
    from casework.repatriation.services import update_step

    repatriation, consul = started
    assert repatriation.version == 1
    _complete(consul, repatriation, "family_notified", IDENTIFIED_ON)
    assert repatriation.version == 2
    step = repatriation.step("death_certificate")
    with pytest.raises(ConflictError):
        update_step(consul, step, {"completed_on": IDENTIFIED_ON}, version=1)
    assert repatriation.step("death_certificate").completed_on is None
    assert repatriation.version == 2
    update_step(consul, step, {"completed_on": IDENTIFIED_ON}, version=2)
    assert repatriation.step("death_certificate").completed_on == IDENTIFIED_ON
    assert repatriation.version == 3
