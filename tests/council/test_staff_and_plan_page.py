"""Staff confirm and link council decisions over HTTP; the public plan page shows them in the timeline."""

import datetime as dt

import pytest
from django.urls import reverse
from lxml import html

from council.models import OParlSource, Paper, StageLink
from council.sync import oparl_sync
from participation.workbench.models import ExportJob
from plans.models import Plan
from plans.rules import SYSTEM
from tests.factories import ConsultationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(council):
    oparl_sync(source=council.source, by=SYSTEM)
    return council


def council_page(client, plan, **params):
    return client.get(reverse("council:plan", kwargs={"pk": plan.pk}), params)


def test_papers_naming_the_plan_number_are_suggested_with_a_guessed_stage(synced):
    links = StageLink.objects.filter(plan=synced.plan).select_related("paper", "agenda_item")

    assert {(link.paper.reference, link.stage, link.status) for link in links} == {
        ("2026/0101", Plan.Stage.INITIATED, StageLink.Status.SUGGESTED),
        ("2026/0150", Plan.Stage.ADOPTED, StageLink.Status.SUGGESTED),
    }  # not 2026/0160 about plan Nr. 123
    assert links.get(paper__reference="2026/0150").agenda_item.number == "3"


def test_staff_confirm_a_suggestion_and_the_plan_page_shows_the_decision(client, synced):
    client.force_login(synced.planner)
    page = council_page(client, synced.plan).content.decode()
    assert "Abwägung und Satzungsbeschluss" in page and "Vorschläge zum Bestätigen" in page
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0150")

    response = client.post(
        reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}), {"stage": "adopted"}
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.status, link.confirmed_by, link.stage) == (StageLink.Status.CONFIRMED, synced.planner, "adopted")
    client.logout()
    public = client.get(synced.plan.get_absolute_url())
    assert public.status_code == 200
    tree = html.fromstring(public.content)
    [decision] = tree.xpath(
        "//section[@aria-labelledby='timeline-heading']//ol[@class='timeline']/li/ul[@class='timeline__decisions']/li"
    )
    step = decision.getparent().getparent()
    assert step.text_content().strip().startswith("05.03.2026: Satzungs- bzw. Feststellungsbeschluss")
    meeting = decision.xpath(".//p[@class='decision__meeting']")[0]
    assert meeting.xpath(".//time")[0].get("datetime").startswith("2026-03-05T19:00:00")
    assert "05.03.2026" in meeting.text_content()
    assert "Stadtverordnetenversammlung" in meeting.text_content()
    assert "mehrheitlich beschlossen" in meeting.text_content()
    [paper_link] = decision.xpath(".//p[@class='decision__paper']//a")
    assert paper_link.get("href") == "https://ris.musterstadt.example/vorlage/2"
    assert paper_link.text_content() == "2026/0150 Bebauungsplan Nr. 12 „Am Bach“ – Abwägung und Satzungsbeschluss"
    files = [(a.get("href"), a.text_content()) for a in decision.xpath(".//ul[@class='decision__files']/li/a")]
    assert files == [
        ("https://ris.musterstadt.example/datei/2.pdf", "Vorlage 2026/0150"),
        ("https://ris.musterstadt.example/datei/200.pdf", "Übersichtsplan"),
    ]
    assert "javascript:" not in public.content.decode()
    # The unconfirmed suggestion (Aufstellungsbeschluss) is not public.
    assert "2026/0101" not in public.content.decode()


def test_a_decision_joins_the_recorded_step_of_its_stage(client, synced):
    synced.plan.stage_changes.create(stage=Plan.Stage.INITIATED, date=dt.date(2026, 2, 11), note="Amtsblatt 7/2026")
    synced.plan.stage_changes.create(stage=Plan.Stage.PUBLICATION, date=dt.date(2026, 2, 20))
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0101")
    client.force_login(synced.planner)
    client.post(reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}))
    client.logout()

    tree = html.fromstring(client.get(synced.plan.get_absolute_url()).content)

    steps = tree.xpath("//ol[@class='timeline']/li")
    assert len(steps) == 2
    assert "Aufstellungsbeschluss – Amtsblatt 7/2026" in steps[0].text_content()
    assert "10.02.2026" in steps[0].xpath(".//p[@class='decision__meeting']")[0].text_content()
    assert "Bau- und Planungsausschuss" in steps[0].text_content()
    assert not steps[1].xpath(".//li[@class='decision']")


def test_the_result_of_a_non_public_agenda_item_is_not_shown(client, synced):
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0150")
    link.agenda_item.public = False
    link.agenda_item.save()
    client.force_login(synced.planner)
    client.post(reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}))
    client.logout()

    page = client.get(synced.plan.get_absolute_url()).content.decode()

    assert "2026/0150" in page and "mehrheitlich beschlossen" not in page


def test_a_cached_plan_page_shows_a_newly_confirmed_decision(client, synced, settings):
    settings.PLAN_PAGE_CACHE = "on"
    assert "2026/0150" not in client.get(synced.plan.get_absolute_url()).content.decode()
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0150")

    client.force_login(synced.planner)
    client.post(reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}))
    client.logout()

    assert "2026/0150" in client.get(synced.plan.get_absolute_url()).content.decode()


def test_a_deleted_paper_disappears_from_the_plan_page(client, synced):
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0150")
    client.force_login(synced.planner)
    client.post(reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}))
    client.logout()
    Paper.objects.filter(pk=link.paper_id).update(deleted=True)

    assert "2026/0150" not in client.get(synced.plan.get_absolute_url()).content.decode()


def test_staff_find_a_paper_by_reference_and_link_it_to_a_stage(client, synced):
    client.force_login(synced.planner)
    page = council_page(client, synced.plan, q="0160")
    tree = html.fromstring(page.content)
    [result] = tree.xpath("//ul[@id='paper-results']/li")
    assert "Gewerbe Ost" in result.text_content()
    paper = Paper.objects.get(reference="2026/0160")
    item = paper.agenda_items.get()

    response = client.post(
        reverse("council:link_create", kwargs={"pk": synced.plan.pk}),
        {"paper": paper.pk, "agenda_item": item.pk, "stage": "publication"},
    )

    assert response.status_code == 302
    link = StageLink.objects.get(plan=synced.plan, paper=paper)
    assert (link.status, link.stage, link.agenda_item) == (StageLink.Status.CONFIRMED, "publication", item)
    assert "vertagt" in client.get(synced.plan.get_absolute_url()).content.decode()


def test_search_by_title_finds_papers(client, synced):
    client.force_login(synced.planner)
    tree = html.fromstring(council_page(client, synced.plan, q="am bach").content)

    assert len(tree.xpath("//ul[@id='paper-results']/li")) == 2


def test_an_agenda_item_of_another_paper_is_refused(client, synced):
    client.force_login(synced.planner)
    paper = Paper.objects.get(reference="2026/0160")
    other_item = Paper.objects.get(reference="2026/0150").agenda_items.get()

    client.post(
        reverse("council:link_create", kwargs={"pk": synced.plan.pk}),
        {"paper": paper.pk, "agenda_item": other_item.pk, "stage": "publication"},
    )

    assert not StageLink.objects.filter(paper=paper).exists()


def test_a_rejected_suggestion_is_not_suggested_again(client, synced):
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0101")
    client.force_login(synced.planner)

    client.post(reverse("council:link_reject", kwargs={"pk": synced.plan.pk, "link": link.pk}))
    OParlSource.objects.filter(pk=synced.source.pk).update(modified_since=None)
    result = oparl_sync(source=OParlSource.objects.get(pk=synced.source.pk), by=SYSTEM)

    assert result["suggested"] == 0
    assert StageLink.objects.get(pk=link.pk).status == StageLink.Status.REJECTED
    assert "2026/0101" not in council_page(client, synced.plan).content.decode()


def test_unlinking_a_confirmed_decision_removes_it_from_the_plan_page(client, synced):
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0150")
    client.force_login(synced.planner)
    client.post(reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}))

    client.post(reverse("council:link_reject", kwargs={"pk": synced.plan.pk, "link": link.pk}))

    assert "2026/0150" not in client.get(synced.plan.get_absolute_url()).content.decode()


def test_staff_of_another_municipality_get_404(client, synced):
    client.force_login(MembershipFactory().user)
    link = StageLink.objects.filter(plan=synced.plan).first()

    assert council_page(client, synced.plan).status_code == 404
    confirm = client.post(reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}))
    source = client.get(reverse("council:source", kwargs={"municipality_id": synced.municipality.pk}))

    assert (confirm.status_code, source.status_code) == (404, 404)
    assert StageLink.objects.get(pk=link.pk).status == StageLink.Status.SUGGESTED


def test_a_link_of_another_plan_is_not_found_under_this_plan(client, synced):
    other = MembershipFactory(user=synced.planner).municipality
    from tests.factories import PlanFactory

    foreign_plan = PlanFactory(municipality=other)
    link = StageLink.objects.filter(plan=synced.plan).first()
    client.force_login(synced.planner)

    response = client.post(reverse("council:link_confirm", kwargs={"pk": foreign_plan.pk, "link": link.pk}))

    assert response.status_code == 404


def test_a_planner_sets_the_endpoint_and_the_sync_runs(client, council, django_capture_on_commit_callbacks):
    OParlSource.objects.all().delete()
    client.force_login(council.planner)
    url = reverse("council:source", kwargs={"municipality_id": council.municipality.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"system_url": council.server.url("/oparl/v1/system"), "body_url": ""})

    assert response.status_code == 302
    source = OParlSource.objects.get(municipality=council.municipality)
    assert source.last_sync_at is not None and Paper.objects.filter(source=source).count() == 3
    page = client.get(url).content.decode()
    assert "Stadt Musterstadt" in page


def test_a_private_endpoint_is_refused_with_a_message(client, council, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    client.force_login(council.planner)
    url = reverse("council:source", kwargs={"municipality_id": council.municipality.pk})

    response = client.post(url, {"system_url": "https://127.0.0.1/oparl/v1/system"})

    assert response.status_code == 200
    assert "liegt in einem internen Netz" in response.content.decode()
    assert OParlSource.objects.get(pk=council.source.pk).system_url == council.server.url("/oparl/v1/system")


def test_the_cockpit_links_to_the_council_page(client, council):
    client.force_login(council.planner)

    page = client.get(reverse("plans:staff_plan", kwargs={"pk": council.plan.pk})).content.decode()

    assert f'href="{reverse("council:plan", kwargs={"pk": council.plan.pk})}"' in page


def test_an_adoption_decision_offers_the_abwaegungstabelle_for_the_paper(client, synced):
    consultation = ConsultationFactory(plan=synced.plan)
    job = ExportJob.objects.create(
        consultation=consultation,
        format="pdf",
        file_name="abwaegung.pdf",
        status=ExportJob.Status.SUCCEEDED,
        finished_at=dt.datetime(2026, 2, 28, tzinfo=dt.UTC),
        expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    client.force_login(synced.planner)
    assert "Abwägungstabelle für die Vorlage" not in council_page(client, synced.plan).content.decode()
    link = StageLink.objects.get(plan=synced.plan, paper__reference="2026/0150")
    client.post(reverse("council:link_confirm", kwargs={"pk": synced.plan.pk, "link": link.pk}))

    page = council_page(client, synced.plan).content.decode()

    assert "Abwägungstabelle für die Vorlage" in page
    assert reverse("workbench:export", kwargs={"consultation_id": consultation.pk, "format": "pdf"}) in page
    assert reverse("workbench:export_download", kwargs={"consultation_id": consultation.pk, "job_id": job.pk}) in page
