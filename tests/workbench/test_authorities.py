"""Authority statements (§ 4 BauGB), plan text sections and attachments in the workbench and its exports."""

import csv
import io

import openpyxl
import pyogrio
from django.urls import reverse
from pypdf import PdfReader

from participation.workbench.models import ExportJob


def _start(client, consultation, format, capture, **data):
    with capture(execute=True):
        return client.post(reverse("workbench:export", args=[consultation.pk, format]), {"filters": "", **data})


def _download(client, job):
    response = client.get(reverse("workbench:export_download", args=[job.consultation_id, job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _table(client, consultation, **filters):
    response = client.get(reverse("workbench:table", args=[consultation.pk]), filters)
    assert response.status_code == 200
    return response


def _numbers(response) -> list[int]:
    return [s.weighing.number for s in response.context["page"].object_list]


def test_table_names_the_authority_with_file_reference_deadline_and_attachment_count(client, authority_round):
    world = authority_round
    client.force_login(world["users"]["moderator"])
    response = _table(client, world["consultation"])
    page = response.content.decode()
    # Public bodies are named, their clerks are not (a moderator sees no personal data).
    assert "Untere Wasserbehörde Hochtaunuskreis" in page and "Stadtwerke Usingen" in page
    assert "Frau Sachbearbeiterin Wasser" not in page and "uwb@example.org" not in page
    assert "Az. UWB-2026/117" in page and "keine Bedenken" in page
    assert "Behörde/TöB" in page
    assert "1 Anhang" in page
    assert "3.2 Entwässerung" in page
    rows = {s.pk: s for s in response.context["page"].object_list}
    # In time by its extended deadline although after the public period; the other one late by its own.
    assert rows[world["water"].pk].late is False
    assert rows[world["utility"].pk].late is True
    assert response.context["counts"]["late"] == 2  # the citizen's late statement and the utility


def test_statement_page_shows_authority_details_and_attachment_list(client, authority_round):
    world = authority_round
    client.force_login(world["users"]["moderator"])
    consultation, water = world["consultation"], world["water"]
    client.get(reverse("workbench:table", args=[consultation.pk]))
    page = client.get(reverse("workbench:weighing", args=[consultation.pk, water.pk])).content.decode()
    assert "Untere Wasserbehörde Hochtaunuskreis" in page
    assert "UWB-2026/117" in page
    assert "Frist der Behörde" in page and f"{water.invitation.deadline:%d.%m.%Y} – fristgerecht" in page
    assert "3.2 Entwässerung (Begründung)" in page
    assert (
        "Gutachten Entwässerung.pdf" in page and "PDF" in page and f'data-attachment="{world["attachment"].pk}"' in page
    )
    assert "Frau Sachbearbeiterin Wasser" not in page  # names are for planners
    utility = client.get(reverse("workbench:weighing", args=[consultation.pk, world["utility"].pk])).content.decode()
    assert "Keine Anregungen oder Bedenken" in utility and "– verspätet" in utility
    assert "Keine Anhänge." in utility


def test_attachments_are_not_on_another_municipality_s_workbench(client, authority_round):
    world = authority_round
    client.force_login(world["users"]["foreign_planner"])
    consultation = world["consultation"]
    assert client.get(reverse("workbench:weighing", args=[consultation.pk, world["water"].pk])).status_code == 404
    assert client.get(reverse("workbench:table", args=[consultation.pk])).status_code == 404


def test_sender_filter_separates_authorities_from_the_public(client, authority_round):
    world = authority_round
    client.force_login(world["users"]["moderator"])
    consultation = world["consultation"]
    only_authorities = _table(client, consultation, sender="authorities")
    assert {s.pk for s in only_authorities.context["page"].object_list} == {world["water"].pk, world["utility"].pk}
    public = _table(client, consultation, sender="public")
    assert public.context["page"].paginator.count == 8
    assert world["water"].pk not in {s.pk for s in public.context["page"].object_list}
    assert "Absender: nur Behörden/TöB" not in only_authorities.content.decode()  # shown in the export summary
    late_authorities = _table(client, consultation, sender="authorities", timing="late")
    assert [s.pk for s in late_authorities.context["page"].object_list] == [world["utility"].pk]


def test_section_filter_and_grouping_by_section(client, authority_round):
    world = authority_round
    client.force_login(world["users"]["moderator"])
    consultation = world["consultation"]
    by_section = _table(client, consultation, section=world["section"].pk)
    assert [s.pk for s in by_section.context["page"].object_list] == [world["water"].pk]
    choices = dict(by_section.context["filters"].fields["section"].choices)
    assert choices[world["section"].pk] == "Begründung: 3.2 Entwässerung"
    grouped = _table(client, consultation, order="section")
    pks = [s.pk for s in grouped.context["page"].object_list]
    # Section 1 (order 1) first, then 3.2, then everything without a section in number order.
    assert pks[:2] == [world["statements"][3].pk, world["water"].pk]
    rest = _numbers(grouped)[2:]
    assert rest == sorted(rest)
    page = grouped.content.decode()
    assert page.index("Abschnitt 1 Anlass") < page.index("Abschnitt 3.2 Entwässerung") < page.index("ohne Abschnitt")
    invalid = _table(client, consultation, section="999999")
    assert invalid.context["page"].paginator.count == 10  # an unknown section is ignored (and shown as an error)


def test_xlsx_export_has_organisation_file_reference_section_and_attachments(
    client, authority_round, immediate_tasks, django_capture_on_commit_callbacks
):
    world = authority_round
    client.force_login(world["users"]["moderator"])
    consultation = world["consultation"]
    _start(client, consultation, "xlsx", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert (job.status, job.rows, job.personal) == ("succeeded", 10, False)
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, job)))["Abwägung"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    for column in ("Behörde / Organisation", "Aktenzeichen", "Keine Bedenken", "Frist der Behörde", "Abschnitt"):
        assert column in header
    by_text = {r[header.index("Stellungnahme")]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    water = by_text["Das Niederschlagswasser ist auf den Grundstücken zu versickern."]
    assert water["Einreicher/in"] == water["Behörde / Organisation"] == "Untere Wasserbehörde Hochtaunuskreis"
    assert water["Eingangsweg"] == "Behörde/TöB"
    assert water["Aktenzeichen"] == "UWB-2026/117"
    assert water["Verspätet"] == "nein"
    assert water["Abschnitt"] == "3.2 Entwässerung"
    assert water["Anhänge"] == "1: Gutachten Entwässerung.pdf"
    assert water["Frist der Behörde"].date() == world["water"].invitation.deadline
    utility = by_text["Keine Anregungen oder Bedenken."]
    assert (utility["Keine Bedenken"], utility["Verspätet"]) == ("ja", "ja")
    text = "\n".join(str(c) for r in rows for c in r)
    assert "Frau Sachbearbeiterin Wasser" not in text and "uwb@example.org" not in text


def test_filters_flow_into_csv_pdf_and_geopackage(
    client, authority_round, immediate_tasks, django_capture_on_commit_callbacks, tmp_path
):
    world = authority_round
    client.force_login(world["users"]["planner"])
    consultation = world["consultation"]
    table = _table(client, consultation, sender="authorities").content.decode()
    assert 'name="filters" value="sender=authorities"' in table
    for format in ("csv", "pdf", "gpkg"):
        _start(client, consultation, format, django_capture_on_commit_callbacks, filters="sender=authorities")
    csv_job, pdf_job, gpkg_job = (ExportJob.objects.get(format=f) for f in ("csv", "pdf", "gpkg"))
    assert csv_job.rows == pdf_job.rows == gpkg_job.rows == 2
    job_page = client.get(reverse("workbench:export_job", args=[consultation.pk, csv_job.pk])).content.decode()
    assert "Absender: nur Behörden/TöB" in job_page
    rows = list(csv.DictReader(io.StringIO(_download(client, csv_job).decode("utf-8-sig")), delimiter=";"))
    # Numbered in order received: the utility answered first.
    assert [r["Behörde / Organisation"] for r in rows] == ["Stadtwerke Usingen", "Untere Wasserbehörde Hochtaunuskreis"]
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_download(client, pdf_job))).pages)
    squeezed = "".join(pdf_text.split())  # narrow PDF columns wrap the cells
    assert "UWB-2026/117" in squeezed and "3.2Entwässerung" in squeezed and "Behörde/TöB" in squeezed
    path = tmp_path / "s.gpkg"
    path.write_bytes(_download(client, gpkg_job))
    frame = pyogrio.read_dataframe(path, layer="stellungnahmen")
    assert sorted(frame["organisation"]) == ["Stadtwerke Usingen", "Untere Wasserbehörde Hochtaunuskreis"]
    assert set(frame["frist"]) == {
        f"{i.deadline:%Y-%m-%d}" for i in (world["water"].invitation, world["utility"].invitation)
    }


def test_export_ordered_by_section_follows_the_table(
    client, authority_round, immediate_tasks, django_capture_on_commit_callbacks
):
    world = authority_round
    client.force_login(world["users"]["moderator"])
    consultation = world["consultation"]
    _start(client, consultation, "csv", django_capture_on_commit_callbacks, filters="order=section")
    job = ExportJob.objects.get()
    rows = list(csv.DictReader(io.StringIO(_download(client, job).decode("utf-8-sig")), delimiter=";"))
    assert [r["Abschnitt"] for r in rows[:3]] == ["1 Anlass", "3.2 Entwässerung", ""]
    assert job.filters == "order=section"


def test_public_result_names_the_authority(client, authority_round):
    from participation.workbench.models import ConsultationResult, Weighing

    world = authority_round
    consultation = world["consultation"]
    client.force_login(world["users"]["moderator"])
    client.get(reverse("workbench:table", args=[consultation.pk]))
    ConsultationResult.objects.create(consultation=consultation, published_at=consultation.ends_at)
    client.logout()
    page = client.get(reverse("workbench:public_result", args=[consultation.pk])).content.decode()
    number = Weighing.objects.get(statement=world["water"]).number
    assert f"{number}: Untere Wasserbehörde Hochtaunuskreis" in page
    assert "Frau Sachbearbeiterin Wasser" not in page


def test_statement_page_links_each_attachment_for_download(client, authority_round):
    world = authority_round
    consultation, water, attachment = world["consultation"], world["water"], world["attachment"]
    client.force_login(world["users"]["moderator"])
    client.get(reverse("workbench:table", args=[consultation.pk]))
    page = client.get(reverse("workbench:weighing", args=[consultation.pk, water.pk])).content.decode()
    url = reverse("participation:attachment_download", kwargs={"pk": attachment.pk})
    assert f'<a href="{url}">Gutachten Entwässerung.pdf</a>' in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == world["pdf"]
    client.force_login(world["users"]["foreign_planner"])
    assert client.get(url).status_code in (403, 404)


def test_staff_may_rename_the_authority_for_the_table(client, authority_round):
    world = authority_round
    consultation, water = world["consultation"], world["water"]
    client.force_login(world["users"]["planner"])
    client.get(reverse("workbench:table", args=[consultation.pk]))
    response = client.post(
        reverse("workbench:weighing", args=[consultation.pk, water.pk]),
        {"decision": "noted", "response": "", "internal_note": "", "organisation": "Kreis, Untere Wasserbehörde"},
    )
    assert response.status_code == 302
    page = client.get(reverse("workbench:table", args=[consultation.pk])).content.decode()
    assert "Kreis, Untere Wasserbehörde" in page and "Untere Wasserbehörde Hochtaunuskreis" not in page
