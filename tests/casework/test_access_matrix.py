"""Every route, walked as every role, against the whole allowed/denied matrix.

"ok" means the role may use the page (2xx, 3xx, or 400 for an empty form that it may submit);
403 means the role never uses this page; 404 means the case exists but is outside the user's
sight (its existence is not revealed). Never a 500: unexpected errors propagate in tests.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.casework.factories import make_missing, make_remains

OK, FORBIDDEN, HIDDEN, LOGIN = "ok", 403, 404, "login"
ROLES = [
    "forensic_officer",
    "family_liaison",
    "supervisor",
    "consular_official",
    "administrator",
    "system_administrator",
    "auditor",
    "dna_analyst",
    "consular_gtm",
    "officer_abroad",
]


def row(default, **overrides):
    # the laboratory sees nothing of the cases: forbidden unless a row says otherwise
    lab = {"dna_analyst": FORBIDDEN}
    return {role: overrides.get(role, lab.get(role, default)) for role in ROLES}


EVERYONE = row(OK, dna_analyst=OK)
NOBODYS = "00000000-0000-4000-8000-000000000000"
READERS = row(
    OK, administrator=FORBIDDEN, system_administrator=FORBIDDEN
)  # every role that reads cases
# A case of the home agency (USA), nationality GTM (remains identified as that person).
HOME_CASE_READ = row(
    OK,
    consular_official=HIDDEN,
    officer_abroad=HIDDEN,
    administrator=FORBIDDEN,
    system_administrator=FORBIDDEN,
)
NOTE_ON_HOME = row(
    OK,
    consular_official=HIDDEN,
    officer_abroad=HIDDEN,
    administrator=FORBIDDEN,
    system_administrator=FORBIDDEN,
    auditor=FORBIDDEN,
)
# administrators manage their own agency's accounts; agencies are the system administrator's
ADMIN_ONLY = row(FORBIDDEN, administrator=OK, system_administrator=OK)
SYSTEM_ADMIN_ONLY = row(FORBIDDEN, system_administrator=OK)
# an account of the other agency: not the agency administrator's to see
ACCOUNT_ABROAD = row(FORBIDDEN, administrator=HIDDEN, system_administrator=OK)
AUDIT = row(FORBIDDEN, administrator=OK, system_administrator=OK, auditor=OK)
MISSING_EDITORS = row(FORBIDDEN, family_liaison=OK, supervisor=OK)
REMAINS_EDITORS_NEW = row(FORBIDDEN, forensic_officer=OK, supervisor=OK, officer_abroad=OK)
REMAINS_EDITORS_HOME = row(FORBIDDEN, forensic_officer=OK, supervisor=OK, officer_abroad=HIDDEN)
SAMPLES_HOME = row(
    FORBIDDEN, forensic_officer=OK, family_liaison=OK, supervisor=OK, officer_abroad=HIDDEN
)
ABROAD_CASE_READ = row(
    HIDDEN, officer_abroad=OK, administrator=FORBIDDEN, system_administrator=FORBIDDEN
)
MATCH_READERS = row(
    OK,
    consular_official=FORBIDDEN,
    consular_gtm=FORBIDDEN,
    administrator=FORBIDDEN,
    system_administrator=FORBIDDEN,
)
HOME_MATCH_READ = {**MATCH_READERS, "officer_abroad": HIDDEN}
HOME_MATCH_REVIEW = row(FORBIDDEN, forensic_officer=OK, supervisor=OK, officer_abroad=HIDDEN)
HOME_MATCH_CONFIRM = row(FORBIDDEN, supervisor=OK)
EXCHANGE_READERS = row(
    OK,
    consular_official=FORBIDDEN,
    consular_gtm=FORBIDDEN,
    administrator=FORBIDDEN,
    system_administrator=FORBIDDEN,
)
SHARERS = row(FORBIDDEN, forensic_officer=OK, family_liaison=OK, supervisor=OK, officer_abroad=OK)
TRUST_ADMIN = SYSTEM_ADMIN_ONLY  # the trust list is the whole installation's
HOME_HIT_READ = {**EXCHANGE_READERS, "officer_abroad": HIDDEN}
HOME_HIT_REQUEST = {**SHARERS, "officer_abroad": HIDDEN}
HOME_DISCLOSURE_DECIDE = row(FORBIDDEN, supervisor=OK)
# The family's printed summary: the roles that speak with families, for the cases they see.
FAMILY_SUMMARY_HOME = row(
    FORBIDDEN, family_liaison=OK, supervisor=OK, consular_official=HIDDEN, consular_gtm=OK
)
REPATRIATION_READERS = row(
    OK, family_liaison=FORBIDDEN, administrator=FORBIDDEN, system_administrator=FORBIDDEN
)
# the repatriation of the home agency's remains, identified as a Guatemalan national
HOME_REPATRIATION_READ = {
    **REPATRIATION_READERS,
    "consular_official": HIDDEN,
    "officer_abroad": HIDDEN,
}
HOME_REPATRIATION_MANAGE = row(FORBIDDEN, consular_gtm=OK, consular_official=HIDDEN)
IMPORTERS = row(FORBIDDEN, supervisor=OK)
LAB_ONLY = row(FORBIDDEN, dna_analyst=OK)
# LR, posterior and relatives in words: case readers of the holding agency, and the laboratory
HOME_DNA_RESULTS = {**HOME_MATCH_READ, "dna_analyst": OK}
FAMILY_DNA_EDITORS = row(FORBIDDEN, family_liaison=OK, supervisor=OK)
IMPORT_JOB = row(FORBIDDEN, supervisor=HIDDEN)  # another user's (or no) import: not revealed

# (method, endpoint, url template, expectations)
# the liaison staff of the agency a family request chose; nobody else knows it exists
FAMILY_REQUEST_STAFF = row(FORBIDDEN, family_liaison=OK, supervisor=OK)

MATRIX = [
    ("GET", "family_requests.index", "/family-requests/", FAMILY_REQUEST_STAFF),
    ("GET", "family_requests.detail", "/family-requests/{family_request}", FAMILY_REQUEST_STAFF),
    (
        "GET",
        "family_requests.photo",
        "/family-requests/{family_request}/photos/{family_photo}",
        FAMILY_REQUEST_STAFF,
    ),
    (
        "POST",
        "family_requests.accept",
        "/family-requests/{family_request}/accept",
        FAMILY_REQUEST_STAFF,
    ),
    (
        "POST",
        "family_requests.merge",
        "/family-requests/{family_request}/merge",
        FAMILY_REQUEST_STAFF,
    ),
    (
        "POST",
        "family_requests.decline",
        "/family-requests/{family_request}/decline",
        FAMILY_REQUEST_STAFF,
    ),
    ("GET", "dashboard.index", "/", EVERYONE),
    ("GET", "dna.index", "/dna/", LAB_ONLY),
    ("POST", "dna.index", "/dna/", LAB_ONLY),
    ("GET", "dna.sample", "/dna/samples/{sample_home}", LAB_ONLY),
    ("POST", "dna.new_profile", "/dna/samples/{sample_home}/profiles", LAB_ONLY),
    ("POST", "dna.confirm_consensus", "/dna/samples/{sample_home}/consensus", LAB_ONLY),
    ("GET", "dna.hit", "/dna/hits/{dna_hit_home}", HOME_DNA_RESULTS),
    ("POST", "dna.override", "/dna/hits/{dna_hit_home}/override", LAB_ONLY),
    ("GET", "dna.family", "/dna/missing/{mp_home}/family", HOME_MATCH_READ),
    (
        "POST",
        "dna.place",
        "/dna/missing/{mp_home}/relatives/{relative_home}/place",
        FAMILY_DNA_EDITORS,
    ),
    ("POST", "dna.population", "/dna/missing/{mp_home}/population", FAMILY_DNA_EDITORS),
    (
        "GET",
        "dna.new_reference",
        "/dna/missing/{mp_home}/relatives/{relative_home}/samples/new",
        FAMILY_DNA_EDITORS,
    ),
    (
        "POST",
        "dna.new_reference",
        "/dna/missing/{mp_home}/relatives/{relative_home}/samples/new",
        FAMILY_DNA_EDITORS,
    ),
    ("POST", "dna.consent", "/dna/references/{reference_home}/consent", FAMILY_DNA_EDITORS),
    ("POST", "dna.withdraw", "/dna/references/{reference_home}/withdraw", FAMILY_DNA_EDITORS),
    ("GET", "auth.account", "/auth/account", EVERYONE),
    ("POST", "auth.account", "/auth/account", EVERYONE),
    ("GET", "auth.totp_setup", "/auth/totp/setup", EVERYONE),
    ("GET", "notifications.index", "/notifications/", EVERYONE),
    ("POST", "notifications.mark_all_read", "/notifications/read-all", EVERYONE),
    ("GET", "notifications.choices", "/notifications/choices", EVERYONE),
    ("POST", "notifications.choices", "/notifications/choices", EVERYONE),
    # a notification that is not the user's is not found, whoever asks
    (
        "POST",
        "notifications.mark_read",
        f"/notifications/{NOBODYS}/read",
        row(HIDDEN, dna_analyst=HIDDEN),
    ),
    (
        "POST",
        "notifications.open_one",
        f"/notifications/{NOBODYS}/open",
        row(HIDDEN, dna_analyst=HIDDEN),
    ),
    ("GET", "missing.index", "/missing/", READERS),
    ("POST", "missing.index", "/missing/", READERS),  # the name search form
    ("GET", "missing.new", "/missing/new", MISSING_EDITORS),
    ("POST", "missing.new", "/missing/new", MISSING_EDITORS),
    ("GET", "missing.detail", "/missing/{mp_home}", HOME_CASE_READ),
    ("GET", "missing.detail", "/missing/{mp_abroad}", ABROAD_CASE_READ),
    ("GET", "missing.edit", "/missing/{mp_home}/edit", MISSING_EDITORS),
    ("POST", "missing.edit", "/missing/{mp_home}/edit", MISSING_EDITORS),
    (
        "GET",
        "missing.edit",
        "/missing/{mp_abroad}/edit",
        row(FORBIDDEN, family_liaison=HIDDEN, supervisor=HIDDEN),
    ),
    ("GET", "missing.new_relative", "/missing/{mp_home}/relatives/new", MISSING_EDITORS),
    ("POST", "missing.new_relative", "/missing/{mp_home}/relatives/new", MISSING_EDITORS),
    ("POST", "missing.add_case_note", "/missing/{mp_home}/notes", NOTE_ON_HOME),
    ("POST", "missing.change_case_status", "/missing/{mp_home}/status", MISSING_EDITORS),
    (
        "POST",
        "missing.change_case_status",
        "/missing/{mp_abroad}/status",
        row(FORBIDDEN, family_liaison=HIDDEN, supervisor=HIDDEN),
    ),
    ("POST", "missing.add_family_contact", "/missing/{mp_home}/contacts", MISSING_EDITORS),
    ("GET", "missing.family_summary", "/missing/{mp_home}/family-summary", FAMILY_SUMMARY_HOME),
    (
        "GET",
        "missing.family_summary",
        "/missing/{mp_abroad}/family-summary",
        row(
            FORBIDDEN,
            family_liaison=HIDDEN,
            supervisor=HIDDEN,
            consular_official=HIDDEN,
            consular_gtm=HIDDEN,
        ),
    ),
    ("GET", "remains.index", "/remains/", READERS),
    ("POST", "remains.index", "/remains/", READERS),
    ("GET", "remains.new", "/remains/new", REMAINS_EDITORS_NEW),
    ("POST", "remains.new", "/remains/new", REMAINS_EDITORS_NEW),
    ("GET", "remains.detail", "/remains/{ur_home}", HOME_CASE_READ),
    ("GET", "remains.detail", "/remains/{ur_abroad}", ABROAD_CASE_READ),
    ("GET", "remains.edit", "/remains/{ur_home}/edit", REMAINS_EDITORS_HOME),
    ("POST", "remains.edit", "/remains/{ur_home}/edit", REMAINS_EDITORS_HOME),
    ("POST", "remains.add_case_note", "/remains/{ur_home}/notes", NOTE_ON_HOME),
    ("POST", "remains.change_case_status", "/remains/{ur_home}/status", REMAINS_EDITORS_HOME),
    (
        "POST",
        "remains.override_dna_hold",
        "/remains/{ur_home}/dna-hold-override",
        row(FORBIDDEN, supervisor=OK, officer_abroad=HIDDEN),
    ),
    ("GET", "custody.new_sample", "/custody/remains/{ur_home}/samples/new", SAMPLES_HOME),
    ("POST", "custody.new_sample", "/custody/remains/{ur_home}/samples/new", SAMPLES_HOME),
    (
        "GET",
        "custody.new_transfer",
        "/custody/remains/{ur_home}/transfers/new",
        REMAINS_EDITORS_HOME,
    ),
    (
        "POST",
        "custody.new_transfer",
        "/custody/remains/{ur_home}/transfers/new",
        REMAINS_EDITORS_HOME,
    ),
    ("GET", "custody.sample", "/custody/samples/{sample_home}", HOME_CASE_READ),
    ("GET", "matches.index", "/matches/", MATCH_READERS),
    ("GET", "matches.detail", "/matches/{match_home}", HOME_MATCH_READ),
    ("POST", "matches.exclude", "/matches/{match_home}/exclude", HOME_MATCH_REVIEW),
    ("POST", "matches.propose", "/matches/{match_home}/propose", HOME_MATCH_REVIEW),
    ("POST", "matches.confirm", "/matches/{match_home}/confirm", HOME_MATCH_CONFIRM),
    ("POST", "matches.reject", "/matches/{match_home}/reject", HOME_MATCH_CONFIRM),
    ("GET", "admin.users", "/admin/users", ADMIN_ONLY),
    ("GET", "admin.new_user", "/admin/users/new", ADMIN_ONLY),
    ("GET", "admin.user_account", "/admin/users/{account_home}", ADMIN_ONLY),
    ("GET", "admin.user_account", "/admin/users/{account_abroad}", ACCOUNT_ABROAD),
    ("POST", "admin.account_role", "/admin/users/{account_home}/role", ADMIN_ONLY),
    ("POST", "admin.account_role", "/admin/users/{account_abroad}/role", ACCOUNT_ABROAD),
    ("POST", "admin.account_enabled", "/admin/users/{account_home}/enabled", ADMIN_ONLY),
    ("POST", "admin.account_enabled", "/admin/users/{account_abroad}/enabled", ACCOUNT_ABROAD),
    ("POST", "admin.account_unlock", "/admin/users/{account_home}/unlock", ADMIN_ONLY),
    ("POST", "admin.account_unlock", "/admin/users/{account_abroad}/unlock", ACCOUNT_ABROAD),
    ("POST", "admin.account_password", "/admin/users/{account_home}/password", ADMIN_ONLY),
    ("POST", "admin.account_password", "/admin/users/{account_abroad}/password", ACCOUNT_ABROAD),
    ("POST", "admin.new_user", "/admin/users/new", ADMIN_ONLY),
    ("GET", "admin.agencies", "/admin/agencies", SYSTEM_ADMIN_ONLY),
    ("POST", "admin.agencies", "/admin/agencies", SYSTEM_ADMIN_ONLY),
    ("GET", "audit.index", "/audit/", AUDIT),
    # the chain is the whole installation's: its verification is the system administrator's
    ("GET", "audit.verification", "/audit/verification", SYSTEM_ADMIN_ONLY),
    ("POST", "audit.verification", "/audit/verification", SYSTEM_ADMIN_ONLY),
    ("GET", "maps.index", "/map/", READERS),
    ("GET", "maps.cases_geojson", "/map/cases.geojson", READERS),
    ("GET", "exchanges.index", "/exchange/", EXCHANGE_READERS),
    ("GET", "exchanges.trust_list", "/exchange/trust", TRUST_ADMIN),
    ("POST", "exchanges.trust_list", "/exchange/trust", TRUST_ADMIN),
    ("GET", "exchanges.peer_settings", "/exchange/trust/{peer}", TRUST_ADMIN),
    ("POST", "exchanges.peer_settings", "/exchange/trust/{peer}", TRUST_ADMIN),
    ("GET", "exchanges.export", "/exchange/export", SHARERS),
    ("POST", "exchanges.export", "/exchange/export", SHARERS),
    ("GET", "exchanges.download", "/exchange/outbox/{message}", SHARERS),
    ("POST", "exchanges.push", "/exchange/outbox/{message}/push", SHARERS),
    ("GET", "exchanges.upload", "/exchange/import", SHARERS),
    ("POST", "exchanges.upload", "/exchange/import", SHARERS),
    ("GET", "exchanges.hits_index", "/exchange/hits", EXCHANGE_READERS),
    ("GET", "exchanges.hit", "/exchange/hits/{hit_home}", HOME_HIT_READ),
    ("POST", "exchanges.request_disclosure", "/exchange/hits/{hit_home}/request", HOME_HIT_REQUEST),
    ("GET", "exchanges.dna_results", "/exchange/dna", EXCHANGE_READERS),
    (
        "POST",
        "exchanges.request_dna_disclosure",
        f"/exchange/dna/{NOBODYS}/request",
        {role: HIDDEN if seen == OK else seen for role, seen in SHARERS.items()},
    ),
    ("GET", "exchanges.disclosures_index", "/exchange/disclosures", EXCHANGE_READERS),
    ("GET", "exchanges.disclosure", "/exchange/disclosures/{disclosure_home}", HOME_HIT_READ),
    (
        "POST",
        "exchanges.decide",
        "/exchange/disclosures/{disclosure_home}/decide",
        HOME_DISCLOSURE_DECIDE,
    ),
    ("POST", "exchanges.revoke", "/exchange/trust/{peer}/revoke", TRUST_ADMIN),
    ("GET", "bulk.import_upload", "/bulk/import", IMPORTERS),
    ("POST", "bulk.import_upload", "/bulk/import", IMPORTERS),
    ("GET", "bulk.import_job", "/bulk/import/no-such-job", IMPORT_JOB),
    ("POST", "bulk.confirm_import", "/bulk/import/no-such-job/confirm", IMPORT_JOB),
    ("GET", "bulk.import_progress", "/bulk/import/no-such-job/progress", IMPORT_JOB),
    ("GET", "bulk.export", "/bulk/export/missing.csv", row(FORBIDDEN, supervisor=OK)),
    ("GET", "jobs.index", "/jobs/", row(FORBIDDEN, supervisor=OK)),
    ("POST", "jobs.rematch", "/jobs/rematch", row(FORBIDDEN, supervisor=OK)),
    # no such job (or another agency's): not revealed
    ("POST", "jobs.retry_job", "/jobs/no-such-job/retry", row(FORBIDDEN, supervisor=HIDDEN)),
    (
        "GET",
        "bulk.export",
        "/bulk/export/remains.csv",
        row(FORBIDDEN, supervisor=OK, forensic_officer=OK, officer_abroad=OK),
    ),
    ("GET", "attachments.new", "/attachments/remains/{ur_home}/new", REMAINS_EDITORS_HOME),
    ("POST", "attachments.new", "/attachments/remains/{ur_home}/new", REMAINS_EDITORS_HOME),
    ("GET", "attachments.show", "/attachments/{attachment_home}", HOME_CASE_READ),
    ("GET", "repatriation.index", "/repatriation/", REPATRIATION_READERS),
    (
        "POST",
        "repatriation.start",
        "/repatriation/remains/{ur_home}/start",
        HOME_REPATRIATION_MANAGE,
    ),
    ("GET", "repatriation.detail", "/repatriation/{repatriation_home}", HOME_REPATRIATION_READ),
    (
        "GET",
        "repatriation.step",
        "/repatriation/{repatriation_home}/steps/transport",
        HOME_REPATRIATION_MANAGE,
    ),
    (
        "POST",
        "repatriation.step",
        "/repatriation/{repatriation_home}/steps/transport",
        HOME_REPATRIATION_MANAGE,
    ),
    ("GET", "api_tokens.index", "/auth/account/tokens/", EVERYONE),
    ("POST", "api_tokens.index", "/auth/account/tokens/", EVERYONE),
    # a token of the forensic officer: only its owner may revoke it
    (
        "POST",
        "api_tokens.revoke",
        "/auth/account/tokens/{officer_token}/revoke",
        row(HIDDEN, forensic_officer=OK, dna_analyst=HIDDEN),
    ),
]
# The JSON API, walked with a bearer token of each role (a session cookie never opens it):
# the same expectations as the pages that do the same thing.
API_MATRIX = [
    ("GET", "api.missing_list", "/api/v1/missing", READERS),
    ("POST", "api.missing_create", "/api/v1/missing", MISSING_EDITORS),
    ("GET", "api.missing_person", "/api/v1/missing/{mp_home}", HOME_CASE_READ),
    ("GET", "api.missing_person", "/api/v1/missing/{mp_abroad}", ABROAD_CASE_READ),
    ("PATCH", "api.missing_update", "/api/v1/missing/{mp_home}", MISSING_EDITORS),
    ("GET", "api.remains_list", "/api/v1/remains", READERS),
    ("POST", "api.remains_create", "/api/v1/remains", REMAINS_EDITORS_NEW),
    ("GET", "api.remains_case", "/api/v1/remains/{ur_home}", HOME_CASE_READ),
    ("GET", "api.remains_case", "/api/v1/remains/{ur_abroad}", ABROAD_CASE_READ),
    ("PATCH", "api.remains_update", "/api/v1/remains/{ur_home}", REMAINS_EDITORS_HOME),
    ("GET", "api.samples", "/api/v1/remains/{ur_home}/samples", HOME_CASE_READ),
    ("POST", "api.sample_create", "/api/v1/remains/{ur_home}/samples", SAMPLES_HOME),
    ("GET", "api.custody_chain", "/api/v1/remains/{ur_home}/custody", HOME_CASE_READ),
    ("POST", "api.custody_transfer", "/api/v1/remains/{ur_home}/custody", REMAINS_EDITORS_HOME),
    ("GET", "api.candidates", "/api/v1/candidates", MATCH_READERS),
    ("GET", "api.candidate", "/api/v1/candidates/{match_home}", HOME_MATCH_READ),
    ("POST", "api.missing_status", "/api/v1/missing/{mp_home}/status", MISSING_EDITORS),
    (
        "POST",
        "api.missing_status",
        "/api/v1/missing/{mp_abroad}/status",
        row(FORBIDDEN, family_liaison=HIDDEN, supervisor=HIDDEN),
    ),
    ("POST", "api.remains_status", "/api/v1/remains/{ur_home}/status", REMAINS_EDITORS_HOME),
    (
        "POST",
        "api.candidate_exclude",
        "/api/v1/candidates/{match_home}/exclude",
        HOME_MATCH_REVIEW,
    ),
    (
        "POST",
        "api.candidate_propose",
        "/api/v1/candidates/{match_home}/propose",
        HOME_MATCH_REVIEW,
    ),
    (
        "POST",
        "api.candidate_confirm",
        "/api/v1/candidates/{match_home}/confirm",
        HOME_MATCH_CONFIRM,
    ),
    ("POST", "api.candidate_reject", "/api/v1/candidates/{match_home}/reject", HOME_MATCH_CONFIRM),
    ("GET", "api.repatriation_list", "/api/v1/repatriations", REPATRIATION_READERS),
    (
        "GET",
        "api.repatriation_detail",
        "/api/v1/repatriations/{repatriation_home}",
        HOME_REPATRIATION_READ,
    ),
    (
        "PATCH",
        "api.repatriation_step_update",
        "/api/v1/repatriations/{repatriation_home}/steps/transport",
        HOME_REPATRIATION_MANAGE,
    ),
    (
        "POST",
        "api.repatriation_start",
        "/api/v1/remains/{ur_home}/repatriation",
        HOME_REPATRIATION_MANAGE,
    ),
]
# Pages anyone may open, signed in or not (the exchange inbox checks the sender's signatures).
PUBLIC = {"auth.login", "auth.totp", "auth.logout", "static", "exchanges.inbox", "api.openapi"}
# liveness and readiness answer any caller (a load balancer); /metrics answers by address or
# token, not by account (tests/casework/health/, tests/casework/test_observability.py)
PUBLIC |= {"health.healthz", "health.readyz", "health.metrics"}
# the public family portal: no account (tests/casework/family_portal/ walks it)
PUBLIC |= {
    "family.choose_language",
    "family.start",
    "family.your_data",
    "family.send_request",
    "family.follow",
    "family.mine",
    "family.add",
    "family.withdraw",
    "family.leave",
}


@pytest.fixture
def cases(app, world):
    from casework.accounts.models import User
    from casework.custody.services import record_sample
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        abroad = db.session.get(User, world.user("officer_abroad"))
        mp_home = make_missing(liaison)
        mp_abroad = make_missing(abroad, nationality="HND", surnames="Lopez")
        ur_home = make_remains(officer)
        ur_abroad = make_remains(abroad)
        db.session.execute(
            update(UnidentifiedRemains)
            .where(UnidentifiedRemains.id == ur_home.id)
            .values(identified_as_id=mp_home.id)
        )
        db.session.commit()
        sample = record_sample(ur_home, {"barcode": "PCOME-S-0001", "kind": "bone", "lab": "UNT"})
        from casework.matches.models import CandidateMatch

        match_home = db.session.scalar(
            select(CandidateMatch.id).where(
                CandidateMatch.missing_person_id == mp_home.id,
                CandidateMatch.remains_id == ur_home.id,
            )
        )
        assert match_home is not None
        dna = _dna_rows(liaison, mp_home, ur_home)
        repatriation = _repatriation_rows(world, match_home, ur_home, officer)
        exchange = _exchange_rows(mp_home)
        from casework.api.models import Scope
        from casework.api.services import issue_token

        officer_token = issue_token(officer, "matrix", frozenset({Scope.READ}), None).token.id
        family = _family_request()
        return {
            **family,
            "account_home": world.user("family_liaison"),
            "account_abroad": world.user("officer_abroad"),
            "officer_token": officer_token,
            **exchange,
            **repatriation,
            **dna,
            "mp_home": mp_home.reference,
            "mp_abroad": mp_abroad.reference,
            "ur_home": ur_home.reference,
            "ur_abroad": ur_abroad.reference,
            "sample_home": sample.barcode,
            "match_home": match_home,
        }


def _dna_rows(liaison, mp_home, ur_home):
    """A mother placed in the pedigree with a reference sample, and a DNA hit on the home pair."""
    from casework.dna.consent import record_reference_sample
    from casework.dna.families import place_relative
    from casework.dna.models import DnaHit
    from casework.extensions import db
    from casework.missing.services import add_relative

    mother = add_relative(
        mp_home,
        {
            "name": "Rosa",
            "relationship_to_missing": "mother",
            "consent_to_share": True,
            "consent_countries": "*",
        },
    )
    place_relative(mother, "mother", "F")
    reference = record_reference_sample(
        mother, liaison, {"barcode": "PCOME-R-0001", "search_here": True}
    )
    hit = DnaHit(
        missing_person_id=mp_home.id,
        remains_id=ur_home.id,
        remains_barcode="PCOME-S-0001",
        reference_barcodes="PCOME-R-0001",
        log10_lr=6.2,
        loci=21,
        relatives="mother",
        population="SW Hispanic",
        prior=0.5,
        open_missing=2,
        posterior=0.9999994,
    )
    db.session.add(hit)
    db.session.commit()
    return {"relative_home": mother.id, "reference_home": reference.barcode, "dna_hit_home": hit.id}


def _repatriation_rows(world, match_home, ur_home, officer):
    """The home remains identified (two signatures), a repatriation started by the Guatemalan
    consul, and a photo attached to the case."""
    import io

    from PIL import Image

    from casework.accounts.models import User
    from casework.attachments.services import attach
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.matches.services import confirm_identification, propose_identification
    from casework.repatriation.services import start_repatriation

    candidate = db.session.get(CandidateMatch, match_home)
    propose_identification(candidate, officer, ["dental"], "", candidate.version)
    supervisor = db.session.get(User, world.user("supervisor"))
    confirm_identification(candidate, supervisor, candidate.version)
    consul = db.session.get(User, world.user("consular_gtm"))
    repatriation = start_repatriation(consul, ur_home)
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, format="PNG")
    attachment = attach(officer, ur_home, "effect_photo", photo.getvalue(), "rosary")
    return {"repatriation_home": repatriation.id, "attachment_home": attachment.id}


def _family_request():
    """A request sent through the family portal to the home agency, with a photo."""
    from casework.family_portal.models import PhotoSubject
    from casework.family_portal.services import submit_request
    from tests.casework.family_portal.test_services import REQUEST, photo_bytes, solved

    sent = submit_request(solved(REQUEST), [(PhotoSubject.PERSON, photo_bytes())], "es")
    return {"family_request": sent.request.reference, "family_photo": sent.request.photos[0].id}


def _exchange_rows(mp_home):
    """A trusted peer, a bundle sent to it, a hit on one of its records, a request from it."""
    import uuid
    from datetime import date

    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.models import (
        CrossBorderHit,
        Disclosure,
        DisclosureDirection,
        ForeignRecord,
        PeerAuthority,
        RecordKind,
    )
    from casework.extensions import db
    from tests.casework.exchanges.builders import (
        make_identity,
        make_peer,
        peer_remains,
        record_json,
    )

    make_identity()
    peer = db.session.get(PeerAuthority, make_peer().row_id)
    message = export_records(peer, Selection(date(2025, 1, 1), date(2025, 12, 31), False))
    shared = peer_remains()
    foreign = ForeignRecord(
        peer_id=peer.id,
        pseudonym=shared.pseudonym,
        record_kind=RecordKind.REMAINS,
        bundle_id=str(uuid.uuid4()),
        content=record_json(shared),
    )
    db.session.add(foreign)
    db.session.flush()
    hit = CrossBorderHit(
        foreign_record_id=foreign.id,
        missing_person_id=mp_home.id,
        score=0.9,
        review=True,
        evidence="[]",
    )
    disclosure = Disclosure(
        direction=DisclosureDirection.INCOMING,
        request_id=str(uuid.uuid4()),
        peer_id=peer.id,
        pseudonym="A" * 43,
        record_kind=RecordKind.MISSING_PERSON,
        purpose="identification",
        justification="Dental and stature agree with remains we hold.",
        requested_fields="surnames",
        requested_by="A. Officer (forensic officer)",
        missing_person_id=mp_home.id,
    )
    db.session.add_all([hit, disclosure])
    db.session.commit()
    return {
        "peer": peer.id,
        "message": message.id,
        "hit_home": hit.id,
        "disclosure_home": disclosure.id,
    }


def test_matrix_covers_every_route(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    covered = {endpoint for _, endpoint, _, _ in MATRIX + API_MATRIX} | PUBLIC
    assert endpoints - covered == set(), "add the new routes to the access matrix"


def _outcome(status: int) -> object:
    if status in (403, 404):
        return status
    assert status < 500, status
    return OK


@pytest.mark.parametrize("role", ROLES)
def test_every_route_as_every_role(role, as_user, cases) -> None:
    client = as_user(role)
    failures = []
    for method, endpoint, template, expected in MATRIX:
        url = template.format(**cases)
        response = client.open(url, method=method, data={})
        got = _outcome(response.status_code)
        if got != expected[role]:
            failures.append(
                f"{method} {url} ({endpoint}): "
                f"expected {expected[role]}, got {response.status_code}"
            )
    assert not failures, "\n".join(failures)


def test_anonymous_is_sent_to_sign_in(client, cases) -> None:
    for method, _endpoint, template, _expected in MATRIX:
        response = client.open(template.format(**cases), method=method, data={})
        assert response.status_code == 302, template
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_every_api_route_as_every_role(role, app, world, cases) -> None:
    from casework.accounts.models import User
    from casework.api.models import Scope
    from casework.api.services import issue_token
    from casework.extensions import db

    with app.test_request_context():
        user = db.session.get(User, world.user(role))
        secret = issue_token(user, "matrix", frozenset(Scope), None).secret
        db.session.remove()
    client = app.test_client()
    failures = []
    for method, endpoint, template, expected in API_MATRIX:
        url = template.format(**cases)
        response = client.open(
            url, method=method, json={}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code != 401, url
        got = _outcome(response.status_code)
        if got != expected[role]:
            failures.append(
                f"{method} {url} ({endpoint}): "
                f"expected {expected[role]}, got {response.status_code}"
            )
    assert not failures, "\n".join(failures)


def test_anonymous_api_calls_are_401(client, cases) -> None:
    for method, _endpoint, template, _expected in API_MATRIX:
        response = client.open(template.format(**cases), method=method, json={})
        assert response.status_code == 401, template
