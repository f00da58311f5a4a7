"""Name searches kept out of page addresses: the list's form posts the name, which is kept in
the signed session under a short random id for a while; the address carries only that id, so
no searched name lands in access logs, browser history, proxies or a Referer header."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session

from casework.clock import now

_KEY = "name_searches"
KEPT = 10  # searches a browser keeps at once (several tabs, back and forth between pages)


@dataclass(frozen=True)
class NameSearch:
    name: str
    similar: bool


def _lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])


def remember(kind: str, search: NameSearch) -> str:
    """Keep `search` for this browser; returns the id its list address carries."""
    moment = now().timestamp()
    cutoff = moment - _lifetime().total_seconds()
    kept = {
        key: value
        for key, value in dict(session.get(_KEY) or {}).items()
        if isinstance(value, list) and len(value) == 4 and value[3] >= cutoff
    }
    search_id = secrets.token_urlsafe(9)
    kept[search_id] = [kind, search.name, search.similar, moment]
    newest = sorted(kept.items(), key=lambda item: item[1][3])[-KEPT:]
    session[_KEY] = dict(newest)
    return search_id


def recall(kind: str, search_id: str) -> NameSearch | None:
    """The search `search_id` names for this browser and kind of case, if still kept."""
    value = (session.get(_KEY) or {}).get(search_id)
    if not isinstance(value, list) or len(value) != 4 or value[0] != kind:
        return None
    if now().timestamp() - value[3] > _lifetime().total_seconds():
        return None
    return NameSearch(name=str(value[1]), similar=bool(value[2]))
