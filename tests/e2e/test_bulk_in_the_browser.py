"""A supervisor imports a legacy file through the page (check, confirm, watch the progress),
exports the list, and prints a case file."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LEGACY = (
    "ref,given_names,surnames,sex,birth_date,last_seen_date,last_seen_place\n"
    "E2E-1,Fatou,Diallo,F,1995,2025-01-05,Agadez\n"
    "E2E-2,Moussa,Traoré,M,1990-02-03,2025-01-05,Agadez\n"
)


def test_supervisor_imports_exports_and_prints(sign_in, screenshot, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ref,given_names,sex\nE2E-9,Ana,X\n")
    good = tmp_path / "legacy.csv"
    good.write_text(LEGACY)

    page = sign_in("supervisor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Missing persons").click()
    page.get_by_role("link", name="Import cases from a file").click()
    page.get_by_label("The file holds").select_option("missing")
    page.get_by_label("Case file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("not a sex code (M, F or U)")
    expect(page.get_by_role("button", name="Import these cases")).to_have_count(0)
    screenshot("import-problems")

    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Case file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("2 rows read: 2 new cases")).to_be_visible()
    page.get_by_role("button", name="Import these cases").click()
    status = page.locator("#import-progress .status")
    expect(status).to_contain_text("Import finished: 2 cases imported", timeout=30_000)
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "2")
    screenshot("import-done")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Missing persons").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export these cases (CSV)").click()
    exported = download.value.path().read_text(encoding="utf-8")
    assert "E2E-1,Fatou,Diallo" in exported and "E2E-2,Moussa,Traoré" in exported

    page.get_by_role("link", name="MP-USA-2026-", exact=False).first.click()
    expect(page.get_by_role("button", name="Print case file")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print case file")).to_be_hidden()
    expect(page.locator(".print-header")).to_be_visible()
    expect(page.locator(".print-header")).to_contain_text("Case file MP-USA-2026-")
    screenshot("case-file-print")
    page.emulate_media(media="screen")
    expect(page.locator(".print-header")).to_be_hidden()
