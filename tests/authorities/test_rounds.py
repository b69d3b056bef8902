"""§ 4 rounds, staff side: invitations and their mails, deadlines, revoke, re-send, extension, reminders, board."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from participation.authorities import services
from participation.authorities.models import Invitation, InvitationAction
from participation.authorities.tasks import send_invitation_mail
from participation.authorities.tokens import make_token, read_token
from participation.models import Consultation, Statement
from participation.periods import regular_end
from plans.rules import SYSTEM
from tests.authorities.conftest import authorities_round, make_authority
from tests.factories import ConsultationFactory, StatementFactory

pytestmark = pytest.mark.django_db
Stage = Consultation.AuthorityStage


def _invite(client, consultation, capture, **data):
    with capture(execute=True):
        return client.post(reverse("authorities:staff_invite", kwargs={"pk": consultation.pk}), data)


def _access_link(message) -> str:
    return re.search(r"https://\S+/behoerden/zugang/\S+/", message.body).group(0)


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_planner_invites_by_subject_area_and_individually_one_mail_per_authority(
    client, planner, formal_round, authorities, mailoutbox, django_capture_on_commit_callbacks
):
    water, nature, traffic = authorities
    client.force_login(planner)

    response = _invite(
        client,
        formal_round,
        django_capture_on_commit_callbacks,
        subject_areas=["water"],
        authorities=[traffic.pk],
        deadline=formal_round.end_date.isoformat(),
    )

    assert response.status_code == 302
    invitations = Invitation.objects.filter(consultation=formal_round)
    assert {i.authority for i in invitations} == {water, traffic}
    assert len(mailoutbox) == 2
    to_water = next(m for m in mailoutbox if "a@wv.example" in m.to)
    assert to_water.to == ["a@wv.example", "b@wv.example"]
    assert "Am Riedborn" in to_water.subject
    body = to_water.body
    assert "Am Riedborn" in body
    assert f"{formal_round.end_date:%d.%m.%Y}" in body
    assert "https://beteiligung.example" + formal_round.plan.get_absolute_url() in body
    assert "elektronisch" in body
    invitation = invitations.get(authority=water)
    assert read_token(_token(_access_link(to_water))) == (invitation.pk, invitation.key)
    assert invitation.last_sent_at is not None and invitation.invited_by == planner
    assert invitation.actions.get().kind == InvitationAction.Kind.INVITE


def test_the_access_link_uses_the_municipality_domain(
    client, planner, municipality, formal_round, authorities, mailoutbox, django_capture_on_commit_callbacks
):
    municipality.domain = "beteiligung.usingen.de"
    municipality.save()
    client.force_login(planner)

    _invite(
        client,
        formal_round,
        django_capture_on_commit_callbacks,
        authorities=[authorities[0].pk],
        deadline=formal_round.end_date.isoformat(),
    )

    assert _access_link(mailoutbox[0]).startswith("https://beteiligung.usingen.de/behoerden/zugang/")


def test_a_formal_round_refuses_a_deadline_shorter_than_one_month(
    client, planner, plan, authorities, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = authorities_round(plan, Stage.FORMAL, days=14)
    client.force_login(planner)
    earliest = regular_end(timezone.localdate())

    response = _invite(
        client,
        consultation,
        django_capture_on_commit_callbacks,
        authorities=[authorities[0].pk],
        deadline=consultation.end_date.isoformat(),
    )

    assert response.status_code == 200
    assert f"Frühestes zulässiges Fristende: {earliest:%d.%m.%Y}" in response.content.decode()
    assert not Invitation.objects.exists() and mailoutbox == []


def test_the_period_rule_service_codes_per_stage(plan, planner, authorities):
    today = timezone.localdate()
    short = today + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as formal:
        services.check_deadline(authorities_round(plan, Stage.FORMAL), today, short)
    services.check_deadline(authorities_round(plan, Stage.EARLY), today, short)  # § 4 Abs. 1: no minimum
    changes = authorities_round(plan, Stage.CHANGES)
    with pytest.raises(ValidationError) as no_reason:
        services.check_deadline(changes, today, short)
    services.check_deadline(changes, today, short, reason="Nur geringfügige Änderungen")
    services.check_deadline(authorities_round(plan, Stage.FORMAL), today, regular_end(today))

    assert formal.value.error_dict["deadline"][0].code == "period_too_short"
    assert no_reason.value.error_dict["reason"][0].code == "short_period_reason_required"


def test_a_shortened_changes_round_logs_its_reason(
    client, planner, plan, authorities, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = authorities_round(plan, Stage.CHANGES, days=14)
    client.force_login(planner)

    _invite(
        client,
        consultation,
        django_capture_on_commit_callbacks,
        authorities=[authorities[1].pk],
        deadline=consultation.end_date.isoformat(),
        reason="Nur die Festsetzung 3.2 wurde geändert.",
    )

    assert InvitationAction.objects.get().reason == "Nur die Festsetzung 3.2 wurde geändert."
    assert len(mailoutbox) == 1


def test_inactive_or_foreign_authorities_are_not_invited(planner, formal_round, authorities, other_planner):
    inactive = make_authority(formal_round.plan.municipality, "Alte Behörde", active=False)
    foreign = make_authority(other_planner.memberships.get().municipality, "Fremde Behörde")

    for authority in (inactive, foreign):
        with pytest.raises(ValidationError) as refused:
            services.invitations_send(consultation=formal_round, by=planner, authorities=[authority])
        assert refused.value.code == "foreign_authority"
    assert not Invitation.objects.exists()


def test_inviting_twice_skips_the_authorities_already_invited(
    client, planner, formal_round, authorities, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(planner)
    deadline = formal_round.end_date.isoformat()

    _invite(
        client, formal_round, django_capture_on_commit_callbacks, authorities=[authorities[0].pk], deadline=deadline
    )
    response = _invite(
        client, formal_round, django_capture_on_commit_callbacks, subject_areas=["water"], deadline=deadline
    )

    assert Invitation.objects.count() == 1 and len(mailoutbox) == 1
    assert "bereits eingeladen" in client.get(response["Location"]).content.decode()


def test_the_invitation_task_sends_once(
    planner, formal_round, authorities, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = services.invitations_send(consultation=formal_round, by=planner, authorities=[authorities[0]])

    send_invitation_mail.call(invitation.pk, invitation.key)

    assert len(mailoutbox) == 1


@pytest.fixture
def invitation(planner, formal_round, authorities, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = services.invitations_send(consultation=formal_round, by=planner, authorities=[authorities[0]])
    mailoutbox.clear()
    return invitation


def test_revoking_replaces_the_key_so_the_old_link_no_longer_matches(client, planner, invitation, mailoutbox):
    old_token = make_token(invitation)
    client.force_login(planner)

    client.post(reverse("authorities:staff_revoke", kwargs={"pk": invitation.pk}))

    invitation.refresh_from_db()
    pk, key = read_token(old_token)
    assert pk == invitation.pk and key != invitation.key
    assert invitation.revoked_at is not None
    assert invitation.actions.order_by("-id").first().kind == InvitationAction.Kind.REVOKE
    assert mailoutbox == []


def test_resending_mails_a_new_link(client, planner, invitation, mailoutbox, django_capture_on_commit_callbacks):
    old_key = invitation.key
    client.force_login(planner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("authorities:staff_resend", kwargs={"pk": invitation.pk}))

    invitation.refresh_from_db()
    assert invitation.key != old_key
    assert len(mailoutbox) == 1
    assert read_token(_token(_access_link(mailoutbox[0]))) == (invitation.pk, invitation.key)
    assert invitation.actions.order_by("-id").first().kind == InvitationAction.Kind.RESEND


def test_extending_one_deadline_is_logged_and_mailed(
    client, planner, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    before = invitation.deadline
    after = before + dt.timedelta(days=7)
    client.force_login(planner)
    url = reverse("authorities:staff_extend", kwargs={"pk": invitation.pk})

    without_reason = client.post(url, {"deadline": after.isoformat(), "reason": ""})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"deadline": after.isoformat(), "reason": "Urlaubszeit im Fachamt"})

    assert without_reason.status_code == 200
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.deadline == after
    action = invitation.actions.get(kind=InvitationAction.Kind.EXTEND)
    assert (action.deadline_before, action.deadline_after, action.reason, action.by) == (
        before,
        after,
        "Urlaubszeit im Fachamt",
        planner,
    )
    (mail,) = mailoutbox
    assert mail.to == ["a@wv.example", "b@wv.example"]
    assert f"vom {before:%d.%m.%Y} bis zum {after:%d.%m.%Y}" in mail.body
    assert "Urlaubszeit im Fachamt" in mail.body


def test_an_earlier_deadline_is_no_extension(planner, invitation):
    with pytest.raises(ValidationError) as refused:
        services.invitation_extend(invitation=invitation, by=planner, deadline=invitation.deadline, reason="Versehen")
    assert refused.value.error_dict["deadline"][0].code == "deadline_not_later"


def test_reminders_go_once_to_unanswered_invitations_near_their_deadline(
    planner, plan, authorities, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = authorities_round(plan, Stage.EARLY, days=20)
    today = timezone.localdate()
    due, answered, revoked, later = (
        Invitation.objects.create(consultation=consultation, authority=a, emails=a.emails, deadline=d, key=f"k{n}")
        for n, (a, d) in enumerate(
            [
                (authorities[0], today + dt.timedelta(days=5)),
                (authorities[1], today + dt.timedelta(days=3)),
                (authorities[2], today + dt.timedelta(days=2)),
                (make_authority(plan.municipality, "Spätere Behörde"), today + dt.timedelta(days=15)),
            ]
        )
    )
    StatementFactory(consultation=consultation, invitation=answered, channel=Statement.Channel.AUTHORITY)
    Invitation.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_authority_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_authority_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115

    (mail,) = mailoutbox
    assert mail.to == ["a@wv.example", "b@wv.example"]
    assert "Erinnerung" in mail.subject and f"{due.deadline:%d.%m.%Y}" in mail.body
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.reminded_at is not None and later.reminded_at is None
    assert due.actions.get().kind == InvitationAction.Kind.REMIND


def test_status_board_shows_each_state_and_counts(client, moderator, planner, plan, authorities):
    consultation = authorities_round(plan, Stage.EARLY, days=20)
    today = timezone.localdate()
    rows = {}
    for authority, deadline in zip(authorities, [today + dt.timedelta(5), today, today - dt.timedelta(1)], strict=True):
        rows[authority.organisation] = Invitation.objects.create(
            consultation=consultation, authority=authority, emails=authority.emails, deadline=deadline, key="k"
        )
    answered = rows["Wasserverband Usatal"]
    Invitation.objects.filter(pk=answered.pk).update(opened_at=timezone.now())
    StatementFactory(consultation=consultation, invitation=answered, channel=Statement.Channel.AUTHORITY)
    StatementFactory(
        consultation=consultation,
        invitation=rows["Naturschutzbehörde Hochtaunus"],
        channel=Statement.Channel.AUTHORITY,
        no_objections=True,
    )
    client.force_login(moderator)

    page = client.get(reverse("authorities:staff_round", kwargs={"pk": consultation.pk})).content.decode()
    board = client.get(reverse("authorities:staff_round_csv", kwargs={"pk": consultation.pk}))

    assert re.search(r'id="count-invited">3<', page) and re.search(r'id="count-answered">2<', page)
    assert re.search(r'id="count-no-objections">1<', page) and re.search(r'id="count-overdue">1<', page)
    assert re.search(r'id="count-opened">1<', page)
    assert "überfällig" in page and "keine Bedenken" in page
    assert "Zugang widerrufen" not in page  # a moderator sees the board, not the actions
    text = board.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Behörde / Organisation;")
    mobil = next(line for line in text.splitlines() if line.startswith("Hessen Mobil"))
    assert ";ja;" in mobil  # overdue


def test_the_consultation_page_links_to_the_round(client, planner, formal_round):
    client.force_login(planner)

    page = client.get(reverse("participation:staff_detail", kwargs={"pk": formal_round.pk})).content.decode()

    assert reverse("authorities:staff_invite", kwargs={"pk": formal_round.pk}) in page
    assert "Behörden einladen" in page


def test_a_public_consultation_has_no_round(client, planner, plan):
    consultation = ConsultationFactory(plan=plan)
    client.force_login(planner)

    response = client.get(reverse("authorities:staff_invite", kwargs={"pk": consultation.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("participation:staff_detail", kwargs={"pk": consultation.pk})


@pytest.mark.parametrize(
    "name,target",
    [
        ("staff_round", "consultation"),
        ("staff_round_csv", "consultation"),
        ("staff_invite", "consultation"),
        ("staff_extend", "invitation"),
    ],
)
def test_another_municipality_gets_404(client, other_planner, invitation, name, target):
    pk = invitation.consultation_id if target == "consultation" else invitation.pk
    client.force_login(other_planner)

    assert client.get(reverse(f"authorities:{name}", kwargs={"pk": pk})).status_code == 404


def test_a_moderator_may_not_invite_revoke_resend_or_extend(client, moderator, invitation, authorities):
    client.force_login(moderator)
    key = invitation.key

    responses = [
        client.post(
            reverse("authorities:staff_invite", kwargs={"pk": invitation.consultation_id}),
            {"authorities": [authorities[1].pk], "deadline": invitation.deadline.isoformat()},
        ),
        client.post(reverse("authorities:staff_revoke", kwargs={"pk": invitation.pk})),
        client.post(reverse("authorities:staff_resend", kwargs={"pk": invitation.pk})),
        client.post(
            reverse("authorities:staff_extend", kwargs={"pk": invitation.pk}),
            {"deadline": (invitation.deadline + dt.timedelta(7)).isoformat(), "reason": "x"},
        ),
    ]

    assert [r.status_code for r in responses] == [403] * 4
    invitation.refresh_from_db()
    assert invitation.key == key and invitation.revoked_at is None and Invitation.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(invitation=invitation, by=moderator)


def test_the_reminder_service_acts_as_system_only_where_allowed(moderator, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(deadline=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.invitation_reminders_send(by=moderator)
    assert services.invitation_reminders_send(by=SYSTEM) == 1
