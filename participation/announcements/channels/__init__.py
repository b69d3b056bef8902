"""Clients for X, Mastodon and Bluesky behind one small interface (`base`), one module per network."""

from .base import (
    ChannelClient,
    ChannelConfig,
    DeliveryError,
    Posted,
    account_config,
    channel_config,
    client_for,
)

__all__ = [
    "ChannelClient",
    "ChannelConfig",
    "DeliveryError",
    "Posted",
    "account_config",
    "channel_config",
    "client_for",
]
