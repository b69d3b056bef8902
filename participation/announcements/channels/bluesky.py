"""Bluesky through atproto with handle and app password; sessions are cached, the PDS URL is checked on connect.

Every post is written under a deterministic record key. When the answer to `createRecord` leaves
open whether the record was stored (timeout, connection lost, 409, any 5xx — e.g. a proxy's 502
after the server created it, or "There is already a value at key" from an earlier attempt), the
client reads that key before giving up: a record with our text there means the post is out.
"""

import hashlib

import httpx
from atproto import Client, models
from atproto_client import exceptions
from atproto_client.models.common import XrpcError
from atproto_client.request import Request
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ..crypto import decrypt_json, encrypt_json
from ..models import ChannelKind
from ..text import url_spans
from .base import ChannelClient, DeliveryError, Posted, guard_server

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
DEFAULT_PDS = "https://bsky.social"


def delivery_tid(delivery) -> str:
    """Return a valid, deterministic record key (TID) for `delivery`, so a retry targets the same record."""
    micros = int(delivery.created_at.timestamp() * 1_000_000)
    clock_id = delivery.idempotency_key.int & 0x3FF
    value = (micros << 10) | clock_id
    value &= (1 << 63) - 1
    chars = []
    for _i in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def link_facets(text: str) -> list:
    """Return Bluesky link facets (UTF-8 byte offsets) for every URL in `text`."""
    facets = []
    for start, end in url_spans(text):
        url = text[start:end]
        byte_start = len(text[:start].encode("utf-8"))
        byte_end = byte_start + len(url.encode("utf-8"))
        facets.append(
            models.AppBskyRichtextFacet.Main(
                index=models.AppBskyRichtextFacet.ByteSlice(byte_start=byte_start, byte_end=byte_end),
                features=[models.AppBskyRichtextFacet.Link(uri=url)],
            )
        )
    return facets


def post_url(uri: str) -> str:
    """Return the app-view address of the post `at://<did>/<collection>/<rkey>` (the DID survives handle changes)."""
    did, _collection, rkey = uri.removeprefix("at://").split("/", 2)
    return f"{settings.SOCIAL_BLUESKY_APPVIEW_URL.rstrip('/')}/profile/{did}/post/{rkey}"


def server_message(error: Exception) -> str:
    """Return the server's own error message from an atproto exception, shortened, or ""."""
    response = getattr(error, "response", None)
    content = response.content if response is not None else None
    if isinstance(content, XrpcError):
        text = f"{content.error}: {content.message}" if content.message else content.error
    elif isinstance(content, bytes):  # e.g. a proxy's HTML error page: keep its words, not its markup
        text = " ".join(strip_tags(content.decode("utf-8", "replace")).split())
    elif isinstance(content, dict):
        text = str(content.get("message") or content.get("error") or "")
    else:
        text = ""
    return text[:300]


class BlueskyClient(ChannelClient):
    kind = ChannelKind.BLUESKY
    collection = "app.bsky.feed.post"

    session_ttl = 60 * 60  # access tokens live about two hours; atproto refreshes them when needed

    def _session_key(self) -> str:
        ident = f"{self.config.api_base_url}|{self.config.handle}".encode()
        return "announcements:bsky-session:" + hashlib.sha256(ident).hexdigest()

    def _client(self, *, fresh: bool = False):
        """Return a logged-in client, reusing a cached (encrypted) session to spare createSession calls."""
        guard_server(self.config.api_base_url or DEFAULT_PDS, "Bluesky")
        client = Client(base_url=self.config.api_base_url or None, request=Request(timeout=self.timeout))
        key = self._session_key()

        def store(_event=None, _session=None):
            cache.set(key, encrypt_json({"session": client.export_session_string()}), self.session_ttl)

        cached = None if fresh else decrypt_json(cache.get(key) or "").get("session")
        self.from_cache = False
        if cached:
            try:
                client.login(session_string=cached, fetch_bsky_profile=False)
                self.from_cache = True
            except Exception:  # a damaged or outdated session string: log in with the password instead
                cache.delete(key)
        if not self.from_cache:
            self._call(client.login, self.config.handle, self.config.secrets["app_password"], fetch_bsky_profile=False)
            store()
        client.on_session_change(store)
        return client

    def _with_client(self, operation):
        """Run `operation(client)`; if a cached session is rejected, log in with the password once and retry."""
        client = self._client()
        try:
            return operation(client)
        except DeliveryError as error:
            # Only definite rejections (400/401/403) are retried: the first request created nothing.
            if not self.from_cache or error.retryable:
                raise
            cache.delete(self._session_key())
            return operation(self._client(fresh=True))

    def _call(self, function, *args, write: bool = False, **kwargs):
        """Call the SDK and translate its errors; `write` marks a call whose failure may hide a stored record."""
        try:
            return function(*args, **kwargs)
        except exceptions.UnauthorizedError as error:
            raise DeliveryError(
                _("Bluesky: Anmeldung abgelehnt (%(status)s). Bitte Handle und App-Passwort prüfen.")
                % {"status": error.response.status_code if error.response else "401"},
                retryable=False,
                code="unauthorized",
            ) from error
        except exceptions.RateLimitExceededError as error:
            raise DeliveryError(
                _("Bluesky: Zu viele Anfragen (Rate-Limit). Neuer Versuch später."),
                retryable=True,
                retry_after=error.retry_after,
                code="rate_limited",
            ) from error
        except exceptions.BadRequestError as error:
            raise DeliveryError(
                _("Bluesky: Anfrage abgelehnt: %(detail)s") % {"detail": server_message(error) or str(error)},
                retryable=False,
                code="rejected",
            ) from error
        except exceptions.NetworkError as error:
            if error.response is None:
                # Refused connections never reached the server; a timeout or a reset may have.
                refused = isinstance(error.__cause__, httpx.ConnectError)
                raise DeliveryError(
                    _("Bluesky: Server nicht erreichbar. Neuer Versuch später.")
                    if refused
                    else _("Bluesky: Netzwerkfehler oder Zeitüberschreitung. Neuer Versuch später."),
                    retryable=True,
                    ambiguous=write and not refused,
                ) from error
            self._raise_status(error, write)
        except exceptions.RequestException as error:
            self._raise_status(error, write)

    def _raise_status(self, error, write: bool):
        """Raise the DeliveryError for an error answer: 5xx and 409 are retried and may hide a stored record."""
        status = error.response.status_code if error.response else 0
        detail = server_message(error)
        message = _("Bluesky: Fehler %(status)s.") % {"status": status or "?"}
        if detail:
            message = _("Bluesky: Fehler %(status)s: %(detail)s") % {"status": status or "?", "detail": detail}
        maybe_stored = status >= 500 or status == 409
        raise DeliveryError(
            message,
            retryable=maybe_stored,
            ambiguous=write and maybe_stored,
            code="server_error" if status >= 500 else ("conflict" if status == 409 else "rejected"),
        ) from error

    def post(self, *, text: str, delivery) -> Posted:
        record = models.AppBskyFeedPost.Record(
            text=text,
            facets=link_facets(text) or None,
            langs=["de"],
            created_at=timezone.now().isoformat(),
        )
        rkey = delivery_tid(delivery)
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self.config.handle, collection=self.collection, record=record, rkey=rkey
        )
        try:
            response = self._with_client(
                lambda client: self._call(client.com.atproto.repo.create_record, data, write=True)
            )
        except DeliveryError as error:
            if not error.ambiguous:
                raise
            # The request reached the server: look at our record key before anyone posts again.
            try:
                existing = self.find_existing(text=text, delivery=delivery)
            except DeliveryError as check_error:
                if check_error.code == "foreign_record":
                    raise check_error from error
                raise error from None
            if existing is not None:
                return existing
            raise
        return Posted(response.uri, post_url(response.uri))

    def find_existing(self, *, text: str, delivery) -> Posted | None:
        """Fetch the record at the delivery's deterministic key; it exists if an earlier attempt succeeded.

        A record with a different text under our key is not ours: that stops with a visible error.
        """
        rkey = delivery_tid(delivery)
        params = models.ComAtprotoRepoGetRecord.Params(repo=self.config.handle, collection=self.collection, rkey=rkey)

        def get_record(client):
            try:
                return client.com.atproto.repo.get_record(params)
            except exceptions.BadRequestError as error:
                if "notfound" in str(error).lower().replace(" ", ""):
                    return None
                raise

        response = self._with_client(lambda client: self._call(get_record, client))
        if response is None:
            return None
        stored_text = getattr(response.value, "text", None)
        if stored_text is None and isinstance(response.value, dict):
            stored_text = response.value.get("text")
        if stored_text != text:
            raise DeliveryError(
                _("Bluesky: Unter dem Schlüssel %(rkey)s liegt ein anderer Beitrag.") % {"rkey": rkey},
                retryable=False,
                code="foreign_record",
            )
        return Posted(response.uri, post_url(response.uri))

    def test_connection(self) -> str:
        self._client(fresh=True)
        return "@" + self.config.handle
