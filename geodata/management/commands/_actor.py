"""The actor of a geodata command: the user named by --user, else the installation (plans.rules.SYSTEM)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from plans import rules


def add_user_argument(parser) -> None:
    """Add --user USERNAME: act (and be checked) as this user instead of as the installation."""
    parser.add_argument(
        "--user", default="", help="Act as this user (checked like in the staff UI); default: the installation."
    )


def actor(options):
    """Return the user named by --user, or plans.rules.SYSTEM without it."""
    if not options.get("user"):
        return rules.SYSTEM
    try:
        return get_user_model().objects.get(username=options["user"])
    except get_user_model().DoesNotExist:
        raise CommandError(f"User {options['user']} does not exist.") from None
