"""Cross-border DNA search (spec §7.7, I-Familia style): a family's authority sends the pedigrees
and reference profiles of consenting families, keyed by its per-recipient pseudonyms and by
pedigree labels (never names or sample barcodes); the remains' authority runs them against its
remains and answers hit or no hit, with the likelihood ratio of a hit. Plain data: the receiving
application converts it for its kinship engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from exchange.envelope import DEFAULT_LIMITS, Limits, open_envelope, seal
from exchange.errors import ErrorCode, ExchangeError, MalformedMessageError
from exchange.keys import AuthorityKeys
from exchange.received import Received
from exchange.replay import MessageKind, ReplayGuard
from exchange.trust import TrustedAuthority, TrustList
from exchange.wire import JsonValue

SEARCH_FORMAT = "mmx-dna-search"
ANSWER_FORMAT = "mmx-dna-answer"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]{43}$")
LABEL = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")
LOCUS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
ALLELE = re.compile(r"^(0|[1-9][0-9]{0,2})(\.[1-9])?$")
POPULATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$")
MTDNA_VARIANT = re.compile(r"^[0-9]{1,5}(\.[0-9]{1,2})?[ACGTN-]{0,4}(del|ins[ACGT]{1,8})?$")
SEXES = ("female", "male", "unknown")
#: the lineage systems an answer may name as excluding a hit (§7.7)
LINEAGE_SYSTEMS = ("mtdna", "ystr")
MAX_FAMILIES = 500
MAX_PEOPLE = 30
MAX_LOCI = 64
MAX_MTDNA_VARIANTS = 200
#: log10 LR in thousandths, so the payload stays free of floating point (spec §2)
MAX_LOG10_LR_MILLI = 1_000_000
DEFAULT_DNA_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class PedigreeMember:
    """One member of a shared pedigree: a label local to the family, parents, sex."""

    label: str
    father: str | None
    mother: str | None
    sex: str


@dataclass(frozen=True)
class SharedFamily:
    """One consenting family as sent for a cross-border DNA search.

    Attributes:
        pseudonym: the missing person's pseudonym for this recipient (spec §6.1).
        population: the allele-frequency population to use (the sender's choice for the case).
        members: the pedigree, parents before children.
        missing: the label of the missing person (never typed).
        references: member label -> locus -> the two alleles (a homozygote repeats its allele).
        ystr: member label -> Y-STR marker -> allele (may be empty).
        mtdna: member label -> mtDNA variants relative to rCRS, sorted (may be empty).
    """

    pseudonym: str
    population: str
    members: tuple[PedigreeMember, ...]
    missing: str
    references: Mapping[str, Mapping[str, tuple[str, str]]]
    ystr: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    mtdna: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DnaSearch:
    """A search: families to run against the recipient's remains."""

    search_id: str
    families: tuple[SharedFamily, ...]


@dataclass(frozen=True)
class DnaResult:
    """The answer for one family: hit or not; for a hit, log10 LR (thousandths) and the
    remains' pseudonym for the asking authority (for a disclosure request, §7.3), and the
    lineage systems (``"mtdna"``, ``"ystr"``) whose markers exclude the family's line although
    the autosomal LR is above the threshold (empty: none excludes, or none was compared)."""

    pseudonym: str
    hit: bool
    log10_lr_milli: int | None
    remains: str | None
    lineage_exclusion: tuple[str, ...] = ()


@dataclass(frozen=True)
class DnaAnswer:
    """The answer to a search: one result per family, in the search's order."""

    search_id: str
    results: tuple[DnaResult, ...]


def _fail(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def _object(
    value: object, members: set[str], what: str, optional: frozenset[str] = frozenset()
) -> dict[str, object]:
    """`value` as an object with exactly `members`, and any of the `optional` ones (members
    added in a later revision of the same version: older messages lack them)."""
    if not isinstance(value, dict) or not members <= set(value) <= members | optional:
        extra = f" (and optionally {sorted(optional)})" if optional else ""
        raise _fail(f"{what} has exactly the members {sorted(members)}{extra}.")
    return value


def _text(value: object, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise _fail(f"{what} is not valid.")
    return value


def _member(value: object) -> PedigreeMember:
    fields = _object(value, {"id", "father", "mother", "sex"}, "A pedigree member")
    father, mother = (
        None if fields[name] is None else _text(fields[name], LABEL, f"A member's {name}")
        for name in ("father", "mother")
    )
    if not isinstance(fields["sex"], str) or fields["sex"] not in SEXES:
        raise _fail("A member's sex is female, male or unknown.")
    return PedigreeMember(_text(fields["id"], LABEL, "A member id"), father, mother, fields["sex"])


def _check_pedigree(members: tuple[PedigreeMember, ...], missing: str) -> None:
    if not 1 <= len(members) <= MAX_PEOPLE:
        raise _fail(f"A pedigree has 1 to {MAX_PEOPLE} members.")
    seen: dict[str, PedigreeMember] = {}
    for member in members:
        if member.label in seen:
            raise _fail(f"The pedigree lists {member.label} twice.")
        if (member.father is None) != (member.mother is None):
            raise _fail(f"{member.label} has one parent: give both, or none (a founder).")
        for parent, sex in ((member.father, "female"), (member.mother, "male")):
            if parent is not None:
                if parent not in seen:
                    raise _fail(f"{member.label}'s parent {parent} is not listed before them.")
                if seen[parent].sex == sex:
                    raise _fail(f"{parent} cannot be {member.label}'s parent of that sex.")
        seen[member.label] = member
    if missing not in seen:
        raise _fail("The missing person is not in the pedigree.")


def _rows(value: object, width: int, what: str) -> list[list[object]]:
    """Loci travel as rows ``[locus, allele, ...]`` sorted by locus name (locus names such as
    ``D3S1358`` or ``Penta E`` are not JSON member names of this format, §2)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LOCI:
        raise _fail(f"{what} holds 1 to {MAX_LOCI} loci.")
    if not all(isinstance(row, list) and len(row) == width for row in value):
        raise _fail(f"{what}: each locus is a list [locus, {width - 1} allele(s)].")
    names = [_text(row[0], LOCUS, f"{what}: a locus name") for row in value]
    if names != sorted(set(names)):
        raise _fail(f"{what}: loci sorted by name, each once.")
    return value


def _genotypes(value: object, what: str) -> Mapping[str, tuple[str, str]]:
    found = {}
    for row in _rows(value, 3, what):
        locus = str(row[0])
        if len(row) != 3:
            raise _fail(f"{what}, {locus}: exactly two alleles (a mixture is refused).")
        pair = [_text(a, ALLELE, f"{what}, {locus}: an allele") for a in row[1:]]
        if pair != sorted(pair, key=lambda a: (float(a), a)):
            raise _fail(f"{what}, {locus}: the smaller allele first.")
        found[locus] = (pair[0], pair[1])
    return MappingProxyType(found)


def family_from_json(value: object) -> SharedFamily:
    """Read one family strictly (members, pedigree structure, alleles, lineage markers)."""
    fields = _object(
        value,
        {"pseudonym", "population", "pedigree", "missing", "references"},
        "A family",
        # lineage markers: a family of an older sender may carry neither (read as empty)
        frozenset({"ystr", "mtdna"}),
    )
    if not isinstance(fields["pedigree"], list):
        raise _fail("pedigree is a list of members.")
    members = tuple(_member(item) for item in fields["pedigree"])
    missing = _text(fields["missing"], LABEL, "missing")
    _check_pedigree(members, missing)
    labels = {member.label for member in members}
    references = fields["references"]
    if not isinstance(references, dict) or not references:
        raise _fail("references hold at least one typed relative.")
    typed = {}
    for label, profile in references.items():
        if label not in labels or label == missing:
            raise _fail(f"A reference for {label}, who is not a typed relative in the pedigree.")
        typed[label] = _genotypes(profile, f"The profile of {label}")
    ystr, mtdna = fields.get("ystr", {}), fields.get("mtdna", {})
    if not isinstance(ystr, dict) or not isinstance(mtdna, dict):
        raise _fail("ystr and mtdna are objects (possibly empty).")
    lineage_y = {}
    for label, markers in ystr.items():
        if label not in labels or label == missing:
            raise _fail(f"Y-STR results for {label}, who is not a typed relative.")
        lineage_y[label] = MappingProxyType(
            {
                str(row[0]): _text(row[1], ALLELE, "a Y-STR allele")
                for row in _rows(markers, 2, f"The Y-STR result of {label}")
            }
        )
    lineage_mt = {}
    for label, variants in mtdna.items():
        if (
            label not in labels
            or label == missing
            or not isinstance(variants, list)
            or len(variants) > MAX_MTDNA_VARIANTS
        ):
            raise _fail(f"mtDNA results for {label} are not valid.")
        found = tuple(_text(v, MTDNA_VARIANT, "an mtDNA variant") for v in variants)
        if list(found) != sorted(set(found)):
            raise _fail("mtDNA variants are sorted and distinct.")
        lineage_mt[label] = found
    return SharedFamily(
        pseudonym=_text(fields["pseudonym"], PSEUDONYM, "pseudonym"),
        population=_text(fields["population"], POPULATION, "population"),
        members=members,
        missing=missing,
        references=MappingProxyType(typed),
        ystr=MappingProxyType(lineage_y),
        mtdna=MappingProxyType(lineage_mt),
    )


def family_to_json(family: SharedFamily) -> dict[str, JsonValue]:
    """The JSON object of a family (spec §7.7)."""
    return {
        "pseudonym": family.pseudonym,
        "population": family.population,
        "pedigree": [
            {"id": m.label, "father": m.father, "mother": m.mother, "sex": m.sex}
            for m in family.members
        ],
        "missing": family.missing,
        "references": {
            label: [[locus, *profile[locus]] for locus in sorted(profile)]
            for label, profile in family.references.items()
        },
        "ystr": {
            label: [[marker, markers[marker]] for marker in sorted(markers)]
            for label, markers in family.ystr.items()
        },
        "mtdna": {label: list(variants) for label, variants in family.mtdna.items()},
    }


def search_payload(search: DnaSearch) -> dict[str, JsonValue]:
    """The plaintext of a DNA search.

    Example:
        >>> search_payload(DnaSearch("6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48", ()))["format"]
        'mmx-dna-search'
    """
    return {
        "format": SEARCH_FORMAT,
        "version": 2,
        "search_id": search.search_id,
        "families": [family_to_json(family) for family in search.families],
    }


def search_from_json(payload: object) -> DnaSearch:
    """Read a DNA search strictly; pseudonyms are distinct within it."""
    fields = _object(payload, {"format", "version", "search_id", "families"}, "A DNA search")
    if fields["format"] != SEARCH_FORMAT:
        raise _fail("The payload is not an mmx-dna-search object.")
    if fields["version"] != 2 or isinstance(fields["version"], bool):
        raise MalformedMessageError(ErrorCode.UNSUPPORTED_VERSION, "Unknown DNA search version.")
    families = fields["families"]
    if not isinstance(families, list) or len(families) > MAX_FAMILIES:
        raise _fail(f"families is a list of at most {MAX_FAMILIES}.")
    read = tuple(family_from_json(item) for item in families)
    if len({f.pseudonym for f in read}) != len(read):
        raise _fail("A family appears twice in the search.")
    return DnaSearch(_text(fields["search_id"], UUID4, "search_id"), read)


def _result_to_json(result: DnaResult) -> dict[str, JsonValue]:
    found: dict[str, JsonValue] = {
        "pseudonym": result.pseudonym,
        "hit": result.hit,
        "log10_lr_milli": result.log10_lr_milli,
        "remains": result.remains,
    }
    if result.lineage_exclusion:  # absent when nothing excludes: older readers read it still
        found["lineage_exclusion"] = list(result.lineage_exclusion)
    return found


def answer_payload(answer: DnaAnswer) -> dict[str, JsonValue]:
    """The plaintext of a DNA answer."""
    return {
        "format": ANSWER_FORMAT,
        "version": 2,
        "search_id": answer.search_id,
        "results": [_result_to_json(r) for r in answer.results],
    }


def _lineage_exclusion(value: object, hit: bool) -> tuple[str, ...]:
    if (
        not hit
        or not isinstance(value, list)
        or not value
        or not all(isinstance(system, str) and system in LINEAGE_SYSTEMS for system in value)
        or value != sorted(set(value))
    ):
        raise _fail("lineage_exclusion, on a hit only, lists mtdna and/or ystr, sorted, each once.")
    return tuple(str(system) for system in value)


def answer_from_json(payload: object) -> DnaAnswer:
    """Read a DNA answer strictly: a hit carries its LR and remains pseudonym, a no-hit neither."""
    fields = _object(payload, {"format", "version", "search_id", "results"}, "A DNA answer")
    if fields["format"] != ANSWER_FORMAT:
        raise _fail("The payload is not an mmx-dna-answer object.")
    if fields["version"] != 2 or isinstance(fields["version"], bool):
        raise MalformedMessageError(ErrorCode.UNSUPPORTED_VERSION, "Unknown DNA answer version.")
    results = fields["results"]
    if not isinstance(results, list) or len(results) > MAX_FAMILIES:
        raise _fail(f"results is a list of at most {MAX_FAMILIES}.")
    read = []
    for item in results:
        entry = _object(
            item,
            {"pseudonym", "hit", "log10_lr_milli", "remains"},
            "A DNA result",
            frozenset({"lineage_exclusion"}),
        )
        hit, lr, remains = entry["hit"], entry["log10_lr_milli"], entry["remains"]
        if not isinstance(hit, bool):
            raise _fail("hit is true or false.")
        if hit:
            if isinstance(lr, bool) or not isinstance(lr, int) or not 0 < lr <= MAX_LOG10_LR_MILLI:
                raise _fail("A hit carries log10_lr_milli, a positive whole number.")
            remains = _text(remains, PSEUDONYM, "remains")
        elif lr is not None or remains is not None:
            raise _fail("A no-hit carries no LR and no remains.")
        excluded = (
            _lineage_exclusion(entry["lineage_exclusion"], hit)
            if "lineage_exclusion" in entry
            else ()
        )
        read.append(
            DnaResult(
                _text(entry["pseudonym"], PSEUDONYM, "pseudonym"),
                hit,
                lr if hit else None,
                remains if hit else None,
                excluded,
            )
        )
    return DnaAnswer(_text(fields["search_id"], UUID4, "search_id"), tuple(read))


def check_answer(answer: DnaAnswer, search: DnaSearch) -> None:
    """The answer's results are for exactly the search's families, in order.

    Raises:
        MalformedMessageError: ``schema-violation`` otherwise.
    """
    if answer.search_id != search.search_id or [r.pseudonym for r in answer.results] != [
        f.pseudonym for f in search.families
    ]:
        raise _fail("The answer does not answer this search, family by family.")


def _seal(
    kind: MessageKind,
    payload: dict[str, JsonValue],
    read: object,
    **envelope: object,
) -> bytes:
    try:
        read(payload)  # type: ignore[operator]
    except MalformedMessageError as error:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, error.message) from None
    return seal(kind, payload, **envelope)  # type: ignore[arg-type]


def seal_dna_search(
    search: DnaSearch,
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_DNA_LIFETIME,
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt a DNA search for the authority holding the remains."""
    return _seal(
        MessageKind.DNA_SEARCH,
        search_payload(search),
        search_from_json,
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def seal_dna_answer(
    answer: DnaAnswer,
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_DNA_LIFETIME,
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt the answer to a DNA search."""
    return _seal(
        MessageKind.DNA_ANSWER,
        answer_payload(answer),
        answer_from_json,
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def open_dna_search(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> Received[DnaSearch]:
    """Verify and read a DNA search (two-phase, like every import)."""
    opened = open_envelope(
        raw,
        expected_kind=MessageKind.DNA_SEARCH,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
    content = None if opened.payload is None else search_from_json(opened.payload)
    return Received(opened.header, opened.status, content, opened.receipt)


def open_dna_answer(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> Received[DnaAnswer]:
    """Verify and read a DNA answer; match it to our search with `check_answer`."""
    opened = open_envelope(
        raw,
        expected_kind=MessageKind.DNA_ANSWER,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
    content = None if opened.payload is None else answer_from_json(opened.payload)
    return Received(opened.header, opened.status, content, opened.receipt)
