"""The one JSON envelope of the API: {"data", "meta"} for answers, {"error"} for refusals."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.wrappers import Response

from casework.errors import CaseworkError, ValidationError

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_fields",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(CaseworkError):
    """A refusal of the API with its status, code and, for bad input, a message per field."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status
        self.code = code or ERROR_CODES.get(status, "error")
        self.fields = fields or {}


def answer(
    data: Any, status: int = 200, meta: dict[str, Any] | None = None, **headers: str
) -> Response:
    response = jsonify({"data": data, "meta": meta or {}})
    response.status_code = status
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def error_response(
    status: int,
    message: str,
    code: str | None = None,
    fields: dict[str, str] | None = None,
) -> Response:
    response = jsonify(
        {
            "error": {
                "code": code or ERROR_CODES.get(status, "error"),
                "message": message,
                "fields": fields or {},
            }
        }
    )
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="casework"'
    return response


def casework_error_response(error: CaseworkError) -> Response:
    """A service's refusal in the API's terms: bad field values are 422 with the field named."""
    if isinstance(error, ApiError):
        return error_response(error.status_code, error.message, error.code, error.fields)
    message = error.message
    if isinstance(error, ValidationError):
        return error_response(422, message, fields={error.field or "body": message})
    return error_response(error.status_code, message)
