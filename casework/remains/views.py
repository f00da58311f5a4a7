"""Pages for unidentified remains: the generic case pages (list and look-up, log, view, edit,
notes, status), with the samples, custody and repatriation the detail page shows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import Permission
from casework.attachments.services import attachments_of
from casework.cases.access import can_add_to_case
from casework.cases.fields import point_coordinates
from casework.cases.pages import CasePages
from casework.clock import now
from casework.custody.queries import custody_of, samples_of
from casework.remains import services
from casework.remains.access import remains_visible_to
from casework.remains.forms import RemainsForm
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
            "attachments": attachments_of(case),
            "repatriation": repatriation_of(case, current_user),
            "today": now().date(),
            "point": point_coordinates(case.recovery_point),
            "samples": samples_of(case),
            "custody": custody_of(case),
            "can_custody": can_add_to_case(current_user, case, Permission.RECORD_CUSTODY),
        }


pages = RemainsPages(blueprint)
