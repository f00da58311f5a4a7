"""What happens to cases, announced to whoever listens: the areas that build on cases (candidate
matching, notifications) act on a change without the cases importing them. The app factory
connects the listeners; a signal sent with nobody listening does nothing."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sent with the case as sender inside the transaction that changes its status: a listener
# writes in that transaction, and defers what may fail to `casework.db.after_commit`
status_changed = _signals.signal("status-changed")

# sent inside the transaction that stores them, for staff to be told (notifications):
# a candidate newly above the review threshold (sender: the CandidateMatch)
candidate_for_review = _signals.signal("candidate-for-review")
# an identification proposed, waiting for its second signature (sender: the CandidateMatch;
# `proposer`: the user who signed first)
identification_proposed = _signals.signal("identification-proposed")
# a new cross-border hit above the review threshold (sender: the CrossBorderHit)
cross_border_hit = _signals.signal("cross-border-hit")
# another authority asks for the personal data of a record we shared (sender: the Disclosure)
disclosure_requested = _signals.signal("disclosure-requested")
# a DNA search found a new hit above the setting for a family and remains (sender: the DnaHit,
# flushed; a lineage exclusion is not announced)
dna_hit_found = _signals.signal("dna-hit-found")

__all__ = [
    "candidate_for_review",
    "cross_border_hit",
    "disclosure_requested",
    "dna_hit_found",
    "identification_proposed",
    "status_changed",
]
