"""What a browser does with a page's forms, for the load test's simulated staff (not a test).

`forms(html)` reads every <form> of a page: its action, method and the values a browser would
send if the user pressed its button without changing anything (text inputs and hidden fields
with their value, checked boxes, the selected option, text areas), CSRF token and form token
included. The locustfile changes what a person would change and posts the rest as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def names(self) -> set[str]:
        return {key for key, _ in self.fields}

    def data(self, **changes: str) -> list[tuple[str, str]]:
        """The fields to post: every field as the page gave it, `changes` put in place."""
        sent = [(key, changes[key] if key in changes else value) for key, value in self.fields]
        missing = [(key, value) for key, value in changes.items() if key not in self.names()]
        return sent + missing


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(given.get("action", ""), given.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        name = given.get("name")
        if tag == "input" and name:
            kind = given.get("type", "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in given:
                return
            self._form.fields.append((name, given.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select is not None:
            value = given.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in given and not self._selected:
                self._form.fields.append((self._select, value))
                self._selected = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            if not self._selected and self._first_option is not None:
                self._form.fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._text)
            # a browser drops the one line break that follows <textarea> (HTML spec)
            for lead in ("\r\n", "\n"):
                if text.startswith(lead):
                    text = text[len(lead) :]
                    break
            self._form.fields.append((self._textarea, text))
            self._textarea = None


def forms(html: str) -> list[Form]:
    """Every form of a page, as a browser would submit it unchanged.

    Example:
        >>> page = '<form method="post" action="/x"><input name="a" value="1"></form>'
        >>> forms(page)[0].data(b="2")
        [('a', '1'), ('b', '2')]
    """
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def form_posting_to(html: str, action_ending: str) -> Form | None:
    """The page's first POST form whose action ends with `action_ending` ("" is the page's own
    address, as the case forms use)."""
    for form in forms(html):
        if form.method == "post" and form.action.endswith(action_ending):
            if action_ending or form.action == "":
                return form
    return None
