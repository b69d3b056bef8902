"""X (Twitter) through tweepy, OAuth 1.0a user context."""

import datetime as dt

import requests
import tweepy
from django.utils.translation import gettext as _

from ..models import ChannelKind
from .base import ChannelClient, DeliveryError, Posted, normalise


class XClient(ChannelClient):
    kind = ChannelKind.X

    def _client(self):
        timeout = self.timeout

        class TimeoutSession(requests.Session):
            def request(self, *args, **kwargs):
                kwargs.setdefault("timeout", timeout)
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
        try:
            return function(*args, **kwargs)
        except tweepy.TooManyRequests as error:
            reset = error.response.headers.get("x-rate-limit-reset")
            retry_after = None
            if reset and reset.isdigit():
                retry_after = max(1.0, int(reset) - dt.datetime.now(dt.UTC).timestamp())
            raise DeliveryError(
                _("X: Zu viele Anfragen (Rate-Limit). Neuer Versuch später."),
                retryable=True,
                retry_after=retry_after,
                code="rate_limited",
            ) from error
        except tweepy.Unauthorized as error:
            raise DeliveryError(
                _(
                    "X: Die Zugangsdaten wurden abgelehnt (401). "
                    "Bitte das Konto in den Kanal-Einstellungen neu verbinden."
                ),
                retryable=False,
                code="unauthorized",
            ) from error
        except tweepy.Forbidden as error:
            detail = "; ".join(error.api_messages) or str(error)
            if "duplicate" in detail.lower():
                raise DeliveryError(
                    _("X: Beitrag existiert bereits."), retryable=True, ambiguous=True, code="duplicate"
                ) from error
            raise DeliveryError(
                _("X: Keine Berechtigung zum Posten (403): %(detail)s. Bitte Zugangsrechte und Kontingent prüfen.")
                % {"detail": detail},
                retryable=False,
                code="forbidden",
            ) from error
        except tweepy.TwitterServerError as error:
            raise DeliveryError(
                _("X: Serverfehler (%(status)s). Neuer Versuch später.") % {"status": error.response.status_code},
                retryable=True,
                code="server_error",
            ) from error
        except tweepy.HTTPException as error:
            raise DeliveryError(
                _("X: Anfrage abgelehnt (%(status)s): %(detail)s")
                % {"status": error.response.status_code, "detail": "; ".join(error.api_messages) or str(error)},
                retryable=False,
                code="rejected",
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
        wanted = normalise(text)
        for tweet in response.data or []:
            if normalise(tweet.text) == wanted:
                return Posted(str(tweet.id), self._url(str(tweet.id)))
        return None

    def test_connection(self) -> str:
        me = self._call(self._client().get_me, user_auth=True)
        return "@" + me.data.username
