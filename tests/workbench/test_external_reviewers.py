"""The address book of external reviewers: invite, invite again, deactivate; moderators only read."""

import pytest
from django.core import mail

from participation.workbench.models import ExternalReviewer

pytestmark = pytest.mark.django_db


def test_planner_invites_reinvites_and_deactivates(world, client, immediate_tasks, django_capture_on_commit_callbacks):
    town = world["town"]
    url = f"/verwaltung/abwaegung/extern/{town.pk}/"
    client.force_login(world["users"]["planner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"name": "Berta Beraterin", "email": "berta@buero.example", "organisation": "Büro"})
    assert response.status_code == 302
    reviewer = ExternalReviewer.objects.get()
    assert (reviewer.municipality, reviewer.user.get_full_name()) == (town, "Berta Beraterin")
    assert len(mail.outbox) == 1 and "/verwaltung/passwort/neu/" in mail.outbox[0].body
    assert "berta@buero.example" in client.get(url).content.decode()

    response = client.post(url, {"name": "Nochmal", "email": "BERTA@buero.example"})
    assert response.status_code == 400 and ExternalReviewer.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}{reviewer.pk}/einladen/")
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["berta@buero.example"]

    client.post(f"{url}{reviewer.pk}/deaktivieren/")
    reviewer.refresh_from_db()
    reviewer.user.refresh_from_db()
    assert not reviewer.active and not reviewer.user.is_active


def test_moderator_reads_foreign_planner_gets_404(world, client):
    town = world["town"]
    url = f"/verwaltung/abwaegung/extern/{town.pk}/"
    client.force_login(world["users"]["moderator"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "X", "email": "x@x.example"}).status_code == 403
    assert not ExternalReviewer.objects.exists()
    client.force_login(world["users"]["foreign_planner"])
    assert client.get(url).status_code == 404
