"""What happens to family requests, announced to whoever listens (staff notifications): the
portal never imports its listeners. The app factory connects them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sent with the new `FamilyRequest` as sender inside the transaction that stores it (its
# `agency_id` says whose liaison staff it waits for): a listener writes in that transaction,
# and defers what may fail (an e-mail) to `casework.db.after_commit`. Never put the request's
# personal data in anything sent outside: its reference is enough.
request_submitted = _signals.signal("family-request-submitted")

# sent with the `FamilyRequest` as sender when a liaison accepts, merges or declines it
request_decided = _signals.signal("family-request-decided")

# sent with the new `FamilyRequestAddition` as sender (a contact, a correction, a photo, consent
# withdrawn) inside the transaction that stores it: its request's liaison staff are told
information_added = _signals.signal("family-information-added")

__all__ = ["information_added", "request_decided", "request_submitted"]
