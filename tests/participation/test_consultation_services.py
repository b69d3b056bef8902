"""Consultation actions: create, update, schedule, open, extend, close, reopen, Bekanntmachung; codes and history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from participation import services
from participation.models import Consultation, ConsultationAction
from participation.periods import BERLIN
from plans.models import Document
from plans.rules import SYSTEM

from ..factories import ConsultationFactory, DocumentFactory, MembershipFactory, PlanFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=BERLIN)
D = dt.date


@pytest.fixture
def planner():
    return MembershipFactory().user


@pytest.fixture
def plan(planner):
    return PlanFactory(municipality=planner.memberships.get().municipality)


def create(plan, by, **kwargs):
    arguments = dict(plan=plan, by=by, kind="publication", start_date=D(2027, 3, 1), end_date=D(2027, 3, 31), at=NOW)
    arguments.update(kwargs)
    return services.consultation_create(**arguments)


def test_create_schedules_and_logs(plan, planner):
    consultation = create(plan, planner, title="Entwurf", access_routes="Rathaus, Zimmer 12")
    assert (consultation.start_date, consultation.end_date, consultation.created_by) == (
        D(2027, 3, 1),
        D(2027, 3, 31),
        planner,
    )
    assert consultation.state_at(NOW) == Consultation.State.SCHEDULED
    assert list(consultation.actions.values_list("kind", "by")) == [("schedule", planner.pk)]


@pytest.mark.parametrize("end_day", [1, 15, 30])
def test_create_refuses_publication_shorter_than_one_month(plan, planner, end_day):
    with pytest.raises(ValidationError) as exc:
        create(plan, planner, end_date=D(2027, 3, end_day), reason="Eilig")
    assert exc.value.error_dict["end_date"][0].code == "period_too_short"
    assert "31.03.2027" in exc.value.messages[0]
    assert not Consultation.objects.exists() and not ConsultationAction.objects.exists()


def test_create_republication_short_with_reason_keeps_the_reason(plan, planner):
    with pytest.raises(ValidationError) as exc:
        create(plan, planner, kind="republication", round=2, end_date=D(2027, 3, 14))
    assert exc.value.error_dict["reason"][0].code == "short_period_reason_required"
    consultation = create(
        plan, planner, kind="republication", round=2, end_date=D(2027, 3, 14), reason="Nur die Baugrenze geändert"
    )
    assert consultation.short_period_reason == "Nur die Baugrenze geändert"
    assert consultation.actions.get().reason == "Nur die Baugrenze geändert"


def test_create_refuses_start_in_the_past_and_early_may_be_short(plan, planner):
    with pytest.raises(ValidationError) as exc:
        create(plan, planner, start_date=D(2027, 1, 9), end_date=D(2027, 3, 31))
    assert exc.value.error_dict["start_date"][0].code == "start_in_past"
    early = create(plan, planner, kind="early", start_date=D(2027, 2, 1), end_date=D(2027, 2, 14))
    assert early.end_date == D(2027, 2, 14)


def test_update_before_start_only(plan, planner):
    consultation = create(plan, planner)
    action = services.consultation_update(
        consultation=consultation, by=planner, start_date=D(2027, 3, 15), end_date=D(2027, 4, 14), at=NOW
    )
    assert action.kind == "schedule" and (consultation.start_date, consultation.end_date) == (
        D(2027, 3, 15),
        D(2027, 4, 14),
    )
    with pytest.raises(ValidationError) as exc:
        services.consultation_update(consultation=consultation, by=planner, end_date=D(2027, 4, 13), at=NOW)
    assert exc.value.error_dict["end_date"][0].code == "period_too_short"
    detail = services.consultation_update(consultation=consultation, by=planner, contact="Frau Muster", at=NOW)
    assert detail.kind == "update" and consultation.contact == "Frau Muster"
    assert services.consultation_update(consultation=consultation, by=planner, contact="Frau Muster", at=NOW) is None
    services.bekanntmachung_record(
        consultation=consultation, by=planner, date=D(2027, 3, 1), media=["gazette"], text="Text", at=NOW
    )
    started = dt.datetime(2027, 3, 16, 9, 0, tzinfo=BERLIN)
    with pytest.raises(ValidationError) as exc:
        services.consultation_update(consultation=consultation, by=planner, title="Neu", at=started)
    assert exc.value.code == "already_started"


def test_missed_start_without_bekanntmachung_is_rescheduled_not_opened_retroactively(plan, planner):
    consultation = create(plan, planner)  # 1–31 March, no Bekanntmachung recorded in time
    late = dt.datetime(2027, 3, 10, 9, 0, tzinfo=BERLIN)
    assert consultation.state_at(late) == Consultation.State.SCHEDULED
    with pytest.raises(ValidationError) as exc:
        services.bekanntmachung_record(
            consultation=consultation, by=planner, date=D(2027, 2, 20), media=["gazette"], text="Text", at=late
        )
    assert exc.value.error_dict["date"][0].code == "start_passed"
    assert not consultation.is_open_at(late)
    services.consultation_update(
        consultation=consultation, by=planner, start_date=D(2027, 3, 20), end_date=D(2027, 4, 19), at=late
    )
    services.bekanntmachung_record(
        consultation=consultation, by=planner, date=D(2027, 3, 12), media=["gazette"], text="Text", at=late
    )
    assert consultation.is_open_at(dt.datetime(2027, 3, 20, 0, 0, tzinfo=BERLIN))


def test_period_does_not_open_without_bekanntmachung(plan, planner):
    consultation = create(plan, planner)
    during = dt.datetime(2027, 3, 10, 12, 0, tzinfo=BERLIN)
    assert not consultation.is_open_at(during)
    assert consultation.state_at(during) == Consultation.State.SCHEDULED
    assert not Consultation.objects.open_at(during).exists()
    services.bekanntmachung_record(
        consultation=consultation, by=planner, date=D(2027, 2, 20), media=["gazette", "website"], text="Text", at=NOW
    )
    assert consultation.is_open_at(during) and Consultation.objects.open_at(during).get() == consultation
    assert consultation.state_at(during) == Consultation.State.OPEN


def test_announced_publication_opens_on_its_start_not_by_open_now(plan, planner):
    consultation = create(plan, planner, start_date=D(2027, 2, 1), end_date=D(2027, 3, 15))
    with pytest.raises(ValidationError) as exc:
        services.bekanntmachung_record(
            consultation=consultation, by=planner, date=D(2027, 2, 2), media=["newspaper"], text="Text", at=NOW
        )
    assert exc.value.error_dict["date"][0].code == "bekanntmachung_after_start"
    assert not consultation.is_open_at(dt.datetime(2027, 2, 2, tzinfo=BERLIN))  # never open without it
    services.bekanntmachung_record(
        consultation=consultation, by=planner, date=D(2027, 1, 10), media=["newspaper"], text="Text", at=NOW
    )
    assert consultation.is_open_at(dt.datetime(2027, 2, 1, 0, 0, tzinfo=BERLIN))
    assert not consultation.is_open_at(NOW)
    with pytest.raises(ValidationError) as exc:
        services.consultation_open(consultation=consultation, by=planner, at=NOW)
    assert exc.value.code == "opens_on_announced_start"


def test_new_dates_reset_the_recorded_bekanntmachung(plan, planner):
    consultation = create(plan, planner, start_date=D(2027, 2, 1), end_date=D(2027, 3, 15))
    services.bekanntmachung_record(
        consultation=consultation, by=planner, date=D(2027, 1, 10), media=["newspaper"], text="Text", at=NOW
    )
    action = services.consultation_update(
        consultation=consultation, by=planner, start_date=D(2027, 2, 8), end_date=D(2027, 3, 15), at=NOW
    )
    consultation.refresh_from_db()
    assert consultation.bekanntmachung_date is None and consultation.bekanntmachung_text == ""
    assert action.details == {"bekanntmachung_reset": "1"}
    assert not consultation.is_open_at(dt.datetime(2027, 2, 9, tzinfo=BERLIN))
    unchanged = services.consultation_update(consultation=consultation, by=planner, title="Neuer Titel", at=NOW)
    assert unchanged.kind == ConsultationAction.Kind.UPDATE


def test_early_participation_needs_no_bekanntmachung(plan, planner):
    consultation = create(plan, planner, kind="early", start_date=D(2027, 2, 1), end_date=D(2027, 2, 14))
    assert consultation.is_open_at(dt.datetime(2027, 2, 2, tzinfo=BERLIN))
    services.consultation_open(consultation=consultation, by=planner, at=NOW)
    assert consultation.is_open_at(NOW)


def test_open_applies_the_period_law_from_today(planner, plan):
    """Open now (only for kinds without a formal Bekanntmachung) checks the period law from today."""
    consultation = ConsultationFactory(plan=plan, kind="early", start_date=D(2027, 2, 1), end_date=D(2027, 2, 5))
    services.consultation_open(consultation=consultation, by=planner, end_date=D(2027, 1, 12), at=NOW)
    assert consultation.is_open_at(NOW) and consultation.start_date == D(2027, 1, 10)
    authorities = ConsultationFactory(plan=plan, kind="authorities", start_date=D(2027, 2, 1), end_date=D(2027, 3, 5))
    with pytest.raises(ValidationError) as exc:
        services.consultation_open(consultation=authorities, by=planner, at=NOW)
    assert exc.value.code == "authorities_not_public"


def test_open_extend_close_reopen_are_logged_and_change_state(plan, planner):
    consultation = ConsultationFactory(plan=plan, kind="early", start_date=D(2027, 2, 1), end_date=D(2027, 3, 15))
    services.consultation_open(consultation=consultation, by=planner, at=NOW, reason="Bekanntmachung erfolgt")
    assert consultation.is_open_at(NOW) and consultation.start_date == D(2027, 1, 10)
    services.consultation_extend(
        consultation=consultation, by=planner, end_date=D(2027, 3, 31), reason="Wunsch", at=NOW
    )
    assert consultation.ends_at == dt.datetime(2027, 4, 1, 0, 0, tzinfo=BERLIN)
    with pytest.raises(ValidationError) as exc:
        services.consultation_extend(consultation=consultation, by=planner, end_date=D(2027, 3, 31), at=NOW)
    assert exc.value.error_dict["end_date"][0].code == "end_not_later"
    later = NOW + dt.timedelta(days=1)
    services.consultation_close(consultation=consultation, by=planner, reason="Fehler in Unterlagen", at=later)
    assert not consultation.is_open_at(later + dt.timedelta(seconds=1))
    assert consultation.state_at(later) == Consultation.State.CLOSED
    with pytest.raises(ValidationError) as exc:
        services.consultation_reopen(consultation=consultation, by=planner, reason=" ", at=later)
    assert exc.value.error_dict["reason"][0].code == "reason_required"
    services.consultation_reopen(
        consultation=consultation, by=planner, reason="Unterlagen korrigiert", at=later + dt.timedelta(hours=1)
    )
    assert consultation.is_open_at(later + dt.timedelta(hours=2))
    assert list(consultation.actions.values_list("kind", "by", "reason")) == [
        ("open", planner.pk, "Bekanntmachung erfolgt"),
        ("extend", planner.pk, "Wunsch"),
        ("close", planner.pk, "Fehler in Unterlagen"),
        ("reopen", planner.pk, "Unterlagen korrigiert"),
    ]


@pytest.mark.parametrize("kind", ["publication", "republication"])
def test_early_close_of_statutory_period_needs_reason_and_confirmation(plan, planner, kind):
    consultation = ConsultationFactory(plan=plan, kind=kind, start_date=D(2027, 1, 1), end_date=D(2027, 2, 15))
    with pytest.raises(ValidationError) as exc:
        services.consultation_close(consultation=consultation, by=planner, confirm_legal_risk=True, at=NOW)
    assert exc.value.error_dict["reason"][0].code == "reason_required"
    with pytest.raises(ValidationError) as exc:
        services.consultation_close(consultation=consultation, by=planner, reason="Fehler", at=NOW)
    assert exc.value.error_dict["confirm_legal_risk"][0].code == "legal_risk_not_confirmed"
    assert "§ 214 Abs. 1 Nr. 2" in exc.value.messages[0]
    assert consultation.is_open_at(NOW) and not consultation.actions.exists()
    action = services.consultation_close(
        consultation=consultation, by=planner, reason="Fehler", confirm_legal_risk=True, at=NOW
    )
    assert action.kind == "close" and action.details["legal_risk_confirmed"] == "True"


def test_early_close_of_early_participation_needs_no_confirmation(plan, planner):
    consultation = ConsultationFactory(plan=plan, kind="early", start_date=D(2027, 1, 1), end_date=D(2027, 1, 20))
    services.consultation_close(consultation=consultation, by=planner, at=NOW)
    assert not consultation.is_open_at(NOW + dt.timedelta(seconds=1))


def test_close_needs_open_period_and_authorities_round_is_not_public(plan, planner):
    scheduled = ConsultationFactory(plan=plan, start_date=D(2027, 3, 1), end_date=D(2027, 4, 15))
    with pytest.raises(ValidationError) as exc:
        services.consultation_close(consultation=scheduled, by=planner, reason="x", confirm_legal_risk=True, at=NOW)
    assert exc.value.code == "not_open"
    authorities = ConsultationFactory(plan=plan, kind="authorities", start_date=D(2027, 3, 1), end_date=D(2027, 4, 15))
    with pytest.raises(ValidationError) as exc:
        services.consultation_open(consultation=authorities, by=planner, at=NOW)
    assert exc.value.code == "authorities_not_public"
    assert not ConsultationAction.objects.exists()


def test_bekanntmachung_draft_names_the_required_elements(plan, planner, settings):
    settings.SITE_URL = "https://beteiligung.example"
    DocumentFactory(plan=plan, title="Umweltbericht zum Entwurf", kind=Document.Kind.ENVIRONMENTAL_REPORT)
    DocumentFactory(plan=plan, title="Schallgutachten", kind=Document.Kind.EXPERT_REPORT)
    DocumentFactory(plan=plan, title="Begründung", kind=Document.Kind.JUSTIFICATION)
    consultation = create(plan, planner, access_routes="Auslegung im Rathaus, Zimmer 12")
    text = services.bekanntmachung_draft(consultation)
    assert "https://beteiligung.example" + plan.get_absolute_url() in text
    assert "01.03.2027 bis 31.03.2027" in text
    assert "Umweltbericht zum Entwurf" in text and "Schallgutachten" in text and "- Begründung" not in text
    assert "vorzugsweise elektronisch" in text and "per Post" in text and "Rathaus" in text
    assert "unberücksichtigt bleiben" in text and "Auslegung im Rathaus, Zimmer 12" in text
    bare = create(PlanFactory(municipality=plan.municipality), planner)
    assert "liegen derzeit nicht vor" in services.bekanntmachung_draft(bare)


def test_bekanntmachung_record_validates_and_logs(plan, planner):
    consultation = create(plan, planner)
    with pytest.raises(ValidationError) as exc:
        services.bekanntmachung_record(consultation=consultation, by=planner, date=D(2027, 2, 20), media=[], text=" ")
    assert {e.code for errors in exc.value.error_dict.values() for e in errors} == {"no_media", "no_text"}
    with pytest.raises(ValidationError) as exc:
        services.bekanntmachung_record(
            consultation=consultation, by=planner, date=D(2027, 2, 20), media=["radio"], text="x"
        )
    assert exc.value.error_dict["media"][0].code == "invalid_medium"
    action = services.bekanntmachung_record(
        consultation=consultation, by=planner, date=D(2027, 2, 20), media=["gazette"], text=" Amtlicher Text ", at=NOW
    )
    consultation.refresh_from_db()
    assert (consultation.bekanntmachung_date, consultation.bekanntmachung_media, consultation.bekanntmachung_text) == (
        D(2027, 2, 20),
        ["gazette"],
        "Amtlicher Text",
    )
    assert action.kind == ConsultationAction.Kind.BEKANNTMACHUNG and action.by == planner
    assert consultation.get_bekanntmachung_media_display() == ["Amtsblatt"]


def test_system_actor_is_recorded_as_no_user(plan):
    consultation = create(plan, SYSTEM)
    assert consultation.created_by is None and consultation.actions.get().by is None


def test_period_changes_send_period_changed(plan, planner):
    from participation.signals import period_changed

    received = []

    def receiver(sender, consultation, action, **kwargs):
        received.append((consultation.pk, action.kind))

    period_changed.connect(receiver)
    try:
        consultation = create(plan, planner)
        services.bekanntmachung_record(
            consultation=consultation, by=planner, date=D(2027, 2, 1), media=["gazette"], text="x", at=NOW
        )
        services.consultation_extend(consultation=consultation, by=planner, end_date=D(2027, 4, 30), at=NOW)
    finally:
        period_changed.disconnect(receiver)
    assert received == [(consultation.pk, "schedule"), (consultation.pk, "extend")]
