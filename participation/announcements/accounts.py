"""Channel accounts: save a municipality's credentials and test them against the network."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import outbound, rules

from .channels import DeliveryError, account_config, client_for
from .models import ChannelAccount, ChannelKind

SERVER_KINDS = (ChannelKind.MASTODON, ChannelKind.BLUESKY)


def check_server(account: ChannelAccount) -> None:
    """Refuse a Mastodon/Bluesky server URL that is not https or points into an internal network."""
    if account.kind in SERVER_KINDS and account.api_base_url:
        try:
            outbound.check_url(account.api_base_url)
        except ValidationError as error:
            raise ValidationError({"api_base_url": error}) from error


@transaction.atomic
def channel_account_save(*, account: ChannelAccount, by, secrets: dict) -> ChannelAccount:
    """Save `account`, replacing only the secrets that were entered (blank keeps the stored value)."""
    rules.require(by, "manage", account.municipality)
    account.full_clean()
    check_server(account)
    account.set_secrets(secrets)
    account.save()
    return account


def channel_account_test(*, account: ChannelAccount, by) -> tuple[bool, str]:
    """Try the account's credentials against the network and record the result."""
    rules.require(by, "manage", account.municipality)
    config = account_config(account)
    if config is None:
        ok, message = False, _("Zugangsdaten unvollständig oder Kanal deaktiviert.")
    else:
        try:
            name = client_for(config).test_connection()
            ok, message = True, _("Verbindung erfolgreich: angemeldet als %(name)s.") % {"name": name}
        except DeliveryError as error:
            ok, message = False, error.message
    ChannelAccount.objects.filter(pk=account.pk).update(
        last_checked_at=timezone.now(), last_check_ok=ok, last_check_message=message[:500]
    )
    return ok, message
