"""The publication record: every publication event is appended to the plan's hash chain; tampering is detected."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from participation.services import periods
from participation.services.bekanntmachung import bekanntmachung_record
from plans import services as plan_services
from plans.models import Document, Plan
from plans.rules import SYSTEM
from records.chain import GENESIS, chain_verify, entry_digest
from records.models import Entry
from tests.factories import ConsultationFactory, PlanFactory, minimal_pdf

pytestmark = pytest.mark.django_db


def _pdf(text):
    return ContentFile(minimal_pdf(text), name="plan.pdf")


@pytest.fixture
def plan():
    return PlanFactory(status=Plan.Status.DRAFT, published_at=None)


def test_every_publication_event_is_chained(plan):
    plan_services.plan_publish(plan=plan, by=SYSTEM)
    first = plan_services.document_upload(
        plan=plan, by=SYSTEM, title="Begründung", kind="justification", file=_pdf("A")
    )
    second = plan_services.document_replace(document=first, by=SYSTEM, file=_pdf("B"))
    plan_services.document_withdraw(document=second, by=SYSTEM, reason="Falsche Fassung")
    plan_services.plan_stage_record(plan=plan, by=SYSTEM, stage=Plan.Stage.PUBLICATION, date=timezone.localdate())
    consultation = ConsultationFactory(
        plan=plan,
        start_date=timezone.localdate() + dt.timedelta(days=10),
        end_date=timezone.localdate() + dt.timedelta(days=45),
        bekanntmachung_date=None,
    )
    bekanntmachung_record(
        consultation=consultation, by=SYSTEM, date=timezone.localdate(), media=["gazette"], text="Bekanntmachung …"
    )
    plan_services.plan_unpublish(plan=plan, by=SYSTEM)

    entries = list(Entry.objects.filter(chain=plan.pk).order_by("seq"))
    assert [e.kind for e in entries] == [
        "plan_published",
        "document_online",
        "document_offline",
        "document_online",
        "document_offline",
        "stage",
        "bekanntmachung",
        "plan_unpublished",
    ]
    assert [e.seq for e in entries] == list(range(1, 9))
    assert entries[0].prev_hash == GENESIS
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.entry_hash
    assert all(entry_digest(e) == e.entry_hash for e in entries)
    # The document's bytes are fingerprinted: A and B differ, and B's hash is the file served.
    online = [e for e in entries if e.kind == "document_online"]
    assert online[0].document_sha256 != online[1].document_sha256
    assert len(online[1].document_sha256) == 64
    assert entries[4].details["reason"] == "withdrawn" and entries[4].details["withdrawn_reason"] == "Falsche Fassung"
    assert "Bekanntmachung vom" in entries[6].summary
    assert chain_verify(plan.pk) == []


def test_period_changes_are_recorded(plan):
    plan_services.plan_publish(plan=plan, by=SYSTEM)
    consultation = ConsultationFactory(plan=plan)
    periods.consultation_close(consultation=consultation, by=SYSTEM, reason="Verfahren ruht", confirm_legal_risk=True)
    entry = Entry.objects.filter(chain=plan.pk, kind="period").get()
    assert entry.details["action"] == "close" and entry.details["reason"] == "Verfahren ruht"


def test_verification_command_detects_a_changed_entry(plan):
    plan_services.plan_publish(plan=plan, by=SYSTEM)
    plan_services.document_upload(plan=plan, by=SYSTEM, title="Planzeichnung", kind="drawing", file=_pdf("A"))
    plan_services.plan_stage_record(plan=plan, by=SYSTEM, stage=Plan.Stage.PUBLICATION, date=timezone.localdate())
    call_command("verify_publication_record", "--plan", str(plan.pk))  # intact: no error

    # Someone edits the record in the database: the document's publication time moves by a day.
    entry = Entry.objects.get(chain=plan.pk, seq=2)
    Entry.objects.filter(pk=entry.pk).update(at=entry.at - dt.timedelta(days=1))
    with pytest.raises(CommandError, match="1 von 1 Ketten"):
        call_command("verify_publication_record", "--plan", plan.slug)
    problems = chain_verify(plan.pk)
    assert [p.seq for p in problems] == [2]


def test_verification_detects_a_removed_entry(plan):
    plan_services.plan_publish(plan=plan, by=SYSTEM)
    for text in "ABC":
        plan_services.document_upload(plan=plan, by=SYSTEM, title=f"Gutachten {text}", kind="expert", file=_pdf(text))
    Entry.objects.filter(chain=plan.pk, seq=3).delete()
    problems = chain_verify(plan.pk)
    assert {p.seq for p in problems} == {4}
    assert any("fehlt" in p.message for p in problems)
    assert any("vorigen" in p.message for p in problems)


def test_the_record_survives_the_plan(plan):
    plan_services.plan_publish(plan=plan, by=SYSTEM)
    chain = plan.pk
    Document.objects.filter(plan=plan).delete()
    plan.delete()
    assert Entry.objects.filter(chain=chain).count() == 1
    assert chain_verify(chain) == []
