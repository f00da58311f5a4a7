"""Names of the open cases of one kind as an inverted index of folded tokens, and the name
agreement of one query with all of them, learnt term frequencies included."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from matching.features import ROLE_GIVEN, ROLE_SURNAME
from matching.names import (
    NEAR_CLOSE,
    NEAR_LOOSE,
    SHORT_KEY,
    TOKEN_SIMILARITY,
    KeyVocabulary,
    is_initial_pair,
)
from matching.scoring import NameAgreement
from matching.settings import MatchSettings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_NO_IDS: IntArray = np.zeros(0, dtype=np.int64)


class NameTokens:
    """Inverted index from folded name tokens to (slot, role), with graded fuzzy look-up and
    the frequency of each token in the caseload."""

    def __init__(self, workers: int) -> None:
        self.vocabulary: list[str] = []
        self._ids: dict[str, int] = {}
        self._slots: list[list[int]] = []
        self._roles: list[list[int]] = []
        self._arrays: dict[int, tuple[IntArray, IntArray]] = {}
        self._distinct: dict[int, IntArray] = {}
        self._similar: dict[str, tuple[IntArray, FloatArray]] = {}
        # key -> ids of the tokens it comes near without agreeing, and their band
        self._near: dict[str, tuple[IntArray, npt.NDArray[np.int8]]] = {}
        # key -> the slots of those tokens, and the band, concatenated
        self._near_slots: dict[str, tuple[IntArray, npt.NDArray[np.int8], IntArray]] = {}
        # key -> the slots of the tokens spelt alike (``names.spelt_alike``)
        self._spelt: dict[str, IntArray] = {}
        # token id -> the keys whose ``_near_slots`` or ``_spelt`` read its slots
        self._readers: dict[int, set[str]] = {}
        self._rules = KeyVocabulary()
        self._workers = workers
        self._named = 0
        # per token id, the named cases carrying it (kept as cases are added, not recounted)
        self._counts = np.zeros(0, dtype=np.int64)
        # per slot, how many distinct keys it holds (slots are numbered as added)
        self._key_counts: list[int] = []
        self._key_array: IntArray = np.zeros(0, dtype=np.int64)
        self._share: FloatArray | None = None
        self._average = 0.0

    def add(self, slot: int, tokens: Iterable[tuple[str, int]]) -> None:
        """Index the name tokens (key, role) of the case at ``slot``: all of them in one call,
        a slot once."""
        seen: set[int] = set()
        for key, role in tokens:
            token_id = self._ids.get(key)
            if token_id is None:
                token_id = len(self.vocabulary)
                self._ids[key] = token_id
                self.vocabulary.append(key)
                self._rules.add(key)
                self._slots.append([])
                self._roles.append([])
                # a new token may agree with, come near or be spelt like any key looked up
                self._similar.clear()
                self._near.clear()
                self._near_slots.clear()
                self._spelt.clear()
                self._readers.clear()
            else:
                # a token known already: only the slots of the keys that read it change
                for reader in self._readers.pop(token_id, ()):
                    self._near_slots.pop(reader, None)
                    self._spelt.pop(reader, None)
            self._slots[token_id].append(slot)
            self._roles[token_id].append(role)
            self._arrays.pop(token_id, None)
            self._distinct.pop(token_id, None)
            seen.add(token_id)
        if seen:
            self._named += 1
            self._share = None
            if len(self.vocabulary) > self._counts.size:
                grown = np.zeros(max(2 * self._counts.size, len(self.vocabulary)), np.int64)
                grown[: self._counts.size] = self._counts
                self._counts = grown
            self._counts[list(seen)] += 1
        if slot >= len(self._key_counts):
            self._key_counts.extend([0] * (slot + 1 - len(self._key_counts)))
        self._key_counts[slot] = len(seen)

    def postings(self, token_id: int) -> tuple[IntArray, IntArray]:
        cached = self._arrays.get(token_id)
        if cached is None:
            cached = (
                np.array(self._slots[token_id], dtype=np.int64),
                np.array(self._roles[token_id], dtype=np.int64),
            )
            self._arrays[token_id] = cached
        return cached

    def _read(self, token_id: int, key: str) -> IntArray:
        """The slots of a token, read for ``key``'s cached slots (dropped when it gains one)."""
        self._readers.setdefault(token_id, set()).add(key)
        return self.postings(token_id)[0]

    def holding_all(self, token_ids: IntArray) -> IntArray:
        """The slots each of whose distinct keys is one of ``token_ids`` (the keys a query
        agrees with, each once): the cases the query finds every name of."""
        if token_ids.size == 0:
            return _NO_IDS
        if self._key_array.size != len(self._key_counts):
            self._key_array = np.array(self._key_counts, dtype=np.int64)
        holding = np.bincount(
            np.concatenate([self.distinct_postings(t) for t in token_ids.tolist()]),
            minlength=self._key_array.size,
        )
        return np.flatnonzero((holding == self._key_array) & (holding > 0)).astype(np.int64)

    def distinct_postings(self, token_id: int) -> IntArray:
        """The slots holding a token, each once (a slot may hold a key in two roles)."""
        cached = self._distinct.get(token_id)
        if cached is None:
            cached = np.unique(self.postings(token_id)[0])
            self._distinct[token_id] = cached
        return cached

    def _shares(self) -> FloatArray:
        """Per token id, the share of named cases that carry it."""
        if self._share is None or self._share.size != len(self.vocabulary):
            counts = self._counts[: len(self.vocabulary)].astype(np.float64)
            self._share = counts / max(self._named, 1)
            self._average = float((self._share**2).sum() / max(self._share.sum(), 1e-12))
        return self._share

    def key_bits(self, key: str, cap: float) -> float:
        """Term-frequency adjustment of agreeing on ``key``, in bits, within ±cap.

        As Splink's: log2(u / u_key), where u is the chance agreement on a name token
        averaged as agreements fall (sum of shares squared / sum of shares) and u_key the share
        of named cases carrying a token that agrees with ``key`` (itself or a spelling close
        enough), so that agreeing on a rare name weighs more than on a common one, and a
        close spelling of a common name is no rarer than the name.
        """
        share = self._shares()
        if not self.vocabulary:
            return 0.0
        ids, _similarity = self.similar(key)
        chance = max(float(share[ids].sum()), 1.0 / max(self._named, 1))
        return float(np.clip(np.log2(self._average / chance), -cap, cap))

    def similar(self, key: str) -> tuple[IntArray, FloatArray]:
        """Ids of the vocabulary tokens that agree with ``key``, and their similarity (0–100)."""
        found = self._similar.get(key)
        if found is None:
            self.prepare([key], near=False)
            found = self._similar[key]
        return found

    def near(self, key: str) -> tuple[IntArray, npt.NDArray[np.int8]]:
        """Ids of the vocabulary tokens ``key`` comes near without agreeing, and their band
        (``names.near_bands``)."""
        found = self._near.get(key)
        if found is None:
            self.prepare([key])
            found = self._near[key]
        return found

    def near_slots(self, key: str) -> tuple[IntArray, npt.NDArray[np.int8], IntArray]:
        """The slots (with repeats) of the tokens ``key`` comes near, the band and the token
        id of each."""
        found = self._near_slots.get(key)
        if found is None:
            ids, bands = self.near(key)
            slots = [self._read(token_id, key) for token_id in ids.tolist()]
            sizes = [part.size for part in slots]
            found = (
                np.concatenate(slots) if slots else np.zeros(0, dtype=np.int64),
                np.repeat(bands, sizes).astype(np.int8),
                np.repeat(ids, sizes).astype(np.int64),
            )
            self._near_slots[key] = found
        return found

    def spelt_slots(self, key: str) -> IntArray:
        """The slots (with repeats) holding a token spelt like ``key`` (``names.spelt_alike``:
        equal, or a rapidfuzz ratio of 80 or more between keys longer than three letters
        whose lengths differ by one letter at most)."""
        found = self._spelt.get(key)
        if found is None:
            self.prepare_spelt([key])
            found = self._spelt[key]
        return found

    def prepare_spelt(self, keys: Iterable[str]) -> None:
        """``spelt_slots`` of many keys at once (rapidfuzz cdist), cached."""
        todo = sorted({key for key in keys if key not in self._spelt})
        lengths = np.array([len(key) for key in self.vocabulary], dtype=np.int64)
        for start in range(0, len(todo), 512):
            chunk = todo[start : start + 512]
            ratio = (
                process.cdist(
                    chunk,
                    self.vocabulary,
                    scorer=fuzz.ratio,
                    dtype=np.float64,
                    workers=self._workers,
                )
                if self.vocabulary
                else np.zeros((len(chunk), 0))
            )
            for row, key in enumerate(chunk):
                alike = (
                    (ratio[row] >= TOKEN_SIMILARITY)
                    & (lengths > SHORT_KEY)
                    & (np.abs(lengths - len(key)) <= 1)
                    & (len(key) > SHORT_KEY)
                )
                exact = self._ids.get(key)
                if exact is not None:
                    alike[exact] = True
                slots = [self._read(token_id, key) for token_id in np.flatnonzero(alike).tolist()]
                self._spelt[key] = np.concatenate(slots) if slots else np.zeros(0, dtype=np.int64)

    def prepare(self, keys: Iterable[str], near: bool = True) -> None:
        """Look up many keys at once (rapidfuzz cdist on all cores) and cache the answers:
        the tokens each agrees with, and, with ``near``, those it comes near."""
        cache = self._near if near else self._similar
        todo = sorted({key for key in keys if key not in cache})
        if not todo:
            return
        found = self._rules.compare(todo, self._workers, near=near)
        for key, (agree, close) in zip(todo, found, strict=True):
            self._similar[key] = agree
            if near:
                self._near[key] = close


def names_against_missing(
    tokens: NameTokens,
    keys: list[str],
    settings: MatchSettings,
    size: int,
    positions: IntArray | None = None,
    joined: Iterable[str] = (),
) -> NameAgreement:
    """Name agreement of a remains' document name ``keys`` with every missing person in
    ``tokens``: per slot, or per position of ``positions`` (slot -> position; -1 and positions
    from ``size`` on are left out) when given. ``joined`` holds the keys of adjacent document
    names written as one (``features.document_joined_keys``): one spelt like a reported name
    makes a near miss close (a name split in two, PA INE for Paine)."""
    given = np.zeros(size, dtype=bool)
    surname = np.zeros(size, dtype=bool)
    matched = np.zeros(size, dtype=np.int16)
    graded = np.zeros(size)
    cap = settings.name_frequency_cap_bits
    per_point = settings.name_similarity_bits
    # per document name, the slots it agrees with nothing of but comes near, and the band
    near_slots: list[IntArray] = []
    near_bands: list[npt.NDArray[np.int8]] = []
    agreeing: list[IntArray] = []
    for key in keys:
        ids, similarity = tokens.similar(key)
        agreeing.append(ids)
        slots, bands, _ids = tokens.near_slots(key)
        if positions is not None and slots.size:
            at = positions[slots]
            kept = (at >= 0) & (at < size)
            slots, bands = at[kept], bands[kept]
        if ids.size:
            best, as_given, as_surname = _agreeing(
                tokens, key, ids, similarity, positions, size, cap, per_point
            )
            counts_as_surname = (as_surname > 0.0) & (as_surname >= as_given)
            surname |= counts_as_surname
            given |= ~counts_as_surname & (as_given > 0.0)
            agrees = np.isfinite(best)
            matched += agrees
            graded += np.where(agrees, best, 0.0)
            if slots.size:
                missed = ~agrees[slots]
                slots, bands = slots[missed], bands[missed]
        if slots.size:
            near_slots.append(slots)
            near_bands.append(bands)
    all_document = matched == len(keys)
    near = np.where(all_document, np.int8(-1), np.int8(0)).astype(np.int8)
    if near_slots:
        slots, bands = np.concatenate(near_slots), np.concatenate(near_bands)
        near[slots[bands == NEAR_LOOSE]] = NEAR_LOOSE
        near[slots[bands == NEAR_CLOSE]] = NEAR_CLOSE
    for key in joined:
        # adjacent document names re-joined, spelt like a reported name: a close near miss
        slots = tokens.spelt_slots(key)
        if positions is not None and slots.size:
            at = positions[slots]
            slots = at[(at >= 0) & (at < size)]
        slots = slots[near[slots] >= 0]
        near[slots] = NEAR_CLOSE
    # the missing persons each of whose reported names agrees with a document name
    all_reported = np.zeros(size, dtype=bool)
    every = tokens.holding_all(np.unique(np.concatenate(agreeing)) if agreeing else _NO_IDS)
    if positions is not None and every.size:
        at = positions[every]
        every = at[(at >= 0) & (at < size)]
    all_reported[every] = True
    return NameAgreement(
        given, surname, all_document, np.full(size, np.nan), graded, near, all_reported
    )


def _agreeing(
    tokens: NameTokens,
    key: str,
    ids: IntArray,
    similarity: FloatArray,
    positions: IntArray | None,
    size: int,
    cap: float,
    per_point: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per slot, the graded bits of the best reported token a document name ``key`` agrees
    with (-inf: none), and its best similarity to a given name and to a surname: it counts
    for the role it agrees with best (a surname on a tie), never for both."""
    best = np.full(size, -np.inf)
    as_given = np.zeros(size)
    as_surname = np.zeros(size)
    values = tokens.key_bits(key, cap) - per_point * (100.0 - similarity)
    for token_id, value, score in zip(
        ids.tolist(), values.tolist(), similarity.tolist(), strict=True
    ):
        slots, roles = tokens.postings(token_id)
        if positions is not None:
            at = positions[slots]
            kept = (at >= 0) & (at < size)
            slots, roles = at[kept], roles[kept]
        best[slots] = np.maximum(best[slots], value)
        at_given = slots[roles == ROLE_GIVEN]
        as_given[at_given] = np.maximum(as_given[at_given], score)
        if not is_initial_pair(key, tokens.vocabulary[token_id]):
            at_surname = slots[roles == ROLE_SURNAME]
            as_surname[at_surname] = np.maximum(as_surname[at_surname], score)
    return best, as_given, as_surname


def names_against_remains(
    tokens: NameTokens,
    reported: NameTokens,
    record_tokens: list[tuple[str, int]],
    n_doc: npt.NDArray[np.int16],
    settings: MatchSettings,
    joined: NameTokens | None = None,
) -> NameAgreement:
    """Name agreement of a missing person's (key, role) tokens with every remains in
    ``tokens``; ``reported`` (the missing persons' tokens) gives each document name's
    frequency, and ``n_doc`` each remains' number of document name tokens; ``joined``
    the remains' adjacent document names written as one (see ``names_against_missing``)."""
    size = n_doc.size
    given = np.zeros(size, dtype=bool)
    surname = np.zeros(size, dtype=bool)
    cap = settings.name_frequency_cap_bits
    per_point = settings.name_similarity_bits
    codes: list[IntArray] = []
    values: list[FloatArray] = []
    # per (remains, document token) agreement: its similarity and the reported role
    role_codes: list[IntArray] = []
    scores: list[FloatArray] = []
    as_surname: list[npt.NDArray[np.bool_]] = []
    near_codes: list[IntArray] = []
    near_bands: list[npt.NDArray[np.int8]] = []
    width = max(len(tokens.vocabulary), 1)
    # per distinct reported key, the remains holding a document name that agrees with it
    reported_in: dict[str, IntArray] = {}
    for key, role in record_tokens:
        slots, bands, near_ids = tokens.near_slots(key)
        if slots.size:
            near_codes.append(slots * width + near_ids)
            near_bands.append(bands)
        ids, similarity = tokens.similar(key)
        if key not in reported_in:
            reported_in[key] = (
                np.unique(np.concatenate([tokens.distinct_postings(t) for t in ids.tolist()]))
                if ids.size
                else _NO_IDS
            )
        if ids.size == 0:
            continue
        # a document name's frequency among the reported names, as the other way round
        frequency = np.array([reported.key_bits(tokens.vocabulary[i], cap) for i in ids.tolist()])
        bits = frequency - per_point * (100.0 - similarity)
        for token_id, value, score in zip(
            ids.tolist(), bits.tolist(), similarity.tolist(), strict=True
        ):
            slots, _roles = tokens.postings(token_id)
            if role == ROLE_GIVEN or not is_initial_pair(key, tokens.vocabulary[token_id]):
                role_codes.append(slots * width + token_id)
                scores.append(np.full(slots.size, score))
                as_surname.append(np.full(slots.size, role == ROLE_SURNAME))
            codes.append(slots * width + token_id)
            values.append(np.full(slots.size, value))
    matched: IntArray = np.zeros(size, dtype=np.int64)
    graded: FloatArray = np.zeros(size)
    agreed: IntArray = np.zeros(0, dtype=np.int64)
    if role_codes:
        # each document token counts for the role it agrees with best (a surname on a tie)
        code = np.concatenate(role_codes)
        score = np.concatenate(scores)
        surname_role = np.concatenate(as_surname)
        pairs, inverse = np.unique(code, return_inverse=True)
        best_given = np.zeros(pairs.size)
        best_surname = np.zeros(pairs.size)
        np.maximum.at(best_given, inverse[~surname_role], score[~surname_role])
        np.maximum.at(best_surname, inverse[surname_role], score[surname_role])
        counts_as_surname = (best_surname > 0.0) & (best_surname >= best_given)
        surname[pairs[counts_as_surname] // width] = True
        given[pairs[~counts_as_surname & (best_given > 0.0)] // width] = True
    if codes:
        code = np.concatenate(codes)
        value = np.concatenate(values)
        order = np.lexsort((value, code))
        code, value = code[order], value[order]
        last = np.append(code[1:] != code[:-1], True)
        # per (remains, document token): the best reported token it agrees with
        agreed = code[last]
        matched = np.bincount(agreed // width, minlength=size)
        graded = np.bincount(agreed // width, weights=value[last], minlength=size).astype(
            np.float64
        )
    all_document = matched == n_doc
    # per remains, how near its document names that agree with no reported name come
    near = np.zeros(size, dtype=np.int8)
    if near_codes:
        code = np.concatenate(near_codes)
        band = np.concatenate(near_bands)
        missed = ~np.isin(code, agreed)
        np.maximum.at(near, code[missed] // width, band[missed])
    if joined is not None:
        # a document name split in two (PA INE) and re-joined, spelt like a reported name
        for key, _role in record_tokens:
            near[joined.spelt_slots(key)] = NEAR_CLOSE
    near = np.where(all_document, np.int8(-1), near).astype(np.int8)
    # the remains on whose documents every reported name agrees with a document name
    all_reported = np.zeros(size, dtype=bool)
    if reported_in:
        found = np.bincount(np.concatenate(list(reported_in.values())), minlength=size)
        all_reported = found[:size] == len(reported_in)
    return NameAgreement(
        given, surname, all_document, np.full(size, np.nan), graded, near, all_reported
    )
