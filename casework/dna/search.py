"""The DNA-led search in the application: when a profile, a pedigree or a consent is saved,
the family's references are compared with every remains profile (or the remains profile with
every family), and pairs above the setting become DNA hits, which the candidate engine reads
as DNA evidence. The search runs as a background job (`dna_search`, on the matching queue with
Redis: it refreshes the candidates it touches), or in the saving request once it has committed
in the embedded mode; the sample's and the family's pages say while it is still running."""

from __future__ import annotations

import json
import logging
import uuid
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from casework.accounts.models import Agency
from casework.cases.events import dna_hit_found
from casework.clock import now
from casework.custody.models import Sample
from casework.db import db, transaction
from casework.dna.models import DnaHit, DnaProfile, MarkerSystem
from casework.dna.pedigrees import FamilyTree, families_with_references, family_tree
from casework.dna.stored import lineage_of
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.matches.open_cases import OPEN_MISSING, OPEN_REMAINS
from casework.missing.models import FamilyPosition, MissingPerson, Relative
from casework.remains.models import UnidentifiedRemains
from matching.kinship import (
    FrequencyDatabase,
    KinshipError,
    KinshipSearch,
    KinshipSettings,
    LineageVerdict,
    Profile,
    compare_mito,
    compare_y,
    likelihood_ratio,
    parse_mito_profile,
    parse_y_haplotype,
    posterior_probability,
    prior_from_open_cases,
)
from matching.kinship import Sex as EngineSex

log = logging.getLogger(__name__)
P = FamilyPosition
# relatives who share the missing person's father's line (Y) or mother's line (mtDNA)
_PATERNAL_LINE = {P.FATHER, P.FULL_SIBLING, P.PATERNAL_HALF_SIBLING, P.PATERNAL_GRANDPARENT,
                  P.PATERNAL_AUNT_UNCLE}  # fmt: skip
_MATERNAL_LINE = {P.MOTHER, P.FULL_SIBLING, P.MATERNAL_HALF_SIBLING, P.MATERNAL_GRANDPARENT,
                  P.MATERNAL_AUNT_UNCLE}  # fmt: skip


@cache
def frequencies() -> FrequencyDatabase:
    """The shipped frequency tables (FBI 2015, norSTR 2023), read once per process."""
    from matching.kinship import load_frequencies

    return load_frequencies()


def population_of(case: MissingPerson) -> str:
    """The case's population, else its agency's, else the installation's setting."""
    if case.dna_population:
        return case.dna_population
    agency = db.session.get(Agency, case.agency_id)
    if agency is not None and agency.dna_population:
        return agency.dna_population
    return str(current_app.config["DNA_POPULATION"])


def populations() -> list[str]:
    return frequencies().names()


def search_after_save(sample: Sample) -> None:
    """Inside the save's transaction: a DNA search job for this sample, sent once it commits."""
    from casework.jobs.models import JobKind
    from casework.jobs.services import create

    create(JobKind.DNA_SEARCH, {"sample_id": str(sample.id)})


def search_family_after_save(case: MissingPerson) -> None:
    """Inside the save's transaction: a DNA search job for the family, sent once it commits."""
    from casework.jobs.models import JobKind
    from casework.jobs.services import create

    create(JobKind.DNA_SEARCH, {"missing_person_id": str(case.id)})


def latest_search(sample_ids: list[uuid.UUID], missing_person_id: uuid.UUID | None = None) -> Any:
    """The newest DNA search job for these samples or this family (None: none yet), so a page
    can say whether its results are still being computed."""
    from casework.jobs.models import JobKind
    from casework.jobs.services import latest_about

    family = [missing_person_id] if missing_person_id else []
    found = [
        latest_about(JobKind.DNA_SEARCH, "sample_id", list(sample_ids)),
        latest_about(JobKind.DNA_SEARCH, "missing_person_id", family),
    ]
    jobs = [job for job in found if job is not None]
    return max(jobs, key=lambda job: job.created_at) if jobs else None


def run_search_job(job: Any, progress: Any) -> dict[str, Any]:
    """The work of a DNA search job (registered by the factory): the hits stored, a count."""
    from casework.jobs.services import params_of

    params = params_of(job)
    if "missing_person_id" in params:
        return {"hits": run_search(missing_person_id=uuid.UUID(params["missing_person_id"]))}
    return {"hits": run_search(uuid.UUID(params["sample_id"]))}


def run_search(
    sample_id: uuid.UUID | None = None, *, missing_person_id: uuid.UUID | None = None
) -> int:
    """The search a saved sample (or pedigree) calls for; returns the hits stored."""
    if missing_person_id is not None:
        case = db.session.get(MissingPerson, missing_person_id)
        return search_family(case) if case is not None else 0
    sample = db.session.get(Sample, sample_id)
    if sample is None:
        return 0
    if sample.remains_id is not None:
        remains = db.session.get(UnidentifiedRemains, sample.remains_id)
        return search_remains(remains) if remains is not None else 0
    relative = db.session.get(Relative, sample.relative_id)
    if relative is None:
        return 0
    return search_family(relative.missing_person)


def remains_profiles(
    remains_id: uuid.UUID | None = None,
) -> list[tuple[UnidentifiedRemains, Sample, Profile]]:
    """Every open remains' consensus STR profile (one per remains: the most loci), or only
    those of `remains_id`: what the search here and a peer's search (casework.exchanges)
    compare with."""
    query = (
        select(UnidentifiedRemains, Sample, DnaProfile)
        .join(Sample, Sample.remains_id == UnidentifiedRemains.id)
        .join(DnaProfile, DnaProfile.sample_id == Sample.id)
        .where(
            UnidentifiedRemains.status.in_(OPEN_REMAINS),
            DnaProfile.consensus.is_(True),
            DnaProfile.superseded.is_(False),
            DnaProfile.destroyed_at.is_(None),
        )
    )
    if remains_id is not None:
        query = query.where(UnidentifiedRemains.id == remains_id)
    best: dict[uuid.UUID, tuple[UnidentifiedRemains, Sample, DnaProfile]] = {}
    for remains, sample, profile in db.session.execute(query):
        held = best.get(remains.id)
        if held is None or profile.loci > held[2].loci:
            best[remains.id] = (remains, sample, profile)
    found = []
    for remains, sample, profile in best.values():
        values = json.loads(profile.genotypes or "{}")
        genotypes = {locus: tuple(pair) for locus, pair in values.items()}
        found.append((remains, sample, Profile.parse(sample.barcode, genotypes)))
    return found


def _open_missing_count() -> int:
    count = db.session.scalar(
        select(func.count())
        .select_from(MissingPerson)
        .where(MissingPerson.status.in_(OPEN_MISSING))
    )
    return max(int(count or 0), 1)


def _lineage(tree: FamilyTree, sample: Sample) -> tuple[bool, str]:
    """Whether the remains' Y-STR or mtDNA excludes the family's line, and the words."""
    notes: list[str] = []
    excluded = False
    for system, line in (
        (MarkerSystem.Y_STR, _PATERNAL_LINE),
        (MarkerSystem.MTDNA, _MATERNAL_LINE),
    ):
        remains_values = lineage_of(sample.id, system)
        if remains_values is None:
            continue
        for member in tree.members.values():
            relative = member.relative
            if relative is None or relative.position not in line:
                continue
            if system is MarkerSystem.Y_STR and member.sex is not EngineSex.MALE:
                continue
            reference = (
                db.session.scalar(select(Sample.id).where(Sample.barcode == member.sample_barcode))
                if member.sample_barcode
                else None
            )
            if reference is None:
                continue
            from casework.dna.pedigrees import searchable_reference

            reference_sample = db.session.get(Sample, reference)
            if reference_sample is None or searchable_reference(reference_sample) is None:
                continue
            theirs = lineage_of(reference, system)
            if theirs is None:
                continue
            try:
                if system is MarkerSystem.Y_STR:
                    comparison: Any = compare_y(
                        parse_y_haplotype(remains_values), parse_y_haplotype(theirs)
                    )
                else:
                    comparison = compare_mito(
                        parse_mito_profile(
                            remains_values["variants"], remains_values["range"] or None
                        ),
                        parse_mito_profile(theirs["variants"], theirs["range"] or None),
                    )
            except KinshipError:
                continue
            if comparison.verdict is LineageVerdict.NOT_COMPARED:
                continue
            excluded = excluded or comparison.verdict is LineageVerdict.EXCLUDED
            notes.append(comparison.explanation())
    return excluded, " ".join(notes)


def _compare(
    tree: FamilyTree,
    remains: UnidentifiedRemains,
    sample: Sample,
    profile: Profile,
    open_missing: int,
    screen: float | None = None,
) -> DnaHit | None:
    """Compute one pair and store (or drop) its hit; returns the hit kept, if any. `screen`
    is the pair's log10 LR from the batch search: a pair below the setting is dropped without
    the exact per-locus computation (the values agree; see tests/casework/dna)."""
    case = tree.case
    existing = db.session.scalar(
        select(DnaHit).where(DnaHit.missing_person_id == case.id, DnaHit.remains_id == remains.id)
    )
    family = tree.family()
    population = population_of(case)
    if family is None:
        if existing is not None:
            db.session.delete(existing)
        return None
    threshold = float(current_app.config["DNA_HIT_MIN_LOG10_LR"])
    if screen is not None and screen < threshold - 1e-6:
        if existing is not None:
            db.session.delete(existing)
        return None
    settings = KinshipSettings(population=population)
    result = likelihood_ratio(family, profile, frequencies(), settings)
    excluded, note = _lineage(tree, sample)
    log10 = result.log10_lr
    if result.loci_used == 0 or (log10 < threshold and not (excluded and log10 >= threshold)):
        if existing is not None:
            db.session.delete(existing)
        return None
    hit = existing or DnaHit(missing_person_id=case.id, remains_id=remains.id)
    if existing is None:
        db.session.add(hit)
    prior = prior_from_open_cases(open_missing)
    hit.remains_barcode = sample.barcode
    hit.reference_barcodes = ";".join(sorted(p.sample for p in family.references.values()))
    hit.log10_lr = round(log10, 6) if log10 != float("-inf") else -999.0
    hit.loci = result.loci_used
    hit.relatives = ";".join(tree.relations[person] for person in sorted(family.references))
    hit.population = population
    hit.prior = prior
    hit.open_missing = open_missing
    hit.posterior = posterior_probability(max(log10, -300.0), prior)
    if hit.lineage_excluded != excluded:
        hit.overridden_at = hit.overridden_by_id = None  # a new comparison: decided afresh
        hit.override_reason = None
    hit.lineage_excluded = excluded
    hit.lineage_note = note or None
    hit.per_locus = json.dumps(
        [
            {"locus": r.locus, "log10_lr": None if r.lr <= 0 else round(r.log10_lr, 4),
             "used": r.used, "reason": r.reason}
            for r in result.loci
        ]
    )  # fmt: skip
    hit.computed_at = now()
    if existing is None and not excluded:
        db.session.flush()
        dna_hit_found.send(hit)
    return hit


def _screen(trees: list[FamilyTree], profiles: list[Profile]) -> dict[str, dict[str, float]]:
    """log10 LRs of every (family, remains profile) by the batch search (per-family tables,
    population by population): family reference -> remains barcode -> log10 LR."""
    by_population: dict[str, list[Any]] = {}
    for tree in trees:
        try:
            family = tree.family()
        except KinshipError:
            log.warning("The pedigree of %s cannot be built", tree.case.reference)
            continue
        if family is not None:
            by_population.setdefault(population_of(tree.case), []).append(family)
    found: dict[str, dict[str, float]] = {}
    if not profiles:
        return found
    for population, families in by_population.items():
        search = KinshipSearch(
            frequencies().population(population), KinshipSettings(population=population)
        )
        search.add_families(families)
        search.add_remains(profiles)
        for family in families:
            found[family.id] = {
                hit.remains: hit.log10_lr
                for hit in search.hits_for_family(family.id, top=None, min_log10_lr=None)
            }
    return found


def search_family(case: MissingPerson, refresh: bool = True) -> int:
    """Compare one family with every open remains profile; hits stored, stale ones dropped;
    then the candidates of the remains concerned are recomputed with the DNA evidence."""
    touched: set[uuid.UUID] = set()
    kept = 0
    with transaction():
        before = set(
            db.session.scalars(select(DnaHit.remains_id).where(DnaHit.missing_person_id == case.id))
        )
        tree = family_tree(case)
        open_missing = _open_missing_count()
        if case.status in OPEN_MISSING:
            profiles = remains_profiles()
            screens = _screen([tree], [p for _, _, p in profiles]).get(case.reference, {})
            for remains, sample, profile in profiles:
                screen = screens.get(sample.barcode, float("-inf"))
                if _compare(tree, remains, sample, profile, open_missing, screen) is not None:
                    kept += 1
                    touched.add(remains.id)
        for hit in db.session.scalars(select(DnaHit).where(DnaHit.missing_person_id == case.id)):
            if hit.remains_id not in touched and case.status in OPEN_MISSING:
                db.session.delete(hit)
        touched |= before
    if refresh:  # a full re-match (the demo) reads the hits itself
        _refresh_candidates(touched)
    return kept


def search_remains(remains: UnidentifiedRemains) -> int:
    """Compare one remains profile with every family that has references."""
    kept = 0
    with transaction():
        profiles = remains_profiles(remains.id)
        open_missing = _open_missing_count()
        trees = []
        for missing_id in families_with_references():
            case = db.session.get(MissingPerson, missing_id)
            if case is not None and case.status in OPEN_MISSING:
                trees.append(family_tree(case))
        screens = _screen(trees, [p for _, _, p in profiles])
        for tree in trees:
            for found_remains, sample, profile in profiles:
                screen = screens.get(tree.case.reference, {}).get(sample.barcode, float("-inf"))
                if _compare(tree, found_remains, sample, profile, open_missing, screen):
                    kept += 1
    _refresh_candidates({remains.id})
    return kept


def _refresh_candidates(remains_ids: set[uuid.UUID]) -> None:
    """Recompute the candidates of these remains with their DNA evidence. The engine never
    proposes an excluded pair, so a candidate stored before a lineage exclusion is marked
    here: out of review, the exclusion first in its evidence."""
    from casework.matches.services import refresh_candidates

    for remains_id in remains_ids:
        remains = db.session.get(UnidentifiedRemains, remains_id)
        if remains is not None and remains.status in OPEN_REMAINS:
            refresh_candidates(remains)
    with transaction():
        excluding = db.session.scalars(
            select(DnaHit).where(
                DnaHit.remains_id.in_(remains_ids),
                DnaHit.lineage_excluded.is_(True),
                DnaHit.overridden_at.is_(None),
            )
        ).all()
        for hit in excluding:
            candidate = db.session.scalar(
                select(CandidateMatch).where(
                    CandidateMatch.missing_person_id == hit.missing_person_id,
                    CandidateMatch.remains_id == hit.remains_id,
                    CandidateMatch.status == CandidateStatus.PROPOSED,
                )
            )
            if candidate is None:
                continue
            evidence = [
                item
                for item in json.loads(candidate.evidence or "[]")
                if item["criterion"] not in ("exclusion", "dna")
            ]
            text = "EXCLUDED: the lineage markers exclude a shared line"
            note = f" ({hit.lineage_note})" if hit.lineage_note else ""
            candidate.evidence = json.dumps(
                [{"criterion": "exclusion", "weight": -999.0, "text": text + note}, *evidence],
                ensure_ascii=False,
            )
            candidate.review = False


def search_everything() -> int:
    """Every family against every remains profile (after an import of many profiles)."""
    total = 0
    for missing_id in families_with_references():
        case = db.session.get(MissingPerson, missing_id)
        if case is not None:
            total += search_family(case)
    return total
