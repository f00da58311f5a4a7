"""The examples in the kinship engine's docstrings stay true; every public name is exported."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import matching.kinship

MODULES = sorted(
    info.name for info in pkgutil.iter_modules(matching.kinship.__path__, "matching.kinship.")
)


@pytest.mark.parametrize("name", ["matching.kinship", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert module.__doc__ and module.__doc__.strip()


def test_public_names_are_exported() -> None:
    assert len(set(matching.kinship.__all__)) == len(matching.kinship.__all__)
    for name in matching.kinship.__all__:
        assert getattr(matching.kinship, name) is not None
