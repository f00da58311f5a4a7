"""Benchmark of exchange v2 against v1 on the matching benchmark's synthetic world (not a test).

Run: PYTHONPATH=. .venv/bin/python bench/exchange_v2_bench.py [--missing 5000 --remains 2000]

Two authorities in one process, each with its own keys and secrets: "gtm-mre" shares its missing
persons with "usa-pcome" as one bundle (v1: names as Bloom filters under a linkage secret; v2:
names as blinded keys, shifted bands), USA imports it and, for v2, runs the name query round trip
(query, answer, unblind) for its remains' document names; then the matching engine ranks, for each
of USA's remains, the foreign missing persons, through the application's own seam
(casework/exchanges/records.py). Prints the true matches at rank 1 and in the top 10 for v1 and
v2, the time of each step, and what joins two recipients' copies still allow (exact equality of
the quasi-identifiers, and compatibility: overlapping bands, neighbouring cells, equal month,
sex, nationality, marks, effects and dental chart).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casework.exchanges.records import (  # noqa: E402
    element_filter,
    foreign_missing,
    shared_name_filters,
)
from exchange import (  # noqa: E402
    AuthorityKeys,
    DentalFinding,
    Effect,
    GeoPoint,
    InMemoryReplayGuard,
    Mark,
    MissingPersonRecord,
    QueryLimits,
    Sex,
    TrustedAuthority,
    TrustList,
    answer_elements,
    encode_name,
    export_bundle,
    import_bundle,
    prepare_query,
    share_missing_person,
    unblind_answer,
)
from matching import CandidateIndex, MissingRecord  # noqa: E402
from matching import Sex as EngineSex  # noqa: E402
from matching.synthetic import generate  # noqa: E402

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
SEX = {EngineSex.MALE: Sex.MALE, EngineSex.FEMALE: Sex.FEMALE}
STATES = {"sound": "present"}
LINKAGE = hashlib.sha256(b"bench linkage").digest()
GTM_SECRET = hashlib.sha256(b"gtm sender secret").digest()


def say(text: str = "") -> None:
    """The benchmark's report goes to standard output."""
    sys.stdout.write(text + "\n")


def _authority(authority_id: str, country: str) -> tuple[AuthorityKeys, TrustedAuthority]:
    keys = AuthorityKeys.generate()
    entry = TrustedAuthority(
        authority_id,
        country,
        authority_id,
        keys.public,
        NOW - timedelta(days=1),
        NOW + timedelta(days=365),
    )
    return keys, entry


def _local(person: MissingRecord) -> MissingPersonRecord:
    """The synthetic report as the application would hand it to the exchange library."""
    return MissingPersonRecord(
        local_id=person.ref,
        given_names=person.given_names,
        surnames=person.surnames,
        sex=SEX.get(person.sex, Sex.UNKNOWN),
        birth_date=person.birth_date,
        birth_year=person.birth_year,
        stated_age=None if person.age is None else int(person.age),
        height_cm=None if person.height_cm is None else int(round(person.height_cm)),
        nationality=person.nationality,
        last_seen_date=person.last_seen_date,
        last_seen_point=None
        if person.last_seen_lat is None or person.last_seen_lon is None
        else GeoPoint(person.last_seen_lat, person.last_seen_lon),
        marks=tuple(
            Mark(m.kind, " ".join(p for p in (m.side, m.region) if p), m.description)
            for m in person.marks
        ),
        effects=tuple(Effect("clothing", text) for text in person.effects),
        dental=tuple(
            DentalFinding(
                entry.tooth, {"sound": "present"}.get(entry.state.value, entry.state.value)
            )
            for entry in person.dental
            if entry.state.value in {"sound", "missing", "filled", "crown"}
        ),
    )


def _share(people, recipient: str, version: int):
    out = []
    for person in people:
        out.append(
            share_missing_person(
                _local(person),
                recipient_id=recipient,
                sender_secret=GTM_SECRET,
                linkage_secret=LINKAGE if version == 1 else None,
            )
        )
    return out


def _ranks(cases, foreign, remains_filters) -> tuple[int, int, int, set[str]]:
    """Rank the foreign persons for each of USA's remains; count true matches at 1 and in 10."""
    index = CandidateIndex(workers=1)
    index.add_many(foreign)
    top1 = top10 = reported = 0
    found: set[str] = set()
    for body in cases.remains:
        truth = cases.truth[body.ref]
        if truth is None:
            continue
        reported += 1
        ranked = index.candidates_for_remains(
            replace(body, name_bloom=remains_filters.get(body.ref)), 10, NOW.date()
        )
        refs = [c.missing_ref for c in ranked]
        top1 += bool(refs) and refs[0] == truth
        top10 += truth in refs
        if refs and refs[0] == truth:
            found.add(body.ref)
    return top1, top10, reported, found


def _exchange(cases, version: int, gtm, usa) -> dict[str, object]:
    (gtm_keys, gtm_entry), (usa_keys, usa_entry) = gtm, usa
    timings: dict[str, float] = {}
    start = time.perf_counter()
    shared = _share(cases.missing, "usa-pcome", version)
    timings["anonymise"] = time.perf_counter() - start
    start = time.perf_counter()
    raw = export_bundle(
        shared, sender_id="gtm-mre", sender_keys=gtm_keys, recipient=usa_entry, sequence=1, now=NOW
    )
    timings["seal"] = time.perf_counter() - start
    start = time.perf_counter()
    received = import_bundle(
        raw,
        own_id="usa-pcome",
        own_keys=usa_keys,
        trust=TrustList([gtm_entry]),
        guard=InMemoryReplayGuard(),
        now=NOW,
    )
    timings["open"] = time.perf_counter() - start
    assert received.content is not None
    # the recipient's names: its remains' first document name
    named = [body for body in cases.remains if body.document_names]
    start = time.perf_counter()
    if version == 1:
        filters = {body.ref: encode_name([body.document_names[0]], LINKAGE) for body in named}
    else:
        pending = prepare_query([[body.document_names[0]] for body in named])
        rows = answer_elements(
            pending.elements(),
            sender_secret=GTM_SECRET,
            querier_id="usa-pcome",
            spent=0,
            limits=QueryLimits(max_entries=len(named) + 1, budget=10**9),
        )
        unblinded = unblind_answer(pending, rows)
        filters = {
            body.ref: element_filter(row) for body, row in zip(named, unblinded, strict=True)
        }
    timings["names"] = time.perf_counter() - start
    foreign = []
    for item, person in zip(received.content, cases.missing, strict=True):
        record = foreign_missing(person.ref, item)  # keep the synthetic ref: the truth uses it
        foreign.append(replace(record, name_bloom=shared_name_filters(item)[0]))
    start = time.perf_counter()
    top1, top10, reported, found = _ranks(cases, foreign, filters)
    timings["match"] = time.perf_counter() - start
    return {
        "bytes": len(raw),
        "timings": timings,
        "top1": top1,
        "top10": top10,
        "reported": reported,
        "found": found,
    }


def _compatible_key(record) -> tuple[object, ...]:
    marks = tuple(sorted((m.kind, m.location, m.terms) for m in record.marks))
    effects = tuple(sorted((e.category, e.terms) for e in record.effects))
    return (record.sex, record.nationality, record.last_seen_month, marks, effects, record.dental)


def _overlap(a, b) -> bool:
    return a is None or b is None or (a.low <= b.high and b.low <= a.high)


def _near(a, b) -> bool:
    return a is None or b is None or (abs(a.lat10 - b.lat10) <= 1 and abs(a.lon10 - b.lon10) <= 1)


def _joins(first, second) -> tuple[int, int]:
    """Records of `second` joined to exactly one of `first`, the right one: by exact
    quasi-identifiers; by compatibility (blocks on the unshifted fields, then overlap)."""
    exact = Counter(
        (r.sex, r.age, r.height_cm, r.last_seen_month, r.last_seen_cell, _compatible_key(r))
        for r in first
    )
    blocks: dict[tuple[object, ...], list[int]] = {}
    for i, r in enumerate(first):
        blocks.setdefault(_compatible_key(r), []).append(i)
    exact_right = compatible_right = 0
    for i, r in enumerate(second):
        key = (r.sex, r.age, r.height_cm, r.last_seen_month, r.last_seen_cell, _compatible_key(r))
        if exact[key] == 1 and key == (
            first[i].sex,
            first[i].age,
            first[i].height_cm,
            first[i].last_seen_month,
            first[i].last_seen_cell,
            _compatible_key(first[i]),
        ):
            exact_right += 1
        fits = [
            j
            for j in blocks.get(_compatible_key(r), [])
            if _overlap(first[j].age, r.age)
            and _overlap(first[j].height_cm, r.height_cm)
            and _near(first[j].last_seen_cell, r.last_seen_cell)
        ]
        compatible_right += fits == [i]
    return exact_right, compatible_right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", type=int, default=5000)
    parser.add_argument("--remains", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases = generate(args.missing, args.remains, seed=args.seed)
    gtm, usa = _authority("gtm-mre", "GTM"), _authority("usa-pcome", "USA")
    say(f"{args.missing} missing persons shared; {args.remains} remains at the recipient")
    results = {}
    for version in (1, 2):
        result = _exchange(cases, version, gtm, usa)
        results[version] = result
        t = result["timings"]
        total = sum(t.values())  # type: ignore[attr-defined]
        exchange_seconds = sum(t[k] for k in ("anonymise", "seal", "open", "names"))  # type: ignore[index]
        say(
            f"v{version}: true match at rank 1 {result['top1']}/{result['reported']}, "
            f"in top 10 {result['top10']}/{result['reported']}; "
            f"bundle {result['bytes'] / 1e6:.1f} MB"
        )
        say(
            "    "
            + ", ".join(f"{k} {v:.2f} s" for k, v in t.items())  # type: ignore[attr-defined]
            + f"; exchange throughput {args.missing / exchange_seconds:.0f} records/s"
            + f" (all steps {total:.1f} s)"
        )
    one, two = results[1]["found"], results[2]["found"]  # type: ignore[index]
    say(
        f"true matches at rank 1: both {len(one & two)}, only v1 {len(one - two)}, "
        f"only v2 {len(two - one)}"
    )
    # what two recipients' copies still allow: Greece gets the same records
    for version in (1, 2):
        italy = _share(cases.missing, "ita-labanof", version)
        greece = _share(cases.missing, "grc-hp", version)
        exact, compatible = _joins(italy, greece)
        say(
            f"v{version} joins between two recipients' copies: exact {exact}/{len(greece)}, "
            f"compatible {compatible}/{len(greece)} (uniquely and correctly re-linked)"
        )


if __name__ == "__main__":
    main()
