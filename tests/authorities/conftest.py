import datetime as dt

import pytest
from django.utils import timezone

from participation.authorities.models import Authority
from participation.models import Consultation
from participation.periods import regular_end
from plans.models import Membership
from tests.factories import ConsultationFactory, MembershipFactory, MunicipalityFactory, PlanFactory


@pytest.fixture(autouse=True)
def _authority_settings(settings, _fast_settings):
    """Run tasks at once (after the commit) and build links under one site address."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://beteiligung.example"
    settings.AUTHORITY_REMINDER_DAYS = 7


@pytest.fixture
def municipality():
    return MunicipalityFactory(name="Usingen", slug="usingen")


@pytest.fixture
def planner(municipality):
    return MembershipFactory(municipality=municipality, role=Membership.Role.PLANNER).user


@pytest.fixture
def moderator(municipality):
    return MembershipFactory(municipality=municipality, role=Membership.Role.MODERATOR).user


@pytest.fixture
def other_planner():
    """A planner of another municipality."""
    return MembershipFactory(municipality=MunicipalityFactory(name="Neu-Anspach", slug="neu-anspach")).user


@pytest.fixture
def plan(municipality):
    return PlanFactory(municipality=municipality, title="Am Riedborn", number="Nr. 64")


def authorities_round(plan, stage=Consultation.AuthorityStage.FORMAL, days=None) -> Consultation:
    today = timezone.localdate()
    end = today + dt.timedelta(days=days) if days is not None else regular_end(today) + dt.timedelta(days=3)
    return ConsultationFactory(
        plan=plan,
        kind=Consultation.Kind.AUTHORITIES,
        authority_stage=stage,
        start_date=today,
        end_date=end,
        bekanntmachung_date=None,
    )


@pytest.fixture
def formal_round(plan):
    return authorities_round(plan)


def make_authority(municipality, organisation, *, areas=(), emails=None, department="", active=True) -> Authority:
    return Authority.objects.create(
        municipality=municipality,
        organisation=organisation,
        department=department,
        emails=emails or [f"{organisation.split()[0].lower()}@behoerde.example"],
        subject_areas=list(areas),
        active=active,
    )


@pytest.fixture
def authorities(municipality):
    """Three authorities: water, nature, traffic."""
    return [
        make_authority(municipality, "Wasserverband Usatal", areas=["water"], emails=["a@wv.example", "b@wv.example"]),
        make_authority(municipality, "Naturschutzbehörde Hochtaunus", areas=["nature"]),
        make_authority(municipality, "Hessen Mobil", areas=["traffic"]),
    ]
