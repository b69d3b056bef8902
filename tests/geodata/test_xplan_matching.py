"""Re-importing XPlanGML: which plan is updated, features updated in place, sidecars, malformed AGS."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from geodata.importers import ImportRejected
from geodata.models import Feature, ImportRun, Layer
from geodata.services import xplan_import
from participation.models import Statement
from plans.models import Membership, Plan
from plans.rules import SYSTEM
from tests.factories import ConsultationFactory, MembershipFactory, MunicipalityFactory, StatementFactory, square

from .xplan_samples import write_xplan, xplan_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


def run_command(*args):
    out = io.StringIO()
    call_command("import_xplan", *map(str, args), stdout=out)
    return out.getvalue()


def test_three_plans_numbered_1_stay_three_plans(usingen, tmp_path):
    names = ["Am Riedborn", "Schlossgarten", "Gewerbegebiet Süd"]
    outputs = [run_command(write_xplan(tmp_path, f"p{i}.gml", name=name, number="1")) for i, name in enumerate(names)]
    assert all("neu angelegt" in out for out in outputs)
    assert sorted(Plan.objects.values_list("title", flat=True)) == sorted(names)
    assert Plan.objects.filter(number="1").count() == 3
    # Re-importing the second file updates exactly that plan, and says so.
    again = run_command(tmp_path / "p1.gml")
    assert "aktualisiert: „Schlossgarten“" in again and "neu angelegt" not in again
    assert Plan.objects.count() == 3
    for plan in Plan.objects.all():
        # Baugebiete and Grünflächen, none overwritten by another file; Schlossgarten has a second version.
        assert plan.layers.filter(current=True).count() == 2
        assert plan.versions.count() == (2 if plan.title == "Schlossgarten" else 1)


def test_bp_and_fp_with_same_number_and_name_are_different_plans(usingen, tmp_path):
    bp = xplan_import(by=SYSTEM, path=write_xplan(tmp_path, "bp.gml", name="Ortsmitte", number="7"))
    fp_file = write_xplan(tmp_path, "fp.gml", plan_class="FP_Plan", name="Ortsmitte", number="7")
    fp = xplan_import(by=SYSTEM, path=fp_file)
    assert bp.plan_created and fp.plan_created and bp.plan_id != fp.plan_id
    assert Plan.objects.get(pk=fp.plan_id).kind == Plan.Kind.FNP
    again = xplan_import(by=SYSTEM, path=tmp_path / "fp.gml")
    assert again.plan_id == fp.plan_id and again.plan_action == "aktualisiert: „Ortsmitte“"


def test_explicit_plan_on_the_command_line_is_updated(usingen, tmp_path):
    run_command(write_xplan(tmp_path, "a.gml", name="Am Riedborn", number="64"))
    plan = Plan.objects.get()
    renamed = write_xplan(tmp_path, "b.gml", name="Am Riedborn, 1. Änderung", number="64a")
    out = run_command(renamed, "--plan", plan.slug)
    assert "aktualisiert: „Am Riedborn, 1. Änderung“" in out
    plan.refresh_from_db()
    assert Plan.objects.count() == 1 and (plan.title, plan.number) == ("Am Riedborn, 1. Änderung", "64a")
    with pytest.raises(CommandError, match="does not exist"):
        run_command(renamed, "--plan", "gibt-es-nicht")


def test_several_matching_plans_must_be_chosen_explicitly(usingen, tmp_path):
    path = write_xplan(tmp_path, name="Am Riedborn", number="1")
    xplan_import(by=SYSTEM, path=path)
    first = Plan.objects.get()
    Plan.objects.create(
        municipality=usingen, kind="bplan", number="1", title="Am Riedborn", slug="am-riedborn-2", area=first.area
    )
    with pytest.raises(ImportRejected, match="Mehrere Pläne passen zu dieser Datei") as exc:
        xplan_import(by=SYSTEM, path=path)
    assert exc.value.code == "ambiguous_plan"
    report = xplan_import(by=SYSTEM, path=path, plan=first)
    assert report.plan_id == first.pk and not report.plan_created


def test_staff_form_updates_the_chosen_plan_and_reports_it(
    client, usingen, tmp_path, django_capture_on_commit_callbacks
):
    xplan_import(by=SYSTEM, path=write_xplan(tmp_path, "a.gml", name="Am Riedborn", number="1"))
    xplan_import(by=SYSTEM, path=write_xplan(tmp_path, "b.gml", name="Schlossgarten", number="1"))
    target = Plan.objects.get(title="Schlossgarten")
    planner = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    url = reverse("geodata:xplan_import")
    page = client.get(url).content.decode()
    assert 'name="plan"' in page and "Automatisch zuordnen" in page
    upload = SimpleUploadedFile("neu.gml", xplan_text(name="Schlossgarten (Entwurf 2)", number="1").encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": upload, "municipality": usingen.pk, "plan": target.pk})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.READY, run.error
    preview = client.get(response.url).content.decode()
    assert "Aktualisiert Plan „Schlossgarten“ (Fassung 1 → 2)" in preview
    target.refresh_from_db()
    assert target.title == "Schlossgarten"  # nothing written before the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    target.refresh_from_db()
    assert target.title == "Schlossgarten (Entwurf 2)" and Plan.objects.count() == 2
    report_page = client.get(response.url).content.decode()
    assert "aktualisiert: „Schlossgarten (Entwurf 2)“" in report_page


def test_staff_form_refuses_a_plan_of_another_municipality(client, usingen, tmp_path):
    other = MunicipalityFactory()
    foreign = Plan.objects.create(
        municipality=other, kind="bplan", number="1", title="Fremd", slug="fremd", area=other.boundary
    )
    planner = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    upload = SimpleUploadedFile("neu.gml", xplan_text().encode())
    response = client.post(
        reverse("geodata:xplan_import"), {"file": upload, "municipality": usingen.pk, "plan": foreign.pk}
    )
    assert response.status_code == 200 and not ImportRun.objects.exists()
    assert "Auswahl" in response.content.decode()  # not a valid choice for this planner


def test_reimport_creates_a_version_and_statements_keep_their_element(usingen, tmp_path):
    path = write_xplan(tmp_path)
    first = xplan_import(by=SYSTEM, path=path)
    plan = Plan.objects.get(pk=first.plan_id)
    assert first.version_number == 1
    v1_layers = set(plan.layers.values_list("pk", flat=True))
    wa1 = Feature.objects.get(source_id="GML_wa1")
    statement = StatementFactory(consultation=ConsultationFactory(plan=plan), feature=wa1)

    second = xplan_import(by=SYSTEM, path=path)  # the same file again: a new version, nothing changed
    assert second.plan_id == plan.pk and second.plan_action == "aktualisiert: „Am Riedborn“"
    assert second.version_number == 2 and (second.created, second.updated, second.deleted) == (3, 0, 0)
    assert [layer["unchanged"] for layer in second.layers] == [2, 1]
    assert not plan.layers.filter(pk__in=v1_layers, current=True).exists()
    assert Feature.objects.filter(source_id="GML_wa1").count() == 2  # one per version
    statement.refresh_from_db()
    assert statement.feature_id == wa1.pk

    # Changed file: wa1 grows and gets a new GRZ, wa2 is gone, wa3 is new.
    changed = write_xplan(
        tmp_path,
        "changed.gml",
        features=[
            ("GML_wa1", "BP_BaugebietsTeilFlaeche", (20, 20, 120), {"GRZ": "0.5"}),
            ("GML_wa3", "BP_BaugebietsTeilFlaeche", (160, 160, 50), {}),
            ("GML_gruen", "BP_GruenFlaeche", (20, 150, 100), {}),
        ],
    )
    third = xplan_import(by=SYSTEM, path=changed)
    assert third.version_number == 3 and (third.updated, third.deleted) == (1, 1)
    baugebiete = next(item for item in third.changes if item["key"] == "BP_BaugebietsTeilFlaeche")
    assert (baugebiete["new"], baugebiete["removed"], baugebiete["changed"], baugebiete["unchanged"]) == (1, 1, 1, 0)
    wa1_now = Feature.objects.get(source_id="GML_wa1", layer__current=True)
    assert wa1_now.pk != wa1.pk and wa1_now.properties["GRZ"] == "0.5"
    assert wa1_now.geometry.transform(25832, clone=True).area == pytest.approx(120 * 120, rel=1e-6)
    assert not Feature.objects.filter(source_id="GML_wa2", layer__current=True).exists()
    assert Feature.objects.filter(source_id="GML_wa2").count() == 2  # still in versions 1 and 2
    assert Layer.objects.get(xplan_class="BP_BaugebietsTeilFlaeche", current=True).feature_count == 2
    wa1.refresh_from_db()
    assert wa1.properties["GRZ"] == "0.4" and Statement.objects.get(pk=statement.pk).feature_id == wa1.pk


def test_reimport_leaves_classes_no_longer_in_the_file_out_of_the_new_version(usingen, tmp_path):
    xplan_import(by=SYSTEM, path=write_xplan(tmp_path))
    only_wa = [("GML_wa1", "BP_BaugebietsTeilFlaeche", (20, 20, 100), {})]
    report = xplan_import(by=SYSTEM, path=write_xplan(tmp_path, "b.gml", features=only_wa))
    assert list(Layer.objects.filter(current=True).values_list("xplan_class", flat=True)) == [
        "BP_BaugebietsTeilFlaeche"
    ]
    assert Layer.objects.count() == 3  # version 1's two layers stay readable
    assert report.layers[0]["changed"] == 1 and report.deleted == 2  # wa1 lost its GRZ; wa2 and the green gone


def test_sidecar_files_in_the_archive_are_ignored(usingen, tmp_path):
    archive = tmp_path / "plan.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("plan/xplan.gml", xplan_text())
        zf.writestr("plan/plan.tif", b"II*\x00")  # raster drawing with its world file and GDAL sidecar
        zf.writestr("plan/plan.tfw", "1\n0\n0\n-1\n470000\n5576300\n")
        zf.writestr("plan/plan.tif.aux.xml", "<PAMDataset></PAMDataset>")
        zf.writestr("plan/xplan.gml.aux.xml", "<PAMDataset></PAMDataset>")
        zf.writestr("plan/begruendung.pdf", b"%PDF-1.4")
        zf.writestr("plan/metadaten.xml", "<metadata/>")
        zf.writestr("plan/XPlanGML.xsd", "<xs:schema/>")
        zf.writestr("plan/liesmich.txt", "Planzeichnung und Begründung")
    out = run_command(archive, "--municipality", "usingen")
    assert "neu angelegt" in out and Feature.objects.count() == 3


def test_two_gml_files_are_still_ambiguous(usingen, tmp_path):
    archive = tmp_path / "plans.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.gml", xplan_text())
        zf.writestr("b.gml", xplan_text(name="Anderer Plan"))
    with pytest.raises(CommandError, match="mehrere Geodateien"):
        run_command(archive)


def test_malformed_ags_is_explained_and_an_explicit_municipality_works(usingen, tmp_path):
    path = write_xplan(tmp_path, ags="6434011")  # leading zero lost: 7 digits
    with pytest.raises(ImportRejected) as exc:
        xplan_import(by=SYSTEM, path=path)
    assert exc.value.code == "ags_malformed"
    assert "(6434011) ist ungültig" in str(exc.value)
    assert "Bitte wählen Sie die Kommune ausdrücklich" in str(exc.value)
    assert not Plan.objects.exists()
    out = run_command(path, "--municipality", "usingen")
    assert "neu angelegt" in out and "6434011" in out  # the note says the AGS was not checked
    assert Plan.objects.get().municipality == usingen
