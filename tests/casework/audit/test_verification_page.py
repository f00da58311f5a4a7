"""The audit trail verified from the browser: a background job on the general queue, its result
in words on the page (never personal data), an anchor typed in, and starting it audited."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.casework.audit.test_audit_rows import _tamper
from tests.casework.audit.test_audit_trail import (
    _disable_guard,
    _trail_with_entries,
    rewind_trail,
)
from tests.casework.jobs.conftest import run_worker
from tests.casework.test_error_messages import spanish
from tests.conftest import login

PAGE = "/audit/verification"


def _verifications(app: Any) -> list[Any]:
    from casework.extensions import db
    from casework.jobs.models import Job, JobKind

    with app.app_context():
        jobs = list(
            db.session.scalars(
                select(Job).where(Job.kind == JobKind.AUDIT_VERIFY).order_by(Job.created_at)
            )
        )
        db.session.expunge_all()
        db.session.remove()
    return jobs


def _verify(app: Any, client: Any, anchor: str = "") -> str:
    """Start a verification from the page, let it run, and return the page that shows it."""
    from casework.jobs.services import stop_embedded_jobs

    started = client.post(PAGE, data={"anchor": anchor})
    assert started.status_code == 303, started.data[:500]
    stop_embedded_jobs(app)  # the job runs in a thread of its own, not in the request
    page = client.get(PAGE)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _entries(app: Any) -> int:
    from casework.extensions import db

    with app.app_context():
        return int(db.session.scalar(text("SELECT count(*) FROM audit_entry")))


def test_a_whole_trail_is_found_intact_and_starting_it_is_audited(app, world, as_user) -> None:
    from casework.extensions import db

    _trail_with_entries(app, world)
    client = as_user("system_administrator")
    shown = _verify(app, client)
    [job] = _verifications(app)
    assert job.state.value == "done"
    assert str(job.started_by_id) == str(world.user("system_administrator"))
    result = json.loads(job.result)
    assert result["problems"] == 0 and result["first"] is None
    assert 50 < result["entries"] <= _entries(app)
    assert "Intact." in shown and f"<td>{result['entries']}</td>" in shown
    assert "<h1>Audit trail verification</h1>" in shown
    assert '<label for="anchor">Anchor kept apart (optional)</label>' in shown
    with app.app_context():
        started = db.session.execute(
            text("SELECT actor_id, details FROM audit_entry WHERE action = 'security'")
        ).all()
    assert [json.loads(details) for _, details in started] == [
        {"anchor": None, "event": "audit trail verification started"}
    ]
    assert str(started[0][0]).replace("-", "") == str(job.started_by_id).replace("-", "")


def test_a_changed_entry_is_named_in_words_without_personal_data(
    app, world, as_user, backend
) -> None:
    from casework.extensions import db

    _trail_with_entries(app, world)
    with app.app_context():
        target = db.session.scalar(
            text("SELECT min(seq) FROM audit_entry WHERE object_type = 'MissingPerson'")
        )
        with db.engine.begin() as conn:
            _disable_guard(conn, backend)
            conn.execute(
                text("UPDATE audit_entry SET actor_label = 'someone else' WHERE seq = :s"),
                {"s": target},
            )
    shown = _verify(app, as_user("system_administrator"))
    result = json.loads(_verifications(app)[0].result)
    assert result["problems"] == 1
    assert result["first"] == {"seq": target, "code": "changed", "figures": {}}
    assert "Damaged: 1 problem." in shown
    assert f"Entry {target} was changed after it was written." in shown
    for surname in ("Lopez", "Tesfaye", "Osman"):  # the cases' names stay out of it
        assert surname not in shown and surname not in json.dumps(result)


def test_the_page_says_it_in_the_readers_language(app, world, as_user, backend) -> None:
    from casework.extensions import db

    _trail_with_entries(app, world)
    with app.app_context(), db.engine.begin() as conn:
        _disable_guard(conn, backend)
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
    spanish(app, world, "system_administrator")
    shown = _verify(app, as_user("system_administrator"))
    assert "Faltan las entradas 5–5: fueron borradas." in shown, shown[-3000:]


def test_an_anchor_typed_in_catches_a_rewound_trail(app, world, as_user, runner, backend) -> None:

    total = _trail_with_entries(app, world)
    anchor = runner.invoke(args=["audit", "anchor"]).output.strip()
    client = as_user("system_administrator")
    assert "Intact." in _verify(app, client, f"  {anchor} ")
    rewind_trail(app, backend, total - 10)
    shown = _verify(app, client, anchor)
    assert f"Entry {total}, the anchored entry, is missing: it was deleted." in shown
    assert f"entry {total}</td>" in shown  # the anchor each verification was given
    first, second = _verifications(app)
    assert json.loads(second.result)["anchor"] == total
    assert json.loads(first.result)["problems"] == 0


@pytest.mark.parametrize("anchor", ["12", "x:abcd", "3:" + "ab" * 31, "0:" + "ab" * 32])
def test_a_malformed_anchor_is_a_form_error(app, world, as_user, anchor) -> None:
    response = as_user("system_administrator").post(PAGE, data={"anchor": anchor})
    assert response.status_code == 400
    shown = response.get_data(as_text=True)
    assert "This is not an anchor" in shown and 'aria-invalid="true"' in shown
    assert 'aria-describedby="anchor-hint anchor-error"' in shown
    assert _verifications(app) == []


def test_the_walk_reads_one_moment_while_the_trail_grows(app, world) -> None:
    """Entries written while a long walk runs (every page view adds one) are not taken for
    entries cut off the end: the walk reads the database as of its start."""
    from sqlalchemy.orm import Session

    from casework.audit.services import Actor, AuditAction, append
    from casework.audit.verification import check_trail
    from casework.extensions import db

    actor = Actor(None, "test", None, None)

    def views(count: int) -> None:
        with Session(db.engine) as session:
            for _ in range(count):
                append(session, AuditAction.VIEW, object_type="Report", details={}, actor=actor)
            session.commit()

    with app.app_context():
        views(1500)
        before = int(db.session.scalar(text("SELECT count(*) FROM audit_entry")))
        db.session.remove()
        walked: list[tuple[int, int]] = []

        def meanwhile(done: int, total: int) -> None:
            walked.append((done, total))
            views(3)

        found = check_trail(walked=meanwhile)
        assert walked == [(1000, before)]
        assert (found.entries, found.chain, found.rows) == (before, [], [])
        again = check_trail()
        assert (again.entries, again.problems) == (before + 3, 0)


def test_two_clicks_at_once_start_one_verification_run_by_the_general_worker(
    redis_settings, app, world, as_user, client
) -> None:
    from casework.jobs import redis_queue

    _trail_with_entries(app, world)
    refreshes = redis_queue.depth(app.config, [redis_queue.MATCHING])  # the cases' own jobs
    from casework.accounts.models import User
    from casework.extensions import db

    as_user("system_administrator")
    other = app.test_client()
    with app.app_context():
        login(other, db.session.get(User, world.user("system_administrator")).email)
    answers: list[int] = []

    def click(browser: Any) -> None:
        answers.append(browser.post(PAGE, data={"anchor": ""}).status_code)

    clicks = [threading.Thread(target=click, args=(browser,)) for browser in (client, other)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(60)
    assert answers == [303, 303]
    jobs = _verifications(app)
    # the clicks take turns (a write lock on SQLite, an advisory lock on PostgreSQL): the
    # second finds the first waiting
    assert len(jobs) == 1 and jobs[0].state.value == "queued"
    assert redis_queue.depth(app.config, [redis_queue.GENERAL]) == len(jobs)
    assert redis_queue.depth(app.config, [redis_queue.MATCHING]) == refreshes
    assert "queued" in client.get(PAGE).get_data(as_text=True)
    again = client.post(PAGE, data={"anchor": ""}, follow_redirects=True)
    assert "The same verification is already waiting or running (started at " in again.get_data(
        as_text=True
    )
    assert len(_verifications(app)) == len(jobs)

    run_worker(app)
    jobs = _verifications(app)
    assert [job.state.value for job in jobs] == ["done"] * len(jobs)
    assert all(json.loads(job.result)["problems"] == 0 for job in jobs)
    assert "Intact." in client.get(PAGE).get_data(as_text=True)


def test_two_clicks_in_the_same_instant_start_one_verification_never_a_500(
    redis_settings, app, world, monkeypatch
) -> None:
    """Both requests look for a waiting verification before either has written its own: the
    one that looks second must wait for the first to commit, then be told of its job. The
    first holds its turn a while (it sleeps before writing the job) so that, without the
    turn, both would look before either writes."""
    import time

    from casework.accounts.models import User
    from casework.audit import verification
    from casework.extensions import db
    from tests.casework.test_concurrency import _together

    _trail_with_entries(app, world)
    real_create = verification.create

    def slow_create(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)
        return real_create(*args, **kwargs)

    monkeypatch.setattr(verification, "create", slow_create)
    with app.app_context():
        email = db.session.get(User, world.user("system_administrator")).email
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        login(browser, email)

    def click(browser: Any) -> Any:
        return lambda: browser.post(PAGE, data={"anchor": ""}, follow_redirects=True)

    pages = _together([click(browser) for browser in browsers])
    assert [getattr(page, "status_code", page) for page in pages] == [200, 200]
    texts = [page.get_data(as_text=True) for page in pages]
    [job] = _verifications(app)
    assert job.state.value == "queued"
    told = sorted(
        "already waiting or running (started at " in text and "was started" not in text
        for text in texts
    )
    assert told == [False, True]  # one started it, the other was told when it had been


def test_the_page_refreshes_itself_while_a_verification_waits_or_runs_only(
    redis_settings, app, world, as_user
) -> None:
    from casework.extensions import db
    from casework.jobs.models import Job, JobState

    _trail_with_entries(app, world)
    client = as_user("system_administrator")
    before = client.get(PAGE).get_data(as_text=True)
    assert "data-refresh-seconds" not in before and "refresh.js" not in before
    assert client.post(PAGE, data={"anchor": ""}).status_code == 303
    [job] = _verifications(app)
    waiting = client.get(PAGE).get_data(as_text=True)
    assert 'role="status" data-refresh-part data-refresh-seconds="10"' in waiting
    assert "this list updates itself every few seconds" in waiting
    assert '<tbody id="verification-rows" data-refresh-part>' in waiting
    assert "/static/refresh.js" in waiting
    with app.app_context():  # a worker took it: still under way
        db.session.get(Job, job.id).state = JobState.RUNNING
        db.session.commit()
    assert "/static/refresh.js" in client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        db.session.get(Job, job.id).state = JobState.QUEUED
        db.session.commit()
    run_worker(app)
    done = client.get(PAGE).get_data(as_text=True)
    assert "Intact." in done
    assert "data-refresh-seconds" not in done and "/static/refresh.js" not in done
    script = client.get("/static/refresh.js")
    assert script.status_code == 200 and b"data-refresh-part" in script.data
    script.close()


def test_changed_rows_are_named_by_kind_and_id(
    app, world, as_user, backend, recorded: dict[str, Any]
) -> None:
    from casework.vocabulary import label

    _tamper(app, backend, "custody_event", "UPDATE custody_event SET to_party = 'Someone else'")
    _tamper(app, backend, "missing_person", "UPDATE missing_person SET status = 'found_alive'")
    client = as_user("system_administrator")
    shown = _verify(app, client)
    result = json.loads(_verifications(app)[0].result)
    assert result["problems"] == 2 and result["first"]["code"] == "row-changed"
    assert "Damaged: 2 problems." in shown
    assert f"Custody event {recorded['event']} was changed after it was recorded" in shown
    assert "Someone else" not in shown and "PCOME" not in shown

    _tamper(app, backend, "custody_event", "UPDATE custody_event SET to_party = 'PCOME intake'")
    shown = _verify(app, client)
    with app.test_request_context():
        stored, last = label("found_alive"), label("open")
    assert (
        f"Missing person case {recorded['case']} has the status “{stored}”, but the audit "
        f"trail last recorded “{last}”"
    ) in shown
