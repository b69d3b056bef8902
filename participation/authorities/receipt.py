"""The receipt (Eingangsbestätigung) of an authority's statement: reference number, PDF and e-mail.

The PDF is the authority's proof of what arrived when; it goes with the e-mail and can be downloaded
from the receipt page behind the access link.
"""

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from operations.mail import send_once, templated_message
from operations.retry import retry_transient

from ..receipts import receipt_filename, receipt_head_rows, received_display, reference_number
from ..receipts import receipt_pdf as _receipt_pdf

__all__ = ["receipt_filename", "receipt_pdf", "receipt_rows", "received_display", "reference_number"]


def receipt_rows(statement) -> list[tuple[str, str]]:
    """Return the (label, value) lines the receipt shows (page, PDF and e-mail)."""
    rows = receipt_head_rows(statement, statement.consultation.get_authority_stage_display())
    rows += [
        (_("Behörde / Träger öffentlicher Belange"), statement.organisation),
        (_("Sachbearbeitung"), statement.user_name or "–"),
        (_("Aktenzeichen"), statement.file_reference or "–"),
    ]
    if statement.invitation_id:
        rows.append((_("Frist"), formats.date_format(statement.invitation.deadline, "d.m.Y")))
    if statement.is_late:
        rows.append((_("Hinweis"), str(LATE_NOTE)))
    if statement.no_objections:
        rows.append((_("Art"), _("Keine Anregungen oder Bedenken")))
    else:
        rows.append((_("Thema"), statement.get_topic_display()))
        if statement.feature_id:
            rows.append((_("Bezug auf Planinhalt"), str(statement.feature)))
        if statement.location is not None:
            rows.append((_("Ort (Breite, Länge)"), f"{statement.location.y:.6f}, {statement.location.x:.6f}"))
    return rows


LATE_NOTE = gettext_lazy(
    "Nach Ablauf der Frist eingegangen. Die Stellungnahme wurde angenommen und als verspätet gekennzeichnet."
)


def receipt_pdf(statement) -> bytes:
    """Return the receipt of `statement` as a PDF (A4): the facts, the full text and the attachments' names."""
    intro = _("Ihre Stellungnahme im Beteiligungsverfahren nach § 4 BauGB ist bei uns eingegangen.")
    return _receipt_pdf(statement, rows=receipt_rows(statement), intro=intro)


@task()
@retry_transient
def send_receipt_mail(statement_id: int) -> bool:
    """Mail the receipt (text and PDF) to the address the authority gave, once."""
    from participation.models import Statement

    statement = (
        Statement.objects.select_related("consultation__plan__municipality", "invitation", "feature__layer")
        .filter(pk=statement_id)
        .first()
    )
    if statement is None or not statement.user_email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        message = _receipt_message(statement)
    return send_once(key=f"authority-receipt:{statement_id}", message=message)


def _receipt_message(statement):
    message = templated_message(
        to=[statement.user_email],
        subject=_("Eingangsbestätigung Ihrer Stellungnahme %(reference)s") % {"reference": reference_number(statement)},
        body_template="authorities/public/email/receipt.txt",
        context={
            "statement": statement,
            "plan": statement.consultation.plan,
            "rows": receipt_rows(statement),
        },
    )
    message.attach(receipt_filename(statement), receipt_pdf(statement), "application/pdf")
    return message
