"""Notifications written by the real services: a candidate for review, an identification
waiting for its second signature, repatriation steps due (the daily command, run twice), a
family request and a DNA hit through their producer functions; choices and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select


def _users(world):
    from casework.accounts.models import User
    from casework.extensions import db

    return {key: db.session.get(User, world.user(key)) for key in world.users}


def _of(user_id, kind=None):
    from casework.extensions import db
    from casework.notifications.models import Notification

    query = select(Notification).where(Notification.user_id == user_id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.created_at)))


def test_a_new_candidate_for_review_and_a_proposed_identification_notify_the_right_people(
    ctx, world
) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.matches.services import propose_identification
    from casework.notifications.models import NotificationKind as K
    from tests.casework.factories import make_missing, make_remains

    users = _users(world)
    person = make_missing(users["family_liaison"])
    remains = make_remains(users["forensic_officer"])
    candidate = db.session.scalar(select(CandidateMatch))
    assert candidate is not None and candidate.review

    for key in ("forensic_officer", "family_liaison", "supervisor"):
        found = _of(world.user(key), K.CANDIDATE_FOR_REVIEW)
        assert len(found) == 1, key
        assert found[0].reference == f"{person.reference} / {remains.reference}"
        assert found[0].link == f"/matches/{candidate.id}"
    # no permission to read candidates, or another agency: nothing
    for key in ("auditor", "consular_official", "officer_abroad"):
        assert _of(world.user(key)) == [], key

    # recomputing the same candidate tells nobody again
    from casework.matches.services import recompute_for_case

    recompute_for_case(remains)
    assert len(_of(world.user("supervisor"), K.CANDIDATE_FOR_REVIEW)) == 1

    propose_identification(candidate, users["forensic_officer"], ["dental"], "", candidate.version)
    waiting = _of(world.user("supervisor"), K.IDENTIFICATION_WAITING)
    assert [item.link for item in waiting] == [f"/matches/{candidate.id}"]
    assert _of(world.user("forensic_officer"), K.IDENTIFICATION_WAITING) == []


def test_a_proposer_who_is_a_supervisor_is_not_told_of_their_own_proposal(ctx, world) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.matches.services import propose_identification
    from casework.notifications.models import NotificationKind as K
    from tests.casework.factories import make_missing, make_remains

    users = _users(world)
    make_missing(users["family_liaison"])
    make_remains(users["forensic_officer"])
    candidate = db.session.scalar(select(CandidateMatch))
    propose_identification(candidate, users["supervisor"], ["dental"], "", candidate.version)
    assert _of(world.user("supervisor"), K.IDENTIFICATION_WAITING) == []


def test_a_failing_notification_never_fails_the_save(ctx, world, monkeypatch) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.notifications import producers
    from casework.notifications.models import Notification
    from tests.casework.factories import make_missing, make_remains

    def broken(*args, **kwargs):
        raise RuntimeError("the notification table is gone")

    monkeypatch.setattr(producers, "deliver", broken)
    users = _users(world)
    person = make_missing(users["family_liaison"])
    make_remains(users["forensic_officer"])
    assert db.session.scalar(select(CandidateMatch)) is not None  # the save and its candidates
    assert person.reference
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_repatriation_steps_due_and_overdue_are_told_once_to_the_consul(
    ctx, world, identified, clock
) -> None:
    from casework.extensions import db
    from casework.notifications.models import NotificationKind as K
    from casework.notifications.producers import notify_repatriation_steps
    from casework.remains.models import UnidentifiedRemains
    from casework.repatriation.services import start_repatriation, today

    users = _users(world)
    remains = db.session.get(UnidentifiedRemains, identified.remains_id)
    repatriation = start_repatriation(users["consular_gtm"], remains)
    start = today()
    assert notify_repatriation_steps(start) == 0  # first due date in 7 days

    # day 5: "family notified" (due day 7) is due soon
    assert notify_repatriation_steps(start + timedelta(days=5)) == 1
    assert notify_repatriation_steps(start + timedelta(days=5)) == 0  # run again: nothing new
    found = _of(world.user("consular_gtm"), K.REPATRIATION_STEP)
    assert [item.detail for item in found] == ["due:family_notified"]
    assert found[0].link == f"/repatriation/{repatriation.id}"
    assert found[0].reference == identified.reference

    # day 8: overdue now (told again, as overdue), and still once
    assert notify_repatriation_steps(start + timedelta(days=8)) == 1
    assert notify_repatriation_steps(start + timedelta(days=8)) == 0
    # consuls of another country and staff are not told
    assert _of(world.user("consular_official")) == []
    assert _of(world.user("supervisor"), K.REPATRIATION_STEP) == []


def test_the_daily_command_is_idempotent(app, world, identified, runner) -> None:
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains
    from casework.repatriation.services import start_repatriation

    with app.test_request_context():
        users = _users(world)
        start_repatriation(
            users["consular_gtm"], db.session.get(UnidentifiedRemains, identified.remains_id)
        )
        db.session.remove()
    app.config["CLOCK"].advance(days=40)
    first = runner.invoke(args=["notifications", "repatriation-steps"])
    assert first.exit_code == 0, first.output
    written = int(first.output.split()[0])
    assert written >= 4  # family notified, certificate, permit, consent overdue; transport due
    again = runner.invoke(args=["notifications", "repatriation-steps"])
    assert again.output.startswith("0 notifications")


def test_a_family_request_and_a_dna_hit_reach_their_agency_staff(ctx, world) -> None:
    from casework.notifications.models import NotificationKind as K
    from casework.notifications.producers import notify_dna_hit, notify_family_request

    notify_family_request(world.home, "FR-2026-0007", "/family/requests/FR-2026-0007")
    notify_family_request(world.home, "FR-2026-0007", "/family/requests/FR-2026-0007")
    for key in ("family_liaison", "supervisor"):
        found = _of(world.user(key), K.FAMILY_REQUEST)
        assert [item.reference for item in found] == ["FR-2026-0007"], key
    assert _of(world.user("forensic_officer"), K.FAMILY_REQUEST) == []
    assert _of(world.user("consular_gtm")) == []

    notify_dna_hit([world.home], "UR-2026-0001", "/matches/")
    assert len(_of(world.user("forensic_officer"), K.DNA_HIT)) == 1
    assert _of(world.user("officer_abroad")) == []


def test_a_choice_turns_a_kind_off_and_bad_choices_store_nothing(ctx, world) -> None:
    from casework.errors import ValidationError
    from casework.notifications.models import Delivery
    from casework.notifications.models import NotificationKind as K
    from casework.notifications.producers import notify_family_request
    from casework.notifications.services import choices_of, save_choices

    liaison = _users(world)["family_liaison"]
    assert K.IDENTIFICATION_WAITING not in choices_of(liaison)  # not a liaison's to confirm
    save_choices(liaison, {"family_request": "none"})
    notify_family_request(world.home, "FR-1", "/family/")
    assert _of(liaison.id, K.FAMILY_REQUEST) == []
    assert choices_of(liaison)[K.FAMILY_REQUEST] is Delivery.NONE

    for bad in (
        {"family_request": "sms"},
        {"no_such_kind": "app"},
        {"identification_waiting": "app"},  # a kind the role cannot receive
        {"candidate_for_review": "app", "family_request": ""},
    ):
        with pytest.raises(ValidationError):
            save_choices(liaison, bad)
    assert choices_of(liaison)[K.FAMILY_REQUEST] is Delivery.NONE
    assert choices_of(liaison)[K.CANDIDATE_FOR_REVIEW] is Delivery.APP_AND_EMAIL


def test_marking_read_is_one_users_business(ctx, world) -> None:
    from casework.errors import NotFound
    from casework.notifications.producers import notify_family_request
    from casework.notifications.services import mark_all_read, mark_read, unread_count

    users = _users(world)
    notify_family_request(world.home, "FR-2", "/family/")
    notify_family_request(world.home, "FR-3", "/family/")
    mine = _of(world.user("family_liaison"))
    assert unread_count(users["family_liaison"]) == 2
    with pytest.raises(NotFound):
        mark_read(users["supervisor"], mine[0].id)
    assert unread_count(users["family_liaison"]) == 2
    mark_read(users["family_liaison"], mine[0].id)
    assert unread_count(users["family_liaison"]) == 1
    assert mark_all_read(users["family_liaison"]) == 1
    assert unread_count(users["family_liaison"]) == 0
    assert unread_count(users["supervisor"]) == 2


def test_every_kind_but_the_daily_look_comes_from_an_announced_event() -> None:
    from casework.notifications.models import NotificationKind as K
    from casework.notifications.producers import SOURCES

    announced = {kind for _signal, kind, _note in SOURCES}
    assert announced == set(K) - {K.REPATRIATION_STEP}  # that one: notify_repatriation_steps
    signals = [signal for signal, _kind, _note in SOURCES]
    assert len(signals) == len(set(signals))  # one row per event
