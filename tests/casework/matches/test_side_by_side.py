"""The candidate page side by side: both cases criterion by criterion, the timeline, the map's
points, marks and effects paired, photos, and the dental chart tooth by tooth in words."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.casework.attachments.test_attachments import png_bytes
from tests.casework.factories import make_missing, make_remains


@pytest.fixture
def candidate(app, world):
    """A likely pair whose dental charts agree on some teeth, differ explainably on one and
    inconsistently on another; the remains carry a photographed tattoo."""
    from casework.accounts.models import User
    from casework.attachments.services import attach
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        person = make_missing(liaison, dental="16:F; 36:C; 48:M; 21:V; 22:F")
        remains = make_remains(
            officer,
            dental="16:F; 36:C; 48:M; 21:F; 22:V",
            marks="tattoo: left forearm: letters MA",
            effects="clothing: hooded sweatshirt, black\nreligious: rosary beads",
        )
        attach(officer, remains, "tattoo_photo", png_bytes(), "Tattoo on the left forearm")
        row = db.session.scalar(
            select(CandidateMatch).where(
                CandidateMatch.missing_person_id == person.id,
                CandidateMatch.remains_id == remains.id,
            )
        )
        seeded = {"id": row.id, "person": person.reference, "remains": remains.reference}
        db.session.remove()
    return seeded


def _page(client, candidate) -> str:
    answer = client.get(f"/matches/{candidate['id']}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _row(page: str, criterion: str) -> list[str]:
    row = re.search(rf'<tr data-criterion="{criterion}">(.*?)</tr>', page, re.S)
    assert row, criterion
    return [
        unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


def test_criteria_are_aligned_reported_beside_found(app, candidate, as_user, client) -> None:
    as_user("forensic_officer")
    page = _page(client, candidate)
    names = _row(page, "names")
    assert "José Luis Pérez Xitumul" in names[1] and "Chepe" in names[1]
    assert names[2] == "JOSE L PEREZ"
    assert _row(page, "sex")[1:] == ["male", "male"]
    assert _row(page, "age")[2] == "25–40"
    assert "31" in _row(page, "age")[1] or "1994" in _row(page, "age")[1]
    assert _row(page, "stature")[1:] == ["168 cm", "160–175 cm"]
    place = _row(page, "place")
    assert "2025-07-02" in place[1] and "Sasabe" in place[1]
    assert "2025-09-15" in place[2] and "Altar Valley" in place[2]
    # the engine's own words sit under the criterion they weigh
    assert re.search(r'<tr data-criterion="sex">.*?</tr>\s*<tr class="said for">', page, re.S)


def test_the_timeline_orders_last_seen_death_and_found(app, candidate, as_user, client) -> None:
    as_user("forensic_officer")
    page = _page(client, candidate)
    words = re.search(r'<ol class="timeline-words".*?</ol>', page, re.S).group(0)
    assert words.index("Last seen") < words.index("Estimated death") < words.index("Found")
    # PMI 30–90 days before 2025-09-15
    assert "2025-06-17 – 2025-08-16" in words
    xs = {
        kind: float(x) for kind, x in re.findall(r'<rect class="moment (\w+)" x="([\d.]+)"', page)
    }
    assert xs["last_seen"] < xs["found"] and xs["death"] < xs["found"]


def test_the_map_gets_last_seen_route_and_recovery(app, candidate, as_user, client) -> None:
    as_user("forensic_officer")
    page = _page(client, candidate)
    points = json.loads(unescape(re.search(r'data-points="([^"]*)"', page).group(1)))
    assert points["last_seen"] == [31.48, -111.54]
    assert points["recovery"] == [31.7, -111.4]
    assert points["route"][0] == [31.48, -111.54] and points["route"][-1] == [32.22, -110.97]
    assert "candidate_map.js" in page and "<script>" not in page  # no inline script (CSP)


def test_marks_and_effects_are_paired_with_the_photos(app, candidate, as_user, client) -> None:
    as_user("forensic_officer")
    page = _page(client, candidate)
    marks = re.search(r'<table class="compare pairs marks">.*?</table>', page, re.S).group(0)
    tattoo = re.search(r"<tr><th scope=\"row\">tattoo</th><td>(.*?)</td><td>(.*?)</td>", marks)
    assert "name Maria" in tattoo.group(1) and "letters MA" in tattoo.group(2)
    assert re.search(r"<th scope=\"row\">scar</th><td>right knee</td><td>—</td>", marks)
    effects = re.search(r'<table class="compare pairs effects">.*?</table>', page, re.S).group(0)
    assert re.search(r"black hoodie</td><td>hooded sweatshirt, black", effects)
    assert re.search(r"wooden rosary</td><td>rosary beads", effects)
    photo = re.search(r'<img src="(/attachments/[^"]+)" alt="([^"]*)"', page)
    assert photo and photo.group(2) == "Tattoo on the left forearm"
    assert client.get(photo.group(1)).status_code == 200


def test_the_dental_chart_compares_tooth_by_tooth_in_words(app, candidate, as_user, client):
    as_user("forensic_officer")
    page = _page(client, candidate)
    cells = re.findall(r'<div class="tooth-compare (\w+)" role="cell" data-tooth="(\d+)"', page)
    verdicts = {int(tooth): verdict for verdict, tooth in cells}
    assert len(verdicts) == 32
    assert verdicts[16] == verdicts[36] == verdicts[48] == "concordant"
    assert verdicts[21] == "explainable"  # sound in life, filled after: later treatment
    assert verdicts[22] == "inconsistent"  # filled in life, sound after death
    assert verdicts[11] == "none"
    # colour is never the only signal: each compared tooth is also said in words
    listed = re.search(r'<ul class="dental-compared">(.*?)</ul>', page, re.S).group(1)
    assert "22: in life filled, after death sound — <strong>inconsistent</strong>" in listed
    assert "21: in life sound, after death filled — <strong>explainable</strong>" in listed
    legend = re.search(r'<ul class="legend tooth-legend">(.*?)</ul>', page, re.S).group(1)
    for word in ("concordant", "explainable", "inconsistent", "excludes", "not compared"):
        assert f"<strong>{word}</strong>" in legend


def test_the_evidence_and_the_decisions_are_beside_it(app, candidate, as_user, client) -> None:
    as_user("forensic_officer")
    page = _page(client, candidate)
    aside = re.search(r'<aside class="review-aside">(.*?)</aside>', page, re.S).group(1)
    assert 'class="evidence"' in aside and "Propose identification" in aside
    assert f"/matches/{candidate['id']}/exclude" in aside


def test_the_page_stays_closed_to_users_who_cannot_see_both_cases(
    app, candidate, as_user, client
) -> None:
    as_user("officer_abroad")
    assert client.get(f"/matches/{candidate['id']}").status_code == 404


def test_a_case_without_points_or_teeth_shows_no_map_and_says_so(app, world, as_user, client):
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        make_missing(
            liaison, last_seen_lat=None, last_seen_lon=None, intended_route="", dental="", marks=""
        )
        make_remains(officer, recovery_lat=None, recovery_lon=None, dental="", effects="")
        row = db.session.scalar(select(CandidateMatch).order_by(CandidateMatch.score.desc()))
        candidate_id = row.id
        db.session.remove()
    as_user("forensic_officer")
    page = client.get(f"/matches/{candidate_id}").get_data(as_text=True)
    assert 'id="candidate-map"' not in page and "leaflet.js" not in page
    assert "No tooth is recorded on both sides." in page
    assert "No marks recorded on either side." in page
