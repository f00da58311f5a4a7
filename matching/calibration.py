"""Probabilities that mean what they say: the share of remains the caseload holds, estimated
from its history, and a calibration of the candidates' probabilities learned from decided pairs.

The caseload prior (``MatchSettings.reported_share``) makes candidates compete for the remains;
what is left is that the summed weights of the model (criteria taken as independent) overstate
or understate the evidence by a factor that depends on the caseload. ``Calibration`` corrects
it in log-odds (Platt scaling): ``logit(p') = slope · logit(p) + intercept``, fitted by logistic
regression on candidates whose truth is known (pairs officers decided, or another caseload), never
on the caseload it is then applied to. Two affine maps compose into one, so a calibration fitted
on probabilities that an earlier calibration produced is composed with it (``then``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.errors import MatchingError

FloatArray = npt.NDArray[np.float64]

#: logits are clipped to ± this before fitting or applying (p within 1e-9 of 0 or 1)
_LOGIT_LIMIT = 20.7

#: least number of decided pairs of each kind (right, wrong) a calibration is fitted from
MIN_DECIDED_EACH = 20


@dataclass(frozen=True, slots=True)
class Calibration:
    """Platt scaling of match probabilities: ``logit(p') = slope · logit(p) + intercept``.

    Example:
        >>> float(Calibration().apply([0.25])[0])
        0.25
        >>> round(float(Calibration(slope=2.0).apply([0.25])[0]), 3)
        0.1
    """

    slope: float = 1.0
    intercept: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.slope) and self.slope > 0.0):
            raise MatchingError(f"a calibration's slope must be positive, not {self.slope}")
        if not math.isfinite(self.intercept):
            raise MatchingError(f"a calibration's intercept must be finite, not {self.intercept}")

    @property
    def is_identity(self) -> bool:
        return self.slope == 1.0 and self.intercept == 0.0

    def apply(self, probabilities: Sequence[float] | FloatArray) -> FloatArray:
        """Calibrated probabilities (the order of candidates never changes: the slope is > 0)."""
        p = np.asarray(probabilities, dtype=np.float64)
        if self.is_identity:
            return p
        return _sigmoid(self.slope * _logit(p) + self.intercept)

    def then(self, later: Calibration) -> Calibration:
        """This calibration followed by ``later``, as one.

        Example:
            >>> Calibration(2.0, 1.0).then(Calibration(0.5, -0.5))
            Calibration(slope=1.0, intercept=0.0)
        """
        return Calibration(later.slope * self.slope, later.slope * self.intercept + later.intercept)

    def to_json(self) -> dict[str, float]:
        return {"slope": self.slope, "intercept": self.intercept}

    @classmethod
    def from_json(cls, body: Any) -> Calibration:
        try:
            return cls(float(body["slope"]), float(body["intercept"]))
        except (KeyError, TypeError, ValueError) as error:
            raise MatchingError(f"not a calibration: {body!r}") from error


def _logit(p: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        logit = np.log(p) - np.log1p(-p)
    return np.asarray(np.clip(logit, -_LOGIT_LIMIT, _LOGIT_LIMIT), dtype=np.float64)


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def fit_calibration(
    probabilities: Sequence[float] | FloatArray,
    right: Sequence[bool] | npt.NDArray[np.bool_],
    ridge: float = 1.0,
) -> Calibration:
    """Fit the Platt scaling that makes these probabilities agree with what proved right.

    Logistic regression of ``right`` on the logit of ``probabilities`` (Newton's method), with
    a ridge penalty of ``ridge`` pulling slope and intercept towards the identity (1, 0) so that
    a few decided pairs move it a little and many move it to what they show.

    Args:
        probabilities: the probabilities the candidates were given.
        right: whether each candidate proved to be the right person.
        ridge: strength of the pull towards the identity.

    Raises:
        MatchingError: fewer than ``MIN_DECIDED_EACH`` right or wrong candidates.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> p = rng.uniform(0.01, 0.99, 4000)
        >>> truth = rng.uniform(size=p.size) < _sigmoid(2.0 * _logit(p))  # p too timid
        >>> fitted = fit_calibration(p, truth)
        >>> round(fitted.slope, 1), round(fitted.intercept, 1)
        (2.0, 0.0)
    """
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(right, dtype=np.float64)
    if p.shape != y.shape:
        raise MatchingError("give one truth per probability")
    if min(int(y.sum()), int((1 - y).sum())) < MIN_DECIDED_EACH:
        raise MatchingError(
            f"a calibration needs at least {MIN_DECIDED_EACH} right and "
            f"{MIN_DECIDED_EACH} wrong candidates"
        )
    design = np.column_stack([_logit(p), np.ones(p.size)])
    prior = np.array([1.0, 0.0])
    beta = prior.copy()
    for _ in range(100):
        fitted = _sigmoid(design @ beta)
        gradient = design.T @ (y - fitted) - ridge * (beta - prior)
        hessian = (design.T * (fitted * (1.0 - fitted))) @ design + ridge * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.abs(step).max()) < 1e-10:
            break
    # a slope at or below 0 would say the engine ranks backwards: keep the order, flatten
    return Calibration(max(float(beta[0]), 1e-3), float(beta[1]))


def reported_share_from_history(
    identified: int, closed: int, default: float, least_closed: int = 30
) -> float:
    """Share of remains whose person the caseload holds, from its history: remains closed as
    identified over all remains closed, once ``least_closed`` have been; ``default`` before.

    The estimate is smoothed towards ``default`` (as if ``least_closed`` remains had been
    closed at that share) and held within [0.05, 0.99]: a share of 0 would say no remains can
    ever be matched, a share of 1 that every one is someone in the caseload.

    Example:
        >>> reported_share_from_history(0, 0, default=0.5)
        0.5
        >>> reported_share_from_history(270, 300, default=0.5)
        0.8636
    """
    if not 0.0 < default <= 1.0:
        raise MatchingError(f"the default share must lie in (0, 1], not {default}")
    if closed < least_closed:
        return default
    smoothed = (identified + default * least_closed) / (closed + least_closed)
    return round(min(max(smoothed, 0.05), 0.99), 4)
