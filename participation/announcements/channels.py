"""Clients for X (tweepy), Mastodon (Mastodon.py) and Bluesky (atproto) behind one small interface.

Every network error is translated into `DeliveryError` with a German message for staff and
a classification the outbox acts on: retryable or permanent, and whether the remote may
already have accepted the post ("ambiguous", e.g. a read timeout).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from .models import ChannelAccount, ChannelKind
from .text import URL_RE


class DeliveryError(Exception):
    """A failed network call, classified for the outbox."""

    def __init__(self, message: str, *, retryable: bool, ambiguous: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.retry_after = retry_after


@dataclass(frozen=True)
class Posted:
    remote_id: str
    remote_url: str


@dataclass
class ChannelConfig:
    kind: str
    handle: str = ""
    api_base_url: str = ""
    secrets: dict = field(default_factory=dict, repr=False)
    source: str = "account"  # or "settings"


def _settings_config(kind: str) -> ChannelConfig | None:
    if kind == ChannelKind.X:
        keys = {
            "consumer_key": settings.SOCIAL_X_CONSUMER_KEY,
            "consumer_secret": settings.SOCIAL_X_CONSUMER_SECRET,
            "access_token": settings.SOCIAL_X_ACCESS_TOKEN,
            "access_token_secret": settings.SOCIAL_X_ACCESS_TOKEN_SECRET,
        }
        if all(keys.values()):
            return ChannelConfig(kind, handle=settings.SOCIAL_X_USERNAME, secrets=keys, source="settings")
    elif kind == ChannelKind.MASTODON:
        if settings.SOCIAL_MASTODON_API_BASE_URL and settings.SOCIAL_MASTODON_ACCESS_TOKEN:
            return ChannelConfig(
                kind,
                api_base_url=settings.SOCIAL_MASTODON_API_BASE_URL,
                secrets={"access_token": settings.SOCIAL_MASTODON_ACCESS_TOKEN},
                source="settings",
            )
    elif kind == ChannelKind.BLUESKY:
        if settings.SOCIAL_BLUESKY_HANDLE and settings.SOCIAL_BLUESKY_APP_PASSWORD:
            return ChannelConfig(
                kind,
                handle=settings.SOCIAL_BLUESKY_HANDLE,
                api_base_url=settings.SOCIAL_BLUESKY_PDS_URL,
                secrets={"app_password": settings.SOCIAL_BLUESKY_APP_PASSWORD},
                source="settings",
            )
    return None


def account_config(account: ChannelAccount) -> ChannelConfig | None:
    """Return the usable configuration of `account`, or None if credentials are missing."""
    secrets = account.secrets
    required = {
        ChannelKind.X: ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
        ChannelKind.MASTODON: ("access_token",),
        ChannelKind.BLUESKY: ("app_password",),
    }[account.kind]
    if not account.enabled or not all(secrets.get(k) for k in required):
        return None
    if account.kind == ChannelKind.MASTODON and not account.api_base_url:
        return None
    if account.kind == ChannelKind.BLUESKY and not account.handle:
        return None
    return ChannelConfig(
        account.kind,
        handle=account.handle,
        api_base_url=account.api_base_url or (settings.SOCIAL_BLUESKY_PDS_URL if account.kind == "bluesky" else ""),
        secrets=secrets,
    )


def channel_config(municipality, kind: str) -> ChannelConfig | None:
    """Return the configuration for `kind` in `municipality`: its own account, else the settings default."""
    account = ChannelAccount.objects.filter(municipality=municipality, kind=kind).first()
    if account is not None:
        # A stored but disabled account switches the channel off for this municipality.
        return account_config(account)
    return _settings_config(kind)


def client_for(config: ChannelConfig) -> "ChannelClient":
    return {ChannelKind.X: XClient, ChannelKind.MASTODON: MastodonClient, ChannelKind.BLUESKY: BlueskyClient}[
        config.kind
    ](config)


def _normalise(text: str) -> str:
    """Return `text` with URLs replaced (networks rewrite links, e.g. X to t.co) and whitespace collapsed."""
    return " ".join(URL_RE.sub("<url>", text).split())


class ChannelClient:
    kind = ""

    def __init__(self, config: ChannelConfig):
        self.config = config
        self.timeout = settings.SOCIAL_REQUEST_TIMEOUT

    def post(self, *, text: str, delivery) -> Posted:
        raise NotImplementedError

    def find_existing(self, *, text: str, delivery) -> Posted | None:
        """Return the post if an earlier, interrupted attempt already created it."""
        return None

    def test_connection(self) -> str:
        """Return the account name the credentials belong to."""
        raise NotImplementedError


# --- X ---------------------------------------------------------------------------------


class XClient(ChannelClient):
    kind = ChannelKind.X

    def _client(self):
        import requests
        import tweepy

        class TimeoutSession(requests.Session):
            def request(inner, *args, **kwargs):  # noqa: N805
                kwargs.setdefault("timeout", self.timeout)
                return super().request(*args, **kwargs)

        s = self.config.secrets
        client = tweepy.Client(
            consumer_key=s["consumer_key"],
            consumer_secret=s["consumer_secret"],
            access_token=s["access_token"],
            access_token_secret=s["access_token_secret"],
            wait_on_rate_limit=False,
        )
        client.session = TimeoutSession()
        return client

    def _call(self, function, *args, **kwargs):
        import requests
        import tweepy

        try:
            return function(*args, **kwargs)
        except tweepy.TooManyRequests as error:
            reset = error.response.headers.get("x-rate-limit-reset")
            retry_after = None
            if reset and reset.isdigit():
                retry_after = max(1.0, int(reset) - dt.datetime.now(dt.UTC).timestamp())
            raise DeliveryError(
                _("X: Zu viele Anfragen (Rate-Limit). Neuer Versuch später."), retryable=True, retry_after=retry_after
            ) from error
        except tweepy.Unauthorized as error:
            raise DeliveryError(
                _(
                    "X: Die Zugangsdaten wurden abgelehnt (401). "
                    "Bitte das Konto in den Kanal-Einstellungen neu verbinden."
                ),
                retryable=False,
            ) from error
        except tweepy.Forbidden as error:
            detail = "; ".join(error.api_messages) or str(error)
            if "duplicate" in detail.lower():
                raise DeliveryError(_("X: Beitrag existiert bereits."), retryable=True, ambiguous=True) from error
            raise DeliveryError(
                _("X: Keine Berechtigung zum Posten (403): %(detail)s. Bitte Zugangsrechte und Kontingent prüfen.")
                % {"detail": detail},
                retryable=False,
            ) from error
        except tweepy.TwitterServerError as error:
            raise DeliveryError(
                _("X: Serverfehler (%(status)s). Neuer Versuch später.") % {"status": error.response.status_code},
                retryable=True,
            ) from error
        except tweepy.HTTPException as error:
            raise DeliveryError(
                _("X: Anfrage abgelehnt (%(status)s): %(detail)s")
                % {"status": error.response.status_code, "detail": "; ".join(error.api_messages) or str(error)},
                retryable=False,
            ) from error
        except requests.exceptions.ConnectTimeout as error:
            raise DeliveryError(_("X: Server nicht erreichbar."), retryable=True) from error
        except requests.exceptions.RequestException as error:
            raise DeliveryError(
                _("X: Netzwerkfehler (%(error)s). Neuer Versuch später.") % {"error": type(error).__name__},
                retryable=True,
                ambiguous=True,
            ) from error

    def post(self, *, text: str, delivery) -> Posted:
        response = self._call(self._client().create_tweet, text=text, user_auth=True)
        tweet_id = str(response.data["id"])
        return Posted(tweet_id, self._url(tweet_id))

    def _url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.config.handle or 'i'}/status/{tweet_id}"

    def find_existing(self, *, text: str, delivery) -> Posted | None:
        """Look through the account's most recent posts for the same text (links are rewritten to t.co)."""
        client = self._client()
        me = self._call(client.get_me, user_auth=True)
        response = self._call(client.get_users_tweets, me.data.id, max_results=20, user_auth=True)
        wanted = _normalise(text)
        for tweet in response.data or []:
            if _normalise(tweet.text) == wanted:
                return Posted(str(tweet.id), self._url(str(tweet.id)))
        return None

    def test_connection(self) -> str:
        me = self._call(self._client().get_me, user_auth=True)
        return "@" + me.data.username


# --- Mastodon ------------------------------------------------------------------------------


class MastodonClient(ChannelClient):
    kind = ChannelKind.MASTODON

    def _client(self):
        from mastodon import Mastodon

        return Mastodon(
            access_token=self.config.secrets["access_token"],
            api_base_url=self.config.api_base_url,
            ratelimit_method="throw",
            request_timeout=self.timeout,
            version_check_mode="none",
        )

    def _call(self, function, *args, **kwargs):
        from mastodon import errors

        try:
            return function(*args, **kwargs)
        except errors.MastodonRatelimitError as error:
            raise DeliveryError(
                _("Mastodon: Zu viele Anfragen (Rate-Limit). Neuer Versuch später."), retryable=True
            ) from error
        except errors.MastodonUnauthorizedError as error:
            raise DeliveryError(
                _("Mastodon: Der Zugangsschlüssel wurde abgelehnt (401). Bitte einen neuen Schlüssel hinterlegen."),
                retryable=False,
            ) from error
        except errors.MastodonServerError as error:
            raise DeliveryError(_("Mastodon: Serverfehler. Neuer Versuch später."), retryable=True) from error
        except errors.MastodonAPIError as error:
            status = error.args[1] if len(error.args) > 1 else "?"
            detail = error.args[3] if len(error.args) > 3 else str(error)
            if status == 403:
                message = _(
                    "Mastodon: Keine Berechtigung zum Posten (403): %(detail)s. Bitte Rechte des Schlüssels prüfen."
                )
            else:
                message = _("Mastodon: Anfrage abgelehnt (%(status)s): %(detail)s")
            raise DeliveryError(message % {"status": status, "detail": detail}, retryable=False) from error
        except errors.MastodonNetworkError as error:
            raise DeliveryError(
                _("Mastodon: Netzwerkfehler. Neuer Versuch mit demselben Idempotenz-Schlüssel."),
                retryable=True,
                ambiguous=True,
            ) from error

    def post(self, *, text: str, delivery) -> Posted:
        # Mastodon deduplicates by Idempotency-Key, so a retry after an unclear failure is safe.
        status = self._call(
            self._client().status_post,
            text,
            visibility="public",
            language="de",
            idempotency_key=str(delivery.idempotency_key),
        )
        return Posted(str(status["id"]), status.get("url") or status.get("uri") or "")

    def test_connection(self) -> str:
        account = self._call(self._client().account_verify_credentials)
        return "@" + account["acct"]


# --- Bluesky -------------------------------------------------------------------------------

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


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
    from atproto import models

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
        import hashlib

        ident = f"{self.config.api_base_url}|{self.config.handle}".encode()
        return "announcements:bsky-session:" + hashlib.sha256(ident).hexdigest()

    def _client(self, *, fresh: bool = False):
        """Return a logged-in client, reusing a cached (encrypted) session to spare createSession calls."""
        from atproto import Client
        from atproto_client.request import Request
        from django.core.cache import cache

        from .crypto import decrypt_json, encrypt_json

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
            from django.core.cache import cache

            cache.delete(self._session_key())
            return operation(self._client(fresh=True))

    def _call(self, function, *args, **kwargs):
        from atproto_client import exceptions

        try:
            return function(*args, **kwargs)
        except exceptions.UnauthorizedError as error:
            raise DeliveryError(
                _("Bluesky: Anmeldung abgelehnt (%(status)s). Bitte Handle und App-Passwort prüfen.")
                % {"status": error.response.status_code if error.response else "401"},
                retryable=False,
            ) from error
        except exceptions.RateLimitExceededError as error:
            raise DeliveryError(
                _("Bluesky: Zu viele Anfragen (Rate-Limit). Neuer Versuch später."), retryable=True
            ) from error
        except exceptions.BadRequestError as error:
            raise DeliveryError(
                _("Bluesky: Anfrage abgelehnt: %(detail)s") % {"detail": str(error)}, retryable=False
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
                _("Bluesky: Fehler %(status)s.") % {"status": status or "?"}, retryable=status >= 500
            ) from error

    def post(self, *, text: str, delivery) -> Posted:
        from atproto import models
        from django.utils import timezone

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
        from atproto import models
        from atproto_client import exceptions

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
