"""The statement model: xtd threading, pseudonyms, lateness and queries."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

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


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="one INSERT only on PostgreSQL")


@postgresql_only
def test_new_statement_is_written_to_its_three_tables_in_one_insert():
    """A new top-level statement: one INSERT for comment, xtd comment and statement; signals as for save()."""
    consultation = ConsultationFactory()
    statement = StatementFactory.build(consultation=consultation, form_token=uuid.uuid4(), confirmed_at=None)
    signals = []

    def record(sender, instance, **kwargs):
        signals.append((kwargs.get("created"), instance.pk))

    pre_save.connect(record, sender=Statement)
    post_save.connect(record, sender=Statement)
    try:
        with CaptureQueriesContext(connection) as queries:
            statement.save()
    finally:
        pre_save.disconnect(record, sender=Statement)
        post_save.disconnect(record, sender=Statement)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["WITH"]
    assert signals == [(None, None), (True, statement.pk)]
    assert not statement._state.adding
    stored = Statement.objects.get(pk=statement.pk)
    assert stored.thread_id == stored.parent_id == stored.pk == statement.thread_id
    assert (stored.level, stored.order, stored.nested_count) == (0, 1, 0)
    for name in ("comment", "user_name", "user_email", "submit_date", "topic", "form_token", "consultation_id"):
        assert getattr(stored, name) == getattr(statement, name)
    assert stored.location.equals_exact(statement.location, 1e-9)
    assert stored.content_object == consultation


@postgresql_only
def test_failing_one_insert_leaves_no_row_in_any_table():
    """A used form token fails the whole statement: no orphaned comment or xtd comment row."""
    from django.db import IntegrityError, transaction
    from django_comments.models import Comment
    from django_comments_xtd.models import XtdComment

    token = uuid.uuid4()
    first = StatementFactory(form_token=token)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory.build(consultation=first.consultation, form_token=token).save()
    assert Comment.objects.count() == XtdComment.objects.count() == Statement.objects.count() == 1


def test_reply_and_update_keep_the_orm_path():
    parent = StatementFactory()
    reply = StatementFactory(consultation=parent.consultation, parent_id=parent.pk)
    reply.comment = "Geändert"
    reply.save()
    reply.refresh_from_db()
    assert (reply.comment, reply.thread_id, reply.parent_id, reply.level) == ("Geändert", parent.pk, parent.pk, 1)
