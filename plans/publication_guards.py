"""Checks other apps register to refuse publishing a plan (plans must not import them: layering).

An app registers a guard in its AppConfig.ready(): `register(fn)`, where `fn(plan)` raises
ValidationError (with a code) to refuse. `plan_publish` calls `check(plan)` before publishing.
"""

from collections.abc import Callable

_guards: list[Callable] = []


def register(guard: Callable) -> Callable:
    """Add `guard(plan)` to the checks run before a plan is published (once)."""
    if guard not in _guards:
        _guards.append(guard)
    return guard


def check(plan) -> None:
    """Run every registered guard; the first refusal (ValidationError) propagates."""
    for guard in list(_guards):
        guard(plan)
