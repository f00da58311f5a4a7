"""Background jobs, both ways: in-process without Redis, and on a real Redis with a real RQ
worker; retries with backoff, a failed job retried by a supervisor, exactly-once claims, and
jobs whose worker died found again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.casework.factories import make_missing, make_remains
from tests.casework.jobs.conftest import run_worker


def _jobs(app: Any, kind: str | None = None) -> list[Any]:
    from casework.extensions import db
    from casework.jobs.models import Job

    with app.app_context():
        query = select(Job).order_by(Job.created_at)
        if kind:
            query = query.where(Job.kind == kind)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        db.session.remove()
    return rows


def _candidates(app: Any) -> int:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(CandidateMatch))
        db.session.remove()
    return int(count or 0)


def _two_cases(app: Any, world: Any) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        make_remains(db.session.get(User, world.user("forensic_officer")))
        make_missing(db.session.get(User, world.user("family_liaison")))
        db.session.remove()


def test_without_redis_jobs_run_in_the_process(app, world, as_user) -> None:
    from casework.jobs.services import stop_embedded_jobs

    _two_cases(app, world)
    refreshes = _jobs(app, "refresh")
    # a save's recomputation is a job, run in the saving request: its candidates are there
    assert [job.state.value for job in refreshes] == ["done", "done"]
    assert refreshes[0].attempts == 1
    assert _candidates(app) == 1

    client = as_user("supervisor")
    assert client.post("/jobs/rematch").status_code == 303
    stop_embedded_jobs(app)  # the re-match ran in a thread of this process: wait for it
    (rematch,) = _jobs(app, "rematch")
    assert rematch.state.value == "done" and rematch.finished_at is not None
    assert rematch.total == rematch.done > 0  # its progress, read from the database
    assert rematch.started_by_id == world.user("supervisor")
    page = client.get("/jobs/").get_data(as_text=True)
    assert "full re-match" in page and "Supervisor" in page and "done" in page


def test_with_redis_jobs_wait_for_a_worker_then_run(redis_settings, app, world) -> None:
    """Also what the metrics say of it: the queue's depth when scraped, jobs counted by kind."""
    from prometheus_client import REGISTRY

    from casework.jobs import redis_queue

    _two_cases(app, world)
    refreshes = _jobs(app, "refresh")
    assert [job.state.value for job in refreshes] == ["queued", "queued"]
    assert _candidates(app) == 0  # nothing ran in the saving process
    assert redis_queue.depth(app.config) == 2
    queue = app.config["JOB_QUEUE"]
    waiting = app.test_client().get("/metrics").get_data(as_text=True)
    # refreshes wait on the matching queue (its worker holds the open-case index)
    assert f'casework_queue_depth{{queue="{queue}-matching"}} 2.0' in waiting
    assert f'casework_queue_depth{{queue="{queue}"}} 0.0' in waiting
    done = {"kind": "refresh", "outcome": "done"}
    before = REGISTRY.get_sample_value("casework_jobs_total", done) or 0

    run_worker(app)

    assert [job.state.value for job in _jobs(app, "refresh")] == ["done", "done"]
    assert _candidates(app) == 1
    assert redis_queue.depth(app.config) == 0
    assert REGISTRY.get_sample_value("casework_jobs_total", done) == before + 2
    emptied = app.test_client().get("/metrics").get_data(as_text=True)
    assert f'casework_queue_depth{{queue="{queue}-matching"}} 0.0' in emptied


def test_a_failing_job_is_retried_then_failed_then_retried_by_a_supervisor(
    redis_settings, app, world, as_user, monkeypatch
) -> None:
    from casework.matches import services as matches
    from casework.matches.models import PendingRefresh

    calls = []

    def out_of_memory(case: Any) -> int:
        calls.append(case.id)
        raise MemoryError("the matching index is out of memory")

    monkeypatch.setattr(matches, "recompute_for_case", out_of_memory)
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        make_remains(db.session.get(User, world.user("forensic_officer")))
        db.session.remove()
    run_worker(app)
    (job,) = _jobs(app, "refresh")
    assert len(calls) == 3  # three attempts
    assert (job.state.value, job.attempts, job.error) == ("failed", 3, "failed")
    with app.app_context():  # the case keeps its trace of work still to do
        mark = db.session.scalar(select(PendingRefresh))
        assert mark is not None and mark.failures == 3
        db.session.remove()

    client = as_user("supervisor")
    page = client.get("/jobs/?state=failed").get_data(as_text=True)
    assert "The job failed; nothing it was doing was saved." in page
    assert f"/jobs/{job.id}/retry" in page
    assert client.get("/jobs/?state=done").get_data(as_text=True).count("<progress") == 0

    monkeypatch.undo()
    assert client.post(f"/jobs/{job.id}/retry").status_code == 303
    (queued,) = _jobs(app, "refresh")
    assert (queued.state.value, queued.attempts, queued.error) == ("queued", 0, None)
    run_worker(app)
    (done,) = _jobs(app, "refresh")
    assert (done.state.value, done.attempts) == ("done", 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingRefresh)) == 0
        db.session.remove()
    # a job that did not fail cannot be retried
    again = client.post(f"/jobs/{job.id}/retry", follow_redirects=True)
    assert "Only a failed job can be retried." in again.get_data(as_text=True)


def test_retries_wait_longer_each_time(app, world, monkeypatch) -> None:
    """Without Redis, a failed attempt is tried again on a timer after its backoff."""
    from casework.accounts.models import User
    from casework.db import utcnow
    from casework.extensions import db
    from casework.jobs.services import backoff
    from casework.matches import services as matches

    with app.app_context():
        assert [backoff(n) for n in (1, 2, 3)] == [10, 40, 160]
    monkeypatch.setattr(matches, "recompute_for_case", lambda case: 1 / 0)
    before = utcnow()
    with app.test_request_context():
        make_remains(db.session.get(User, world.user("forensic_officer")))
        db.session.remove()
    (job,) = _jobs(app, "refresh")
    assert (job.state.value, job.attempts, job.error) == ("queued", 1, "failed")
    assert job.not_before - before >= timedelta(seconds=10)
    assert job.not_before - before < timedelta(seconds=30)
    timers = app.extensions["casework.job_threads"]
    assert len(timers) == 1 and timers[0].interval == 10


def test_a_job_is_run_once_even_when_sent_twice(redis_settings, app, world) -> None:
    from casework.jobs import redis_queue
    from casework.jobs.services import claim

    _two_cases(app, world)
    first = _jobs(app, "refresh")[0]
    redis_queue.send(app.config, first.id)  # a duplicate message in Redis
    run_worker(app)
    assert [job.attempts for job in _jobs(app, "refresh")] == [1, 1]
    with app.app_context():
        assert claim(first.id) is False  # done: nobody takes it again


def test_a_job_whose_worker_died_is_queued_again(redis_settings, app, world) -> None:
    from casework.db import utcnow
    from casework.extensions import db
    from casework.jobs import redis_queue
    from casework.jobs.models import Job, JobState
    from casework.jobs.services import claim, recover_stale

    _two_cases(app, world)
    first, second = _jobs(app, "refresh")
    with app.app_context():
        assert claim(first.id) and claim(second.id)  # two workers took them ...
        db.session.execute(  # ... and the first one's heart stopped three minutes ago
            update(Job)
            .where(Job.id == first.id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=3))
        )
        db.session.commit()
        assert claim(second.id) is False  # a live job is nobody else's
        assert recover_stale() == 1
        db.session.remove()
    states = {job.id: job for job in _jobs(app, "refresh")}
    assert states[first.id].state is JobState.QUEUED and states[first.id].error == "worker-lost"
    assert states[second.id].state is JobState.RUNNING
    assert redis_queue.depth(app.config) == 3  # the two saves' messages and the recovery's
    run_worker(app)
    states = {job.id: job for job in _jobs(app, "refresh")}
    assert states[first.id].state is JobState.DONE and states[first.id].attempts == 2
    assert states[second.id].state is JobState.RUNNING  # still its own (live) worker's
    assert _candidates(app) == 1


@pytest.mark.parametrize("role", ["forensic_officer", "administrator", "auditor"])
def test_only_supervisors_see_the_job_list(app, world, as_user, role) -> None:
    assert as_user(role).get("/jobs/").status_code == 403


def test_another_agencys_jobs_are_not_shown(app, world, as_user) -> None:
    from flask import g

    from casework.accounts.models import User
    from casework.audit.services import Actor
    from casework.extensions import db

    with app.test_request_context():  # a case saved abroad: its refresh is the other agency's
        officer = db.session.get(User, world.user("officer_abroad"))
        g.audit_actor = Actor(officer.id, officer.email, officer.agency_id, None)
        make_remains(officer)
        db.session.remove()
    (job,) = _jobs(app, "refresh")
    client = as_user("supervisor")
    assert str(job.id) not in client.get("/jobs/").get_data(as_text=True)
    assert client.post(f"/jobs/{job.id}/retry").status_code == 404
    assert client.post("/jobs/not-a-job/retry").status_code == 404


def test_the_worker_command_needs_redis(app, runner) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "CASEWORK_REDIS_URL is not set" in result.output


def test_the_worker_command_runs_the_queue(redis_settings, app, world, runner) -> None:
    _two_cases(app, world)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert [job.state.value for job in _jobs(app, "refresh")] == ["done", "done"]


def test_a_retry_is_sent_to_redis_once_its_backoff_is_over(
    redis_settings, app, world, monkeypatch
) -> None:
    from casework.accounts.models import User
    from casework.db import utcnow
    from casework.extensions import db
    from casework.jobs import redis_queue
    from casework.jobs.models import Job
    from casework.jobs.services import send_due_retries
    from casework.matches import services as matches

    # an hour: "not due yet" must hold however slow the machine is; the test then moves it
    app.config["JOB_BACKOFF_SECONDS"] = 3600
    monkeypatch.setattr(matches, "recompute_for_case", lambda case: 1 / 0)
    with app.test_request_context():
        make_remains(db.session.get(User, world.user("forensic_officer")))
        db.session.remove()
    run_worker(app)  # the first attempt fails
    (job,) = _jobs(app, "refresh")
    assert (job.state.value, job.attempts) == ("queued", 1) and job.not_before is not None
    assert redis_queue.depth(app.config) == 0  # waiting for its backoff, not in Redis
    with app.app_context():
        assert send_due_retries() == 0  # not due yet
        db.session.execute(update(Job).values(not_before=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert send_due_retries() == 1
        assert send_due_retries() == 0  # sent once
        db.session.remove()
    assert redis_queue.depth(app.config) == 1
