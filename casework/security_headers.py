"""Response headers that tell the browser what a page may do: load only this site's scripts and
styles, never be framed, never guess a content type, and say little of where links came from."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response


def tile_source(tile_url: str) -> str | None:
    """The CSP source of the map tiles' host, or None when tiles come from this site.

    Example:
        >>> tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png")
        'https://*.tile.example.org'
    """
    parts = urlsplit(tile_url or "")
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")  # Leaflet's subdomain placeholder
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str) -> str:
    """Scripts and styles from this site only (no inline script, so injected markup cannot run),
    images also from the tile server and as data: URIs (Leaflet's icons), no plug-ins, forms
    posted here only, and no framing (the decision buttons cannot be clickjacked)."""
    images = ["'self'", "data:"]
    tiles = tile_source(tile_url)
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": images,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def install_security_headers(app: Flask) -> None:
    policy = content_security_policy(app.config.get("MAP_TILE_URL") or "")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
        # the tile server still learns which site asks (its usage policy wants that), never
        # the page, whose path names a case
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", policy)
        return response
