"""The import page: upload, the dry-run report as a table, confirm, progress until done."""

from __future__ import annotations

import io
import time

from sqlalchemy import func, select

from tests.casework.bulk.test_import import GOOD_MISSING, HEADER


def _upload(client, content: bytes, name: str = "legacy.csv", kind: str = "missing"):
    return client.post(
        "/bulk/import",
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _checked(client, response) -> str:
    """The job page once its background check is done."""
    job_url = response.headers["Location"]
    token = job_url.rstrip("/").split("/")[-1]
    deadline = time.monotonic() + 60
    while client.get(f"/bulk/import/{token}/progress").get_json()["state"] != "checked":
        assert time.monotonic() < deadline, "the check did not finish"
        time.sleep(0.05)
    return job_url


def _wait(client, token: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get(f"/bulk/import/{token}/progress").get_json()
        if body["progress"] and body["progress"]["state"] in ("done", "failed"):
            return body["progress"]
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def _count(app) -> int:
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MissingPerson))


def test_upload_check_confirm_and_watch(app, world, as_user) -> None:
    client = as_user("supervisor")
    page = client.get("/bulk/import")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.data
    content = ("\n".join([HEADER, *GOOD_MISSING]) + "\n").encode()
    response = _upload(client, content)
    assert response.status_code == 303
    job_url = _checked(client, response)
    token = job_url.rstrip("/").split("/")[-1]
    report = client.get(job_url)
    assert report.status_code == 200
    assert b"3 rows read: 3 new cases" in report.data
    assert b"Import these cases" in report.data and b'id="problems"' not in report.data
    assert _count(app) == 0  # the check wrote nothing

    # another supervisor's job is not even visible to other users
    assert as_user("forensic_officer").get(job_url).status_code == 403
    client = as_user("supervisor")
    started = client.post(f"/bulk/import/{token}/confirm")
    assert started.status_code == 303
    progress = _wait(client, token)
    assert progress["state"] == "done" and progress["imported"] == 3
    assert _count(app) == 3
    done_page = client.get(job_url)
    assert b"Import finished: 3 cases imported" in done_page.data
    assert b"import.js" in done_page.data
    # confirming twice does not import twice
    assert client.post(f"/bulk/import/{token}/confirm").status_code == 400
    assert _count(app) == 3


def test_a_bad_file_shows_every_problem_and_cannot_be_confirmed(app, world, as_user) -> None:
    client = as_user("supervisor")
    content = (HEADER + "\nL-1,Ana,,,X,1990-13-01,,,,,,,,,,,\nL-2,,,,,,,,,,,,,,,,\n").encode()
    job_url = _checked(client, _upload(client, content))
    page = client.get(job_url).get_data(as_text=True)
    assert 'id="problems"' in page
    for row, column in (("2", "sex"), ("2", "birth_date"), ("3", "given_names")):
        assert f"<td>{row}</td><td>{column}</td>" in page
    assert "Import these cases" not in page
    token = job_url.rstrip("/").split("/")[-1]
    assert client.post(f"/bulk/import/{token}/confirm").status_code == 400
    assert _count(app) == 0


def test_upload_refusals(app, world, as_user) -> None:
    client = as_user("supervisor")
    wrong_type = _upload(client, b"ref\nL-1\n", name="cases.pdf")
    assert wrong_type.status_code == 400 and b"Give a .csv or an .xlsx file" in wrong_type.data
    no_file = client.post("/bulk/import", data={"kind": "missing"})
    assert no_file.status_code == 400
    app.config["IMPORT_MAX_BYTES"] = 50
    big = _upload(client, ("\n".join([HEADER, *GOOD_MISSING])).encode())
    assert big.status_code == 400 and b"larger than the limit" in big.data
    app.config["IMPORT_MAX_BYTES"] = 10_000
    latin = _upload(client, "ref,given_names\nL-1,José\n".encode("latin-1"))
    assert b"not UTF-8" in client.get(_checked(client, latin)).data
    assert client.get("/bulk/import/not-a-job").status_code == 404
    assert client.get("/bulk/import/..%2F..%2Fetc/progress").status_code == 404
    assert _count(app) == 0


def test_only_supervisors_import(app, world, as_user) -> None:
    for role in ("forensic_officer", "family_liaison", "auditor", "administrator"):
        assert as_user(role).get("/bulk/import").status_code == 403, role


def test_page_while_the_check_runs(app, world, as_user, monkeypatch) -> None:
    from casework.jobs import services as jobs
    from casework.jobs.models import JobKind

    started = []  # no worker takes the job: the check stays queued
    monkeypatch.setattr(jobs, "dispatch", lambda *args: started.append(args))
    client = as_user("supervisor")
    response = _upload(client, ("\n".join([HEADER, *GOOD_MISSING]) + "\n").encode())
    job_url = response.headers["Location"]
    token = job_url.rstrip("/").split("/")[-1]
    assert len(started) == 1 and started[0][1] is JobKind.IMPORT  # the check went to a job
    page = client.get(job_url).get_data(as_text=True)
    assert "Every row is being checked" in page and 'data-reload-when-checked="1"' in page
    assert client.get(f"/bulk/import/{token}/progress").get_json()["state"] == "checking"
    assert client.post(f"/bulk/import/{token}/confirm").status_code == 400
    assert _count(app) == 0
