"""Benchmark of saving a case in the app at a large number of open cases (not a test).

Run: .venv/bin/python bench/open_cases_bench.py [--cases 100000]
Builds a SQLite database with that many open missing-person cases (synthetic, as in
matching/synthetic.py), then times what a save costs in `recompute_for_case`: the first
save (the process-level index is built), later saves of remains (only changed cases are read),
and a save after another app instance on the same database changed cases.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.synthetic import extra_missing, extra_remains, generate  # noqa: E402


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def settings(folder: Path) -> dict[str, Any]:
    return {
        "MODE": "embedded",
        "INSTANCE_DIR": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123456789",
        "MASTER_KEY": base64.b64encode(b"b" * 32).decode(),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
    }


def fill(count: int, agency_id: int) -> None:
    """Insert ``count`` open missing-person cases straight through the models."""
    from casework.db import db
    from casework.missing.models import MissingPerson

    people = extra_missing(generate(10, 2), count, seed=11, prefix="B")
    # stored over the past weeks, one a minute, the last one an hour ago: the index looks for
    # changes only from shortly before the latest one it saw
    latest = datetime.now(UTC) - timedelta(hours=1)
    for start in range(0, count, 5000):
        for offset, record in enumerate(people[start : start + 5000]):
            stored = latest - timedelta(minutes=count - start - offset)
            point = None
            if record.last_seen_lat is not None and record.last_seen_lon is not None:
                point = from_shape(Point(record.last_seen_lon, record.last_seen_lat), srid=4326)
            db.session.add(
                MissingPerson(
                    reference=f"MP-BENCH-{record.ref}",
                    created_at=stored,
                    updated_at=stored,
                    agency_id=agency_id,
                    given_names=" ".join(record.given_names) or None,
                    surnames=" ".join(record.surnames) or None,
                    aliases=[],
                    age_at_disappearance=int(record.age) if record.age is not None else None,
                    height_cm=int(record.height_cm) if record.height_cm is not None else None,
                    last_seen_date=record.last_seen_date,
                    last_seen_point=point,
                    intended_route=from_shape(record.route, srid=4326)
                    if record.route is not None
                    else None,
                )
            )
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from casework import create_app
    from casework.accounts import services as accounts
    from casework.accounts.models import AgencyKind, Role
    from casework.commands import ensure_data_key
    from casework.db import db
    from casework.matches.open_cases import open_cases
    from casework.matches.services import recompute_for_case
    from casework.missing.models import MissingPerson
    from casework.remains.services import log_remains

    say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-"))
    app = create_app(settings(folder))
    other = create_app(settings(folder))
    with app.test_request_context():
        upgrade()
        ensure_data_key()
        agency = accounts.create_agency("BENCH", "USA", "Bench", AgencyKind.MEDICAL_EXAMINER)
        officer = accounts.create_user(
            agency=agency,
            email="officer@bench.example",
            display_name="Officer",
            role=Role.FORENSIC_OFFICER,
            password="correct horse battery staple",
        )
        started = time.perf_counter()
        fill(args.cases, agency.id)
        say(
            f"{args.cases:,} open missing-person cases stored in "
            f"{time.perf_counter() - started:.0f} s"
        )

        bodies = extra_remains(args.saves + 1, seed=12)
        started = time.perf_counter()
        first = log_remains(officer, _remains_form(bodies[0]))
        say(f"first save of remains (index built): {time.perf_counter() - started:.1f} s")
        timings = []
        for body in bodies[1:]:
            started = time.perf_counter()
            log_remains(officer, _remains_form(body))
            timings.append((time.perf_counter() - started) * 1000)
        say(
            f"later saves of new remains: median {statistics.median(timings):.0f} ms, "
            f"max {max(timings):.0f} ms (index builds so far: {open_cases(app).builds})"
        )
        first_id = first.id

    with other.test_request_context():
        # another app instance on the same database edits ten cases
        changed = db.session.scalars(select_some(MissingPerson, 10)).all()
        for case in changed:
            case.height_cm = (case.height_cm or 170) + 1
        db.session.commit()

    with app.test_request_context():
        from casework.remains.models import UnidentifiedRemains

        case = db.session.get(UnidentifiedRemains, first_id)
        started = time.perf_counter()
        recompute_for_case(case)
        say(
            "re-match after another instance changed 10 cases: "
            f"{(time.perf_counter() - started) * 1000:.0f} ms "
            f"(index builds: {open_cases(app).builds})"
        )
    say(f"finished {datetime.now(UTC):%H:%M} UTC")
    for instance in (app, other):
        with instance.app_context():
            db.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def select_some(model: Any, count: int) -> Any:
    from sqlalchemy import select

    return select(model).limit(count)


def _remains_form(body: Any) -> Any:
    from casework.remains.inputs import RemainsInput

    return RemainsInput.parse(
        {
            "recovery_date": body.found_date,
            "recovery_place": body.found_place,
            "recovery_lat": body.found_lat,
            "recovery_lon": body.found_lon,
            "estimated_sex": body.sex.value,
            "age_min": int(body.age_min) if body.age_min is not None else None,
            "age_max": int(body.age_max) if body.age_max is not None else None,
            "stature_min_cm": int(body.stature_min_cm) if body.stature_min_cm is not None else None,
            "stature_max_cm": int(body.stature_max_cm) if body.stature_max_cm is not None else None,
            "pmi_min_days": int(body.pmi_min_days) if body.pmi_min_days is not None else None,
            "pmi_max_days": int(body.pmi_max_days) if body.pmi_max_days is not None else None,
            "document_names": "; ".join(body.document_names),
            "marks": "",
            "effects": "",
            "dental": "",
        }
    )


if __name__ == "__main__":
    main()
