"""Names across naming cultures: normalisation, transliteration keys, token similarity, search.

Names are compared token by token on *keys*: accents, case, punctuation and particles (de, del,
al, bin, ould...) removed, known transliteration variants mapped to one form (Mohamed/Muhammad),
and spelling rules folded (gh→g, ph→f, ou→u, e→i, o→u...). Order does not matter, so reordered,
partial, patronymic and Spanish double surnames with one missing all compare naturally; the
ways records write names (initials, particles written joined, compounds written as one word,
short forms) agree by rule, one pair at a time (``token_similarity``) or over a caseload
(``KeyVocabulary``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from matching.vocabulary import plain_text

PARTICLES = frozenset(
    "de del la las los da das do dos di du le van von der den y e al el ul ud ad ar as at az "
    "bin ben ibn bint ould ult wad wuld walad mac ait".split()
)

# particles that records also write joined to the name (Elkhoury, Aitaly, Vanderberg,
# Delacruz, Benali): written apart they are dropped, written joined they stay in the token.
# The Arabic and Berber ones stand before names of three letters too (Ait Aly), so a
# three-letter rest is enough for them; the European ones need four (Vanessa is not Van Essa).
_JOINED_SHORT_REST = frozenset("al el ul ait ben bin ibn ould".split())
_JOINED_LONG_REST = frozenset(
    "de del della dela la las los da das do dos di du le van von der den mac".split()
)

# one canonical spelling per group of common transliteration variants
_VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    (
        "muhammad",
        "mohamed",
        "mohammed",
        "mohammad",
        "muhammed",
        "mohamad",
        "mohamud",
        "mahamat",
        "mahammed",
        "mouhamed",
        "mouhammad",
        "muhamed",
        "mehmet",
        "mamadou",
        "mohamet",
    ),
    ("yusuf", "youssef", "yousef", "yusef", "youssouf", "yousif", "yusif", "yousouf", "yussuf"),
    ("ibrahim", "ibrahima", "brahim", "ebrahim", "ibraheem", "ibrahem"),
    ("abdullah", "abdallah", "abdoulaye", "abdullahi", "abdalla", "abdulla"),
    ("uthman", "ousmane", "usman", "osman", "othman", "outhmane", "usmane"),
    ("musa", "moussa", "mousa", "mussa"),
    ("sulayman", "souleymane", "suleiman", "suleyman", "soliman", "sulaiman", "souleimane"),
    ("ahmad", "ahmed", "ahmet", "amadou", "ahmadou", "hamadou"),
    ("mustafa", "moustapha", "mostafa", "mustapha", "moustafa"),
    ("husayn", "hussein", "hussain", "husain", "hossein", "houssein", "husein"),
    ("hasan", "hassan", "hacen", "hassane"),
    ("abdulrahman", "abdelrahman", "abderrahmane", "abdurrahman", "abderahman", "abdirahman"),
    ("khalid", "khaled", "khaleed"),
    ("fatima", "fatuma", "fatoumata", "fatma", "fatimah", "fadumo"),
    ("aisha", "aicha", "aissatou", "ayesha", "aysha", "aishah"),
    ("maryam", "mariam", "meryem", "mariama", "maryem"),
    ("idris", "idriss", "idrissa", "driss"),
    ("yohannes", "yohanes", "johannes", "yonas", "yoannes"),
    ("tesfay", "tesfaye", "tesfai"),
    ("gebre", "ghebre", "gebray", "gabre", "ghebray"),
    ("tekle", "teklay", "tecle", "teclai"),
    ("haile", "hayle", "haylay"),
    ("mehari", "mhari"),
    ("abdi", "abdiy"),
    ("jibril", "djibril", "jibreel", "gibril"),
    ("traore", "traore"),
    ("diallo", "jallow", "jalloh", "diallo"),
    ("kone", "kone"),
    ("jose", "josep"),
)
_CANONICAL: dict[str, str] = {variant: group[0] for group in _VARIANT_GROUPS for variant in group}

_FOLD_RULES: tuple[tuple[str, str], ...] = (
    ("dj", "j"),
    ("ph", "f"),
    ("gh", "g"),
    ("kh", "k"),
    ("ck", "k"),
    ("q", "k"),
    ("th", "t"),
    ("dh", "d"),
    ("sh", "ch"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("w", "u"),
    ("z", "s"),
    ("v", "b"),
    ("e", "i"),
    ("o", "u"),
)

_ABD_PREFIXES = frozenset({"abd", "abdel", "abdul", "abdal", "abdoul", "abdou", "abdi", "abdu"})

#: token keys at most this long must match exactly: one letter is too much of "Ali"
SHORT_KEY = 3
#: rapidfuzz ratio (0–100) from which two longer keys count as the same name
TOKEN_SIMILARITY = 80.0
#: Jaro–Winkler similarity (0–100) from which two longer keys count as the same name too
JARO_WINKLER_SIMILARITY = 90.0


def name_tokens(name: str) -> list[str]:
    return list(_name_tokens(name))


name_tokens.__doc__ = """Split a name into plain tokens: no accents, case, punctuation or particles.

    "Abd el" prefixes are joined to the next token (Abd el Rahman = Abdelrahman). A letter
    written with a full stop is an initial and stays, even one that is also a particle
    (the E. of "Juan E. Pérez" is a name, the e of "Ruiz e Hijos" is not).

    Example:
        >>> name_tokens("María de la Cruz GONZÁLEZ y Pérez")
        ['maria', 'cruz', 'gonzalez', 'perez']
        >>> name_tokens("Mohamed ould Abd el-Kader")
        ['mohamed', 'abdelkader']
        >>> name_tokens("Juan E. PÉREZ")
        ['juan', 'e', 'perez']
    """

_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")


def _words(name: str) -> list[tuple[str, bool]]:
    """Plain words of a name, each with whether it was written as an initial (J. or J.L.)."""
    words: list[tuple[str, bool]] = []
    for piece in re.split(r"[\s,;/]+", name):
        if _INITIALS.fullmatch(piece):
            words.extend((plain_text(letter), True) for letter in piece.split(".") if letter)
            continue
        # a letter before an apostrophe (N'Diaye, O'Neil, D'Arcy) is no initial: it is
        # written joined as often (Ndiaye, Oneil, Darcy), so it joins the name
        plain = re.sub(r"\b([a-z])'", r"\1", plain_text(piece)).replace("'", " ")
        words.extend((word, False) for word in re.split(r"[^a-z]+", plain) if word)
    return words


@lru_cache(maxsize=1 << 16)
def _name_tokens(name: str) -> tuple[str, ...]:
    tokens: list[str] = []
    pending = ""
    for word, initial in _words(name):
        if initial and len(word) == 1:
            tokens.append(pending + word if pending else word)
            pending = ""
            continue
        if word in _ABD_PREFIXES or (pending and word in ("el", "al", "ul", "ar", "er")):
            pending += word
            continue
        if word in PARTICLES:
            continue
        tokens.append(pending + word)
        pending = ""
    if pending:
        tokens.append(pending)
    return tuple(tokens)


@lru_cache(maxsize=1 << 16)
def fold_token(token: str) -> str:
    """Map one plain token to its comparison key (transliteration variants folded).

    Example:
        >>> fold_token("muhammad") == fold_token("mohamed")
        True
        >>> fold_token("ghebre"), fold_token("gebre")
        ('gibri', 'gibri')
    """
    canonical = _CANONICAL.get(token, token)
    for old, new in _FOLD_RULES:
        canonical = canonical.replace(old, new)
    canonical = canonical.replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", canonical)


@lru_cache(maxsize=1 << 16)
def name_keys(name: str) -> tuple[str, ...]:
    """Comparison keys of every token of a name, in order, without repeats.

    Example:
        >>> name_keys("Youssef BEN Ali") == name_keys("yusuf ali")
        True
    """
    keys: list[str] = []
    for token in name_tokens(name):
        key = fold_token(token)
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


#: similarity (0–100) given to a known short form of a name (Pipe for Felipe)
SHORT_FORM_SIMILARITY = 90.0
#: similarity given to an initial (J or J.) and a name it may stand for: an agreement a
#: little weaker than the name written out; what makes it weak evidence is its frequency,
#: learned from the caseload like any name's (every name starting with J agrees with J.),
#: so a lower similarity would count that weakness twice and leave an agreeing initial below
#: one that does not agree
INITIAL_SIMILARITY = 95.0
#: similarity of a name written with its particle joined (Aitaly, Elkhoury, Vanderberg) and
#: the name written apart (Ait Aly, El Khoury, van der Berg), whose particle is dropped
JOINED_PARTICLE_SIMILARITY = 95.0
#: similarity of a compound name written as one word (Joseluis, Anamaria) and one of its parts
#: (José, Luis, María): a part of four letters or more, the rest three or more
COMPOUND_SIMILARITY = 85.0
#: least length of a compound's part, and of what it leaves, for ``COMPOUND_SIMILARITY``
COMPOUND_PART = 4
_COMPOUND_REST = 3


def _initials_of(key: str) -> frozenset[str]:
    """The folded initial a name with this key is written with: its key's first letter.

    The folds treat the initial and the name alike (E. and Eduardo both start with i, O. and
    Omar with u); a name whose first letters fold into another letter (Philippe: f,
    Djibril: j, Sharif: c) is missed rather than let every F-, J- or C-name agree with P., D.
    or S.
    """
    return frozenset(key[0])


@lru_cache(maxsize=1)
def _joined_particles() -> tuple[tuple[str, int], ...]:
    """Folded particles that records write joined to a name, with the least rest they need."""
    short = ((fold_token(p), 3) for p in _JOINED_SHORT_REST)
    long = ((fold_token(p), 4) for p in _JOINED_LONG_REST)
    return tuple(sorted(set(short) | set(long)))


@lru_cache(maxsize=1 << 16)
def particle_rests(key: str) -> tuple[str, ...]:
    """Keys a key may stand for once its joined particles are taken off (Aitaly: Aly).

    Example:
        >>> particle_rests(name_keys("Aitaly")[0]) == name_keys("Ait Aly")
        True
        >>> name_keys("van der Berg")[0] in particle_rests(name_keys("Vanderberg")[0])
        True
        >>> particle_rests(name_keys("Vanessa")[0])
        ()
    """
    rests: list[str] = []
    todo = [key]
    while todo:
        current = todo.pop()
        for particle, least in _joined_particles():
            rest = current[len(particle) :]
            if current.startswith(particle) and len(rest) >= least and rest not in rests:
                rests.append(rest)
                todo.append(rest)
    return tuple(rests)


def _compound(first: str, second: str) -> bool:
    """Whether one key is the start or the end of the other, written as one word."""
    part, whole = sorted((first, second), key=len)
    return (
        len(part) >= COMPOUND_PART
        and len(whole) - len(part) >= _COMPOUND_REST
        and (whole.startswith(part) or whole.endswith(part))
    )


def _rule_similarity(first: str, second: str) -> float:
    """Similarity by the record conventions (short forms, initials, particles written
    joined, compounds written as one word); 0 when none applies."""
    from matching.short_forms import full_form_keys

    if second in full_form_keys(first) or first in full_form_keys(second):
        return SHORT_FORM_SIMILARITY
    if len(first) == 1 or len(second) == 1:
        initial, name = sorted((first, second), key=len)
        agree = len(name) > 1 and initial in _initials_of(name)
        return INITIAL_SIMILARITY if agree else 0.0
    if second in particle_rests(first) or first in particle_rests(second):
        return JOINED_PARTICLE_SIMILARITY
    return COMPOUND_SIMILARITY if _compound(first, second) else 0.0


def is_initial_pair(first: str, second: str) -> bool:
    """Whether one of two keys is an initial: an initial stands for a given name, so agreeing
    with a surname (J. with Jiménez) must not make the surname agree, or one letter would
    agree with both roles of a report.

    Example:
        >>> is_initial_pair("j", "jimenez"), is_initial_pair("juan", "juan")
        (True, False)
    """
    return len(first) == 1 or len(second) == 1


def convention_text(document_word: str, reported_word: str) -> str | None:
    """Say which record convention makes two written words agree, in words an officer can
    check; None when they agree by spelling alone (or not at all).

    Example:
        >>> convention_text("j", "juan")
        'J. may stand for Juan'
        >>> convention_text("aitaly", "aly")
        'Aitaly is Aly with its particle written joined'
        >>> convention_text("luis", "joseluis")
        'Luis is part of Joseluis, written as one word'
        >>> convention_text("pipe", "felipe")
        'Pipe is a short form of Felipe'
    """
    from matching.short_forms import short_form_text

    first, second = fold_token(document_word), fold_token(reported_word)
    if first == second:
        return None
    if (text := short_form_text(first, second)) is not None:
        return text
    words = {first: document_word, second: reported_word}
    if len(first) == 1 or len(second) == 1:
        initial, name = sorted((first, second), key=len)
        if len(name) > 1 and initial in _initials_of(name):
            return f"{words[initial].upper()}. may stand for {words[name].title()}"
        return None
    for joined, rest in ((first, second), (second, first)):
        if rest in particle_rests(joined):
            return (
                f"{words[joined].title()} is {words[rest].title()} with its particle written joined"
            )
    if _compound(first, second):
        part, whole = sorted((first, second), key=len)
        return f"{words[part].title()} is part of {words[whole].title()}, written as one word"
    return None


@lru_cache(maxsize=1 << 18)
def token_similarity(first: str, second: str) -> float:
    """Graded similarity (0–100) of two token keys; 0 when they do not agree at all.

    The larger of rapidfuzz's normalised Indel ratio and Jaro–Winkler (which forgives a slip
    late in a name more than one early), when the ratio reaches ``TOKEN_SIMILARITY`` or
    Jaro–Winkler ``JARO_WINKLER_SIMILARITY``; short keys must be equal. The record
    conventions score as well: a known short form (``matching.short_forms``)
    ``SHORT_FORM_SIMILARITY``, an initial and a name it may stand for ``INITIAL_SIMILARITY``,
    a particle written joined and the name without it ``JOINED_PARTICLE_SIMILARITY``, a
    compound written as one word and one of its parts ``COMPOUND_SIMILARITY``.
    ``KeyVocabulary.agreeing`` scores many keys at once with exactly these rules.

    Example:
        >>> token_similarity("quintanila", "quintanila")
        100.0
        >>> 80 < token_similarity(fold_token("hernandez"), fold_token("hernandes")) <= 100
        True
        >>> token_similarity(fold_token("felipe"), fold_token("pipe"))
        90.0
        >>> token_similarity("ali", "ala")
        0.0
        >>> token_similarity(*name_keys("J."), name_keys("Juan")[0])
        95.0
        >>> token_similarity(name_keys("Joseluis")[0], name_keys("Luis")[0])
        85.0
    """
    if first == second:
        return 100.0
    rule = _rule_similarity(first, second)
    if min(len(first), len(second)) <= SHORT_KEY:
        return rule
    ratio = fuzz.ratio(first, second)
    winkler = 100.0 * JaroWinkler.normalized_similarity(first, second)
    if ratio < TOKEN_SIMILARITY and winkler < JARO_WINKLER_SIMILARITY:
        return rule
    return float(max(ratio, winkler, rule))


#: near-miss bands of two keys that do not agree (``near_bands``): none, near, close
NEAR_NONE, NEAR_LOOSE, NEAR_CLOSE = 0, 1, 2
#: a key one edit from another (a letter added, dropped, changed, or two swapped), or this
#: close by ratio or Jaro–Winkler, is a close miss; short keys (WEBB folds to "uib", WBEB to
#: "ubib") come close by the one edit. The bands are where a likeness stops being as common
#: between different people's names as between one person's (measured on FEBRL3, never on
#: FEBRL4; docs/matching.md, "Names")
CLOSE_RATIO, CLOSE_WINKLER = 75.0, 85.0
#: from here, or two edits, a miss is near (a looser likeness)
LOOSE_RATIO, LOOSE_WINKLER, LOOSE_EDITS = 65.0, 80.0, 2


def _band(ratio: Any, winkler: Any, edits: Any, shortest: Any) -> Any:
    """The bands' one formula, for numbers or numpy arrays alike (``near_bands``)."""
    close = (edits <= 1) | (ratio >= CLOSE_RATIO) | (winkler >= CLOSE_WINKLER)
    loose = (
        ((edits <= LOOSE_EDITS) & (shortest > SHORT_KEY))
        | (ratio >= LOOSE_RATIO)
        | (winkler >= LOOSE_WINKLER)
    )
    return (NEAR_CLOSE * close + NEAR_LOOSE * (loose > close)) * (shortest >= 2)


def near_bands(
    ratio: npt.NDArray[np.float64],
    winkler: npt.NDArray[np.float64],
    edits: npt.NDArray[np.int64],
    shortest: npt.NDArray[np.int64],
) -> npt.NDArray[np.int8]:
    """Near-miss band of key pairs that do not agree, from rapidfuzz's Indel ratio,
    Jaro–Winkler (both 0–100) and optimal-string-alignment edits on the folded keys, and the
    length of the shorter key: ``NEAR_CLOSE``, ``NEAR_LOOSE`` or ``NEAR_NONE``; a key of one
    letter (an initial) comes near nothing. One formula for arrays and for one pair, so that a
    caseload (``KeyVocabulary.compare``) and one pair (``near_band``) band alike.

    Example:
        >>> near_bands(*(np.array([v]) for v in (57.1, 80.0, 1, 3))).tolist()
        [2]
    """
    return np.asarray(_band(ratio, winkler, edits, shortest), dtype=np.int8)


@lru_cache(maxsize=1 << 18)
def missed_band(first: str, second: str) -> int:
    """``near_band`` of two keys already known not to agree."""
    return int(
        _band(
            fuzz.ratio(first, second),
            100.0 * JaroWinkler.normalized_similarity(first, second),
            OSA.distance(first, second),
            min(len(first), len(second)),
        )
    )


def near_band(first: str, second: str) -> int:
    """How near two keys that do not agree come (``near_bands``); 0 when they agree.

    Example:
        >>> near_band(*name_keys("Wbeb"), *name_keys("Webb")) == NEAR_CLOSE
        True
        >>> near_band(*name_keys("Tomsen"), *name_keys("Thompson"))
        2
        >>> near_band(*name_keys("Kaitlin"), *name_keys("Katelyn"))  # they agree
        0
        >>> near_band(*name_keys("Webb"), *name_keys("Smith"))
        0
    """
    if token_similarity(first, second) > 0.0:
        return NEAR_NONE
    return missed_band(first, second)


def spelt_alike(first: str, second: str) -> bool:
    """Whether two keys are spelt alike: equal, or, longer than ``SHORT_KEY`` and of lengths
    within one letter, of rapidfuzz ratio ``TOKEN_SIMILARITY`` or more; without the rules,
    Jaro–Winkler and longer lengths, which ``token_similarity`` allows and which would let a
    name re-joined with the next one agree with one part alone (Sarah Jones: "sarahjones"
    with Sarah, Lachlan Whte: "lachlanuht" with Lachlan).

    Example:
        >>> spelt_alike(fold_token("paine"), fold_token("pa") + fold_token("ine"))
        True
        >>> spelt_alike(fold_token("lachlanwhte"), fold_token("lachlan"))
        False
    """
    return first == second or (
        min(len(first), len(second)) > SHORT_KEY
        and abs(len(first) - len(second)) <= 1
        and fuzz.ratio(first, second) >= TOKEN_SIMILARITY
    )


def near_text(document_word: str, reported_word: str) -> str:
    """Say how a document name comes close to a reported one without agreeing, in words an
    officer can check.

    Example:
        >>> near_text("wbeb", "webb")
        'Wbeb is close to Webb (two letters swapped)'
        >>> near_text("riy", "roy")
        'Riy is close to Roy (one letter changed)'
        >>> near_text("jaydne", "jayde")
        'Jaydne is close to Jayde (one letter added)'
        >>> near_text("pa ine", "paine")
        'Pa Ine is Paine written in two words'
    """
    first, second = document_word.title(), reported_word.title()
    if " " in document_word:
        return f"{first} is {second} written in two words"
    ops = Levenshtein.editops(document_word, reported_word)
    kinds = [op.tag for op in ops]
    if OSA.distance(document_word, reported_word) == 1 and len(kinds) == 2:
        how = "two letters swapped"
    elif len(kinds) == 1:
        how = {
            "replace": "one letter changed",
            "delete": "one letter added",
            "insert": "one letter dropped",
        }[kinds[0]]
    else:
        how = f"{len(kinds)} letters differ"
    return f"{first} is close to {second} ({how})"


class KeyVocabulary:
    """The distinct name keys of a caseload, numbered in the order added, with look-ups for
    the record conventions, so that the keys agreeing with many query keys are found at once
    (rapidfuzz over all cores for the spellings, dictionaries for the rest).

    Example:
        >>> vocabulary = KeyVocabulary()
        >>> [vocabulary.add(key) for key in ("juan", "piris", "ali")]
        [0, 1, 2]
        >>> found = vocabulary.agreeing(["j", "aitali"])
        >>> [(ids.tolist(), scores.tolist()) for ids, scores in found]
        [([0], [95.0]), ([2], [95.0])]
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.ids: dict[str, int] = {}
        self._lengths: list[int] = []
        self._length_array: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        # initial -> ids of the longer keys it may stand for, and of the one-letter keys
        self._named_by: dict[str, list[int]] = {}
        self._initials: dict[str, list[int]] = {}
        # key once its joined particles are off -> ids of the joined keys
        self._joined: dict[str, list[int]] = {}
        # a compound's start or end -> ids of the compounds (see ``_compound``)
        self._parts: dict[str, list[int]] = {}

    def add(self, key: str) -> int:
        """Number a key (the one it had when already known)."""
        known = self.ids.get(key)
        if known is not None:
            return known
        number = len(self.keys)
        self.keys.append(key)
        self.ids[key] = number
        self._lengths.append(len(key))
        if len(key) == 1:
            self._initials.setdefault(key, []).append(number)
        else:
            for letter in _initials_of(key):
                self._named_by.setdefault(letter, []).append(number)
        for rest in particle_rests(key):
            self._joined.setdefault(rest, []).append(number)
        for length in range(COMPOUND_PART, len(key) - _COMPOUND_REST + 1):
            self._parts.setdefault(key[:length], []).append(number)
            self._parts.setdefault(key[-length:], []).append(number)
        return number

    def _rule_ids(self, key: str) -> list[int]:
        """Ids of the known keys that may agree with ``key`` by a record convention."""
        from matching.short_forms import related_keys

        found = [self.ids[other] for other in related_keys(key) if other in self.ids]
        if len(key) == 1:
            found += self._named_by.get(key, [])
        else:
            for letter in _initials_of(key):
                found += self._initials.get(letter, [])
        found += self._joined.get(key, [])
        found += [self.ids[rest] for rest in particle_rests(key) if rest in self.ids]
        found += self._parts.get(key, [])
        for length in range(COMPOUND_PART, len(key) - _COMPOUND_REST + 1):
            for part in (key[:length], key[-length:]):
                if part in self.ids:
                    found.append(self.ids[part])
        return found

    def agreeing(
        self, queries: Sequence[str], workers: int = 1
    ) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
        """For each query key, the ids of the known keys that agree with it and their
        ``token_similarity`` (0–100), ids in increasing order."""
        return [agree for agree, _near in self.compare(queries, workers, near=False)]

    def compare(
        self, queries: Sequence[str], workers: int = 1, near: bool = True
    ) -> list[
        tuple[
            tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]],
            tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]],
        ]
    ]:
        """For each query key, as ``agreeing``, and the ids of the known keys that do not
        agree with it but come near (``near_band`` above ``NEAR_NONE``) with their band (none
        looked for unless ``near``)."""
        if not self.keys:
            nothing = np.zeros(0, dtype=np.int64)
            return [((nothing, np.zeros(0)), (nothing, np.zeros(0, np.int8))) for _ in queries]
        if self._length_array.size != len(self.keys):
            self._length_array = np.array(self._lengths)
        lengths = self._length_array
        found: list[
            tuple[
                tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]],
                tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]],
            ]
        ] = []
        for start in range(0, len(queries), 512):
            chunk = list(queries[start : start + 512])
            # float64 and the formulas of ``token_similarity``: a pair must score the same
            # in a whole caseload as alone
            winkler = 100.0 * process.cdist(
                chunk,
                self.keys,
                scorer=JaroWinkler.normalized_similarity,
                dtype=np.float64,
                workers=workers,
            )
            ratio = process.cdist(
                chunk, self.keys, scorer=fuzz.ratio, dtype=np.float64, workers=workers
            )
            scores = np.where(
                (ratio >= TOKEN_SIMILARITY) | (winkler >= JARO_WINKLER_SIMILARITY),
                np.maximum(ratio, winkler),
                0.0,
            )
            # keys of three letters or fewer agree by a rule or not at all
            scores[:, lengths <= SHORT_KEY] = 0.0
            scores[[len(key) <= SHORT_KEY for key in chunk], :] = 0.0
            if near:
                edits = process.cdist(
                    chunk,
                    self.keys,
                    scorer=OSA.distance,
                    score_cutoff=LOOSE_EDITS,
                    dtype=np.int64,
                    workers=workers,
                )
                shortest = np.minimum(np.array([len(key) for key in chunk])[:, None], lengths)
                bands = near_bands(ratio, winkler, edits, shortest)
            else:
                bands = np.zeros(scores.shape, dtype=np.int8)
            for row, key in enumerate(chunk):
                line = scores[row]
                exact = self.ids.get(key)
                if exact is not None:
                    line[exact] = 100.0
                for other in set(self._rule_ids(key)):
                    if other != exact:
                        line[other] = max(line[other], _rule_similarity(key, self.keys[other]))
                ids = np.flatnonzero(line > 0.0)
                close = np.flatnonzero((line <= 0.0) & (bands[row] > NEAR_NONE))
                found.append(
                    (
                        (ids.astype(np.int64), line[ids].astype(np.float64)),
                        (close.astype(np.int64), bands[row][close]),
                    )
                )
        return found


def keys_agree(first: str, second: str) -> bool:
    """Tell whether two token keys name the same name (exact for short keys, else fuzzy).

    Example:
        >>> keys_agree(fold_token("traore"), fold_token("traori"))
        True
        >>> keys_agree("ali", "ala")
        False
    """
    return token_similarity(first, second) > 0.0


def similar_key_ids(query: str, vocabulary: Sequence[str]) -> list[int]:
    """Positions in ``vocabulary`` of the keys that agree with ``query`` (see ``keys_agree``).

    Example:
        >>> similar_key_ids("gibri", ["gibri", "gibra", "tisfai", "abi"])
        [0, 1]
    """
    if len(query) <= SHORT_KEY:
        return [i for i, key in enumerate(vocabulary) if key == query]
    hits = process.extract(
        query, vocabulary, scorer=fuzz.ratio, score_cutoff=TOKEN_SIMILARITY, limit=None
    )
    return sorted(int(index) for key, _score, index in hits if len(key) > SHORT_KEY or key == query)


def bloom_dice(first: bytes, second: bytes) -> float | None:
    """Dice coefficient of two Bloom-filter name encodings of the same length.

    Returns None when the lengths differ or both filters are empty: nothing to compare.

    Example:
        >>> bloom_dice(bytes([0b1111_0000]), bytes([0b1100_0000]))
        0.6666666666666666
    """
    if len(first) != len(second):
        return None
    a = np.frombuffer(first, dtype=np.uint8)
    b = np.frombuffer(second, dtype=np.uint8)
    total = int(np.bitwise_count(a).sum() + np.bitwise_count(b).sum())
    if total == 0:
        return None
    return 2.0 * int(np.bitwise_count(a & b).sum()) / total


@dataclass(frozen=True, slots=True)
class NameHit:
    """One answer of a name search: which record, how similar (0–100), on which name."""

    ref: str
    score: float
    name: str


class NameSearch:
    """Fuzzy search over the names of many people, prepared once and queried many times.

    Example:
        >>> search = NameSearch([("M1", ["Yusuf Abdi Hassan"]), ("M2", ["Ana López"])])
        >>> [hit.ref for hit in search.search("Youssef Hasan")]
        ['M1']
    """

    def __init__(self, people: Iterable[tuple[str, Sequence[str]]]) -> None:
        self._refs: list[str] = []
        self._names: list[str] = []
        self._keys: list[str] = []
        for ref, names in people:
            for name in names:
                key = " ".join(name_keys(name))
                if key:
                    self._refs.append(ref)
                    self._names.append(name)
                    self._keys.append(key)

    def search(self, query: str, limit: int = 20, min_score: float = 70.0) -> list[NameHit]:
        """People whose names resemble ``query``, best first, one hit per person.

        The score is rapidfuzz's token-set ratio on folded keys, so word order, particles and
        extra or missing names weigh little.
        """
        query_key = " ".join(name_keys(query))
        if not query_key or not self._keys:
            return []
        scores = process.cdist(
            [query_key],
            self._keys,
            scorer=fuzz.token_set_ratio,
            score_cutoff=min_score,
            dtype=np.float32,
            workers=-1,
        )[0]
        order = np.argsort(-scores, kind="stable")
        hits: list[NameHit] = []
        seen: set[str] = set()
        for index in order:
            score = float(scores[index])
            if score < min_score or score <= 0.0 or len(hits) >= limit:
                break
            ref = self._refs[index]
            if ref not in seen:
                seen.add(ref)
                hits.append(NameHit(ref, round(score, 1), self._names[index]))
        return hits


class BlockedNameSearch(NameSearch):
    """A ``NameSearch`` for many queries against many people (a file checked against every
    open case): a query scores only the names that share a token key, or the first letters of
    one, with it, so its cost does not grow with the number of people.

    Names with nothing in common at all are missed (a one-word name spelt differently from
    its first letters on); among the names that share only very common keys, the rarest blocks
    are scored first and at most ``max_candidates`` names in all.

    Example:
        >>> search = BlockedNameSearch([("M1", ["Yusuf Abdi Hassan"]), ("M2", ["Ana López"])])
        >>> [hit.ref for hit in search.search("Youssef Hasan")]
        ['M1']
    """

    PREFIX = 4

    def __init__(
        self, people: Iterable[tuple[str, Sequence[str]]], max_candidates: int = 500
    ) -> None:
        super().__init__(people)
        self.max_candidates = max_candidates
        self._blocks: dict[str, list[int]] = {}
        for index, key in enumerate(self._keys):
            for block in self._block_keys(key):
                self._blocks.setdefault(block, []).append(index)

    @classmethod
    def _block_keys(cls, key: str) -> set[str]:
        tokens = key.split()
        return {*tokens, *("~" + token[: cls.PREFIX] for token in tokens if len(token) > SHORT_KEY)}

    def search(self, query: str, limit: int = 20, min_score: float = 70.0) -> list[NameHit]:
        """People whose names resemble ``query``, best first, one hit per person (scores as
        ``NameSearch.search``)."""
        query_key = " ".join(name_keys(query))
        if not query_key:
            return []
        blocks = sorted(
            (self._blocks[block] for block in self._block_keys(query_key) if block in self._blocks),
            key=len,
        )
        chosen: set[int] = set()
        for block in blocks:
            if len(chosen) >= self.max_candidates:
                break
            chosen.update(block[: self.max_candidates - len(chosen)])
        if not chosen:
            return []
        candidates = sorted(chosen)
        scored = process.extract(
            query_key,
            [self._keys[index] for index in candidates],
            scorer=fuzz.token_set_ratio,
            score_cutoff=min_score,
            limit=None,
        )
        scored.sort(key=lambda hit: (-hit[1], hit[2]))
        hits: list[NameHit] = []
        seen: set[str] = set()
        for _key, score, position in scored:
            if score <= 0.0 or len(hits) >= limit:
                break
            index = candidates[position]
            ref = self._refs[index]
            if ref not in seen:
                seen.add(ref)
                hits.append(NameHit(ref, round(float(score), 1), self._names[index]))
        return hits


def search_names(
    query: str,
    people: Iterable[tuple[str, Sequence[str]]],
    limit: int = 20,
    min_score: float = 70.0,
) -> list[NameHit]:
    """Find the people whose names resemble a query (one-off form of ``NameSearch``).

    Args:
        query: the name typed by a user, in any order or transliteration.
        people: (ref, names) pairs; names may include aliases.
        limit: most hits returned.
        min_score: least similarity, 0–100.

    Example:
        >>> [h.ref for h in search_names("Mohammed Traore", [("A", ["Muhammad Traoré"])])]
        ['A']
    """
    return NameSearch(people).search(query, limit=limit, min_score=min_score)
