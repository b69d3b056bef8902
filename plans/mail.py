"""The one way the apps send e-mail: render a subject and a plain-text body in the site language, send."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise


def send_templated_mail(
    *,
    to: list[str],
    body_template: str,
    context: dict,
    subject: str | Promise = "",
    subject_template: str = "",
    headers: dict | None = None,
    language: str | None = None,
) -> None:
    """Render `body_template` (and `subject_template` unless `subject` is given) and send one message to `to`.

    Errors of the mail backend propagate: the caller records the failure (a notice row, a task retry).
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        if not subject:
            subject = render_to_string(subject_template, context)
        message = EmailMessage(
            subject=" ".join(str(subject).split()),
            body=render_to_string(body_template, context),
            to=to,
            headers=headers or {},
        )
        message.send()
