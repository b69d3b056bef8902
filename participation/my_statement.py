"""The private "Meine Stellungnahme" page's link and what the core knows of a statement's progress.

The link carries a signed statement id and no expiry: it is sent in the confirmation mail and again
with the result, months later. Whoever holds it may read the statement and withdraw it or ask for
the deletion of personal data; it needs no account. The page itself (portal.my_statement_views)
adds the Abwägung's decision from the workbench.
"""

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plans.links import absolute_url

from .models import Statement

MY_STATEMENT_SALT = "participation.statement.mine"

# The steps a submitter sees, in order; "withdrawn" replaces the later ones.
STEPS = (
    ("received", _("Eingegangen")),
    ("confirmed", _("Bestätigt")),
    ("weighing", _("In Abwägung")),
    ("result", _("Ergebnis")),
)


def my_statement_token(statement: Statement) -> str:
    """Return the signed token of `statement`'s private page."""
    return signing.Signer(salt=MY_STATEMENT_SALT).sign(str(statement.pk))


def my_statement_path(statement: Statement) -> str:
    return reverse("plans:my_statement", kwargs={"token": my_statement_token(statement)})


def my_statement_url(statement: Statement) -> str:
    """Return the absolute address of `statement`'s private page (for e-mails)."""
    return absolute_url(my_statement_path(statement))


def statement_for_token(token: str) -> Statement | None:
    """Return the citizen's statement the token names, or None for a forged or unknown token."""
    try:
        pk = int(signing.Signer(salt=MY_STATEMENT_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return (
        Statement.objects.select_related("consultation__plan__municipality", "feature__layer", "section")
        .filter(pk=pk, is_official=False)
        .exclude(channel=Statement.Channel.AUTHORITY)  # authorities have their own receipt page
        .first()
    )


def core_step(statement: Statement) -> str:
    """Return how far the core sees the statement: 'received' (unconfirmed) or 'confirmed'."""
    return "confirmed" if statement.confirmed_at is not None else "received"
