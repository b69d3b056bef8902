"""Full-page cache of public plan pages: an explicit version per plan, and per-request markers.

Every service that changes what a plan's public page shows calls `bump_plan_page(plan_id)`
(most do so through the model-signal receivers in `portal.page_invalidation`); the cached HTML is
stored under the version current when it was rendered, so a bump makes every older rendering
unreachable at once, on every web node that shares the cache. Parts that differ per request
(CSRF token, CSP nonce, the statement form's token, messages) are rendered as secret markers and
filled in per response with `fill_markers`. See docs/adr/0010-page-cache.md.
"""

import time
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.utils.crypto import salted_hmac


def plan_page_version_key(plan_id: int) -> str:
    """Return the cache key of plan `plan_id`'s page version (for reading it together with other keys)."""
    return f"pb:plan-page:version:{plan_id}"


def _fresh_version() -> int:
    # Nanoseconds: a version key that was evicted comes back larger than any value it had before,
    # so a rendering stored under an old version can never become current again.
    return time.time_ns()


def plan_page_version(plan_id: int) -> int:
    """Return the current page version of plan `plan_id` (created on first use)."""
    key = plan_page_version_key(plan_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_version(), None)
        version = cache.get(key)
    return int(version)


def _bump_now(plan_ids: tuple[int, ...]) -> None:
    for plan_id in plan_ids:
        try:
            cache.incr(plan_page_version_key(plan_id))
        except ValueError:  # no version yet (or evicted): any fresh one differs from every stored rendering
            cache.set(plan_page_version_key(plan_id), _fresh_version(), None)


def bump_plan_page(*plan_ids: int | None) -> None:
    """Make the cached public pages of the given plans stale, now and again when the transaction commits.

    The second bump matters: a page rendered from the old rows after the first bump but before
    the commit is stored under a version that the commit bump has already left behind.
    """
    ids = tuple(sorted({int(pk) for pk in plan_ids if pk is not None}))
    if not ids:
        return
    _bump_now(ids)
    transaction.on_commit(lambda: _bump_now(ids))


def bump_plan_pages(plan_ids: Iterable[int | None]) -> None:
    """Bump the pages of all plans in `plan_ids` (e.g. a values_list of a changed queryset)."""
    bump_plan_page(*plan_ids)


def page_cache_enabled() -> bool:
    """Return whether anonymous plan pages are cached: on, off, or (auto) only with a cache shared by all processes.

    A per-process cache (local memory) would see only the bumps of its own process; with
    several web or worker processes another process's change would stay invisible until the TTL.
    """
    mode = settings.PLAN_PAGE_CACHE
    if mode == "off" or settings.PLAN_PAGE_CACHE_SECONDS <= 0:
        return False
    if mode == "on":
        return True
    return not isinstance(caches["default"], LocMemCache | DummyCache)


def marker(name: str) -> str:
    """Return the placeholder for the per-request part `name`; secret, so that no stored text can contain it."""
    return _marker(name, settings.SECRET_KEY)


@lru_cache(maxsize=64)
def _marker(name: str, secret: str) -> str:
    digest = salted_hmac("plans.page_cache.marker", name, secret=secret).hexdigest()[:20]
    return f"__pb_{name}_{digest}__"


def fill_markers(html: str, values: dict[str, str]) -> str:
    """Replace each marker `name` in `html` by `values[name]` (values must already be HTML-escaped)."""
    for name, value in values.items():
        html = html.replace(marker(name), value)
    return html
