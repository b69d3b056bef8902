import datetime as dt

import pytest
from django.core.management import call_command

from participation.workbench.models import ConsultationResult, Weighing


@pytest.mark.django_db
def test_demo_adds_weighed_statements_and_published_result_once(client):
    call_command("load_demo")
    call_command("load_demo")
    assert Weighing.objects.count() == 5
    assert set(Weighing.objects.filter(number__in=[1, 2, 3]).values_list("decision", flat=True)) == {"partly"}
    assert Weighing.objects.get(number=5).pseudonym == "Naturschutzbund Neu-Anspach"
    result = ConsultationResult.objects.get()
    body = client.get(f"/beteiligung/{result.consultation_id}/ergebnis/").content.decode()
    assert "Bürger/in 1" in body and "Naturschutzbund Neu-Anspach" in body
    assert "Anna Beispiel" not in body


@pytest.mark.django_db
def test_result_url_tag_only_when_published(world):
    from django.template import Context, Template

    from participation.workbench import services
    from plans.rules import SYSTEM

    template = Template("{% load workbench_tags %}[{% consultation_result_url c %}]")
    consultation = world["consultation"]
    assert template.render(Context({"c": consultation})) == "[]"
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    Weighing.objects.update(decision="noted")
    services.result_publish(
        consultation=consultation,
        by=SYSTEM,
        council_body="Stadtverordnetenversammlung",
        decided_on=consultation.end_date + dt.timedelta(days=3),
        notify=False,
    )
    assert template.render(Context({"c": consultation})) == f"[/beteiligung/{consultation.pk}/ergebnis/]"
