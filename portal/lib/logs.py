"""Log lines as one JSON object each, for a log collector to index without parsing text.

Every line carries the id of the request (or the Celery task) it came from, so one request's
lines are found together, and with ``X-Request-ID`` matched with its audit events. What goes
in the message is the caller's care: never an ID number, a name or a phone number.
"""

import json
import logging
from datetime import UTC, datetime

# The attributes every LogRecord has: anything else on a record was passed as ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        line.update((key, value) for key, value in vars(record).items() if key not in _STANDARD)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
