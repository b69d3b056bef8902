"""Optional error reports to Sentry (SENTRY_DSN): no personal data, the request id as a tag.

Citizens' names, e-mail addresses and statement texts must not leave the installation, so the SDK
sends no default PII (no user, cookies, client address), no request bodies and no local variables,
and `scrub_event` replaces anything that looks like an e-mail address in what is left (messages,
exception texts, breadcrumbs).
"""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from operations.logging import request_id_var

EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
REDACTED = "[e-mail]"


def _scrub(value: Any) -> Any:
    """Return `value` with e-mail addresses replaced in every string it contains."""
    if isinstance(value, str):
        return EMAIL.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Tag the event with the request id, drop request data, user and cookies, redact e-mail addresses."""
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {
            key: value for key, value in headers.items() if key.lower() in {"x-request-id", "user-agent"}
        }
    event.pop("user", None)
    return _scrub(event)


def init_sentry(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float, **options: Any) -> None:
    """Start the Sentry SDK for Django with the privacy settings above (`options`: e.g. a test transport)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        # What send_default_pii=False means, spelled out in the SDK's newer option (which supersedes it).
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": ["x-request-id", "user-agent"]}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,  # type: ignore[arg-type]
        before_breadcrumb=lambda crumb, hint: _scrub(crumb),
        integrations=[DjangoIntegration(), LoggingIntegration()],
        **options,
    )
