"""Read helpers for the public plan lists (HTML map and API), adding consultation state to plans' own filters."""

from participation.selectors import plans_open_for_comments
from plans.selectors import filter_published_plans

OPEN_VALUES = ("1", "true", "on", "ja")


def published_plans(params):
    """Return published plans filtered by municipality, kind, stage, bbox and "open for comments" from `params`."""
    plans = filter_published_plans(params)
    if params.get("open") in OPEN_VALUES:
        plans = plans_open_for_comments(plans)
    return plans
