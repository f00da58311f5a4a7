"""No release without a DNA sample held: the end of a repatriation (handing over, or a burial
the family chose) is refused while no sample of the remains is held, until a supervisor of the
holding agency overrides the hold with a reason (the consul who closes it cannot)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.errors import NotAllowed, ValidationError

IDENTIFIED_ON = date(2026, 6, 1)  # the test clock's day, when the supervisor confirmed


@pytest.fixture
def bare(app, world):
    """Remains identified as a Guatemalan national with no DNA sample ever taken."""
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.repatriation.builders import identify

    with app.test_request_context():
        users = {key: db.session.get(User, world.user(key)) for key in world.users}
        _, remains = identify(
            users["family_liaison"], users["forensic_officer"], users["supervisor"], sample=False
        )
        found = remains.id
        db.session.remove()
    return found


@pytest.fixture
def ready(ctx, world, bare, clock):
    """Its repatriation with every step but the last done, 20 days on."""
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains
    from casework.repatriation.services import start_repatriation

    consul = db.session.get(User, world.user("consular_gtm"))
    repatriation = start_repatriation(consul, db.session.get(UnidentifiedRemains, bare))
    clock.advance(days=20)
    day = IDENTIFIED_ON + timedelta(days=5)
    for kind in ("family_notified", "death_certificate", "transit_permit", "family_consent"):
        _complete(consul, repatriation, kind, day)
    _complete(consul, repatriation, "transport", day)
    return repatriation, consul


def _complete(consul, repatriation, kind, day):
    from casework.repatriation.models import StepKind
    from casework.repatriation.services import update_step

    step = repatriation.step(StepKind(kind))
    return update_step(consul, step, {"due_date": step.due_date, "completed_on": day})


def _hand_over(ready):
    repatriation, consul = ready
    return _complete(consul, repatriation, "handed_over", IDENTIFIED_ON + timedelta(days=6))


def _user(world, key):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user(key))


def test_handing_over_without_a_sample_is_refused_and_nothing_changes(ready) -> None:
    from casework.remains.models import RemainsStatus

    repatriation, _ = ready
    with pytest.raises(ValidationError, match="No DNA sample of .* is held"):
        _hand_over(ready)
    assert repatriation.closed_on is None
    assert repatriation.step("handed_over").completed_on is None
    assert repatriation.remains.status is RemainsStatus.IDENTIFIED


def test_a_burial_the_family_chose_is_held_too(ready) -> None:
    repatriation, consul = ready
    with pytest.raises(ValidationError, match="No DNA sample"):
        _complete(consul, repatriation, "buried", IDENTIFIED_ON + timedelta(days=6))
    assert repatriation.closed_on is None


@pytest.mark.parametrize("status", ["consumed", "failed"])
def test_a_sample_used_up_or_failed_is_not_held(ready, status) -> None:
    from casework.custody.models import SampleStatus
    from casework.custody.services import record_sample
    from casework.extensions import db

    repatriation, _ = ready
    sample = record_sample(repatriation.remains, {"barcode": "PM-USED-1", "kind": "bone"})
    sample.status = SampleStatus(status)
    db.session.commit()
    with pytest.raises(ValidationError, match="No DNA sample"):
        _hand_over(ready)


def test_a_sample_taken_before_the_release_lets_it_through(ready) -> None:
    from casework.cases.status import history
    from casework.custody.services import record_sample
    from casework.remains.models import RemainsStatus

    repatriation, _ = ready
    record_sample(repatriation.remains, {"barcode": "PM-LATE-1", "kind": "tooth"})
    _hand_over(ready)
    assert repatriation.remains.status is RemainsStatus.REPATRIATED
    assert "overridden" not in (history(repatriation.remains)[0].reason or "")


def test_only_a_supervisor_overrides_with_a_reason_and_then_the_release_passes(
    ready, world
) -> None:
    from casework.audit.models import AuditEntry
    from casework.cases.status import history, override_dna_hold_for_release
    from casework.extensions import db
    from casework.remains.models import RemainsStatus

    repatriation, consul = ready
    remains = repatriation.remains
    for key in ("consular_gtm", "forensic_officer"):
        with pytest.raises(NotAllowed):
            override_dna_hold_for_release(
                remains, _user(world, key), "Family insists.", remains.version
            )
    supervisor = _user(world, "supervisor")
    with pytest.raises(ValidationError, match="reason"):
        override_dna_hold_for_release(remains, supervisor, "  ", remains.version)
    with pytest.raises(ValidationError, match="2,000"):
        override_dna_hold_for_release(remains, supervisor, "x" * 2001, remains.version)
    assert remains.dna_hold_waived_at is None
    with pytest.raises(ValidationError, match="No DNA sample"):
        _hand_over(ready)

    reason = "Fingerprints identified him; the family's faith forbids a further sample."
    override_dna_hold_for_release(remains, supervisor, reason, remains.version)
    assert remains.dna_hold_waived_at is not None and remains.dna_hold_waiver_reason == reason
    with pytest.raises(ValidationError, match="already overridden"):
        override_dna_hold_for_release(remains, supervisor, reason, remains.version)
    _hand_over(ready)
    assert remains.status is RemainsStatus.REPATRIATED
    change = history(remains)[0]
    assert change.to_status == "repatriated" and reason in (change.reason or "")
    assert "DNA sample hold overridden" in change.reason
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_ref == remains.reference)
    ).all()
    overrides = [
        json.loads(entry.details)
        for entry in entries
        if entry.details and "hold overridden for release" in entry.details
    ]
    assert overrides == [{"event": "DNA sample hold overridden for release", "reason": reason}]


def test_no_override_while_a_sample_is_held(ctx, world, identified) -> None:
    from casework.cases.status import override_dna_hold_for_release
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    remains = db.session.get(UnidentifiedRemains, identified.remains_id)  # a bone sample kept
    with pytest.raises(ValidationError, match="is held: there is no hold to override"):
        override_dna_hold_for_release(
            remains, _user(world, "supervisor"), "Because.", remains.version
        )
    assert remains.dna_hold_waived_at is None


def test_the_remains_page_offers_the_override_to_a_supervisor_only(app, as_user, bare) -> None:
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    with app.app_context():
        remains = db.session.get(UnidentifiedRemains, bare)
        reference, version = remains.reference, str(remains.version)
    url = f"/remains/{reference}"
    officer = as_user("forensic_officer")
    assert "Override the DNA sample hold" not in officer.get(url).get_data(as_text=True)
    assert (
        officer.post(
            f"{url}/dna-hold-override", data={"reason": "x" * 20, "version": version}
        ).status_code
        == 403
    )

    supervisor = as_user("supervisor")
    page = supervisor.get(url).get_data(as_text=True)
    assert "No DNA sample held" in page and "Override the DNA sample hold" in page
    refused = supervisor.post(f"{url}/dna-hold-override", data={"reason": "no", "version": version})
    assert refused.status_code == 400
    assert "Give the reason for this change" in refused.get_data(as_text=True)
    done = supervisor.post(
        f"{url}/dna-hold-override",
        data={"reason": "Identified by fingerprints; none left.", "version": version},
    )
    assert done.status_code == 303
    page = supervisor.get(url).get_data(as_text=True)
    assert "The DNA sample hold was overridden" in page and "Override the DNA sample" not in page
