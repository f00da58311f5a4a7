"""The examples in the matching library's docstrings stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import matching

MODULES = sorted(info.name for info in pkgutil.iter_modules(matching.__path__, "matching."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_module_says_its_job() -> None:
    for name in MODULES:
        doc = importlib.import_module(name).__doc__
        assert doc and doc.strip(), name


def test_public_names_are_exported() -> None:
    assert sorted(matching.__all__) == sorted(set(matching.__all__))
    for name in matching.__all__:
        assert getattr(matching, name) is not None
