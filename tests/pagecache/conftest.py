import pytest
from django.test import Client

from ..factories import ConsultationFactory, MembershipFactory


@pytest.fixture(autouse=True)
def _page_cache_on(settings, _fast_settings):
    """Cache plan pages also with the tests' local-memory cache (one process sees all bumps)."""
    settings.PLAN_PAGE_CACHE = "on"
    settings.PLAN_PAGE_CACHE_SECONDS = 600
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def consultation(db):
    """An open consultation with post-moderation: a confirmed statement is published at once."""
    return ConsultationFactory(moderation="post")


@pytest.fixture
def staff(consultation):
    """A logged-in planner of the consultation's municipality, in a client of its own."""
    user = MembershipFactory(municipality=consultation.plan.municipality).user
    staff_client = Client()
    staff_client.force_login(user)
    staff_client.user = user
    return staff_client
