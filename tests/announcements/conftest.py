import base64
import json
import time

import httpx
import pytest
import respx

from tests.factories import ChannelAccountFactory, MembershipFactory, PlanFactory

BSKY = "https://pds.example/xrpc"


@pytest.fixture(autouse=True)
def _announcement_settings(settings, _fast_settings):
    """Keep tasks in memory, start with an empty cache, and make sure no account comes from the environment."""
    from django.core.cache import cache

    cache.clear()  # the Bluesky session cache must not leak between tests
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SITE_URL = "https://beteiligung.example"
    # The mocked servers of the tests have no DNS entry: admit them by name, as an operator would.
    settings.OUTBOUND_ALLOWED_HOSTS = ["social.example", "pds.example"]
    for name in (
        "SOCIAL_X_CONSUMER_KEY",
        "SOCIAL_X_CONSUMER_SECRET",
        "SOCIAL_X_ACCESS_TOKEN",
        "SOCIAL_X_ACCESS_TOKEN_SECRET",
        "SOCIAL_MASTODON_API_BASE_URL",
        "SOCIAL_MASTODON_ACCESS_TOKEN",
        "SOCIAL_BLUESKY_HANDLE",
        "SOCIAL_BLUESKY_APP_PASSWORD",
    ):
        setattr(settings, name, "")


def fake_jwt(did="did:plc:stadt") -> str:
    """Return an unsigned JWT that atproto accepts as a session token (it only reads `exp`)."""

    def encode(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    payload = {"exp": int(time.time()) + 3600, "iat": int(time.time()), "sub": did, "scope": "com.atproto.appPass"}
    return f"{encode({'alg': 'ES256K', 'typ': 'at+jwt'})}.{encode(payload)}.c2ln"


@pytest.fixture
def planner():
    """A planner of one municipality (modules with another kind of planner define their own)."""
    return MembershipFactory().user


@pytest.fixture
def plan(planner):
    return PlanFactory(municipality=planner.memberships.get().municipality, title="Am Riedborn", number="Nr. 64")


@pytest.fixture
def bluesky_mock(plan):
    """The plan's municipality with a Bluesky account and a mocked PDS (at BSKY) that logs in; yield the router."""
    ChannelAccountFactory(municipality=plan.municipality, kind="bluesky")
    jwt = fake_jwt()
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{BSKY}/com.atproto.server.createSession").mock(
            return_value=httpx.Response(
                200, json={"accessJwt": jwt, "refreshJwt": jwt, "handle": "stadt.bsky.social", "did": "did:plc:stadt"}
            )
        )
        yield router
