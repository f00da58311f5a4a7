"""Database session events: name index and audit capture before each flush, audit tail reset
after each transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.audit.services import capture_changes, forget_tail
from casework.personal_data import reindex_changed_names

_installed = False


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    reindex_changed_names(session)
    capture_changes(session)


def _transaction_over(session: Session, *args: Any) -> None:
    forget_tail(session)


def install_session_hooks() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_commit", _transaction_over)
    event.listen(Session, "after_rollback", _transaction_over)
    event.listen(Session, "after_soft_rollback", _transaction_over)
    _installed = True
