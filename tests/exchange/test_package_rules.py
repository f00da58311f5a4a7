"""The examples in the exchange docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import exchange

MODULES = ["exchange"] + sorted(
    info.name for info in pkgutil.iter_modules(exchange.__path__, "exchange.")
)


def test_every_module_opens_with_its_job() -> None:
    for name in MODULES:
        module = importlib.import_module(name)
        assert module.__doc__ and len(module.__doc__.strip()) > 20, name


def test_public_api_is_exported() -> None:
    assert sorted(exchange.__all__) == sorted(set(exchange.__all__))
    for name in exchange.__all__:
        assert getattr(exchange, name) is not None


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_library_stays_a_library() -> None:
    """exchange never imports the application, the engine, Flask or the database layer."""
    forbidden = ("flask", "sqlalchemy", "casework", "matching", "geoalchemy2")
    for name in MODULES:
        module = importlib.import_module(name)
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        for line in source.splitlines():
            if line.startswith(("import ", "from ")):
                assert line.split()[1].split(".")[0] not in forbidden, (name, line)
