"""The audit trail's verification page in a browser: while a verification waits or runs, its
list updates itself (refresh.js), leaves a half-typed anchor alone, and says when it ended."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_the_list_updates_itself_until_the_verification_is_done(page, live_server) -> None:
    from sqlalchemy import select

    from casework.accounts import services
    from casework.accounts.models import Agency, Role
    from casework.extensions import db
    from casework.jobs.models import Job, JobKind, JobState
    from casework.jobs.services import create, run, stop_embedded_jobs

    email = "trail-verifier@home.example"  # an account of its own: other tests make theirs
    stop_embedded_jobs(live_server.app)  # what other tests of the session started is done
    with live_server.app.test_request_context():
        for earlier in db.session.scalars(
            select(Job.id).where(Job.kind == JobKind.AUDIT_VERIFY, Job.state == JobState.QUEUED)
        ).all():
            run(earlier)
        agency = db.session.scalar(select(Agency).where(Agency.code == "PCOME"))
        administrator = services.create_user(
            agency=agency,
            email=email,
            display_name="System Administrator",
            role=Role.SYSTEM_ADMINISTRATOR,
            password=PASSWORD,
        )
        # a verification waiting for a worker (none runs it until the test does)
        job_id = create(JobKind.AUDIT_VERIFY, {}, administrator, send=False).id
        db.session.remove()

    page.goto(live_server("/auth/login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.goto(live_server("/audit/verification"))
    status = page.locator("#verification-status")
    expect(status).to_contain_text("this list updates itself")
    expect(page.locator(f'#verification-rows tr[data-job="{job_id}"]')).to_contain_text("queued")
    page.get_by_label("Anchor kept apart (optional)").fill("12:half-typed")

    with live_server.app.app_context():
        assert run(job_id) is JobState.DONE
        db.session.remove()
    ours = page.locator(f'#verification-rows tr[data-job="{job_id}"]')
    expect(ours).to_contain_text("Intact.", timeout=30_000)  # read again within 10 s
    expect(status).to_have_text("The verification finished: its result is in the list below.")
    # the page was not reloaded: what was being typed is still there
    expect(page.get_by_label("Anchor kept apart (optional)")).to_have_value("12:half-typed")
