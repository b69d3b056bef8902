"""The interface every network client implements, the errors the outbox acts on, and the client registry.

Every network error is translated into `DeliveryError` with a German message for staff, a code,
and a classification the outbox acts on: retryable or permanent, and whether the remote may
already have accepted the post ("ambiguous", e.g. a read timeout).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from plans import outbound

from ..models import ChannelAccount, ChannelKind
from ..text import URL_RE

# Dotted paths, so a web process does not load the network libraries until it talks to a network.
CLIENTS: dict[str, str] = {
    ChannelKind.X: "participation.announcements.channels.x.XClient",
    ChannelKind.MASTODON: "participation.announcements.channels.mastodon.MastodonClient",
    ChannelKind.BLUESKY: "participation.announcements.channels.bluesky.BlueskyClient",
}


class DeliveryError(Exception):
    """A failed network call, classified for the outbox."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        ambiguous: bool = False,
        retry_after: float | None = None,
        code: str = "network",
    ):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.code = code


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
    required_by_kind: dict[str, tuple[str, ...]] = {
        ChannelKind.X: ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
        ChannelKind.MASTODON: ("access_token",),
        ChannelKind.BLUESKY: ("app_password",),
    }
    required = required_by_kind[account.kind]
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
    """Return the client for the network of `config`."""
    return import_string(CLIENTS[config.kind])(config)


def normalise(text: str) -> str:
    """Return `text` with URLs replaced (networks rewrite links, e.g. X to t.co) and whitespace collapsed."""
    return " ".join(URL_RE.sub("<url>", text).split())


def guard_server(url: str, network: str) -> None:
    """Raise DeliveryError unless `url` is a server we may connect to now (checked on every connect)."""
    try:
        outbound.check_url(url)
    except ValidationError as error:
        message = " ".join(error.messages)
        if error.code == "outbound_unresolvable":  # DNS may be back in a minute
            raise DeliveryError(f"{network}: {message}", retryable=True, code=error.code or "outbound") from error
        # A refused address stays refused: no retry storm against an internal host.
        raise DeliveryError(f"{network}: {message}", retryable=False, code=error.code or "outbound") from error


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
