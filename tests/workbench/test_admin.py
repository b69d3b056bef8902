from django.urls import reverse

from participation.workbench import services
from participation.workbench.models import PersonalDataExportLog
from plans.rules import SYSTEM


def test_export_log_admin_is_scoped_and_read_only(client, world):
    own = PersonalDataExportLog.objects.create(
        consultation=world["consultation"], user=world["users"]["planner"], format="csv", rows=8
    )
    foreign = PersonalDataExportLog.objects.create(
        consultation=world["foreign_consultation"], user=world["users"]["foreign_planner"], format="xlsx", rows=1
    )
    url = reverse("admin:workbench_personaldataexportlog_changelist")
    client.force_login(world["users"]["planner"])
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [own]
    assert client.get(reverse("admin:workbench_personaldataexportlog_change", args=[foreign.pk])).status_code in (
        302,
        403,
        404,
    )
    assert client.get(reverse("admin:workbench_personaldataexportlog_add")).status_code == 403
    client.force_login(world["users"]["moderator"])
    assert list(client.get(url).context["cl"].queryset) == []


def test_notification_admin_lists_own_notices(client, world):
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    client.force_login(world["users"]["moderator"])
    assert client.get(reverse("admin:workbench_resultnotification_changelist")).status_code == 200
