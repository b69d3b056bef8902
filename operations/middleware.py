"""Request id: taken from a valid incoming `X-Request-ID` (set by the proxy) or generated per request."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from operations.logging import request_id_var

HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/-]{8,128}")

logger = logging.getLogger("operations.requests")


def incoming_request_id(request: HttpRequest) -> str | None:
    """Return the request id the proxy sent, or None when it is missing or not a plain token."""
    value = request.headers.get(HEADER, "").strip()
    return value if VALID_REQUEST_ID.fullmatch(value) else None


class RequestIdMiddleware:
    """Give the request an id, put it on every log record of the request and on the response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            # Path only: query strings may carry search terms or tokens.
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
