"""Pages for unidentified remains: the generic case pages (list and look-up, log, view, edit,
notes, status), with the samples, custody and repatriation the detail page shows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import Permission, requires
from casework.accounts.models import Role
from casework.attachments.services import attachments_of
from casework.cases.access import can_add_to_case, can_edit_case
from casework.cases.fields import point_coordinates
from casework.cases.forms import show_error, submitted_version
from casework.cases.pages import CasePages
from casework.cases.status import override_dna_hold_for_release
from casework.clock import now
from casework.custody.holdings import dna_sample_held
from casework.custody.queries import custody_of, samples_of
from casework.errors import CaseworkError
from casework.remains import services
from casework.remains.access import remains_visible_to
from casework.remains.forms import DnaHoldOverrideForm, RemainsForm
from casework.remains.inputs import RemainsInput
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.repatriation.queries import repatriation_of

blueprint = Blueprint("remains", __name__, url_prefix="/remains")


class RemainsPages(CasePages):
    model = UnidentifiedRemains
    input = RemainsInput
    form = RemainsForm
    statuses = RemainsStatus
    read = Permission.READ_REMAINS
    write = Permission.EDIT_REMAINS

    def visible(self, user: Any) -> Any:
        return remains_visible_to(user)

    def ordered(self, query: Any) -> Any:
        return query.order_by(
            UnidentifiedRemains.recovery_date.desc(), UnidentifiedRemains.created_at.desc()
        )

    def created(self, case: UnidentifiedRemains) -> str:
        return _("Logged as %(reference)s.", reference=case.reference)

    def store_new(self, given: RemainsInput) -> UnidentifiedRemains:
        return services.log_remains(current_user, given)

    def store_edit(self, case: Any, given: RemainsInput, version: int | None) -> None:
        services.update_remains(case, given, version)

    def detail_context(self, case: UnidentifiedRemains, **forms: Any) -> dict[str, Any]:
        return {
            "dna_hold_form": self.dna_hold_form(case, forms.get("dna_hold_form")),
            "attachments": attachments_of(case),
            "repatriation": repatriation_of(case, current_user),
            "today": now().date(),
            "point": point_coordinates(case.recovery_point),
            "samples": samples_of(case),
            "custody": custody_of(case),
            "can_custody": can_add_to_case(current_user, case, Permission.RECORD_CUSTODY),
        }

    def dna_hold_form(
        self, case: UnidentifiedRemains, form: DnaHoldOverrideForm | None
    ) -> DnaHoldOverrideForm | None:
        """For a supervisor who may edit the case, while remains still here hold no sample."""
        if form is None and (
            current_user.role is not Role.SUPERVISOR
            or not can_edit_case(current_user, case)
            or case.dna_hold_waived_at is not None
            or case.status in (RemainsStatus.REPATRIATED, RemainsStatus.BURIED_UNIDENTIFIED)
            or dna_sample_held(case.id)
        ):
            return None
        form = form or DnaHoldOverrideForm(formdata=None)
        form.version.data = str(case.version)
        return form

    def override_dna_hold(self, reference: str) -> Any:
        case = self.case(reference)
        if not can_edit_case(current_user, case):
            abort(403)
        form = DnaHoldOverrideForm()
        if not form.validate_on_submit():
            return self.detail_page(case, 400, dna_hold_form=form)
        try:
            override_dna_hold_for_release(
                case, current_user, form.reason.data, submitted_version(form.version.data)
            )
        except CaseworkError as error:
            code = show_error(form, error)
            return self.detail_page(case, code, dna_hold_form=form)
        flash(_("The DNA sample hold of %(reference)s is overridden.", reference=case.reference))
        return redirect(url_for("remains.detail", reference=case.reference), 303)


pages = RemainsPages(blueprint)
blueprint.add_url_rule(
    "/<reference>/dna-hold-override",
    "override_dna_hold",
    requires(Permission.EDIT_REMAINS)(pages.override_dna_hold),
    methods=["POST"],
)
