"""What the engine proposes: a candidate pair with its probability and the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Evidence:
    """One criterion's contribution to a candidate.

    Attributes:
        criterion: the criterion name ("names", "stature", "dental"...).
        weight: log2 likelihood ratio added to the score; positive raises it.
        text: what was compared and found, in words an officer can check.
    """

    criterion: str
    weight: float
    text: str

    def __str__(self) -> str:
        return f"{self.text} ({self.weight:+.1f})"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed (missing person, remains) pair for an officer to review.

    Attributes:
        missing_ref: ref of the missing-person record.
        remains_ref: ref of the remains record.
        score: match probability, 0–1.
        review: True when the score reaches the review threshold.
        evidence: every criterion that could be compared, strongest first.
    """

    missing_ref: str
    remains_ref: str
    score: float
    review: bool
    evidence: tuple[Evidence, ...]

    def summary(self, limit: int = 4) -> str:
        """Say in one line what weighs most for and against this candidate.

        Example:
            >>> c = Candidate("M1", "R1", 0.9, True, (Evidence("sex", 1.0, "Sex M agrees"),))
            >>> c.summary()
            'p=0.90: Sex M agrees (+1.0)'
        """
        if not self.evidence:
            return f"p={self.score:.2f}: no criterion could be compared"
        parts = [str(item) for item in self.evidence[:limit]]
        more = len(self.evidence) - limit
        if more > 0:
            parts.append(f"{more} more")
        return f"p={self.score:.2f}: " + "; ".join(parts)
