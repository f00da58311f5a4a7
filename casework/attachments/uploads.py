"""Requests that carry one file: upload pages are marked, and their body is limited to a file
and its form before anything reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request

from casework import FORM_OVERHEAD_BYTES

F = TypeVar("F", bound=Callable[..., Any])


def accepts_upload(view: F) -> F:
    """Mark a view whose requests carry one attachment: their body is limited to it."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


def limit_upload_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Refuse (413) a body larger than one attachment and its form on upload pages, before
    anything reads it: URL preprocessors run ahead of the CSRF check, which parses the form."""
    view = current_app.view_functions.get(endpoint or "")
    if getattr(view, "accepts_upload", False):
        limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
        g.file_size_limit = limit
        request.max_content_length = limit + FORM_OVERHEAD_BYTES


def uploaded_bytes(field: Any) -> bytes:
    """The bytes of an uploaded file field; empty when no file was chosen."""
    storage = field.data
    return storage.read() if storage is not None and hasattr(storage, "read") else b""


__all__ = ["accepts_upload", "limit_upload_size", "uploaded_bytes"]
