"""New passwords: long enough, varied, and not among the passwords breaches show most often
(checked offline against the list shipped with the package)."""

from __future__ import annotations

import gzip

import pytest

from casework.accounts.passwords import COMMON_PASSWORDS, is_common


def test_the_shipped_list_holds_thousands_of_common_passwords() -> None:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        words = [line.strip() for line in lines]
    assert len(words) > 5000
    assert words[:4] == ["123456", "123456789", "qwerty", "password"]  # most frequent first
    assert (COMMON_PASSWORDS.parent / "README.md").exists()


@pytest.mark.parametrize(
    ("password", "common"),
    [
        ("password1234", True),
        ("Password1234", True),
        ("qwertyuiop12", True),
        ("iloveyou2024!", True),  # a common word dressed up with digits and a symbol
        ("  p a s s w o r d 1  ".strip(), True),
        ("correct horse battery staple", False),
        ("kettle ochre ferry lantern", False),
    ],
)
def test_common_passwords_are_recognised(password, common) -> None:
    assert is_common(password) is common


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "too common"),
        ("Dragon2024!!", "too common"),
        ("short pw", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "too simple"),
    ],
)
def test_weak_passwords_are_refused_for_new_accounts(ctx, world, password, message) -> None:
    from sqlalchemy import func, select

    from casework.accounts.models import Agency, Role, User
    from casework.accounts.services import create_user
    from casework.errors import ValidationError
    from casework.extensions import db

    with pytest.raises(ValidationError, match=message):
        create_user(
            agency=db.session.get(Agency, world.home),
            email="weak@home.example",
            display_name="Weak",
            role=Role.AUDITOR,
            password=password,
        )
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email == "weak@home.example")
        )
        == 0
    )


def test_the_command_line_refuses_a_common_password(app, runner, world) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "weak@home.example",
            "--name",
            "Weak",
            "--role",
            "auditor",
            "--agency",
            "PCOME",
            "--password",
            "password1234",
        ]
    )
    assert result.exit_code == 2 and "too common" in result.output
