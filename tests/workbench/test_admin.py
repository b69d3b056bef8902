from django.contrib.auth import get_user_model
from django.urls import reverse

from participation.workbench.models import PersonalDataExportLog


def test_export_log_admin_is_for_operators_only_and_read_only(client, world):
    own = PersonalDataExportLog.objects.create(
        consultation=world["consultation"], user=world["users"]["planner"], format="csv", rows=8
    )
    url = reverse("admin:workbench_personaldataexportlog_changelist")
    for role in ("planner", "moderator"):
        client.force_login(world["users"][role])
        assert client.get(url).status_code == 403
        assert client.get(reverse("admin:workbench_resultnotification_changelist")).status_code == 403
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw"))
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [own]
    assert client.get(reverse("admin:workbench_personaldataexportlog_add")).status_code == 403
