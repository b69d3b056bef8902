"""Template filter for the link to a statement's private "Meine Stellungnahme" page (used in e-mails)."""

from django import template

from ..my_statement import my_statement_url as _my_statement_url

register = template.Library()


@register.filter
def my_statement_url(statement) -> str:
    """Return the absolute address of `statement`'s private page."""
    return _my_statement_url(statement)
