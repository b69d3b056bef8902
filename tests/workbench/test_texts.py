"""German wording of the result mail and page (issue 13, part 9)."""

from django.core import mail
from django.urls import reverse

from participation.workbench import services
from participation.workbench.models import Decision, Weighing
from plans.rules import SYSTEM

from .test_result import _decision_day


def test_result_mail_names_the_town_alone_the_plan_with_article_and_the_council(
    world,
    settings,
    client,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    town, consultation = world["town"], world["consultation"]
    town.name = "Stadt Usingen"
    town.council_body = "Stadtverordnetenversammlung"
    town.save()
    plan = consultation.plan
    plan.number = "Nr. 64"
    plan.save()
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    Weighing.objects.update(decision=Decision.CONSIDERED, response="Antwort A")
    with django_capture_on_commit_callbacks(execute=True):
        services.result_publish(
            consultation=consultation, by=SYSTEM, council_body=town.council_body, decided_on=_decision_day(consultation)
        )
    body = mail.outbox[0].body
    assert "Stadt Usingen hat die Stellungnahmen zum Bebauungsplan Nr. 64 „Am Riedborn“ geprüft." in body
    assert "Gemeinde Stadt" not in body and "zum Plan" not in body
    day = f"{_decision_day(consultation):%d.%m.%Y}"
    assert f"Beschlossen von: Stadtverordnetenversammlung, am {day}." in body
    public = client.get(reverse("workbench:public_result", args=[consultation.pk])).content.decode()
    assert f"Beschlossen von: Stadtverordnetenversammlung, am {day}." in public
