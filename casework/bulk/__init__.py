"""Bulk import and export of cases in the case interchange columns."""
