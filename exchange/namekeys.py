"""Name keys (spec §6.2): each token of a name gives three keys that absorb typing and
transliteration variants (a folded spelling, a phonetic key, a short form), which the private
set intersection of `exchange.psi` compares without either side reading the other's names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exchange.linkage import name_tokens

#: Rewrites applied in this order to a token (letters a-z after `name_tokens`) to fold spelling
#: variants: transliteration digraphs, then letters that alternate between transliterations.
FOLDS: tuple[tuple[str, str], ...] = (
    ("abdul", "abd"),  # Abdulrahman, Abdelrahman, Abdirahman, Abdurahman: one servant-of prefix
    ("abdel", "abd"),
    ("abdal", "abd"),
    ("abdi", "abd"),
    ("abdu", "abd"),
    ("ph", "f"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("sh", "s"),
    ("ch", "s"),
    ("ck", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("q", "k"),
    ("c", "k"),
    ("z", "s"),
    ("w", "u"),
    ("y", "i"),
    ("v", "b"),
    ("j", "g"),
    ("o", "u"),
)
#: Phonetic classes (Soundex-like) for the letters left after folding.
PHONETIC_CLASSES: dict[str, str] = {
    **dict.fromkeys("bfp", "1"),
    **dict.fromkeys("gks", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
    "x": "2",
}
SHORT_LENGTH = 4
MAX_TOKENS = 16
KEY_KINDS = ("f", "p", "s")


def fold_token(token: str) -> str:
    """The folded spelling: drop a final ``e`` or ``h`` after 4 letters, apply `FOLDS` in order,
    then collapse runs of one letter. Letters outside a-z are kept as they are.

    Example:
        >>> [fold_token(t) for t in ("mohammed", "muhamad", "tesfaye", "tesfay", "youssef")]
        ['muhamed', 'muhamad', 'tesfai', 'tesfai', 'iusef']
    """
    text = token
    if len(text) > 4 and text[-1] in "eh":
        text = text[:-1]
    for old, new in FOLDS:
        text = text.replace(old, new)
    collapsed: list[str] = []
    for ch in text:
        if not collapsed or collapsed[-1] != ch:
            collapsed.append(ch)
    return "".join(collapsed)


def phonetic_key(folded: str) -> str:
    """Soundex without its length limit: the first letter (any vowel written ``a``), then the
    class digit of each later letter that has one, skipping a digit equal to the one before it
    unless a vowel (a, e, i, u) came between; ``h`` and letters without a class are skipped
    without separating.

    Example:
        >>> phonetic_key(fold_token("mohamed")), phonetic_key(fold_token("muhammad"))
        ('m53', 'm53')
    """
    if not folded:
        return ""
    first = "a" if folded[0] in "aeiu" else folded[0]  # Amanuel and Emmanuel begin alike
    digits: list[str] = []
    previous = PHONETIC_CLASSES.get(folded[0], "")
    for ch in folded[1:]:
        if ch in "aeiu":
            previous = ""
            continue
        code = PHONETIC_CLASSES.get(ch)
        if code is None:
            continue
        if code != previous:
            digits.append(code)
        previous = code
    return first + "".join(digits)


@dataclass(frozen=True)
class TokenKeys:
    """The three keys of one name token, in spec order: folded spelling, phonetic, short form.

    Attributes:
        folded: ``"f:" + fold_token(t)``.
        phonetic: ``"p:" + phonetic_key(fold_token(t))``.
        short: ``"s:" + fold_token(t)[:4]``.
    """

    folded: str
    phonetic: str
    short: str

    def keys(self) -> tuple[str, str, str]:
        """The three keys in spec order.

        Example:
            >>> token_keys("Amanuel").keys()
            ('f:amanuel', 'p:a554', 's:aman')
        """
        return (self.folded, self.phonetic, self.short)


def token_keys(token: str) -> TokenKeys:
    """The keys of one already normalised token (see `name_keys` for whole names).

    Example:
        >>> token_keys("tesfaye") == token_keys("tesfay")
        True
    """
    folded = fold_token(token.casefold())
    return TokenKeys(f"f:{folded}", f"p:{phonetic_key(folded)}", f"s:{folded[:SHORT_LENGTH]}")


def name_keys(parts: Iterable[str]) -> tuple[TokenKeys, ...]:
    """The keys of a name given in parts (given names, surnames, or a whole alias): one
    `TokenKeys` per distinct token, in the order of the sorted distinct folded spellings (so the
    order of the parts does not matter), at most 16 tokens.

    Example:
        >>> [k.folded for k in name_keys(["María José", "García-López"])]
        ['f:garkia', 'f:guse', 'f:lupes', 'f:maria']
    """
    distinct = {token_keys(token) for token in name_tokens(parts)}
    return tuple(sorted(distinct, key=lambda keys: keys.folded))[:MAX_TOKENS]
