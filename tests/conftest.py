import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard
# would refuse queries from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.BASEMAP_URL = "/static/plans/blank-tile.png"


@pytest.fixture(autouse=True)
def attachment_dir(tmp_path, monkeypatch):
    """Store statement attachments in the test's own directory (the field's storage is bound at model load)."""
    from django.core.files.storage import FileSystemStorage

    from participation.models import Attachment

    location = tmp_path / "attachments"
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=location))
    return location


@pytest.fixture(autouse=True)
def _clear_cache(_fast_settings):
    from django.core.cache import cache

    cache.clear()
    yield
    try:
        cache.clear()
    except Exception:  # a test that pointed the cache at a server that is down (health checks)
        pass


@pytest.fixture(autouse=True)
def _site_language():
    """Start every test in the site language: a request with another Accept-Language leaves it active in the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
