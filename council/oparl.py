"""A small OParl 1.0/1.1 client on httpx: system → body → the body's object lists, page by page.

Polite by design: a User-Agent that names the site, timeouts, a page limit per list, and retries
with exponential backoff on 5xx answers, 429 and network errors. Every URL, including each
`links.next` page and redirect target, passes `plans.outbound.check_url` first (public https hosts,
or hosts in OUTBOUND_ALLOWED_HOSTS), because the server and the documents it links are named by staff.
"""

import logging
import time
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans.outbound import check_url

logger = logging.getLogger(__name__)

USER_AGENT = "Planbeteiligung OParl client (+https://oparl.org/)"
MAX_REDIRECTS = 5
MAX_BYTES = 20 * 1024 * 1024


class OParlError(Exception):
    """The OParl server could not be read; `code` says why (for logs and the staff page)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


def with_modified_since(url: str, since: datetime | None) -> str:
    """Return `url` with the `modified_since` filter set (ISO 8601), or unchanged when `since` is None."""
    if since is None:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "modified_since"]
    query.append(("modified_since", since.isoformat(timespec="seconds")))
    return urlunsplit(parts._replace(query=urlencode(query)))


class OParlClient:
    """Read OParl documents from one server; use as a context manager."""

    def __init__(self, *, timeout: float | None = None, max_pages: int | None = None, retries: int | None = None):
        self.timeout = settings.OPARL_TIMEOUT if timeout is None else timeout
        self.max_pages = settings.OPARL_MAX_PAGES if max_pages is None else max_pages
        self.retries = settings.OPARL_RETRIES if retries is None else retries
        self.requests = 0
        self.http = httpx.Client(
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.http.close()

    def get(self, url: str) -> dict:
        """Return the JSON object at `url`, retrying transient failures."""
        for attempt in range(self.retries + 1):
            try:
                return self._get_once(url)
            except _Transient as error:
                if attempt >= self.retries:
                    raise OParlError(
                        _("Der OParl-Server antwortet nicht (%(error)s).") % {"error": error}, code="unavailable"
                    ) from error
                delay = settings.OPARL_BACKOFF * 2**attempt
                logger.info("OParl %s: %s; retry %d in %.1f s", url, error, attempt + 1, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _get_once(self, url: str) -> dict:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                check_url(url)
            except ValidationError as error:
                raise OParlError(" ".join(error.messages), code=f"refused_{error.code}") from error
            self.requests += 1
            try:
                with self.http.stream("GET", url) as response:
                    if response.is_redirect and response.headers.get("location"):
                        url = str(response.url.join(response.headers["location"]))
                        continue
                    if response.status_code >= 500 or response.status_code == 429:
                        raise _Transient(f"HTTP {response.status_code}")
                    if response.status_code != 200:
                        raise OParlError(
                            _("Der OParl-Server antwortete mit HTTP %(status)s für %(url)s.")
                            % {"status": response.status_code, "url": url},
                            code="http_error",
                        )
                    content = self._read(response, url)
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
                raise _Transient(type(error).__name__) from error
            try:
                data = orjson.loads(content)
            except ValueError as error:
                raise OParlError(
                    _("Der OParl-Server lieferte kein JSON: %(url)s") % {"url": url}, code="not_json"
                ) from error
            if not isinstance(data, dict):
                raise OParlError(_("Der OParl-Server lieferte kein JSON: %(url)s") % {"url": url}, code="not_json")
            return data
        raise OParlError(_("Zu viele Weiterleitungen: %(url)s") % {"url": url}, code="redirects")

    def _read(self, response: httpx.Response, url: str) -> bytes:
        """Return the body of `response`, refusing one larger than MAX_BYTES (an OParl page is small)."""
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BYTES:
                raise OParlError(_("Die Antwort von %(url)s ist zu groß.") % {"url": url}, code="too_large")
            chunks.append(chunk)
        return b"".join(chunks)

    def pages(self, url: str, *, since: datetime | None = None) -> Iterator[dict]:
        """Yield every object of the paginated list at `url`, following `links.next`, at most `max_pages` pages."""
        next_url: str | None = with_modified_since(url, since)
        seen = 0
        while next_url:
            seen += 1
            if seen > self.max_pages:
                raise OParlError(
                    _("Die Liste %(url)s hat mehr als %(pages)s Seiten.") % {"url": url, "pages": self.max_pages},
                    code="page_limit",
                )
            page = self.get(next_url)
            data = page.get("data")
            if not isinstance(data, list):
                raise OParlError(_("Keine OParl-Liste: %(url)s") % {"url": next_url}, code="not_a_list")
            yield from (item for item in data if isinstance(item, dict))
            links = page.get("links")
            links = links if isinstance(links, dict) else {}
            following = links.get("next")
            next_url = following if isinstance(following, str) and following != next_url else None

    def body(self, system_url: str, body_url: str = "") -> dict:
        """Return the configured body, or the system's first body."""
        if body_url:
            return self.get(body_url)
        system = self.get(system_url)
        bodies = system.get("body")
        if not isinstance(bodies, str):
            raise OParlError(_("Das OParl-System nennt keine Körperschaften."), code="no_body")
        for body in self.pages(bodies):
            return body
        raise OParlError(_("Das OParl-System nennt keine Körperschaften."), code="no_body")


class _Transient(Exception):
    """A failure worth another try (5xx, 429, timeout, dropped connection)."""
