"""The shape of the code: areas that don't reach into each other, libraries that stand alone.

Imports are read with `ast` (never executed), at module level and inside functions alike: a
function-level import is still a dependency, only a later one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# the areas of the app: a blueprint package each; the shared pieces at the top are not areas
AREAS = {path.name for path in (ROOT / "casework").iterdir() if (path / "__init__.py").exists()}
AREAS -= {"migrations"}
LIBRARIES = ("matching", "exchange")
FORBIDDEN_IN_LIBRARIES = ("casework", "flask", "flask_babel", "sqlalchemy", "geoalchemy2")


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    # a package's own `from . import x` is relative to itself, a module's to its package
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(path: Path, known: set[str], root: Path = ROOT) -> Iterator[Import]:
    """Every module `path` imports, anywhere in it; `from package import module` names the
    module when `known` holds it, the package otherwise."""
    importer = module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(importer, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(node, importer, path.name == "__init__.py")
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                yield Import(importer, candidate if candidate in known else source, node.lineno)


def package_imports(package: str, root: Path = ROOT) -> list[Import]:
    paths = sorted((root / package).rglob("*.py"))
    known = {module_name(path, root) for path in paths}
    return [found for path in paths for found in imports_of(path, known, root)]


def casework_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """casework's modules and the casework modules each imports (the package itself, whose
    `__init__` is the app factory, registers every area and is left out)."""
    graph: dict[str, set[str]] = {}
    for found in package_imports("casework", root):
        if found.importer.startswith("casework.migrations"):
            continue
        graph.setdefault(found.importer, set())
        if found.imported.startswith("casework.") and found.importer != "casework":
            graph[found.importer].add(found.imported)
    graph.pop("casework", None)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                lowest[node] = min(lowest[node], lowest[target])
            elif target in on_stack:
                lowest[node] = min(lowest[node], index[target])
        if lowest[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in AREAS else None


def test_casework_has_no_import_circle() -> None:
    assert circles(casework_graph()) == []


def test_no_area_imports_another_areas_views() -> None:
    reaching = [
        f"{found.importer} (line {found.line}) imports {found.imported}"
        for found in package_imports("casework")
        if found.imported.endswith(".views")
        and area_of(found.imported) is not None
        and found.importer != "casework"  # the factory registers the blueprints
        and area_of(found.importer) != area_of(found.imported)
    ]
    assert reaching == []


def test_the_role_table_knows_no_area_but_accounts() -> None:
    """`casework/access.py` holds the roles' permissions only: which objects a user sees is
    each area's rule, next to its models."""
    imported = {
        found.imported
        for found in package_imports("casework")
        if found.importer == "casework.access" and found.imported.startswith("casework.")
    }
    assert imported == {"casework.accounts.models"}


# the modules that answer requests: pages and the API's endpoints
VIEW_MODULES = ("views.py", "pages.py", "endpoints.py")


def session_uses(path: Path) -> list[int]:
    """Lines where a module reaches for the database session (`db.session...`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "session"
        and isinstance(node.value, ast.Name)
        and node.value.id == "db"
    )


def test_views_read_through_queries_and_services() -> None:
    """Views read the request, authorise, call a service or a query, render: the database
    session (reads included) is for the areas' services.py and queries.py."""
    reaching = [
        f"{path.relative_to(ROOT)} line {line}"
        for name in VIEW_MODULES
        for path in sorted((ROOT / "casework").rglob(name))
        for line in session_uses(path)
    ]
    assert reaching == []


def test_a_session_read_in_a_view_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "views.py": (
                "from casework.db import db\n"
                "def page(case_id):\n"
                "    return db.session.get(Case, case_id)\n"
            )
        },
    )
    assert session_uses(root / "views.py") == [3]


@pytest.mark.parametrize("library", LIBRARIES)
def test_libraries_import_nothing_of_the_app(library: str) -> None:
    offending = [
        f"{found.importer} (line {found.line}) imports {found.imported}"
        for found in package_imports(library)
        if found.imported.split(".")[0] in FORBIDDEN_IN_LIBRARIES
    ]
    assert offending == []


# The checks above would pass on an empty tree; these show that they see what they must.
def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


def test_a_circle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "casework/__init__.py": "",
            "casework/cases/__init__.py": "",
            "casework/cases/status.py": (
                "def change():\n    from casework.matches.services import refresh\n"
            ),
            "casework/matches/__init__.py": "",
            "casework/matches/services.py": "from casework.cases.status import change\n",
            "casework/matches/views.py": "from . import services\n",
        },
    )
    assert circles(casework_graph(root)) == [["casework.cases.status", "casework.matches.services"]]


def test_circles_of_three_are_found_and_chains_are_not() -> None:
    graph = {
        "casework.a": {"casework.b"},
        "casework.b": {"casework.c"},
        "casework.c": {"casework.a"},
    }
    assert circles(graph) == [["casework.a", "casework.b", "casework.c"]]
    assert circles({"casework.a": {"casework.b"}, "casework.b": {"casework.c"}}) == []


def test_imports_are_read_at_every_depth_and_resolved(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "casework/missing/views.py": (
                "from casework.matches import services\n"
                "from . import models\n"
                "def page():\n"
                "    from ..remains.views import blueprint\n"
                "    import sqlalchemy\n"
            )
        },
    )
    known = {"casework.matches.services", "casework.missing.models"}
    found = {
        (i.imported, i.line) for i in imports_of(root / "casework/missing/views.py", known, root)
    }
    assert found == {
        ("casework.matches.services", 1),
        ("casework.missing.models", 2),
        ("casework.remains.views", 4),
        ("sqlalchemy", 5),
    }
