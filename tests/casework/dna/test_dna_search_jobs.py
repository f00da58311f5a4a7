"""The DNA search as a background job, both ways: in the saving request without Redis (the
result is there when the page comes back), and on the matching queue with Redis, where the
pages say the search is still running until a worker has run it; the job list shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from tests.casework.dna.test_dna_pages import _family, _upload
from tests.casework.jobs.conftest import run_worker

BARCODES = ("REF-M-1", "REF-B-1", "PM-1", "PM-2")
SEARCHES = 2 + len(BARCODES)  # two reference samples recorded with consent, four consensuses
RUNNING = "A DNA search started at"
FINISHED = "The latest DNA search finished at"


def _confirm_all(app: Any, world: Any, as_user: Any) -> tuple[Any, list[str]]:
    family = _family(app, world)
    client = as_user("dna_analyst")
    imported = client.post(
        "/dna/", data=_upload(family["files"]), content_type="multipart/form-data"
    )
    assert imported.status_code == 303
    flashes = []
    for barcode in BARCODES:
        answer = client.post(f"/dna/samples/{barcode}/consensus", follow_redirects=True)
        assert answer.status_code == 200
        flashes.append(answer.get_data(as_text=True))
    return family, flashes


def _hits(app: Any) -> list[tuple[Any, Any, float]]:
    from casework.dna.models import DnaHit
    from casework.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(DnaHit.missing_person_id, DnaHit.remains_id, DnaHit.log10_lr)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _searches(app: Any) -> list[str]:
    from casework.extensions import db
    from casework.jobs.models import Job, JobKind

    with app.app_context():
        states = db.session.scalars(select(Job.state).where(Job.kind == JobKind.DNA_SEARCH)).all()
        db.session.remove()
    return sorted(state.value for state in states)


def test_without_redis_the_search_runs_in_the_saving_request(app, world, as_user) -> None:
    family, flashes = _confirm_all(app, world, as_user)
    # one job per reference sample recorded with consent and per confirmed consensus, run at once
    assert _searches(app) == ["done"] * SEARCHES
    (hit,) = _hits(app)
    assert hit[1] == family["remains"] and hit[2] > 4
    assert "Consensus confirmed: the DNA search has run." in flashes[-1]
    analyst = as_user("dna_analyst")
    assert FINISHED in analyst.get("/dna/samples/PM-1").get_data(as_text=True)
    jobs = as_user("supervisor").get("/jobs/").get_data(as_text=True)
    assert "DNA search" in jobs


def test_with_redis_the_pages_say_it_runs_until_the_matching_worker_has_run_it(
    redis_settings, app, world, as_user
) -> None:
    from casework.dna.models import DnaHit
    from casework.dna.search import run_search
    from casework.extensions import db
    from casework.jobs import redis_queue
    from casework.missing.models import MissingPerson

    family, flashes = _confirm_all(app, world, as_user)
    assert _searches(app) == ["queued"] * SEARCHES
    assert _hits(app) == []  # nothing ran in the saving requests
    # with the candidate refreshes of the family's case and the two remains saved
    assert redis_queue.depth(app.config, [redis_queue.MATCHING]) == SEARCHES + 3
    assert redis_queue.depth(app.config, [redis_queue.GENERAL]) == 0
    assert "the DNA search is running; this page says when its results are ready" in flashes[-1]
    analyst = as_user("dna_analyst")
    assert RUNNING in analyst.get("/dna/samples/PM-1").get_data(as_text=True)
    liaison = as_user("family_liaison")
    family_page = f"/dna/missing/{family['case']}/family"
    assert RUNNING in liaison.get(family_page).get_data(as_text=True)
    jobs = as_user("supervisor").get("/jobs/").get_data(as_text=True)
    assert "DNA search" in jobs and "queued" in jobs

    run_worker(app)

    assert _searches(app) == ["done"] * SEARCHES
    (hit,) = _hits(app)
    assert hit[1] == family["remains"] and hit[2] > 4
    # one test client: signed in again as each role
    assert FINISHED in as_user("dna_analyst").get("/dna/samples/PM-1").get_data(as_text=True)
    assert FINISHED in as_user("family_liaison").get(family_page).get_data(as_text=True)
    # the worker's search finds what the search run here, in-process, finds
    with app.test_request_context():
        db.session.execute(delete(DnaHit))
        db.session.commit()
        case = db.session.scalar(
            select(MissingPerson).where(MissingPerson.reference == family["case"])
        )
        assert run_search(missing_person_id=case.id) == 1
        db.session.remove()
    assert _hits(app) == [hit]
