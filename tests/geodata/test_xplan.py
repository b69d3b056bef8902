import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pyproj import Transformer

from geodata.importers import ImportRejected
from geodata.importers.gml import arc_points
from geodata.models import Feature, Layer
from geodata.services import xplan_import
from plans.models import Plan, StageChange
from plans.rules import SYSTEM
from tests.factories import MunicipalityFactory, PlanFactory, square

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "geodata"
BPLAN_54 = DATA / "bplan_5_4_epsg25832.gml"
BPLAN_60 = DATA / "bplan_6_0_epsg25833.gml"


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


@pytest.fixture
def dresden(db):
    return MunicipalityFactory(name="Dresden", slug="dresden", ags="14612000", boundary=square(13.6, 50.95, 0.3))


def test_xplan_5_4_creates_plan_and_one_layer_per_content_class(usingen):
    report = xplan_import(by=SYSTEM, path=BPLAN_54)
    plan = Plan.objects.get(pk=report.plan_id)
    assert report.plan_created
    assert (report.plan_title, report.layer_name) == ("Wohngebiet Am Riedborn", "")
    assert plan.municipality == usingen
    assert (plan.title, plan.number, plan.kind, plan.stage) == ("Wohngebiet Am Riedborn", "64", "bplan", "publication")
    assert plan.status == Plan.Status.DRAFT and plan.slug == "wohngebiet-am-riedborn"
    # Geltungsbereich 400 m x 300 m, stored in EPSG:4326.
    assert plan.area.geom_type == "MultiPolygon"
    assert plan.area.transform(25832, clone=True).area == pytest.approx(120_000, rel=1e-6)
    layers = {layer.xplan_class: layer for layer in plan.layers.all()}
    assert set(layers) == {"BP_BaugebietsTeilFlaeche", "BP_GruenFlaeche", "BP_StrassenVerkehrsFlaeche", "XP_PPO"}
    assert layers["BP_BaugebietsTeilFlaeche"].name == "Baugebietsteilfläche"
    assert layers["BP_BaugebietsTeilFlaeche"].kind == Layer.Kind.BUILDING_AREAS
    assert layers["BP_BaugebietsTeilFlaeche"].xplan_version == "5.4"
    assert layers["BP_GruenFlaeche"].kind == Layer.Kind.GREEN_SPACES
    assert (layers["XP_PPO"].name, layers["XP_PPO"].kind) == ("Punktförmiges Präsentationsobjekt", Layer.Kind.LABELS)
    assert layers["BP_BaugebietsTeilFlaeche"].feature_count == 2
    wa1 = Feature.objects.get(source_id="GML_wa1")
    assert wa1.properties["GRZ"] == "0.4" and wa1.properties["allgArtDerBaulNutzung"] == "1000"
    assert wa1.properties["gehoertZuBereich"] == "#GML_bereich_0"
    assert StageChange.objects.filter(plan=plan, stage="publication").count() == 1
    assert (report.found, report.created, report.rejected) == (5, 5, 0)
    assert report.source_crs == "EPSG:25832"


def test_arc_is_linearised_along_the_circle(usingen):
    xplan_import(by=SYSTEM, path=BPLAN_54)
    geometry = Feature.objects.get(source_id="GML_wa1").geometry.transform(25832, clone=True)
    # Rectangle 160 x 120 m plus a circular segment (r = 100 m, chord 160 m, height 40 m).
    import math

    segment = 100**2 * math.acos(0.6) - 80 * 60
    assert geometry.num_points > 30
    assert geometry.area == pytest.approx(160 * 120 + segment, rel=1e-3)
    top = max(y for x, y in geometry.coords[0])
    assert top == pytest.approx(5576180, abs=0.01)


def test_arc_points_pass_through_the_middle_point():
    points = arc_points((0.0, 0.0), (1.0, 1.0), (2.0, 0.0))
    assert points[0] == (0.0, 0.0) and points[-1] == (2.0, 0.0)
    assert all(abs((x - 1) ** 2 + y**2 - 1) < 1e-9 for x, y in points)
    assert max(y for _, y in points) == pytest.approx(1.0, abs=1e-3)


def test_unclosed_ring_is_closed_and_reported(usingen):
    report = xplan_import(by=SYSTEM, path=BPLAN_54)
    assert report.repaired == 1
    assert any("GML_gruen1" in note and "nicht geschlossen" in note for note in report.notes)
    green = Feature.objects.get(source_id="GML_gruen1").geometry.transform(25832, clone=True)
    assert green.valid and green.area == pytest.approx(360 * 80, rel=1e-6)


def test_ags_with_leading_zero_is_kept_as_text(usingen):
    MunicipalityFactory(ags="64340110", slug="falsch", boundary=square(8.45, 50.28, 0.2))
    report = xplan_import(by=SYSTEM, path=BPLAN_54)
    assert Plan.objects.get(pk=report.plan_id).municipality.ags == "06434011"


def test_xplan_6_0_in_epsg25833_with_urn_and_3d_coordinates(dresden):
    report = xplan_import(by=SYSTEM, path=BPLAN_60)
    plan = Plan.objects.get(pk=report.plan_id)
    assert (plan.kind, plan.stage, plan.number) == ("vbplan", "adopted", "VEP 12")
    assert report.source_crs == "EPSG:25833"
    feature = Feature.objects.get(source_id="GML_mu1")
    assert feature.geometry.geom_type == "MultiPolygon" and not feature.geometry.hasz
    assert feature.properties["allgArtDerBaulNutzung"] == "2000"
    green = Feature.objects.get(source_id="GML_gruen_vep")
    assert green.properties["zweckbestimmung"] == {"allgemein": "1000"}
    back = Transformer.from_crs(4326, 25833, always_xy=True)
    x, y = back.transform(*green.geometry.coords[0][0])
    assert abs(x - 411600) < 0.01 and abs(y - 5656200) < 0.01


def test_reimport_updates_instead_of_duplicating(usingen, tmp_path):
    first = xplan_import(by=SYSTEM, path=BPLAN_54)
    changed = tmp_path / "bplan.gml"
    changed.write_text(
        BPLAN_54.read_text()
        .replace("<xplan:rechtsstand>2000", "<xplan:rechtsstand>3000")
        .replace("Wohngebiet Am Riedborn", "Wohngebiet Am Riedborn (geändert)")
    )
    plan = Plan.objects.get()
    second = xplan_import(by=SYSTEM, path=changed, plan=plan)  # renamed: the plan is chosen explicitly
    assert second.plan_id == first.plan_id and second.plan_created is False
    plan = Plan.objects.get()
    assert plan.title == "Wohngebiet Am Riedborn (geändert)" and plan.stage == "adopted"
    # A new version (Fassung 2) with its own layers (3 content classes, 1 label layer); version 1 stays as it was.
    assert second.version_number == 2
    assert plan.layers.filter(current=True).count() == 4
    assert Feature.objects.filter(layer__current=True).count() == 5
    assert plan.versions.get(number=1).layers.count() == 4


def test_reimport_keeps_layers_not_from_xplan(usingen):
    plan = PlanFactory(municipality=usingen, number="64", title="Wohngebiet Am Riedborn", kind="bplan")
    own = Layer.objects.create(plan=plan, name="Eigene Ebene")
    report = xplan_import(by=SYSTEM, path=BPLAN_54)
    assert report.plan_id == plan.pk
    assert Layer.objects.filter(pk=own.pk, current=True).exists()
    assert plan.versions.get(number=report.version_number).layers.filter(pk=own.pk).exists()


def test_zip_with_xplan_and_command(usingen, tmp_path):
    archive = tmp_path / "plan.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(BPLAN_54, "xplan.gml")
        zf.writestr("begruendung.pdf", b"%PDF-1.4")
    out = io.StringIO()
    call_command("import_xplan", str(archive), "--municipality", "usingen", stdout=out)
    assert "neu angelegt" in out.getvalue()
    assert "Baugebietsteilfläche (BP_BaugebietsTeilFlaeche): 2 features created" in out.getvalue()
    assert "repaired: 1" in out.getvalue()
    call_command("import_xplan", str(archive), stdout=out)
    assert "aktualisiert: „Wohngebiet Am Riedborn“" in out.getvalue() and Plan.objects.count() == 1


def assert_nothing_saved():
    assert not Plan.objects.exists() and not Layer.objects.exists() and not Feature.objects.exists()


def test_unknown_ags_is_refused(db):
    with pytest.raises(ImportRejected, match="Keine Kommune mit dem Amtlichen Gemeindeschlüssel 06434011"):
        xplan_import(by=SYSTEM, path=BPLAN_54)
    assert_nothing_saved()


def test_municipality_must_match_ags(usingen, dresden):
    with pytest.raises(CommandError, match=r"Gemeindeschlüssel in der Datei \(06434011\) passt nicht zu Dresden"):
        call_command("import_xplan", str(BPLAN_54), "--municipality", "dresden", stdout=io.StringIO())
    assert_nothing_saved()


def test_truncated_xplan_is_refused(usingen, tmp_path):
    path = tmp_path / "kaputt.gml"
    path.write_bytes(BPLAN_54.read_bytes()[:2000])
    with pytest.raises(ImportRejected, match="kein gültiges XML"):
        xplan_import(by=SYSTEM, path=path)
    assert_nothing_saved()


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ],
    ids=["xxe", "billion-laughs"],
)
def test_xplan_with_entities_is_refused(usingen, tmp_path, doctype):
    text = BPLAN_54.read_text().replace("<xplan:XPlanAuszug", doctype + "\n<xplan:XPlanAuszug", 1)
    path = tmp_path / "boese.gml"
    path.write_text(
        text.replace(
            "<xplan:name>Wohngebiet", "<xplan:name>&xxe;Wohngebiet" if "xxe" in doctype else "<xplan:name>&b;Wohngebiet"
        )
    )
    with pytest.raises(ImportRejected, match="DOCTYPE- oder ENTITY-Deklaration"):
        xplan_import(by=SYSTEM, path=path)
    assert_nothing_saved()


def test_hardened_parser_refuses_entities_even_without_prescan(tmp_path):
    from geodata.importers.xplan import parse_xml

    path = tmp_path / "a.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    with pytest.raises(ImportRejected, match="DOCTYPE"):
        parse_xml(path)


def test_xplan_with_unknown_epsg_is_refused(usingen, tmp_path):
    path = tmp_path / "epsg.gml"
    path.write_text(BPLAN_54.read_text().replace("EPSG:25832", "EPSG:99999"))
    with pytest.raises(ImportRejected, match="EPSG-Code 99999 ist unbekannt"):
        xplan_import(by=SYSTEM, path=path)
    assert_nothing_saved()


def test_not_an_xplan_file_is_refused(usingen, tmp_path):
    path = tmp_path / "other.gml"
    path.write_text('<?xml version="1.0"?><a xmlns="urn:x"/>')
    with pytest.raises(ImportRejected, match="kein XPlanGML-Dokument"):
        xplan_import(by=SYSTEM, path=path)


def test_xplan_zip_with_traversal_is_refused(usingen, tmp_path):
    archive = tmp_path / "plan.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(BPLAN_54, "../../xplan.gml")
    with pytest.raises(ImportRejected, match="unzulässigen Pfad"):
        xplan_import(by=SYSTEM, path=archive)
    assert_nothing_saved()


def test_area_outside_municipality_is_refused(usingen, tmp_path):
    usingen.boundary = square(9.5, 51.0, 0.1)
    usingen.save()
    with pytest.raises(ImportRejected, match="außerhalb der Gemeindegrenze"):
        xplan_import(by=SYSTEM, path=BPLAN_54)
    assert_nothing_saved()


def test_fixture_files_are_unchanged_by_import(usingen, tmp_path):
    copy = tmp_path / "copy.gml"
    shutil.copy(BPLAN_54, copy)
    xplan_import(by=SYSTEM, path=copy)
    assert copy.read_bytes() == BPLAN_54.read_bytes()
