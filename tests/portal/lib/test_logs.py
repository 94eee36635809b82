"""Log lines as JSON, each with the id of the request it came from."""

import json
import logging

import pytest

from portal.audit.context import RequestIdLogFilter
from portal.lib.logs import JsonFormatter


def formatted(record: logging.LogRecord) -> dict:
    if not hasattr(record, "request_id"):  # as the handler's filter would set it
        RequestIdLogFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def a_record(message="%s is down", *args, **extra) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "portal.ops", "levelname": "WARNING", "levelno": 30, "msg": message,
         "args": args or ("the broker",), **extra}
    )  # fmt: skip
    return record


def test_a_line_is_one_json_object_with_its_fields():
    line = formatted(a_record())
    assert line["message"] == "the broker is down"
    assert (line["level"], line["logger"]) == ("WARNING", "portal.ops")
    assert line["time"].endswith("+00:00")
    assert line["request_id"] == "", "no request, no task: empty, never missing"


def test_extra_fields_are_kept_and_chinese_stays_readable():
    line = formatted(a_record("%s", "营业厅", part="broker"))
    assert line["part"] == "broker"
    assert line["message"] == "营业厅"


def test_an_exception_is_one_field_of_the_same_line():
    try:
        raise ValueError("bad value")
    except ValueError:
        import sys

        record = a_record(exc_info=sys.exc_info())
    line = formatted(record)
    assert "ValueError: bad value" in line["exception"]


@pytest.mark.django_db
def test_a_line_logged_in_a_request_carries_its_request_id(client, broker_unreachable, caplog):
    caplog.handler.addFilter(RequestIdLogFilter())
    response = client.get("/readyz", HTTP_X_REQUEST_ID="req-4711")
    assert response["X-Request-ID"] == "req-4711"
    lines = [formatted(r) for r in caplog.records if r.name == "portal.ops.views"]
    assert lines and all(line["request_id"] == "req-4711" for line in lines)
