"""A process killed (kill -9) in the middle of saving loses nothing it acknowledged and leaves
nothing half-written: every case it reported is stored whole, the audit chain verifies, and
what was left to do after a commit is marked as pending. A worker killed in the middle of an
import or of a full re-match leaves nothing half-written either, and a new worker runs the
job again to its end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

ROOT = Path(__file__).resolve().parents[2]

# saves cases as fast as it can and prints each reference once its save has committed
SAVER = """
import json, os, sys
from datetime import UTC, datetime
from tests.conftest import Clock, _base_settings
from tests.casework.factories import make_remains
from casework import create_app
from casework.accounts.models import User
from casework.extensions import db
from sqlalchemy import select

settings = _base_settings(
    __import__("pathlib").Path(os.environ["INSTANCE"]), os.environ["DATABASE"],
    Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC)),
)
app = create_app(settings)
with app.test_request_context():
    user = db.session.scalar(select(User).where(User.email == "forensic_officer@home.example"))
    while True:
        case = make_remains(user)
        print(json.dumps(case.reference), flush=True)
"""


def test_a_process_killed_while_saving_loses_nothing_it_acknowledged(
    app, settings, world, tmp_path
) -> None:
    from casework.audit.services import verify_chain
    from casework.extensions import db
    from casework.keystore import audit_chain_key
    from casework.matches.models import PendingRefresh
    from casework.remains.models import UnidentifiedRemains

    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "INSTANCE": str(tmp_path / "saver"),
        "DATABASE": settings["DATABASE_URL"],
    }
    errors = tmp_path / "saver.err"
    acknowledged: list[str] = []
    with (
        errors.open("w") as error_log,
        subprocess.Popen(
            [sys.executable, "-c", SAVER],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=error_log,
            text=True,
        ) as saver,
    ):
        try:
            assert saver.stdout is not None
            for line in saver.stdout:
                acknowledged.append(json.loads(line))
                if len(acknowledged) == 12:
                    break
            saver.send_signal(signal.SIGKILL)  # in the middle of the next save
        finally:
            saver.kill()
            saver.wait(30)
    assert len(acknowledged) == 12, errors.read_text()[-2000:]

    with app.app_context():
        stored: list[Any] = db.session.scalars(
            select(UnidentifiedRemains).order_by(UnidentifiedRemains.reference)
        ).all()
        references = [case.reference for case in stored]
        # all acknowledged saves are there, and at most the one in flight besides
        assert set(acknowledged) <= set(references)
        assert len(references) - len(acknowledged) <= 1
        assert references == [f"UR-USA-2025-{n:06d}" for n in range(1, len(references) + 1)]
        for case in stored:  # whole: the children written with the case are there
            assert [effect.description for effect in case.effects] == ["hooded sweatshirt, black"]
            assert sorted(finding.tooth for finding in case.dental) == [16, 36]
        count, problems = verify_chain(db.session, audit_chain_key())
        assert problems == [] and count > len(references)
        # a case whose recomputation the kill cut short is marked, never silently skipped
        pending = db.session.scalar(select(func.count()).select_from(PendingRefresh))
        assert pending <= 1
        db.session.remove()


GIVEN = ["Ana", "José", "Yusuf", "María", "Ahmed", "Luis", "Fátima", "Carlos", "Sara", "Omar"]
FAMILY = ["López", "Abdi", "Pérez", "Hassan", "García", "Tesfaye", "Ramírez", "Haile", "Cruz"]


def _missing_rows(count: int) -> str:
    from tests.casework.bulk.test_import import HEADER

    rows = [
        f"D-{n},{GIVEN[n % 10]},{FAMILY[n % 9]} {FAMILY[n // 9 % 9]},,M,19{60 + n % 40},,"
        f"{150 + n % 40},GTM,2025-03-01,31.{n % 9},-111.{n % 7},,,,,"
        for n in range(count)
    ]
    return "\n".join([HEADER, *rows]) + "\n"


def _remains_rows(count: int) -> str:
    from tests.casework.bulk.test_import import REMAINS_HEADER

    rows = [
        f"E-{n},M,{18 + n % 30},{30 + n % 30},155,{170 + n % 20},2025-09-15,31.{n % 9},"
        f"-111.{n % 7},,30,90,,,,"
        for n in range(count)
    ]
    return "\n".join([REMAINS_HEADER, *rows]) + "\n"


def _start_worker(settings: dict[str, Any], tmp_path: Path, *args: str) -> subprocess.Popen:
    from tests.casework.jobs.conftest import start_worker

    return start_worker(settings, tmp_path, *args)


def _job(app: Any, kind: str) -> Any:
    from casework.extensions import db
    from casework.jobs.models import Job

    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == kind).order_by(Job.created_at))
        if job is not None:
            db.session.expunge(job)
        db.session.remove()
    return job


def _kill_when(app: Any, worker: subprocess.Popen, kind: str, ready: Any, log: Path) -> Any:
    """Kill the worker (-9) once its job of `kind` is as far as `ready` says."""
    deadline = time.monotonic() + 240
    try:
        while True:
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"the {kind} job never got going"
            job = _job(app, kind)
            if job is not None and job.state.value == "running" and ready(job):
                worker.send_signal(signal.SIGKILL)
                return job
            time.sleep(0.05)
    finally:
        worker.kill()
        worker.wait(30)


def _restart_and_finish(app: Any, settings: dict[str, Any], tmp_path: Path, kind: str) -> Any:
    """A new worker finds the dead one's job (its heart stopped) and runs it to the end."""
    time.sleep(3.5)  # JOB_STALE_SECONDS of the workers: the killed one's heart is stale now
    worker = _start_worker(settings, tmp_path, "--burst")
    try:
        finished = worker.wait(300)
    except subprocess.TimeoutExpired:
        finished = None
    finally:
        worker.kill()
        worker.wait(30)
    assert finished == 0, (tmp_path / "worker.log").read_text()[-3000:]
    return _job(app, kind)


def _chain_intact(app: Any) -> int:
    from casework.audit.services import verify_chain
    from casework.extensions import db
    from casework.keystore import audit_chain_key

    with app.app_context():
        count, problems = verify_chain(db.session, audit_chain_key())
        db.session.remove()
    assert problems == []
    return int(count)


def _count(app: Any, model: Any) -> int:
    from casework.extensions import db

    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return int(found or 0)


def _upload_and_confirm(app: Any, client: Any, kind: str, content: str) -> str:
    import io

    from tests.casework.jobs.conftest import run_worker

    sent = client.post(
        "/bulk/import",
        data={"kind": kind, "file": (io.BytesIO(content.encode()), f"{kind}.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    token = sent.headers["Location"].rstrip("/").split("/")[-1]
    run_worker(app)  # the check, in this process
    assert client.get(f"/bulk/import/{token}/progress").get_json()["state"] == "checked"
    assert client.post(f"/bulk/import/{token}/confirm").status_code == 303
    return token


def test_a_worker_killed_during_an_import_leaves_nothing_half_written(
    redis_settings, app, world, as_user, tmp_path
) -> None:
    from casework.jobs.models import JobFileChunk
    from casework.missing.models import MissingPerson

    rows = 2500
    client = as_user("supervisor")
    token = _upload_and_confirm(app, client, "missing", _missing_rows(rows))
    worker = _start_worker(redis_settings, tmp_path)
    sqlite = redis_settings["DATABASE_URL"].startswith("sqlite")

    def inserting(job: Any) -> bool:
        if sqlite:  # the import holds the write lock: the last progress seen is the check's
            if job.phase == "checking" and job.done >= job.total > 0:
                time.sleep(0.3)
                return True
            return False
        return job.phase == "importing" and 0 < job.done < job.total

    killed = _kill_when(app, worker, "import", inserting, tmp_path / "worker.log")
    assert killed.attempts == 1
    assert _count(app, MissingPerson) == 0  # all or nothing: the killed import wrote nothing
    assert _count(app, JobFileChunk) > 0  # the file waits for the retry
    _chain_intact(app)

    job = _restart_and_finish(app, redis_settings, tmp_path, "import")
    assert (job.state.value, job.attempts, job.error) == ("done", 2, None)
    assert _count(app, MissingPerson) == rows
    assert _count(app, JobFileChunk) == 0  # imported: the file is gone
    progress = client.get(f"/bulk/import/{token}/progress").get_json()["progress"]
    assert progress["state"] == "done" and progress["imported"] == rows
    _chain_intact(app)


def test_a_worker_killed_during_a_rematch_leaves_the_candidates_as_they_were(
    redis_settings, backend, app, world, as_user, tmp_path
) -> None:
    from casework.extensions import db
    from casework.jobs.models import Job
    from casework.matches.models import CandidateMatch
    from tests.casework.jobs.conftest import run_worker

    client = as_user("supervisor")
    _upload_and_confirm(app, client, "missing", _missing_rows(1500))
    run_worker(app)  # the import, then the re-match it queues
    _upload_and_confirm(app, client, "remains", _remains_rows(400))
    run_worker(app)
    before = _count(app, CandidateMatch)
    assert before > 0
    with app.app_context():  # only the re-match to come
        db.session.execute(delete(Job))
        db.session.commit()
        db.session.remove()
    assert client.post("/jobs/rematch").status_code == 303
    worker = _start_worker(redis_settings, tmp_path)

    killed = _kill_when(
        app, worker, "rematch", lambda job: 0 < job.done < job.total, tmp_path / "worker.log"
    )
    assert killed.phase == "matching"
    assert _count(app, CandidateMatch) == before  # one transaction: nothing half-written
    chain = _chain_intact(app)

    job = _restart_and_finish(app, redis_settings, tmp_path, "rematch")
    assert (job.state.value, job.attempts) == ("done", 2)
    assert _count(app, CandidateMatch) == before  # the same cases: the same candidates
    assert _chain_intact(app) >= chain


class _Outage:
    """A TCP relay between the application and PostgreSQL that can be cut and restored: the
    database 'stops' for the application (refused connections, dropped ones) without touching
    the server other tests use."""

    def __init__(self, target_port: int) -> None:
        import socket
        import threading

        self.socket, self.threading, self.target = socket, threading, target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.links: list[Any] = []
        self.up = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()  # refused: the server is down
                continue
            server = self.socket.create_connection(("127.0.0.1", self.target))
            self.links += [client, server]
            for source, sink in ((client, server), (server, client)):
                self.threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: Any, sink: Any) -> None:
        try:
            while block := source.recv(65536):
                sink.sendall(block)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.close()
                except OSError:
                    pass

    def cut(self) -> None:
        self.up = False
        for link in self.links:  # every open connection drops, as when the server stops
            try:
                link.shutdown(self.socket.SHUT_RDWR)
            except OSError:
                pass
        self.links.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_postgresql_stopping_gives_503_and_everything_recovers_without_a_restart(
    settings, backend, world
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy.engine import make_url

    from casework import create_app
    from casework.extensions import db
    from tests.conftest import login

    url = make_url(settings["DATABASE_URL"])
    outage = _Outage(url.port or 5432)
    app = create_app(
        {**settings, "DATABASE_URL": url.set(port=outage.port).render_as_string(False)}
    )
    try:
        client = app.test_client()
        assert login(client, "forensic_officer@home.example").status_code == 302
        assert client.get("/remains/").status_code == 200
        outage.cut()
        during = [client.get("/remains/") for _ in range(3)]
        outage.restore()
        after = [client.get("/remains/").status_code for _ in range(3)]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        outage.close()
    for answer in during:
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
        assert "try again in a few seconds" in answer.get_data(as_text=True)
    assert after == [200, 200, 200]  # the same process, its pool renewed: no restart
