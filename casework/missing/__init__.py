"""Ante-mortem cases: the search requests families make for missing relatives."""
