"""The API writes and reads the day a burial is planned (bad dates: test_endpoints)."""

from __future__ import annotations


def test_the_api_reads_and_writes_the_planned_burial(client, token_for) -> None:
    from tests.casework.api.conftest import bearer

    secret = token_for("forensic_officer")
    created = client.post(
        "/api/v1/remains",
        headers=bearer(secret),
        json={"recovery_date": "2026-05-01", "burial_planned_on": "2026-08-01"},
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["data"]["burial_planned_on"] == "2026-08-01"
