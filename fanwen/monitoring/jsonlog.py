"""Production's log format: one JSON object per line —
``{"time", "level", "logger", "message", "request_id"}`` plus ``"exc"`` (the traceback) when
there is one.  Nothing else from the record is copied: extra attributes (Django puts the
request object on its records) never reach the logs, and the message is only what the code
logged — never request bodies or document text (the leak tests check it)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from fanwen.monitoring.request_id import NO_REQUEST


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii: Chinese messages stay one line and safe for any log shipper.
        return json.dumps(entry, ensure_ascii=True, default=str)
