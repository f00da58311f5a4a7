"""The probabilities the app shows: the caseload's share of reported remains (set, or from the
closed remains), the calibration learned from decided candidates, and `casework match`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select

from tests.casework.factories import make_missing, make_remains


def _row(score: float, right: bool):
    from casework.matches.models import CandidateMatch, CandidateStatus

    status = CandidateStatus.CONFIRMED if right else CandidateStatus.EXCLUDED
    return CandidateMatch(score=score, status=status)


def test_a_set_share_is_used_as_it_is(app) -> None:
    from casework.matches.probabilities import match_settings

    app.config["MATCH_REPORTED_SHARE"] = 0.8
    with app.app_context():
        settings = match_settings(None)
    assert settings.reported_share == 0.8 and settings.calibration is None


def test_without_a_setting_the_share_comes_from_the_closed_remains(app, world, monkeypatch) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.matches import probabilities
    from casework.remains.models import RemainsStatus

    seen = []

    def history(identified: int, closed: int, default: float) -> float:
        seen.append((identified, closed, default))
        return 0.42

    monkeypatch.setattr(probabilities, "reported_share_from_history", history)
    app.config["MATCH_REPORTED_SHARE"] = None
    app.config["MATCH_REPORTED_SHARE_DEFAULT"] = 0.6
    with app.test_request_context():
        officer = db.session.get(User, world.user("forensic_officer"))
        statuses = (
            RemainsStatus.IDENTIFIED,
            RemainsStatus.REPATRIATED,
            RemainsStatus.BURIED_UNIDENTIFIED,
            RemainsStatus.UNIDENTIFIED,
        )
        for status in statuses:
            case = make_remains(officer)
            case.status = status  # as the workflow leaves them; open remains do not count
        db.session.commit()
        assert probabilities.match_settings(None).reported_share == 0.42
    assert seen[-1] == (2, 3, 0.6)


def test_the_calibration_is_learned_from_decisions_and_composed_with_the_one_in_force() -> None:
    from casework.matches.probabilities import learn_calibration
    from matching import Calibration, fit_calibration

    rng = np.random.default_rng(7)
    shown = rng.uniform(0.02, 0.98, 400)
    truth = rng.uniform(size=shown.size) < shown**0.5  # the app was too timid
    decided = [_row(float(p), bool(t)) for p, t in zip(shown, truth, strict=True)]
    first = learn_calibration(decided, None)
    assert first == fit_calibration(shown, truth)
    assert first.intercept > 0
    in_force = Calibration(1.2, 0.3)
    assert learn_calibration(decided, in_force) == in_force.then(first)


def test_too_few_decisions_keep_the_calibration_in_force() -> None:
    from casework.matches.probabilities import learn_calibration
    from matching import Calibration

    decided = [_row(0.9, True)] * 3 + [_row(0.2, False)] * 2
    assert learn_calibration(decided, None) is None
    assert learn_calibration(decided, Calibration(1.1, 0.0)) == Calibration(1.1, 0.0)


def test_the_stored_calibration_is_applied_to_the_queue(app, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.matches.models import CandidateMatch, MatchWeights
    from casework.matches.services import rematch_all
    from matching import Calibration, default_weights

    app.config["MATCH_REPORTED_SHARE"] = 0.7
    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        person, body = make_missing(liaison), make_remains(officer)
        rematch_all()
        db.session.expire_all()

        def score() -> float:
            return db.session.scalar(
                select(CandidateMatch.score).where(
                    CandidateMatch.missing_person_id == person.id,
                    CandidateMatch.remains_id == body.id,
                )
            )

        plain = score()
        db.session.add(
            MatchWeights(
                weights_json=default_weights().to_json(),
                confirmed_pairs=0,
                excluded_pairs=0,
                calibration_json=json.dumps(Calibration(0.5, -1.0).to_json()),
            )
        )
        db.session.commit()
        rematch_all()
        db.session.expire_all()
        assert score() == pytest.approx(float(Calibration(0.5, -1.0).apply([plain])[0]), abs=1e-5)


def test_match_command_takes_the_share(tmp_path, runner) -> None:
    missing, remains = tmp_path / "m.csv", tmp_path / "r.csv"
    missing.write_text("ref,given_names,surnames\nM1,Ana,Ruiz\nM2,Eva,Soto\n", encoding="utf-8")
    remains.write_text("ref,document_names\nR1,ANA RUIZ\n", encoding="utf-8")
    scores = {}
    for share in ("1", "0.1"):
        out = tmp_path / f"c{share}.csv"
        base = ["match", "--missing", str(missing), "--remains", str(remains), "--out", str(out)]
        result = runner.invoke(args=[*base, "--reported-share", share])
        assert result.exit_code == 0, result.output
        scores[share] = float(out.read_text(encoding="utf-8").splitlines()[1].split(",")[3])
    assert scores["1"] > scores["0.1"]  # fewer remains reported: a name hit proves less


@pytest.mark.parametrize("share", ["0", "1.2", "most"])
def test_match_command_refuses_a_share_outside_zero_one(tmp_path, runner, share) -> None:
    out = tmp_path / "o.csv"
    (tmp_path / "m.csv").write_text("ref\nM1\n", encoding="utf-8")
    args = ["match", "--missing", str(tmp_path / "m.csv"), "--remains", str(tmp_path / "m.csv")]
    result = runner.invoke(args=[*args, "--out", str(out), "--reported-share", share])
    assert result.exit_code == 2 and "reported-share" in result.output
    assert not out.exists()


def test_the_queue_says_how_it_was_chosen(app, world, as_user) -> None:
    app.config["MATCH_REPORTED_SHARE"] = 0.8
    page = as_user("forensic_officer").get("/matches/").get_data(as_text=True)
    assert "candidates with a probability of 50 % or more" in page
    assert "assumes 80 % of remains are of someone ever reported" in page
    assert "calibrated on the candidates" not in page  # none learned yet
