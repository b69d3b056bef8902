import pytest

from tests.factories import MunicipalityFactory, square

USINGEN_HOST = "plaene.usingen.de"


@pytest.fixture
def usingen(db):
    """A municipality with its own domain and sender address."""
    return MunicipalityFactory(
        name="Usingen",
        slug="usingen",
        boundary=square(8.5, 50.3, 0.1),
        domain=USINGEN_HOST,
        email_sender="Stadt Usingen <beteiligung@usingen.de>",
    )


@pytest.fixture
def hosts(settings):
    settings.ALLOWED_HOSTS = ["testserver", USINGEN_HOST, "plaene.example.org"]
    settings.SITE_URL = "https://beteiligung.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings
