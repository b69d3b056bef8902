"""Template helpers for consultation periods and the cached statement list (its data: `participation.plan_page`)."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from .. import selectors

register = template.Library()


@register.filter
def state_at(consultation, when):
    """Return the Consultation.State ('scheduled', 'open' or 'closed') at `when`."""
    return consultation.state_at(when)


@register.simple_tag
def consultation_status(consultation, when):
    """Return the human-readable state, e.g. 'Beteiligung läuft bis 15.01.2027, 24:00 Uhr (noch 12 Tage)'."""
    return selectors.consultation_status(consultation, when)


@register.simple_tag
def consultation_status_sentence(consultation, when):
    """Return the state as a whole sentence, e.g. 'Die Beteiligung wurde am 05.10.2026 beendet.'."""
    return selectors.consultation_status_sentence(consultation, when)


CSRF_PLACEHOLDER = "\x00csrf\x00"


@register.simple_tag(takes_context=True)
def statement_list(context, p):
    """Render the published statements, cached by their content; the CSRF field is filled in per request.

    The token comes from the template context like `{% csrf_token %}`'s, so the full-page cache's
    marker (portal.views.PlanDetailView) ends up here too and never a visitor's real token.
    """
    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils.html import format_html

    key = p["list_key"]
    html = cache.get(key)
    if html is None:
        html = render_to_string("participation/_statement_list.html", {"p": p, "csrf_placeholder": CSRF_PLACEHOLDER})
        cache.set(key, html, settings.PARTICIPATION_STATEMENT_LIST_CACHE_SECONDS)
    token = context.get("csrf_token")
    field = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if token and token != "NOTPROVIDED"
        else ""
    )
    return mark_safe(html.replace(CSRF_PLACEHOLDER, field))  # noqa: S308 - escaped template output, escaped field
