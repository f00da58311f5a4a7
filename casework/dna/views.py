"""DNA pages: the laboratory's (import, profiles and consensus behind barcodes, per-locus
tables), the family's (pedigree places, reference samples and consent), and DNA hits."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import Permission, allows, requires
from casework.cases.access import can_edit_case
from casework.cases.forms import show_error, submitted_version
from casework.cases.pages import visible_case_or_404
from casework.custody.models import Sample
from casework.dna import consent as consents
from casework.dna import families, hits, profiles, queries
from casework.dna.forms import (
    ConsentForm,
    ImportForm,
    PlaceForm,
    PopulationForm,
    ProfileForm,
    ReasonForm,
    ReferenceSampleForm,
)
from casework.dna.models import DnaHit
from casework.dna.pedigrees import family_tree
from casework.dna.search import latest_search, populations
from casework.errors import CaseworkError
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson, Relative

blueprint = Blueprint("dna", __name__, url_prefix="/dna")


# -- the laboratory ---------------------------------------------------------------------------


@blueprint.route("/", methods=["GET", "POST"])
@requires(Permission.RECORD_PROFILES)
def index() -> Any:
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        uploads = [
            (upload.filename or "file", upload.read())
            for upload in request.files.getlist(form.files.name)
            if upload and upload.filename
        ]
        try:
            added, again = profiles.import_lab_files(
                current_user, uploads, form.lab.data, form.kit.data, form.typed_on.data
            )
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(
                _(
                    "%(added)d profiles imported, %(again)d already there.",
                    added=added,
                    again=again,
                ),
                "success",
            )
            return redirect(url_for("dna.index"), 303)
    elif form.errors:
        status = 400
    rows = queries.profiled_samples()
    return render_template("dna/index.html", form=form, rows=rows), status


def _sample_or_404(barcode: str) -> Sample:
    sample = profiles.sample_by_barcode(barcode)
    if sample is None:
        abort(404)
    return sample


@blueprint.route("/samples/<barcode>")
@requires(Permission.READ_GENOTYPES)
def sample(barcode: str) -> Any:
    found = _sample_or_404(barcode)
    return _sample_page(found, ProfileForm(formdata=None), 200)


def _sample_page(found: Sample, form: ProfileForm, status: int) -> Any:
    stored = profiles.profiles_of(found)
    shown = [(profile, profiles.genotypes_of(profile, current_user)) for profile in stored]
    kit = request.args.get("kit") or ""
    loci = profiles.STR_KITS.get(kit) or profiles.STR_KITS["GlobalFiler"]
    return (
        render_template(
            "dna/sample.html",
            sample=found,
            shown=shown,
            consensus=profiles.proposed_consensus(found),
            form=form,
            kits=profiles.STR_KITS,
            kit=kit,
            loci=loci,
            search=latest_search([found.id]),
        ),
        status,
    )


@blueprint.route("/samples/<barcode>/profiles", methods=["POST"])
@requires(Permission.RECORD_PROFILES)
def new_profile(barcode: str) -> Any:
    found = _sample_or_404(barcode)
    form = ProfileForm()
    if form.validate_on_submit():
        data = {key: value for key, value in request.form.items() if key.startswith("locus:")}
        data |= {k: form.data[k] for k in ("system", "lab", "kit", "typed_on", "variants", "range")}
        try:
            profiles.record_profile(found, current_user, data)
        except CaseworkError as error:
            return _sample_page(found, form, show_error(form, error))
        flash(_("Profile saved."), "success")
        return redirect(url_for("dna.sample", barcode=found.barcode), 303)
    return _sample_page(found, form, 400)


@blueprint.route("/samples/<barcode>/consensus", methods=["POST"])
@requires(Permission.RECORD_PROFILES)
def confirm_consensus(barcode: str) -> Any:
    found = _sample_or_404(barcode)
    try:
        profiles.confirm_consensus(found, current_user)
    except CaseworkError as error:
        flash(error.message, "error")
        return redirect(url_for("dna.sample", barcode=found.barcode), 303)
    search = latest_search([found.id])
    if search is not None and search.state.value == "done":
        flash(_("Consensus confirmed: the DNA search has run."), "success")
    else:  # a worker runs it (Redis): the sample's page says when it is done
        flash(
            _(
                "Consensus confirmed: the DNA search is running; this page says when its "
                "results are ready."
            ),
            "success",
        )
    return redirect(url_for("dna.sample", barcode=found.barcode), 303)


# -- DNA hits ---------------------------------------------------------------------------------


def _hit_or_404(hit_id: uuid.UUID) -> DnaHit:
    hit = queries.hit_seen_by(
        hit_id, current_user, sees_genotypes=allows(current_user, Permission.READ_GENOTYPES)
    )
    if hit is None:
        abort(404)
    return hit


@blueprint.route("/hits/<uuid:hit_id>")
@requires(Permission.READ_DNA_RESULTS)
def hit(hit_id: uuid.UUID) -> Any:
    found = _hit_or_404(hit_id)
    return _hit_page(found, ReasonForm(formdata=None), 200)


def _hit_page(found: DnaHit, form: ReasonForm, status: int) -> Any:
    table = (
        hits.per_locus_table(found, current_user)
        if allows(current_user, Permission.READ_GENOTYPES)
        else None
    )
    missing, remains = queries.cases_of(found)
    return (
        render_template(
            "dna/hit.html",
            hit=found,
            words=hits.in_words(found),
            table=table,
            form=form,
            missing=missing,
            remains=remains,
        ),
        status,
    )


@blueprint.route("/hits/<uuid:hit_id>/override", methods=["POST"])
@requires(Permission.OVERRIDE_LINEAGE)
def override(hit_id: uuid.UUID) -> Any:
    found = _hit_or_404(hit_id)
    form = ReasonForm()
    try:
        hits.override_lineage(
            found, current_user, form.reason.data, submitted_version(request.form.get("version"))
        )
    except CaseworkError as error:
        return _hit_page(found, form, show_error(form, error))
    flash(_("The lineage exclusion is set aside."), "success")
    return redirect(url_for("dna.hit", hit_id=found.id), 303)


# -- the family -------------------------------------------------------------------------------


def _missing(reference: str) -> MissingPerson:
    case: MissingPerson = visible_case_or_404(MissingPerson, missing_visible_to, reference)
    return case


def _editable(reference: str) -> MissingPerson:
    case = _missing(reference)
    if not can_edit_case(current_user, case):
        abort(403)
    return case


def _relative(case: MissingPerson, relative_id: uuid.UUID) -> Relative:
    relative = queries.relative_by_id(relative_id)
    if relative is None or relative.missing_person_id != case.id:
        abort(404)
    return relative


@blueprint.route("/missing/<reference>/family", methods=["GET"])
@requires(Permission.READ_DNA_RESULTS)
def family(reference: str) -> Any:
    if not allows(current_user, Permission.READ_MISSING):
        abort(403)  # the laboratory works behind barcodes, not on families' pages
    case = _missing(reference)
    return _family_page(case, 200)


def _family_page(case: MissingPerson, status: int, **forms: Any) -> Any:
    population = forms.get("population_form") or PopulationForm(formdata=None)
    population.population.choices = [("", _("the agency's default"))] + [
        (name, name) for name in populations()
    ]
    if population.population.data is None:
        population.population.data = case.dna_population or ""
    places = {
        relative.id: forms.get(f"place_{relative.id}")
        or PlaceForm(
            formdata=None,
            position=relative.position.value if relative.position else "",
            sex=relative.sex.value,
        )
        for relative in case.relatives
    }
    samples = {
        relative.id: [
            (sample, consents.consent_of(sample)) for sample in queries.reference_samples(relative)
        ]
        for relative in case.relatives
    }
    return (
        render_template(
            "dna/family.html",
            case=case,
            tree=family_tree(case),
            hits=hits.hits_of_missing(case.id),
            population_form=population,
            places=places,
            samples=samples,
            can_edit=can_edit_case(current_user, case)
            and allows(current_user, Permission.EDIT_MISSING),
            can_consent=allows(current_user, Permission.RECORD_CONSENT),
            words=hits.in_words,
            search=latest_search(
                [sample.id for pairs in samples.values() for sample, _consent in pairs], case.id
            ),
        ),
        status,
    )


@blueprint.route("/missing/<reference>/relatives/<uuid:relative_id>/place", methods=["POST"])
@requires(Permission.EDIT_MISSING)
def place(reference: str, relative_id: uuid.UUID) -> Any:
    case = _editable(reference)
    relative = _relative(case, relative_id)
    form = PlaceForm()
    try:
        families.place_relative(relative, form.position.data, form.sex.data)
    except CaseworkError as error:
        code = show_error(form, error)
        return _family_page(case, code, **{f"place_{relative.id}": form})
    flash(_("Saved."), "success")
    return redirect(url_for("dna.family", reference=case.reference), 303)


@blueprint.route("/missing/<reference>/population", methods=["POST"])
@requires(Permission.EDIT_MISSING)
def population(reference: str) -> Any:
    case = _editable(reference)
    form = PopulationForm()
    try:
        families.choose_population(case, form.population.data)
    except CaseworkError as error:
        code = show_error(form, error)
        return _family_page(case, code, population_form=form)
    flash(_("Saved."), "success")
    return redirect(url_for("dna.family", reference=case.reference), 303)


@blueprint.route(
    "/missing/<reference>/relatives/<uuid:relative_id>/samples/new", methods=["GET", "POST"]
)
@requires(Permission.RECORD_CONSENT)
def new_reference(reference: str, relative_id: uuid.UUID) -> Any:
    case = _editable(reference)
    relative = _relative(case, relative_id)
    form = ReferenceSampleForm()
    status = 200
    if form.validate_on_submit():
        try:
            consents.record_reference_sample(relative, current_user, form.data)
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Reference sample recorded."), "success")
            return redirect(url_for("dna.family", reference=case.reference), 303)
    elif form.errors:
        status = 400
    return render_template(
        "dna/reference_form.html", form=form, case=case, relative=relative
    ), status


def _reference(barcode: str) -> tuple[Sample, MissingPerson]:
    found = _sample_or_404(barcode)
    if found.relative_id is None:
        abort(404)
    relative = queries.relative_by_id(found.relative_id)
    assert relative is not None
    case = _editable(relative.missing_person.reference)
    return found, case


@blueprint.route("/references/<barcode>/consent", methods=["POST"])
@requires(Permission.RECORD_CONSENT)
def consent(barcode: str) -> Any:
    found, case = _reference(barcode)
    form = ConsentForm()
    try:
        consents.change_consent(found, current_user, form.data)
    except CaseworkError as error:
        flash(error.message, "error")
        return _family_page(case, error.status_code)
    flash(_("Consent saved."), "success")
    return redirect(url_for("dna.family", reference=case.reference), 303)


@blueprint.route("/references/<barcode>/withdraw", methods=["POST"])
@requires(Permission.RECORD_CONSENT)
def withdraw(barcode: str) -> Any:
    found, case = _reference(barcode)
    form = ReasonForm()
    try:
        consents.withdraw_consent(found, current_user, form.reason.data)
    except CaseworkError as error:
        flash(error.message, "error")
        return _family_page(case, error.status_code)
    flash(_("Consent withdrawn: the profile is no longer searched."), "success")
    return redirect(url_for("dna.family", reference=case.reference), 303)


@blueprint.app_template_global()
def dna_hit_for(candidate: Any) -> DnaHit | None:
    """The DNA hit of a candidate pair, for the review page."""
    return hits.hit_of_pair(candidate.missing_person_id, candidate.remains_id)


@blueprint.app_template_global()
def dna_words(hit: DnaHit) -> str:
    return hits.in_words(hit)


@blueprint.app_template_global()
def dna_family_tree(case: MissingPerson) -> Any:
    return family_tree(case)
