"""Fixtures for the exchange tests: three authorities with fixed keys, trust lists, a guard."""

from __future__ import annotations

import hashlib

import pytest
from exchange_testkit import GREECE, ITALY, SPAIN, Authority

from exchange import InMemoryReplayGuard, TrustList


@pytest.fixture
def spain() -> Authority:
    return SPAIN


@pytest.fixture
def italy() -> Authority:
    return ITALY


@pytest.fixture
def greece() -> Authority:
    return GREECE


@pytest.fixture
def linkage_secret() -> bytes:
    """The name-linkage secret Spain and Italy agreed."""
    return hashlib.sha256(b"esp-cnp/ita-labanof linkage").digest()


@pytest.fixture
def italy_trust() -> TrustList:
    """Italy's trust list: Spain and Greece."""
    return TrustList([SPAIN.entry, GREECE.entry])


@pytest.fixture
def spain_trust() -> TrustList:
    """Spain's trust list: Italy and Greece."""
    return TrustList([ITALY.entry, GREECE.entry])


@pytest.fixture
def guard() -> InMemoryReplayGuard:
    return InMemoryReplayGuard()
