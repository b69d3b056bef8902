"""Bluesky through atproto with handle and app password; sessions are cached, the PDS URL is checked on connect."""

import hashlib

from atproto import Client, models
from atproto_client import exceptions
from atproto_client.request import Request
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from ..crypto import decrypt_json, encrypt_json
from ..models import ChannelKind
from ..text import URL_RE
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
    for match in URL_RE.finditer(text):
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(match.group().encode("utf-8"))
        facets.append(
            models.AppBskyRichtextFacet.Main(
                index=models.AppBskyRichtextFacet.ByteSlice(byte_start=start, byte_end=end),
                features=[models.AppBskyRichtextFacet.Link(uri=match.group())],
            )
        )
    return facets


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

    def _call(self, function, *args, **kwargs):
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
                _("Bluesky: Zu viele Anfragen (Rate-Limit). Neuer Versuch später."), retryable=True, code="rate_limited"
            ) from error
        except exceptions.BadRequestError as error:
            raise DeliveryError(
                _("Bluesky: Anfrage abgelehnt: %(detail)s") % {"detail": str(error)}, retryable=False, code="rejected"
            ) from error
        except exceptions.NetworkError as error:
            # Without a response the request may or may not have reached the server.
            raise DeliveryError(
                _("Bluesky: Netzwerkfehler. Neuer Versuch später."),
                retryable=True,
                ambiguous=error.response is None,
            ) from error
        except exceptions.RequestException as error:
            status = error.response.status_code if error.response else 0
            raise DeliveryError(
                _("Bluesky: Fehler %(status)s.") % {"status": status or "?"},
                retryable=status >= 500,
                code="server_error" if status >= 500 else "rejected",
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
        response = self._with_client(lambda client: self._call(client.com.atproto.repo.create_record, data))
        return Posted(response.uri, self._url(rkey))

    def _url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self.config.handle}/post/{rkey}"

    def find_existing(self, *, text: str, delivery) -> Posted | None:
        """Fetch the record at the delivery's deterministic key; it exists if an earlier attempt succeeded."""
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
        return Posted(response.uri, self._url(rkey)) if response is not None else None

    def test_connection(self) -> str:
        self._client(fresh=True)
        return "@" + self.config.handle
