"""What happens to cases, announced to whoever listens: the areas that build on cases (candidate
matching) act on a change without the cases importing them. The app factory connects the
listeners; a signal sent with nobody listening does nothing."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sent with the case as sender inside the transaction that changes its status: a listener
# writes in that transaction, and defers what may fail to `casework.db.after_commit`
status_changed = _signals.signal("status-changed")

__all__ = ["status_changed"]
