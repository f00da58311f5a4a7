"""A process killed (kill -9) in the middle of saving loses nothing it acknowledged and leaves
nothing half-written: every case it reported is stored whole, the audit chain verifies, and
what was left to do after a commit is marked as pending."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

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
