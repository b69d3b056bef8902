"""Sentry: an error in a request reaches the (transport-level stubbed) Sentry with the request id, without PII."""

import json

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from operations.sentry import init_sentry

pytestmark = pytest.mark.django_db


class RecordingTransport(Transport):
    """Keep the envelopes the SDK would send to Sentry."""

    envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def sentry_events():
    RecordingTransport.envelopes = []
    init_sentry(
        dsn="https://public@sentry.example.invalid/1",
        environment="test",
        release="planbeteiligung@test",
        traces_sample_rate=0.0,
        transport=RecordingTransport,
    )
    yield lambda: [
        item.payload.json
        for envelope in RecordingTransport.envelopes
        for item in envelope.items
        if item.type == "event"
    ]
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: the SDK is off again


@pytest.mark.urls("tests.ops.error_urls")
def test_error_event_has_request_id_but_no_personal_data(client, sentry_events):
    client.raise_request_exception = False
    data = {"email": "erika.mustermann@example.org", "name": "Erika Mustermann", "comment": "Mein Garten grenzt an"}
    client.cookies["sessionid"] = "secret-session"

    response = client.post("/kaputt/", data, HTTP_X_REQUEST_ID="req-7d1e2c4b", HTTP_USER_AGENT="Firefox")
    sentry_sdk.flush()

    assert response.status_code == 500
    (event,) = sentry_events()
    assert event["tags"]["request_id"] == "req-7d1e2c4b"
    assert event["environment"] == "test" and event["release"] == "planbeteiligung@test"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert "[e-mail]" in event["exception"]["values"][-1]["value"]
    text = json.dumps(event)
    for private in ("erika.mustermann@example.org", "Mustermann", "Mein Garten", "secret-session", "127.0.0.1"):
        assert private not in text
    assert "user" not in event
