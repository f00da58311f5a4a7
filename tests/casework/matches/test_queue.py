"""The review queue: narrowed by corridor, agency and probability band, bad filter values
refused with a message, and candidates of closed cases never listed."""

from __future__ import annotations

import pytest

from tests.casework.factories import make_missing, make_remains


@pytest.fixture
def queued(app, world):
    """A candidate in review: remains recovered in Arizona by the home agency, a missing person
    registered there too; plus remains of the Central Mediterranean logged abroad."""
    from sqlalchemy import select

    from casework.accounts.models import User
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        person = make_missing(liaison)
        remains = make_remains(officer)
        candidate = db.session.scalar(
            select(CandidateMatch).where(
                CandidateMatch.missing_person_id == person.id,
                CandidateMatch.remains_id == remains.id,
            )
        )
        assert candidate.review
        seeded = {
            "id": candidate.id,
            "score": candidate.score,
            "person": person.reference,
            "remains": remains.reference,
        }
        db.session.remove()
    return seeded


def _listed(client, query: str) -> str:
    answer = client.get("/matches/?" + query)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def _band_of(score: float) -> str:
    from casework.matches.queue import BANDS

    return next(band.key for band in BANDS if band.low <= score < band.high)


def test_the_queue_is_narrowed_by_corridor(app, queued, as_user, client) -> None:
    as_user("forensic_officer")
    assert queued["remains"] in _listed(client, "")
    assert queued["remains"] in _listed(client, "corridor=us_mexico")
    page = _listed(client, "corridor=central_med")
    assert queued["remains"] not in page and "Nothing to review." in page


def test_the_queue_is_narrowed_by_agency(app, queued, as_user, client) -> None:
    as_user("forensic_officer")
    assert queued["remains"] in _listed(client, "agency=PCOME")
    assert queued["remains"] not in _listed(client, "agency=GTM-MRE")


def test_the_queue_is_narrowed_by_probability_band(app, queued, as_user, client) -> None:
    from casework.matches.queue import BANDS

    as_user("forensic_officer")
    own = _band_of(queued["score"])
    for band in BANDS:
        page = _listed(client, f"band={band.key}")
        assert (queued["remains"] in page) is (band.key == own), band.key


def test_filters_combine_and_the_pager_keeps_them(app, queued, as_user, client) -> None:
    as_user("forensic_officer")
    own = _band_of(queued["score"])
    page = _listed(client, f"corridor=us_mexico&agency=PCOME&band={own}")
    assert queued["remains"] in page
    assert 'value="us_mexico" selected' in page and f'value="{own}" selected' in page
    assert queued["remains"] not in _listed(client, "corridor=us_mexico&agency=GTM-MRE")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("corridor=sahara", "Choose a corridor from the list."),
        ("agency=NOPE", "Choose an agency from the list."),
        ("band=certain", "Choose a probability band from the list."),
        ("band=0.5", "Choose a probability band from the list."),
        ("status=maybe", "Choose a status from the list."),
    ],
)
def test_bad_filter_values_get_a_clear_message(app, queued, as_user, client, query, message):
    as_user("forensic_officer")
    answer = client.get("/matches/?" + query)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)


def test_a_bad_filter_value_is_told_in_the_users_language(
    app, world, queued, as_user, client
) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.app_context():
        db.session.get(User, world.user("forensic_officer")).language = "es"
        db.session.commit()
    as_user("forensic_officer")
    answer = client.get("/matches/?band=certain")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "Choose a probability band from the list." not in text
    assert "probabilidad" in text


@pytest.mark.parametrize("side", ["missing", "remains"])
def test_candidates_of_a_closed_case_are_never_in_the_queue(
    app, world, queued, as_user, client, side
) -> None:
    from casework.accounts.models import User
    from casework.cases.status import change_status
    from casework.custody.services import record_sample
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        candidate = db.session.get(CandidateMatch, queued["id"])
        if side == "missing":
            user = db.session.get(User, world.user("family_liaison"))
            case, target = candidate.missing_person, "found_alive"
        else:
            user = db.session.get(User, world.user("forensic_officer"))
            case, target = candidate.remains, "buried_unidentified"
            record_sample(case, {"barcode": "PM-QUEUE-1", "kind": "bone"})  # kept before burial
        change_status(case, target, user, "Closed for the test of the queue", case.version)
        db.session.remove()
    as_user("forensic_officer")
    assert queued["remains"] not in _listed(client, "")
    assert queued["remains"] not in _listed(client, "status=proposed")
    # the candidate itself is kept: reopening the case brings it back
    with app.test_request_context():
        assert db.session.get(CandidateMatch, queued["id"]) is not None
