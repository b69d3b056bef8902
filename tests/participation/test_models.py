"""The statement model: xtd threading, pseudonyms, lateness and queries."""

import datetime as dt

import pytest

from participation.models import Statement

from ..factories import ConsultationFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_statement_is_an_xtd_comment_on_its_consultation():
    statement = StatementFactory()
    assert statement.thread_id == statement.pk
    assert statement.content_object == statement.consultation
    assert list(Statement.objects.published()) == [statement]


def test_reply_is_threaded_one_level_deeper():
    parent = StatementFactory()
    reply = StatementFactory(consultation=parent.consultation, parent_id=parent.pk)
    assert (reply.thread_id, reply.level) == (parent.pk, 1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Erika Mustermann", "Erika M."), ("Erika", "Erika"), ("", "Bürger/in"), ("  ", "Bürger/in")],
)
def test_pseudonym_never_shows_full_name(name, expected):
    assert StatementFactory.build(user_name=name).pseudonym == expected


def test_late_statement_is_flagged_not_dropped():
    consultation = ConsultationFactory(start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 31))
    in_time = StatementFactory.build(
        consultation=consultation, submit_date=consultation.ends_at - dt.timedelta(seconds=1)
    )
    late = StatementFactory.build(consultation=consultation, submit_date=consultation.ends_at)
    paper_in_time = StatementFactory.build(consultation=consultation, received_on=dt.date(2026, 10, 31))
    paper_late = StatementFactory.build(consultation=consultation, received_on=dt.date(2026, 11, 1))
    assert (in_time.is_late, late.is_late, paper_in_time.is_late, paper_late.is_late) == (False, True, False, True)
