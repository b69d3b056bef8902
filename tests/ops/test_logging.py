"""Structured logs: JSON lines, each record of a request carrying its request id, also on the response."""

import io
import json
import logging.config
import re

import pytest
from django.conf import settings as django_settings

from operations.logging import logging_config

pytestmark = pytest.mark.django_db


def configure_logging(**options) -> io.StringIO:
    """Apply LOGGING as the settings build it; return the console handler's output (instead of stderr)."""
    logging.config.dictConfig(logging_config(**options))
    (console,) = [handler for handler in logging.getLogger().handlers if handler.get_name() == "console"]
    output = io.StringIO()
    console.setStream(output)
    return output


@pytest.fixture
def json_logs():
    """Log as production does (JSON lines) for one test; return a reader of the parsed lines."""
    output = configure_logging(log_format="json", level="WARNING", log_requests=True)
    yield lambda: [json.loads(line) for line in output.getvalue().splitlines()]
    logging.config.dictConfig(django_settings.LOGGING)


def test_incoming_request_id_is_on_the_response_and_every_log_line(client, json_logs):
    response = client.get("/gibt-es-nicht/", HTTP_X_REQUEST_ID="proxy-4f1c2a9e")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "proxy-4f1c2a9e"
    lines = json_logs()
    warning = next(line for line in lines if line["logger"] == "django.request")
    assert warning["level"] == "WARNING" and warning["message"] == "Not Found: /gibt-es-nicht/"
    assert warning["request_id"] == "proxy-4f1c2a9e" and "time" in warning
    access = next(line for line in lines if line["logger"] == "operations.requests")
    assert access["request_id"] == "proxy-4f1c2a9e"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/gibt-es-nicht/", 404)


@pytest.mark.parametrize("sent", [None, "short", "evil\x1b[31m-injected-value", "x" * 200])
def test_missing_or_invalid_request_id_is_replaced_by_a_generated_one(client, json_logs, sent):
    headers = {"HTTP_X_REQUEST_ID": sent} if sent else {}

    response = client.get("/gibt-es-nicht/", **headers)

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert {line["request_id"] for line in json_logs()} == {request_id}


def test_each_request_gets_its_own_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_records_outside_a_request_carry_a_dash(json_logs):
    logging.getLogger("operations.test").warning("Worker started")

    (line,) = json_logs()
    assert line["message"] == "Worker started" and line["request_id"] == "-"


def test_text_format_shows_the_request_id(client):
    output = configure_logging(log_format="text", level="WARNING", log_requests=False)
    try:
        client.get("/gibt-es-nicht/", HTTP_X_REQUEST_ID="proxy-4f1c2a9e")
    finally:
        logging.config.dictConfig(django_settings.LOGGING)

    (line,) = output.getvalue().splitlines()
    assert line.endswith("WARNING django.request [proxy-4f1c2a9e] Not Found: /gibt-es-nicht/")


def test_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="WARNING", log_requests=False)
