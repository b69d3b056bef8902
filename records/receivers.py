"""Receivers of the domain events that write the publication record (connected in RecordsConfig.ready())."""

import hashlib

from django.urls import reverse
from django.utils.translation import gettext as _

from participation.models import Consultation, ConsultationAction
from participation.signals import bekanntmachung_recorded, period_changed
from plans.models import Document, Plan, StageChange
from plans.signals import document_offline, document_online, plan_published, plan_unpublished, stage_recorded

from .chain import record_append
from .models import Entry


def connect() -> None:
    """Connect the receivers (once: dispatch_uid)."""
    plan_published.connect(on_plan_published, sender=Plan, dispatch_uid="records.plan_published")
    plan_unpublished.connect(on_plan_unpublished, sender=Plan, dispatch_uid="records.plan_unpublished")
    document_online.connect(on_document_online, sender=Document, dispatch_uid="records.document_online")
    document_offline.connect(on_document_offline, sender=Document, dispatch_uid="records.document_offline")
    stage_recorded.connect(on_stage_recorded, sender=StageChange, dispatch_uid="records.stage_recorded")
    period_changed.connect(on_period_changed, sender=Consultation, dispatch_uid="records.period_changed")
    bekanntmachung_recorded.connect(
        on_bekanntmachung_recorded, sender=Consultation, dispatch_uid="records.bekanntmachung_recorded"
    )


def on_plan_published(sender, plan, **kwargs):
    record_append(
        plan=plan,
        kind=Entry.Kind.PLAN_PUBLISHED,
        at=plan.published_at,
        summary=_("Plan „%(title)s“ veröffentlicht") % {"title": plan.title},
        details={"url": plan.get_absolute_url(), "title": plan.title, "number": plan.number},
    )


def on_plan_unpublished(sender, plan, **kwargs):
    record_append(
        plan=plan,
        kind=Entry.Kind.PLAN_UNPUBLISHED,
        summary=_("Plan „%(title)s“ offline genommen") % {"title": plan.title},
        details={"url": plan.get_absolute_url()},
    )


def document_path(document: Document) -> str:
    """Return the public path of `document`'s download."""
    plan = document.plan
    return reverse(
        "plans:document", kwargs={"municipality": plan.municipality.slug, "plan": plan.slug, "pk": document.pk}
    )


def _document_details(document: Document) -> dict:
    return {
        "document": document.pk,
        "title": document.title,
        "kind": document.kind,
        "file": (document.file.name or "").rsplit("/", 1)[-1],
        "size": document.size,
        "url": document_path(document),
        "replaces": document.replaces_id,
    }


def on_document_online(sender, document, **kwargs):
    record_append(
        plan=document.plan,
        kind=Entry.Kind.DOCUMENT_ONLINE,
        at=document.online_since,
        summary=_("Dokument „%(title)s“ (%(kind)s) online")
        % {"title": document.title, "kind": document.get_kind_display()},
        details=_document_details(document),
        document=document,
    )


def on_document_offline(sender, document, reason="", **kwargs):
    text = {
        "replaced": _("Dokument „%(title)s“ durch eine neue Fassung ersetzt"),
        "withdrawn": _("Dokument „%(title)s“ zurückgezogen"),
    }.get(reason, _("Dokument „%(title)s“ offline"))
    record_append(
        plan=document.plan,
        kind=Entry.Kind.DOCUMENT_OFFLINE,
        at=document.online_until,
        summary=text % {"title": document.title},
        details={**_document_details(document), "reason": reason, "withdrawn_reason": document.withdrawn_reason},
        document=document,
    )


def on_stage_recorded(sender, change, **kwargs):
    record_append(
        plan=change.plan,
        kind=Entry.Kind.STAGE,
        summary=_("Verfahrensschritt „%(stage)s“ vom %(date)s eingetragen")
        % {"stage": change.get_stage_display(), "date": f"{change.date:%d.%m.%Y}"},
        details={"stage": change.stage, "date": change.date.isoformat(), "note": change.note},
    )


def _period_details(consultation: Consultation, action: ConsultationAction) -> dict:
    return {
        "consultation": consultation.pk,
        "consultation_kind": consultation.kind,
        "action": action.kind,
        "start_date": consultation.start_date.isoformat(),
        "end_date": consultation.end_date.isoformat(),
        "closed_at": consultation.closed_at.isoformat() if consultation.closed_at else None,
        "reason": action.reason,
    }


def on_period_changed(sender, consultation, action, **kwargs):
    record_append(
        plan=consultation.plan,
        kind=Entry.Kind.PERIOD,
        at=action.at,
        summary=_("%(consultation)s: %(action)s (%(start)s – %(end)s)")
        % {
            "consultation": consultation.get_kind_display(),
            "action": action.get_kind_display(),
            "start": f"{consultation.start_date:%d.%m.%Y}",
            "end": f"{consultation.end_date:%d.%m.%Y}",
        },
        details=_period_details(consultation, action),
    )


def on_bekanntmachung_recorded(sender, consultation, action, **kwargs):
    record_append(
        plan=consultation.plan,
        kind=Entry.Kind.BEKANNTMACHUNG,
        at=action.at,
        summary=_("Bekanntmachung vom %(date)s erfasst (%(consultation)s)")
        % {"date": f"{consultation.bekanntmachung_date:%d.%m.%Y}", "consultation": consultation.get_kind_display()},
        details={
            **_period_details(consultation, action),
            "bekanntmachung_date": consultation.bekanntmachung_date.isoformat(),
            "media": consultation.bekanntmachung_media,
            "text_sha256": hashlib.sha256(consultation.bekanntmachung_text.encode()).hexdigest(),
        },
    )
