"""What pages and the API read of cases of either kind: one case by reference, when visible."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from casework.db import db


def visible_case(model: Any, visible: ColumnElement[bool], reference: str) -> Any:
    """The case of `model` with this reference if the condition `visible` keeps it, else None."""
    return db.session.scalar(select(model).where(model.reference == reference, visible))


__all__ = ["visible_case"]
