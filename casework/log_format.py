"""Every log line as one JSON object on standard error, without personal data.

A line carries the time, level, logger, message and the fields a caller passes in `extra`
(those of `REQUEST_FIELDS` and `JOB_FIELDS`), plus the request id of the request being served.
An exception is written as its class and its stack (files, lines, functions), never its
message: database errors quote the values of their statement, which may be a name.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context

REQUEST_FIELDS = ("request_id", "user_id", "route", "method", "status", "duration_ms")
JOB_FIELDS = ("job_id", "job_kind", "outcome")
_FIELDS = REQUEST_FIELDS + JOB_FIELDS
_MARK = "_casework_json"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, stack = record.exc_info
            line["exception"] = kind.__qualname__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(stack)
            ]
        return json.dumps(line, ensure_ascii=False, default=str)


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (a test may capture it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _stamp_request_id(make_record: Any) -> Any:
    """A record factory that notes the id of the request being served on every record, when
    the record is made (a handler may format it later, outside the request)."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = make_record(*args, **kwargs)
        if has_request_context() and g.get("request_id"):
            record.request_id = g.request_id
        return record

    setattr(make, _MARK, True)
    return make


def install_json_logs(level: int = logging.INFO) -> None:
    """Send the application's loggers (`casework.*`, the app's own) to standard error as JSON
    lines; once per process, however many apps are built."""
    logger = logging.getLogger("casework")
    if any(getattr(handler, _MARK, False) for handler in logger.handlers):
        return
    if not getattr(logging.getLogRecordFactory(), _MARK, False):
        logging.setLogRecordFactory(_stamp_request_id(logging.getLogRecordFactory()))
    handler = _StandardError()
    handler.setFormatter(JsonFormatter())
    setattr(handler, _MARK, True)
    logger.addHandler(handler)
    logger.setLevel(level)
