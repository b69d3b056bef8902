"""Mastodon through Mastodon.py with an access token; the server URL is checked on every connect."""

from django.utils.translation import gettext as _
from mastodon import Mastodon, errors

from ..models import ChannelKind
from .base import ChannelClient, DeliveryError, Posted, guard_server


class MastodonClient(ChannelClient):
    kind = ChannelKind.MASTODON

    def _client(self):
        guard_server(self.config.api_base_url, "Mastodon")
        return Mastodon(
            access_token=self.config.secrets["access_token"],
            api_base_url=self.config.api_base_url,
            ratelimit_method="throw",
            request_timeout=self.timeout,
            version_check_mode="none",
        )

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except errors.MastodonRatelimitError as error:
            raise DeliveryError(
                _("Mastodon: Zu viele Anfragen (Rate-Limit). Neuer Versuch später."),
                retryable=True,
                code="rate_limited",
            ) from error
        except errors.MastodonUnauthorizedError as error:
            raise DeliveryError(
                _("Mastodon: Der Zugangsschlüssel wurde abgelehnt (401). Bitte einen neuen Schlüssel hinterlegen."),
                retryable=False,
                code="unauthorized",
            ) from error
        except errors.MastodonServerError as error:
            raise DeliveryError(
                _("Mastodon: Serverfehler. Neuer Versuch später."), retryable=True, code="server_error"
            ) from error
        except errors.MastodonAPIError as error:
            status = error.args[1] if len(error.args) > 1 else "?"
            detail = error.args[3] if len(error.args) > 3 else str(error)
            if status == 403:
                message, code = (
                    _("Mastodon: Keine Berechtigung zum Posten (403): %(detail)s. Bitte Rechte des Schlüssels prüfen."),
                    "forbidden",
                )
            else:
                message, code = _("Mastodon: Anfrage abgelehnt (%(status)s): %(detail)s"), "rejected"
            raise DeliveryError(message % {"status": status, "detail": detail}, retryable=False, code=code) from error
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
