"""The demo data has an address book and one answered § 4 round (issue 12)."""

import pytest
from django.core.management import call_command

from participation.authorities.models import Authority, Invitation
from participation.models import Consultation, Statement

pytestmark = pytest.mark.django_db


def test_demo_has_an_address_book_and_an_answered_round(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115  (idempotent)

    assert Authority.objects.filter(municipality__slug="usingen").count() == 6
    round_ = Consultation.objects.get(plan__slug="am-riedborn", kind=Consultation.Kind.AUTHORITIES)
    invitations = Invitation.objects.filter(consultation=round_)
    assert invitations.count() == 6
    assert invitations.filter(answered_at__isnull=False).count() == 2
    answers = Statement.objects.filter(consultation=round_, channel=Statement.Channel.AUTHORITY)
    assert sorted(answers.values_list("no_objections", flat=True)) == [False, True]
    assert all(s.organisation and s.confirmed_at and not s.is_public for s in answers)
