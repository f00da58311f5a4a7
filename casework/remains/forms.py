"""The form for logging and editing unidentified remains: made from the fields of `RemainsInput`."""

from __future__ import annotations

from casework.remains.inputs import RemainsInput

RemainsForm = RemainsInput.form_class("RemainsForm")
