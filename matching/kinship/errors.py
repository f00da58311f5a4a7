"""Exceptions raised by the kinship engine, all under one base class (itself a matching error)."""

from __future__ import annotations

from matching.errors import MatchingError


class KinshipError(MatchingError):
    """Base class of every error the kinship engine raises on purpose."""


class ProfileError(KinshipError, ValueError):
    """An STR profile, a locus name or an allele is malformed (off-ladder, not a number...)."""


class FrequencyError(KinshipError, ValueError):
    """A frequency table cannot be read, or a population or locus is not in it."""


class PedigreeError(KinshipError, ValueError):
    """A pedigree is not valid: a cycle, a parent of the wrong sex, an unknown parent..."""


class SettingsError(KinshipError, ValueError):
    """A kinship setting is out of range (theta, mutation rate, minimum frequency...)."""
