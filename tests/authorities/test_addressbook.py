"""The authorities' address book: staff pages, CSV import and export, permissions."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from participation.authorities import services
from participation.authorities.models import Authority, Invitation
from tests.authorities.conftest import authorities_round, make_authority

pytestmark = pytest.mark.django_db


def _url(name, municipality):
    return reverse(f"authorities:{name}", kwargs={"municipality": municipality.slug})


def _upload(client, municipality, content: bytes, name="behoerden.csv"):
    return client.post(
        _url("staff_import", municipality), {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def test_planner_adds_an_authority_with_several_emails_and_subject_areas(client, planner, municipality):
    client.force_login(planner)

    response = client.post(
        _url("staff_create", municipality),
        {
            "organisation": "Wasserverband Usatal",
            "department": "Abwasser",
            "emails": "info@wv.example, technik@wv.example\nleitung@wv.example",
            "subject_areas": ["water", "utilities"],
            "active": "on",
            "notes": "Ansprechpartner Herr Kurz",
        },
    )

    assert response.status_code == 302
    authority = Authority.objects.get()
    assert authority.municipality == municipality
    assert authority.emails == ["info@wv.example", "technik@wv.example", "leitung@wv.example"]
    assert authority.subject_areas == ["water", "utilities"]
    assert authority.active
    page = client.get(_url("staff_list", municipality)).content.decode()
    assert "Wasserverband Usatal" in page and "Ver- und Entsorgung" in page


def test_an_invalid_email_is_refused_and_nothing_is_saved(client, planner, municipality):
    client.force_login(planner)

    response = client.post(
        _url("staff_create", municipality),
        {"organisation": "Kreis", "emails": "kreis@example.org kein-at-zeichen", "active": "on"},
    )

    assert response.status_code == 200
    assert "Ungültige E-Mail-Adresse: kein-at-zeichen" in response.content.decode()
    assert not Authority.objects.exists()


def test_the_same_organisation_and_department_twice_is_refused(client, planner, municipality):
    make_authority(municipality, "Hessen Mobil", department="Straßenbau")
    client.force_login(planner)

    response = client.post(
        _url("staff_create", municipality),
        {"organisation": "Hessen Mobil", "department": "straßenbau", "emails": "x@mobil.example", "active": "on"},
    )

    assert response.status_code == 200
    assert "steht schon im Adressbuch" in response.content.decode()
    assert Authority.objects.count() == 1


def test_the_list_filters_by_subject_area(client, planner, municipality, authorities):
    client.force_login(planner)

    page = client.get(_url("staff_list", municipality), {"area": "water"}).content.decode()

    assert "Wasserverband Usatal" in page
    assert "Hessen Mobil" not in page


def test_planner_deactivates_an_authority(client, planner, authorities):
    client.force_login(planner)
    authority = authorities[2]

    response = client.post(
        reverse("authorities:staff_edit", kwargs={"pk": authority.pk}),
        {"organisation": authority.organisation, "emails": "neu@mobil.example", "subject_areas": ["traffic"]},
    )

    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.active is False
    assert authority.emails == ["neu@mobil.example"]


def test_an_invited_authority_cannot_be_deleted_but_a_new_one_can(client, planner, plan, authorities):
    invited, fresh = authorities[0], authorities[1]
    Invitation.objects.create(
        consultation=authorities_round(plan), authority=invited, deadline=plan.created_at.date(), key="k"
    )
    client.force_login(planner)

    refused = client.post(reverse("authorities:staff_delete", kwargs={"pk": invited.pk}), follow=True)
    client.post(reverse("authorities:staff_delete", kwargs={"pk": fresh.pk}))

    assert "bereits eingeladen" in refused.content.decode()
    assert Authority.objects.filter(pk=invited.pk).exists()
    assert not Authority.objects.filter(pk=fresh.pk).exists()


GOOD_CSV = (
    "organisation;department;emails;subject_areas;active;notes\r\n"
    "Wasserverband Usatal;;info@wv.example | technik@wv.example;Wasser und Boden;ja;\r\n"
    "Kreisausschuss Hochtaunus;Untere Naturschutzbehörde;natur@kreis.example;Natur- und Umweltschutz, water;ja;"
    "Frau Grün\r\n"
    "Stadtwerke Usingen;;netz@stadtwerke.example;utilities;nein;- Ansprechpartner fehlt\r\n"
)


def test_import_with_bom_and_semicolons_creates_entries_and_reports_counts(client, planner, municipality):
    client.force_login(planner)

    response = _upload(client, municipality, GOOD_CSV.encode("utf-8-sig"))

    assert response.status_code == 302
    messages = client.get(response["Location"]).content.decode()
    assert "Import abgeschlossen: 3 neu, 0 geändert, 0 unverändert." in messages
    nature = Authority.objects.get(department="Untere Naturschutzbehörde")
    assert nature.subject_areas == ["nature", "water"]
    assert nature.notes == "Frau Grün"
    assert Authority.objects.get(organisation="Wasserverband Usatal").emails == [
        "info@wv.example",
        "technik@wv.example",
    ]
    assert Authority.objects.get(organisation="Stadtwerke Usingen").active is False


def test_a_second_import_updates_matching_rows_and_counts_unchanged_ones(client, planner, municipality):
    client.force_login(planner)
    _upload(client, municipality, GOOD_CSV.encode("utf-8-sig"))
    changed = (
        "organisation,department,emails,subject_areas,active,notes\n"
        'Wasserverband Usatal,,"neu@wv.example, info@wv.example",water|utilities,ja,\n'
        "Kreisausschuss Hochtaunus,Untere Naturschutzbehörde,natur@kreis.example,"
        '"Natur- und Umweltschutz, water",ja,Frau Grün\n'
        "Hessen Mobil,,mobil@hessen.example,Verkehr,,\n"
    )

    response = _upload(client, municipality, changed.encode())

    assert (
        "Import abgeschlossen: 1 neu, 1 geändert, 1 unverändert." in client.get(response["Location"]).content.decode()
    )
    water = Authority.objects.get(organisation="Wasserverband Usatal")
    assert water.emails == ["neu@wv.example", "info@wv.example"]
    assert water.subject_areas == ["water", "utilities"]
    assert Authority.objects.count() == 4  # Stadtwerke, not in the file, stay


def test_a_bad_file_names_every_bad_row_and_imports_nothing(client, planner, municipality):
    existing = make_authority(municipality, "Wasserverband Usatal", emails=["alt@wv.example"])
    client.force_login(planner)
    bad = (
        "organisation;department;emails;subject_areas;active;notes\n"
        "Wasserverband Usatal;;neu@wv.example;water;ja;\n"
        ";;ohne@organisation.example;;;\n"
        "Kreis;;kein-at-zeichen;;;\n"
        "Stadtwerke;;netz@sw.example;Hochseefischerei;vielleicht;\n"
    )

    response = _upload(client, municipality, bad.encode())

    page = response.content.decode()
    assert response.status_code == 200
    assert "Zeile 3: Die Organisation fehlt." in page
    assert "Zeile 4: Ungültige E-Mail-Adresse: kein-at-zeichen" in page
    assert "Zeile 5: Unbekannter Fachbereich: Hochseefischerei" in page
    assert "Zeile 5: „aktiv“ muss „ja“ oder „nein“ sein." in page
    assert "Zeile 2" not in page
    assert list(Authority.objects.values_list("organisation", flat=True)) == ["Wasserverband Usatal"]
    existing.refresh_from_db()
    assert existing.emails == ["alt@wv.example"]


def test_a_file_that_is_not_utf8_is_refused(client, planner, municipality):
    client.force_login(planner)

    response = _upload(client, municipality, GOOD_CSV.encode("cp1252"))

    assert "nicht UTF-8-kodiert" in response.content.decode()
    assert not Authority.objects.exists()


def test_a_file_with_wrong_columns_is_refused(client, planner, municipality):
    client.force_login(planner)

    response = _upload(client, municipality, b"name;mail\nKreis;k@kreis.example\n")

    assert "Die Kopfzeile muss die Spalten" in response.content.decode()
    assert not Authority.objects.exists()


def test_export_and_import_round_trip(client, planner, municipality, other_planner):
    client.force_login(planner)
    _upload(client, municipality, GOOD_CSV.encode("utf-8-sig"))

    exported = client.get(_url("staff_export", municipality))

    assert exported["Content-Type"].startswith("text/csv")
    data = exported.content
    assert data.startswith("\ufeff".encode()) and b"organisation;department;emails" in data
    assert b"'- Ansprechpartner fehlt" in data  # no formula for a spreadsheet
    again = _upload(client, municipality, data)
    assert "0 neu, 0 geändert, 3 unverändert" in client.get(again["Location"]).content.decode()
    other = other_planner.memberships.get().municipality
    client.force_login(other_planner)
    _upload(client, other, data)
    fields = ("organisation", "department", "emails", "subject_areas", "active", "notes")
    assert list(Authority.objects.filter(municipality=other).values(*fields)) == list(
        Authority.objects.filter(municipality=municipality).values(*fields)
    )


@pytest.mark.parametrize("name", ["staff_list", "staff_create", "staff_import", "staff_export"])
def test_another_municipality_gets_404_and_a_moderator_403(client, municipality, other_planner, moderator, name):
    client.force_login(other_planner)
    assert client.get(_url(name, municipality)).status_code == 404
    client.force_login(moderator)
    assert client.get(_url(name, municipality)).status_code == 403


def test_a_foreign_entry_cannot_be_edited_or_deleted(client, other_planner, authorities):
    client.force_login(other_planner)
    authority = authorities[0]

    assert client.get(reverse("authorities:staff_edit", kwargs={"pk": authority.pk})).status_code == 404
    assert client.post(reverse("authorities:staff_delete", kwargs={"pk": authority.pk})).status_code == 404
    assert Authority.objects.filter(pk=authority.pk).exists()


def test_the_services_refuse_a_moderator(moderator, municipality, authorities):
    with pytest.raises(PermissionDenied):
        services.authority_create(municipality=municipality, by=moderator, organisation="X", emails=["x@x.example"])
    with pytest.raises(PermissionDenied):
        services.address_book_import(municipality=municipality, data=GOOD_CSV.encode(), by=moderator)
    with pytest.raises(PermissionDenied):
        services.authority_delete(authority=authorities[0], by=moderator)
    assert Authority.objects.count() == 3


def test_the_staff_dashboard_links_planners_to_the_address_book(client, planner, moderator, municipality):
    client.force_login(planner)
    assert _url("staff_list", municipality) in client.get(reverse("plans:staff_dashboard")).content.decode()
    client.force_login(moderator)
    assert _url("staff_list", municipality) not in client.get(reverse("plans:staff_dashboard")).content.decode()


def test_the_import_command_shares_the_checks_of_the_upload(tmp_path, municipality, moderator):
    good, bad = tmp_path / "gut.csv", tmp_path / "schlecht.csv"
    good.write_bytes(GOOD_CSV.encode("utf-8-sig"))
    bad.write_text("organisation;emails\nKreis;kein-at-zeichen\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import_authorities", municipality.slug, str(good), stdout=out)
    with pytest.raises(CommandError, match="Zeile 2: Ungültige E-Mail-Adresse: kein-at-zeichen"):
        call_command("import_authorities", municipality.slug, str(bad))
    with pytest.raises(CommandError):
        call_command("import_authorities", municipality.slug, str(good), "--user", moderator.username)

    assert "3 created, 0 updated, 0 unchanged" in out.getvalue()
    assert Authority.objects.count() == 3
