"""What a submitter is told right after sending or confirming a statement, and where form errors appear.

The success messages carry the reference number and link to the private "Meine Stellungnahme" page;
the page's script (participation/autofocus.js) focuses them (`extra_tags="focus"`). An invalid form
is shown on the plan page itself, with the map: the portal, which composes that page, registers the
renderer (`register_invalid_form_renderer`); without it the bare form page is the fallback.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Consultation, Statement
from .my_statement import my_statement_path
from .receipts import received_display, reference_number

InvalidFormRenderer = Callable[[HttpRequest, Consultation, object], HttpResponse]
_renderers: list[InvalidFormRenderer] = []


def register_invalid_form_renderer(renderer: InvalidFormRenderer) -> None:
    """Let an upper app (portal) render the plan page with an invalid statement form."""
    _renderers[:] = [renderer]


def render_invalid_form(request: HttpRequest, consultation: Consultation, form) -> HttpResponse:
    """Return the plan page (or, without a registered renderer, the form page) with `form`'s errors, status 400."""
    if _renderers:
        return _renderers[0](request, consultation, form)
    plan = consultation.plan
    return render(
        request,
        "participation/statement_form.html",
        {"form": form, "consultation": consultation, "plan": plan, "municipality": plan.municipality},
        status=400,
    )


def _links(statement: Statement, *, resend: bool) -> SafeString:
    parts = [format_html(' <a href="{}">{}</a>', my_statement_path(statement), _("Meine Stellungnahme ansehen"))]
    if resend:
        parts.append(
            format_html(
                ' · <a href="{}">{}</a>', reverse("participation:confirm_resend"), _("Bestätigungslink erneut senden")
            )
        )
    return mark_safe("".join(parts))  # noqa: S308  (every part is built by format_html)


def submitted_message(request: HttpRequest, statement: Statement, *, needs_confirmation: bool) -> None:
    """Add the focused success message after a submission: reference number and, for guests, the confirmation step."""
    reference = reference_number(statement)
    if needs_confirmation:
        text = _(
            "Vielen Dank! Ihre Stellungnahme hat die Eingangsnummer %(reference)s. Bitte bestätigen Sie Ihre "
            "Stellungnahme über den Link, den wir Ihnen per E-Mail geschickt haben. Erst mit der Bestätigung gilt "
            "sie als eingegangen – dann mit dem Zeitpunkt des Absendens (%(received)s)."
        )
    elif statement.is_public:
        text = _(
            "Vielen Dank! Ihre Stellungnahme mit der Eingangsnummer %(reference)s ist am %(received)s "
            "eingegangen und veröffentlicht."
        )
    elif not statement.public_opt_in and statement.consultation.publishes_statements:
        text = _(
            "Vielen Dank! Ihre Stellungnahme mit der Eingangsnummer %(reference)s ist am %(received)s "
            "eingegangen. Sie wird nicht öffentlich angezeigt."
        )
    elif not statement.consultation.publishes_statements:
        text = _(
            "Vielen Dank! Ihre Stellungnahme mit der Eingangsnummer %(reference)s ist am %(received)s eingegangen."
        )
    else:
        text = _(
            "Vielen Dank! Ihre Stellungnahme mit der Eingangsnummer %(reference)s ist am %(received)s "
            "eingegangen. Sie wird nach Prüfung veröffentlicht."
        )
    message = text % {"reference": reference, "received": received_display(statement)}
    body = format_html("{}{}", message, _links(statement, resend=needs_confirmation))
    messages.success(request, body, extra_tags="focus")


def confirmed_message(request: HttpRequest, statement: Statement) -> None:
    """Add the focused message after a confirmation: eingegangen am <submission time>, with the reference number."""
    if statement.is_public:
        text = _(
            "Ihre Stellungnahme %(reference)s ist bestätigt und veröffentlicht. Sie ist am %(received)s eingegangen. "
            "Vielen Dank!"
        )
    elif not statement.public_opt_in and statement.consultation.publishes_statements:
        text = _(
            "Ihre Stellungnahme %(reference)s ist bestätigt. Sie ist am %(received)s eingegangen. Sie wird nicht "
            "öffentlich angezeigt. Vielen Dank!"
        )
    elif not statement.consultation.publishes_statements:
        text = _("Ihre Stellungnahme %(reference)s ist bestätigt. Sie ist am %(received)s eingegangen. Vielen Dank!")
    else:
        text = _(
            "Ihre Stellungnahme %(reference)s ist bestätigt. Sie ist am %(received)s eingegangen und wird nach "
            "Prüfung veröffentlicht. Vielen Dank!"
        )
    message = text % {"reference": reference_number(statement), "received": received_display(statement)}
    messages.success(request, format_html("{}{}", message, _links(statement, resend=False)), extra_tags="focus")
