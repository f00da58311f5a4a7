"""`casework demo`: a synthetic world in an empty database, and a refusal when cases exist."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from tests.conftest import login

DEMO_PASSWORD = "demo password for the tests"


def _counts(app: Any) -> dict[str, Any]:
    from casework.custody.models import CustodyEvent, Sample
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.missing.models import MissingPerson, Relative
    from casework.remains.models import UnidentifiedRemains

    with app.app_context():
        counts: dict[str, Any] = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                MissingPerson,
                UnidentifiedRemains,
                Relative,
                Sample,
                CustodyEvent,
                CandidateMatch,
            )
        }
        counts["stages"] = dict(
            db.session.execute(
                select(CandidateMatch.status, func.count()).group_by(CandidateMatch.status)
            ).all()
        )
        db.session.remove()
    return counts


def _demo(runner: Any, *extra: str) -> Any:
    return runner.invoke(args=["demo", "--cases", "20", "--password", DEMO_PASSWORD, *extra])


def test_demo_fills_both_kinds_with_candidates_at_every_stage(app: Any, runner: Any) -> None:
    from casework.matches.models import CandidateStatus

    result = _demo(runner)

    assert result.exit_code == 0, result.output
    assert "forensic.officer@pima-me.demo" in result.output
    assert DEMO_PASSWORD not in result.output
    counts = _counts(app)
    assert counts["MissingPerson"] == 20
    assert counts["UnidentifiedRemains"] == 20
    assert counts["Relative"] >= 20
    assert counts["Sample"] > 0 and counts["CustodyEvent"] > 0
    for status in CandidateStatus:
        assert counts["stages"].get(status, 0) > 0, status


def test_confirmed_candidates_identify_their_remains(app: Any, runner: Any) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch, CandidateStatus
    from casework.remains.models import RemainsStatus

    assert _demo(runner).exit_code == 0
    with app.app_context():
        confirmed = db.session.scalars(
            select(CandidateMatch).where(CandidateMatch.status == CandidateStatus.CONFIRMED)
        ).all()
        assert confirmed
        for candidate in confirmed:
            assert candidate.remains.identified_as_id == candidate.missing_person_id
            assert candidate.remains.status in (
                RemainsStatus.IDENTIFIED,
                RemainsStatus.REPATRIATED,
            )
            assert candidate.proposed_by_id != candidate.decided_by_id
        db.session.remove()


def test_every_demo_status_has_its_history(app: Any, runner: Any) -> None:
    """The demo moves cases through the status machine: each case's history ends at its status,
    and the steps a person makes by hand carry a reason."""
    from casework.cases.models import StatusChange
    from casework.extensions import db
    from casework.missing.models import MissingPerson, MissingPersonStatus
    from casework.remains.models import RemainsStatus, UnidentifiedRemains

    assert _demo(runner, "--cases", "40").exit_code == 0
    with app.app_context():
        changes = db.session.scalars(select(StatusChange).order_by(StatusChange.changed_at)).all()
        last: dict[Any, StatusChange] = {}
        for change in changes:
            last[change.missing_person_id or change.remains_id] = change
        cases = [
            *db.session.scalars(select(MissingPerson)),
            *db.session.scalars(select(UnidentifiedRemains)),
        ]
        moved = [case for case in cases if case.id in last]
        assert {case.status for case in moved} >= {
            MissingPersonStatus.IDENTIFIED,
            MissingPersonStatus.FOUND_ALIVE,
            RemainsStatus.IDENTIFIED,
            RemainsStatus.REPATRIATED,
        }
        for case in cases:
            if case.status in (MissingPersonStatus.OPEN, RemainsStatus.UNIDENTIFIED):
                assert case.id not in last or last[case.id].to_status == case.status.value
            else:
                assert last[case.id].to_status == case.status.value, case.reference
        for change in changes:
            if change.via == "form":
                assert change.reason
        db.session.remove()


def test_demo_account_signs_in_and_sees_cases(app: Any, runner: Any, client: Any) -> None:
    assert _demo(runner).exit_code == 0

    response = login(client, "forensic.officer@pima-me.demo", DEMO_PASSWORD)
    assert response.status_code == 302

    dashboard = client.get("/").get_data(as_text=True)
    assert "No cases you can see." not in dashboard
    listing = client.get("/remains/").get_data(as_text=True)
    assert "UR-USA-" in listing
    missing = client.get("/missing/").get_data(as_text=True)
    assert "MP-" in missing


def test_same_seed_same_people_other_seed_other_people() -> None:
    from casework.demo import demo_people

    today = date(2026, 6, 1)
    first = demo_people(30, 7, today)

    assert demo_people(30, 7, today) == first
    assert demo_people(30, 8, today) != first
    assert len({person.corridor.name for person in first}) > 1
    assert all(person.last_seen < today for person in first)


def test_second_run_is_refused_and_changes_nothing(app: Any, runner: Any) -> None:
    assert _demo(runner).exit_code == 0
    before = _counts(app)

    again = _demo(runner)

    assert again.exit_code == 2
    assert "already holds cases" in again.output
    assert _counts(app) == before


def test_weak_password_is_refused_before_anything_is_stored(app: Any, runner: Any) -> None:
    result = runner.invoke(args=["demo", "--cases", "20", "--password", "short"])

    assert result.exit_code == 2
    assert "at least 12 characters" in result.output
    counts = _counts(app)
    assert counts["MissingPerson"] == 0 and counts["UnidentifiedRemains"] == 0


def test_demo_repatriations_some_overdue_some_complete(app: Any, runner: Any) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch, CandidateStatus
    from casework.remains.models import RemainsStatus
    from casework.repatriation.models import PREREQUISITES, Repatriation

    result = runner.invoke(args=["demo", "--cases", "60", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "repatriations" in result.output
    with app.app_context():
        from casework.clock import now

        today = now().date()
        repatriations = db.session.scalars(select(Repatriation)).all()
        complete = [r for r in repatriations if r.closed_on is not None]
        open_ = [r for r in repatriations if r.closed_on is None]
        assert complete and open_
        assert any(r.overdue_steps(today) for r in open_)
        for repatriation in repatriations:
            decided = db.session.scalar(
                select(CandidateMatch.decided_at).where(
                    CandidateMatch.remains_id == repatriation.remains_id,
                    CandidateMatch.status == CandidateStatus.CONFIRMED,
                )
            )
            assert decided is not None  # only confirmed identifications are repatriated
            assert (repatriation.closed_on is not None) == (
                repatriation.remains.status is RemainsStatus.REPATRIATED
            )
            for step in repatriation.steps:
                if step.completed_on is None:
                    continue
                assert repatriation.identified_on <= step.completed_on <= today
                for need in PREREQUISITES.get(step.kind, ()):
                    earlier = repatriation.step(need).completed_on
                    assert earlier is not None and earlier <= step.completed_on
        db.session.remove()


def test_the_demo_has_dna_hits_and_one_lineage_exclusion(app: Any, runner: Any) -> None:
    from sqlalchemy import func, select

    from casework.dna.models import DnaHit, DnaProfile
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    assert _demo(runner, "--cases", "40").exit_code == 0
    with app.app_context():
        hits = db.session.scalars(select(DnaHit)).all()
        assert len(hits) >= 3
        # every hit is the true pair: the remains were identified as that person or are
        # still open with that person among their candidates
        truthful = 0
        for hit in hits:
            remains = db.session.get(UnidentifiedRemains, hit.remains_id)
            truthful += remains.identified_as_id in (None, hit.missing_person_id)
        assert truthful == len(hits)
        assert sum(hit.lineage_excluded for hit in hits) == 1
        assert db.session.scalar(select(func.count()).select_from(DnaProfile)) >= 9
