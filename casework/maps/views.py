"""The map page and the GeoJSON of visible cases it draws."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from casework.errors import ValidationError
from casework.maps.features import STATUSES, MapFilter, kinds_for, visible_features
from casework.vocabulary import label

blueprint = Blueprint("maps", __name__, url_prefix="/map")


def _selection_or_abort() -> MapFilter:
    """The filter the request asks for: 403 for roles that read no case, 400 for bad values."""
    if not kinds_for(current_user):
        abort(403)
    try:
        return MapFilter.from_args(request.args)
    except ValidationError as error:
        abort(400, error.message)


@blueprint.route("/")
@login_required
def index() -> Any:
    selection = _selection_or_abort()
    kinds = kinds_for(current_user)
    statuses = sorted(set().union(*(STATUSES[kind] for kind in kinds)))
    return render_template(
        "maps/index.html",
        selection=selection,
        kinds=kinds,
        statuses=statuses,
        status_words={status: label(status) for status in statuses},
        tile_url=current_app.config["MAP_TILE_URL"],
    )


@blueprint.route("/cases.geojson")
@login_required
def cases_geojson() -> Any:
    selection = _selection_or_abort()
    response = jsonify(visible_features(current_user, selection))
    response.mimetype = "application/geo+json"
    response.headers["Cache-Control"] = "private, no-store"
    return response
