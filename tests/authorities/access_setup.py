"""Fixtures of the access-link tests (test_access, test_submission): an invited authority and its link."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from participation.authorities.models import Authority, Invitation
from participation.authorities.tokens import make_token, new_key
from participation.models import Attachment, Consultation

from ..factories import ConsultationFactory


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, _fast_settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def round_(db):
    """A § 4 Abs. 2 round on a published plan."""
    return ConsultationFactory(
        kind=Consultation.Kind.AUTHORITIES,
        authority_stage=Consultation.AuthorityStage.FORMAL,
        bekanntmachung_date=None,
    )


@pytest.fixture
def invitation(round_):
    """The water authority, invited to the round with a deadline three weeks ahead."""
    authority = Authority.objects.create(
        municipality=round_.plan.municipality,
        organisation="Wasserbehörde Hochtaunuskreis",
        department="Untere Wasserbehörde",
        emails=["wasser@hochtaunuskreis.example", "poststelle@hochtaunuskreis.example"],
    )
    return Invitation.objects.create(
        consultation=round_,
        authority=authority,
        emails=list(authority.emails),
        deadline=timezone.localdate() + dt.timedelta(days=21),
        key=new_key(),
    )


def access_url(invitation) -> str:
    return reverse("authorities:access", args=[make_token(invitation)])


@pytest.fixture
def attachment_dir(tmp_path, monkeypatch) -> Path:
    """Store attachments in a fresh directory (the field's storage is bound when the model loads)."""
    location = tmp_path / "attachments"
    monkeypatch.setattr(
        Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=location, base_url=None)
    )
    return location


def stored_files(location: Path) -> list[Path]:
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []
