"""Every workbench action checks its actor itself: the same matrix as the pages, called directly."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from participation.models import Consultation
from participation.workbench import export_jobs, grouping, services
from participation.workbench.models import (
    ConsultationResult,
    Decision,
    ExportJob,
    PersonalDataExportLog,
    StatementGroup,
    Weighing,
)
from plans.rules import SYSTEM

ACTORS = ["planner", "moderator", "foreign_planner", "foreign_moderator", "no_membership", "anonymous"]
ALLOWED = {
    "manage": {"planner", "system"},
    "moderate": {"planner", "moderator", "system"},
    "export_personal_data": {"planner", "system"},
}


def _actor(world, name):
    if name == "system":
        return SYSTEM
    if name == "anonymous":
        return AnonymousUser()
    return world["users"][name]


def _prepared(world):
    consultation = world["consultation"]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    ids = [s.pk for s in world["statements"][:3]]
    group = services.statements_group(consultation=consultation, statement_ids=ids[:1], by=SYSTEM, label="G")
    Weighing.objects.update(decision=Decision.NOTED)
    return consultation, ids, group


def _snapshot():
    return (
        sorted(Weighing.objects.values_list("pk", "decision", "response", "group_id")),
        sorted(StatementGroup.objects.values_list("pk", "decision", "response")),
        list(ConsultationResult.objects.values_list("published_at", "council_body")),
        PersonalDataExportLog.objects.count(),
        ExportJob.objects.count(),
        grouping.grouping_state(Consultation.objects.first()),
    )


def _grouping_start_and_forget(consultation, by):
    """Start a grouping, then drop its cached state so the next allowed actor may start one too."""
    from django.core.cache import cache

    grouping.grouping_start(consultation=consultation, by=by)
    cache.clear()


def _day_after(consultation):
    return consultation.end_date + dt.timedelta(days=1)


ACTIONS = {
    "weighings_ensure": ("moderate", lambda c, ids, g, by: services.weighings_ensure(consultation=c, by=by)),
    "weighing_update": (
        "manage",
        lambda c, ids, g, by: services.weighing_update(
            weighing=Weighing.objects.get(statement_id=ids[0]), by=by, decision="partly", response="x", internal_note=""
        ),
    ),
    "weighings_bulk_update": (
        "manage",
        lambda c, ids, g, by: services.weighings_bulk_update(
            consultation=c, statement_ids=ids, by=by, decision=Decision.CONSIDERED
        ),
    ),
    "group_answer": (
        "manage",
        lambda c, ids, g, by: services.group_answer(group=g, by=by, decision="considered", response="y"),
    ),
    "statements_group": (
        "manage",
        lambda c, ids, g, by: services.statements_group(consultation=c, statement_ids=ids[1:], by=by),
    ),
    "statements_ungroup": (
        "manage",
        lambda c, ids, g, by: services.statements_ungroup(consultation=c, statement_ids=ids, by=by),
    ),
    "statements_group_similar": (
        "manage",
        lambda c, ids, g, by: services.statements_group_similar(consultation=c, by=by),
    ),
    "result_publish": (
        "manage",
        lambda c, ids, g, by: services.result_publish(
            consultation=c, by=by, council_body="Gemeindevertretung", decided_on=_day_after(c), notify=False
        ),
    ),
    "result_unpublish": ("manage", lambda c, ids, g, by: services.result_unpublish(consultation=c, by=by)),
    "report_export (anonymised)": (
        "moderate",
        lambda c, ids, g, by: services.report_export(consultation=c, by=by, format="csv"),
    ),
    "report_export (personal data)": (
        "export_personal_data",
        lambda c, ids, g, by: services.report_export(consultation=c, by=by, format="csv", personal=True),
    ),
    "export_job_start (anonymised)": (
        "moderate",
        lambda c, ids, g, by: export_jobs.export_job_start(consultation=c, by=by, format="pdf"),
    ),
    "export_job_start (personal data)": (
        "export_personal_data",
        lambda c, ids, g, by: export_jobs.export_job_start(consultation=c, by=by, format="xlsx", personal=True),
    ),
    "grouping_start": ("manage", lambda c, ids, g, by: _grouping_start_and_forget(c, by)),
    "personal_data_export_log": (
        "export_personal_data",
        lambda c, ids, g, by: services.personal_data_export_log(consultation=c, by=by, via="web", format="csv", rows=1),
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_action_checks_its_actor(world, action):
    consultation, ids, group = _prepared(world)
    permission, call = ACTIONS[action]
    allowed = ALLOWED[permission]
    before = _snapshot()
    for actor in [a for a in ACTORS if a not in allowed]:
        with pytest.raises(PermissionDenied):
            call(consultation, ids, group, _actor(world, actor))
        assert _snapshot() == before, actor
    for actor in sorted(allowed):
        call(consultation, ids, group, _actor(world, actor))


@pytest.mark.parametrize("action", ACTIONS)
def test_none_is_never_an_actor(world, action):
    consultation, ids, group = _prepared(world)
    with pytest.raises(TypeError):
        ACTIONS[action][1](consultation, ids, group, None)


def test_purging_exports_is_for_the_operator_only(world):
    with pytest.raises(PermissionDenied):
        export_jobs.export_jobs_purge_expired(by=world["users"]["planner"])
    assert export_jobs.export_jobs_purge_expired(by=SYSTEM) == 0


def test_export_command_acts_as_system_or_as_the_named_user(world, tmp_path):
    consultation = world["consultation"]
    target = str(tmp_path / "p.csv")
    args = ["export_comments", consultation.pk, "--format", "csv", "--with-personal-data", "-o", target]
    with pytest.raises(CommandError, match="keine Berechtigung"):
        call_command(*args, "--user", "moderatorin", stdout=io.StringIO())
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command(*args, "--user", "niemand", stdout=io.StringIO())
    assert not PersonalDataExportLog.objects.exists()
    call_command(*args, "--user", "planer", stdout=io.StringIO())
    call_command(*args, stdout=io.StringIO())
    assert list(PersonalDataExportLog.objects.order_by("at", "pk").values_list("user__username", "via")) == [
        ("planer", "cli"),
        (None, "cli"),
    ]
    # Anonymised exports are open to moderators.
    out = io.StringIO()
    call_command("export_comments", consultation.pk, "-o", str(tmp_path / "a.csv"), "--user", "moderatorin", stdout=out)
    assert "anonymisiert" in out.getvalue()
