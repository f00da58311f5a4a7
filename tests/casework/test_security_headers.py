"""Security headers on every page: a content security policy that the pages' own scripts live
with, no framing, no type sniffing, a sparing referrer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_pages_carry_the_security_headers(client, world, as_user) -> None:
    for response in (client.get("/auth/login"), as_user("forensic_officer").get("/remains/")):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert "object-src 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_json_answers_are_not_sniffed_or_framed(client) -> None:
    response = client.get("/api/v1/missing")
    assert response.status_code == 401
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_attachments_keep_their_own_stricter_policy(app) -> None:
    from casework.security_headers import install_security_headers

    @app.route("/_probe")
    def _probe():
        return "x", 200, {"Content-Security-Policy": "default-src 'none'; sandbox"}

    install_security_headers(app)
    response = app.test_client().get("/_probe")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    ("tiles", "expected"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "https://*.tiles.example.org"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_the_tile_server_may_serve_images(tiles, expected) -> None:
    from casework.security_headers import content_security_policy, tile_source

    assert tile_source(tiles) == expected
    images = re.search(r"img-src ([^;]*)", content_security_policy(tiles)).group(1).split()
    assert images[:2] == ["'self'", "data:"]
    assert images[2:] == ([expected] if expected else [])


def test_templates_hold_nothing_the_policy_would_block() -> None:
    """No inline script, event-handler attribute or style attribute: the policy allows neither,
    so a page relying on one would silently break."""
    problems = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        for script in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in script:
                problems.append(f"{template.name}: inline {script}")
        problems += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+=", text)]
        problems += [f"{template.name}: style attribute" for _ in re.findall(r"\sstyle=", text)]
    assert problems == []
