"""One transaction pattern: only `casework.db.transaction()` commits or rolls back, and views
(pages, API endpoints) never do."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "casework"
# the unit of work itself; the error handlers, which discard whatever a failed request left
ALLOWED = {("db.py", "commit"), ("db.py", "rollback"), ("error_handlers.py", "rollback")}
# error clean-up after work that failed outside a unit (the candidate refresh after a commit, a
# background job's work), and the end of the job dispatcher's read of due retries
CLEAN_UP = {("matches/services.py", "rollback"), ("jobs/services.py", "rollback")}


def _calls(path: Path, names: set[str]) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    ]


def test_only_the_unit_of_work_commits_or_rolls_back() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("migrations/"):
            continue
        for line, name in _calls(path, {"commit", "rollback"}):
            if (relative, name) not in ALLOWED | CLEAN_UP:
                found.append(f"casework/{relative}:{line} {name}()")
    assert found == [], "use `with transaction():` from casework.db instead:\n" + "\n".join(found)


def test_views_never_commit_begin_or_flush() -> None:
    views = [
        path
        for path in PACKAGE.rglob("*.py")
        if path.name in {"views.py", "endpoints.py", "pages.py"}
    ]
    assert len(views) > 10
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line} {name}()"
        for path in views
        for line, name in _calls(path, {"commit", "rollback", "flush", "begin", "expire_all"})
    ]
    assert found == []
