import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, _fast_settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "http://testserver"
    from django.core.cache import cache

    cache.clear()
