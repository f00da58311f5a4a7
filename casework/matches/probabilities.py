"""The match probabilities the app shows, made to mean what they say: the prior comes from the
caseload (the open reports a remains can be compared with, and the share of remains whose
person is ever reported, set or estimated from the closed remains), and the calibration learned
from the candidates officers decided is kept with the weights (docs/matching.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from casework.db import db
from casework.matches.models import CandidateMatch, CandidateStatus, MatchWeights
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from matching import (
    Calibration,
    MatchingError,
    MatchSettings,
    fit_calibration,
    reported_share_from_history,
)

IDENTIFIED_REMAINS = (RemainsStatus.IDENTIFIED, RemainsStatus.REPATRIATED)
CLOSED_REMAINS = (*IDENTIFIED_REMAINS, RemainsStatus.BURIED_UNIDENTIFIED)


def reported_share() -> float:
    """Share of remains whose person the caseload holds: ``MATCH_REPORTED_SHARE`` when set,
    else the closed remains' history (identified / closed), ``MATCH_REPORTED_SHARE_DEFAULT``
    until enough remains were closed."""
    fixed = current_app.config["MATCH_REPORTED_SHARE"]
    if fixed is not None:
        return float(fixed)
    counts = dict(
        db.session.execute(
            select(UnidentifiedRemains.status, func.count())
            .where(UnidentifiedRemains.status.in_(CLOSED_REMAINS))
            .group_by(UnidentifiedRemains.status)
        ).all()
    )
    identified = sum(counts.get(status, 0) for status in IDENTIFIED_REMAINS)
    return reported_share_from_history(
        identified,
        sum(counts.values()),
        default=float(current_app.config["MATCH_REPORTED_SHARE_DEFAULT"]),
    )


def stored_calibration(weights: MatchWeights | None) -> Calibration | None:
    """The calibration kept with these weights (None: none learned yet)."""
    if weights is None or not weights.calibration_json:
        return None
    return Calibration.from_json(json.loads(weights.calibration_json))


def match_settings(weights: MatchWeights | None) -> MatchSettings:
    """The engine's settings for an index built with these stored weights (None: defaults)."""
    return MatchSettings(reported_share=reported_share(), calibration=stored_calibration(weights))


def learn_calibration(
    decided: list[CandidateMatch], in_force: Calibration | None
) -> Calibration | None:
    """The calibration the decided candidates teach: confirmed ones were right, excluded ones
    wrong. Their stored probabilities already passed through the calibration ``in_force``, so
    what is fitted on them is composed with it. None while too few were decided either way."""
    probabilities = [row.score for row in decided]
    right = [row.status is CandidateStatus.CONFIRMED for row in decided]
    try:
        fitted = fit_calibration(probabilities, right)
    except MatchingError:
        return in_force
    return fitted if in_force is None else in_force.then(fitted)


@dataclass(frozen=True)
class ReviewRule:
    """How the review queue is chosen, for the page that shows it."""

    threshold: float  # least probability of a candidate waiting for review
    reported_share: float  # share of remains whose person is ever reported (the prior)
    calibrated: bool  # a calibration learned from decided candidates is in force


def review_rule() -> ReviewRule:
    settings = match_settings(latest_weights())
    return ReviewRule(
        threshold=settings.review_threshold,
        reported_share=float(settings.reported_share or 0.0),
        calibrated=settings.calibration is not None,
    )


def latest_weights() -> MatchWeights | None:
    return db.session.scalar(select(MatchWeights).order_by(MatchWeights.id.desc()).limit(1))
