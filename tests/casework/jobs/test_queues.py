"""Two queues, real worker processes on a real Redis: candidate refreshes go to the `matching`
queue and its one worker, which builds the open-case index once and keeps it up to date across
jobs; a worker of the `general` queue runs the other jobs and never builds an index."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.casework.factories import make_missing, make_remains
from tests.casework.jobs.conftest import start_worker

BUILT = "open-case index built"


def _states(app: Any, kind: str) -> list[str]:
    from casework.extensions import db
    from casework.jobs.models import Job

    with app.app_context():
        states = db.session.scalars(
            select(Job.state).where(Job.kind == kind).order_by(Job.created_at)
        ).all()
        db.session.remove()
    return [state.value for state in states]


def _candidates(app: Any) -> int:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(CandidateMatch))
        db.session.remove()
    return int(count or 0)


def _save(app: Any, world: Any, *makers: Any) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    users = {make_remains: "forensic_officer", make_missing: "family_liaison"}
    with app.test_request_context():
        for make in makers:
            make(db.session.get(User, world.user(users[make])))
        db.session.remove()


def _builds(log: Path) -> list[dict[str, Any]]:
    """The index builds a worker logged (one JSON line each)."""
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("message", "").startswith(BUILT)]


def _wait_for(condition: Any, worker: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while not condition():
        assert worker.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


def test_refreshes_go_to_the_matching_worker_and_the_general_one_builds_no_index(
    redis_settings, app, world, as_user, tmp_path
) -> None:
    from casework.jobs import redis_queue
    from casework.jobs.redis_queue import GENERAL, MATCHING
    from tests.casework.bulk.test_import import HEADER

    config = app.config
    _save(app, world, make_remains, make_missing)  # two refreshes
    upload = as_user("supervisor").post(  # an import: checked by a job of the general queue
        "/bulk/import",
        data={
            "kind": "missing",
            "file": (io.BytesIO(f"{HEADER}\nQ-1,Ana,Cruz,,F,1990,,160,GTM,2025-03-01,"
                                f"31.5,-111.2,,,,,\n".encode()), "missing.csv"),
        },
        content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 303
    assert redis_queue.depth(config, [MATCHING]) == 2
    assert redis_queue.depth(config, [GENERAL]) == 1
    assert _states(app, "refresh") == ["queued", "queued"]

    general_log = tmp_path / "general.log"
    general = start_worker(redis_settings, tmp_path, "--burst", "--queues", "general",
                           log=general_log.name)  # fmt: skip
    assert general.wait(180) == 0, general_log.read_text()[-3000:]
    assert _states(app, "import") == ["waiting"]  # checked, waiting for a person to confirm
    assert _states(app, "refresh") == ["queued", "queued"]  # not the general worker's
    assert redis_queue.depth(config, [MATCHING]) == 2
    assert _candidates(app) == 0
    assert _builds(general_log) == []

    matching_log = tmp_path / "matching.log"
    matching = start_worker(redis_settings, tmp_path, "--queues", "matching",
                            log=matching_log.name)  # fmt: skip
    try:
        _wait_for(lambda: _states(app, "refresh") == ["done", "done"], matching, matching_log)
        assert _candidates(app) == 1
        _save(app, world, make_remains)  # a later save: the same process, the index caught up
        _wait_for(lambda: _states(app, "refresh") == ["done"] * 3, matching, matching_log)
        assert _candidates(app) == 2
    finally:
        matching.send_signal(signal.SIGTERM)
        try:
            matching.wait(60)
        except subprocess.TimeoutExpired:
            matching.kill()
            matching.wait(30)
    builds = _builds(matching_log)
    assert len(builds) == 1, matching_log.read_text()[-3000:]  # once; then incremental
    (built,) = builds
    assert built["message"].startswith(f"{BUILT}: 2 cases")  # the two cases saved first
    assert redis_queue.depth(config) == 0


def test_the_worker_refuses_an_unknown_queue(app, runner) -> None:
    result = runner.invoke(args=["worker", "--burst", "--queues", "matching,imports"])
    assert result.exit_code == 2
    assert "give one or both of general, matching" in result.output
    assert "not imports" in result.output
