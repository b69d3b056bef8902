"""The one way the apps send e-mail: render a subject and a plain-text body in the site language, send."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise

from .links import rebase_url
from .models import Municipality


def municipality_of(context: dict) -> Municipality | None:
    """Return the municipality a mail is about: `municipality`, else that of `plan`, `consultation`, `subscription`."""
    if isinstance(context.get("municipality"), Municipality):
        return context["municipality"]
    for key, path in (("plan", ("municipality",)), ("consultation", ("plan", "municipality"))):
        value = context.get(key)
        for attribute in path if value is not None else ():
            value = getattr(value, attribute, None)
        if isinstance(value, Municipality):
            return value
    subscription = context.get("subscription")
    value = getattr(subscription, "municipality", None) if subscription is not None else None
    return value if isinstance(value, Municipality) else None


def templated_message(
    *,
    to: list[str],
    body_template: str,
    context: dict,
    subject: str | Promise = "",
    subject_template: str = "",
    headers: dict | None = None,
    language: str | None = None,
    municipality: Municipality | None = None,
    connection: BaseEmailBackend | None = None,
) -> EmailMessage:
    """Render `body_template` (and `subject_template` unless `subject` is given) into a message to `to`, unsent.

    The mail is sent in the name of `municipality` (default: derived from the context, see `municipality_of`):
    its `email_sender` is the From address, and links under SITE_URL in the context and headers move to its
    own domain. `connection` lets a batch share one SMTP connection.
    """
    municipality = municipality or municipality_of(context)
    if municipality is not None and municipality.domain:
        context = {key: rebase_url(value, municipality) for key, value in context.items()}
        headers = {key: _rebase_header(value, municipality) for key, value in (headers or {}).items()}
    with translation.override(language or settings.LANGUAGE_CODE):
        if not subject:
            subject = render_to_string(subject_template, context)
        return EmailMessage(
            subject=" ".join(str(subject).split()),
            body=render_to_string(body_template, context),
            from_email=(municipality.email_sender if municipality is not None else "") or None,
            to=to,
            headers=headers or {},
            connection=connection,
        )


def send_templated_mail(**kwargs) -> None:
    """Render a message like `templated_message` and send it.

    Errors of the mail backend propagate: the caller records the failure (a notice row, a task retry).
    """
    templated_message(**kwargs).send()


def _rebase_header(value, municipality: Municipality):
    """Rebase a `<url>` header value (List-Unsubscribe) like a context URL."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return "<" + rebase_url(value[1:-1], municipality) + ">"
    return value
