"""XPlanGML export of a plan: round trip through our importer, counts, text sections, loud failures."""

import io
from pathlib import Path

import pytest
from django.contrib.gis.geos import GeometryCollection, Point, Polygon
from django.core.management import CommandError, call_command
from lxml import etree

from geodata.errors import ExportError
from geodata.exporters_xplan import xplan_export
from geodata.importers.xplan import read_xplan
from geodata.importers.xplan_texts import read_text_sections_file
from geodata.models import Feature
from geodata.services import xplan_import
from geodata.validation import validate_xplan
from plans.models import Plan
from plans.rules import SYSTEM
from tests.factories import MunicipalityFactory, square

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[1] / "data" / "xplan" / "bplan_texte_6_0.gml"


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


@pytest.fixture
def plan(usingen):
    return Plan.objects.get(pk=xplan_import(by=SYSTEM, path=SOURCE).plan_id)


def by_id(document):
    return {item.gml_id: item for items in document.features.values() for item in items}


def test_export_reimports_to_the_same_features_attributes_and_text_sections(tmp_path, plan):
    path = tmp_path / "export.gml"
    result = xplan_export(plan=plan, path=path, by=SYSTEM)
    assert (result.written, result.text_sections, result.crs) == (3, 3, "EPSG:25832")
    assert result.parts == {"BP_BaugebietsTeilFlaeche": 2, "BP_GruenFlaeche": 1}
    original, exported = read_xplan(SOURCE), read_xplan(path)
    assert (exported.plan_class, exported.name, exported.number, exported.ags) == (
        "BP_Plan",
        "Wohnen am Hattsteiner Weg",
        "17",
        "06434011",
    )
    assert exported.crs_label == "EPSG:25832" and exported.legal_status == "2400"
    assert exported.area.equals_exact(original.area, tolerance=0.002)
    before, after = by_id(original), by_id(exported)
    assert set(after) == set(before) == {"GML_wa_nord", "GML_wa_sued", "GML_gruen_ost"}
    for gml_id, item in before.items():
        assert after[gml_id].cls == item.cls
        assert after[gml_id].geometry.normalize().equals_exact(item.geometry.normalize(), tolerance=0.002)
        assert after[gml_id].properties == item.properties
    texts = {t.gml_id: t for t in read_text_sections_file(path)}
    assert {k: (t.number, t.legal_basis) for k, t in texts.items()} == {
        "GML_text_1_1": ("1.1", "BauNVO § 4 Abs. 3"),
        "GML_text_1_2": ("1.2", "BauGB § 9 Abs. 1 Nr. 1"),
        "GML_text_2_1": ("2.1", ""),
    }
    assert texts["GML_text_1_1"].text == {t.gml_id: t for t in read_text_sections_file(SOURCE)}["GML_text_1_1"].text


def test_export_imports_again_into_the_same_plan_without_changes(tmp_path, plan):
    path = tmp_path / "export.gml"
    xplan_export(plan=plan, path=path, by=SYSTEM)
    before = {f.source_id: (f.pk, f.properties) for f in Feature.objects.all()}
    report = xplan_import(by=SYSTEM, path=path, plan=plan)
    # A new Fassung whose elements all count as unchanged; the first Fassung's rows stay as they were.
    assert report.plan_id == plan.pk and report.version_number == 2
    assert (report.updated, report.deleted) == (0, 0)
    assert {item["key"]: item["unchanged"] for item in report.changes} == {
        "BP_BaugebietsTeilFlaeche": 2,
        "BP_GruenFlaeche": 1,
    }
    assert {f.source_id: (f.pk, f.properties) for f in Feature.objects.filter(layer__current=False)} == before
    current = {f.source_id: f.properties for f in Feature.objects.filter(layer__current=True)}
    assert current == {key: properties for key, (_pk, properties) in before.items()}
    assert plan.documents.get().sections.count() == 3


def test_export_is_schema_shaped_xplangml_6(tmp_path, plan):
    path = tmp_path / "export.gml"
    xplan_export(plan=plan, path=path, by=SYSTEM)
    root = etree.parse(str(path)).getroot()
    assert root.tag == "{http://www.xplanung.de/xplangml/6/0}XPlanAuszug"
    members = [etree.QName(m[0]).localname for m in root.iterchildren("{http://www.opengis.net/gml/3.2}featureMember")]
    assert members[:2] == ["BP_Plan", "BP_Bereich"] and members.count("XP_TextAbschnitt") == 3
    ids = root.xpath("//@gml:id", namespaces={"gml": "http://www.opengis.net/gml/3.2"})
    assert len(ids) == len(set(ids))
    refs = {h[1:] for h in root.xpath("//@xlink:href", namespaces={"xlink": "http://www.w3.org/1999/xlink"})}
    assert refs <= set(ids)  # no dangling references
    feature = root.xpath("//*[@gml:id='GML_wa_nord']", namespaces={"gml": "http://www.opengis.net/gml/3.2"})[0]
    names = [etree.QName(c).localname for c in feature]
    assert names.index("refTextInhalt") < names.index("position") < names.index("flaechenschluss") < names.index("GRZ")


def test_export_passes_the_validation_report(tmp_path, plan):
    assert validate_xplan(read_xplan(SOURCE)).problems == []  # the source is clean …
    path = tmp_path / "export.gml"
    xplan_export(plan=plan, path=path, by=SYSTEM)
    report = validate_xplan(read_xplan(path))  # … and so is the export: schema, references, geometry, Flächenschluss
    assert [problem.message for problem in report.problems] == [] and report.notes == []


def test_a_feature_that_cannot_be_written_fails_loudly_and_leaves_no_file(tmp_path, plan):
    feature = Feature.objects.get(source_id="GML_gruen_ost")
    feature.geometry = GeometryCollection(
        Polygon.from_bbox((8.47, 50.32, 8.471, 50.321)), Point(8.4705, 50.3205), srid=4326
    )
    feature.save()
    path = tmp_path / "export.gml"
    with pytest.raises(ExportError) as error:
        xplan_export(plan=plan, path=path, by=SYSTEM)
    assert error.value.code == "unsupported_geometry" and "GML_gruen_ost" in str(error.value)
    assert not path.exists()


def test_an_attribute_of_unknown_data_type_fails_loudly(tmp_path, plan):
    feature = Feature.objects.get(source_id="GML_wa_sued")
    feature.properties = {**feature.properties, "sonderregel": {"wert": "1"}}
    feature.save()
    with pytest.raises(ExportError) as error:
        xplan_export(plan=plan, path=tmp_path / "x.gml", by=SYSTEM)
    assert error.value.code == "unknown_data_type" and "„sonderregel“" in str(error.value)


def test_plan_without_xplan_layers_is_refused(tmp_path, usingen):
    from tests.factories import PlanFactory

    with pytest.raises(ExportError) as error:
        xplan_export(plan=PlanFactory(municipality=usingen), path=tmp_path / "x.gml", by=SYSTEM)
    assert error.value.code == "no_xplan_layers"


def test_command_reports_what_it_wrote(tmp_path, plan):
    out = io.StringIO()
    call_command("export_xplan", str(plan.pk), "-o", str(tmp_path / "plan.gml"), stdout=out)
    text = out.getvalue()
    assert "3 Objekte und 3 Textabschnitte des Plans „Wohnen am Hattsteiner Weg“" in text
    assert "BP_BaugebietsTeilFlaeche: 2" in text and "(EPSG:25832)" in text
    with pytest.raises(CommandError, match="keine 7. Fassung"):
        call_command("export_xplan", str(plan.pk), "--plan-version", "7", "-o", str(tmp_path / "v.gml"))


def test_download_is_built_by_a_task_public_once_published_and_staff_only_before(client, plan):
    from django.utils import timezone

    from tests.factories import MembershipFactory

    url = f"/api/v1/plans/{plan.pk}/xplan.gml"
    assert client.get(url).status_code == 404  # draft: not public
    client.force_login(MembershipFactory().user)  # staff of another municipality
    assert client.get(url).status_code == 404
    client.force_login(MembershipFactory(municipality=plan.municipality).user)
    cockpit = client.get(f"/verwaltung/plaene/{plan.pk}/").content.decode()
    assert url in cockpit
    response = client.get(url)  # tasks run immediately in these tests: the file exists after the first request
    if response.status_code == 202:
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/gml+xml"
    body = b"".join(response.streaming_content)
    assert b"<xplan:BP_Plan" in body and b'gml:id="GML_wa_nord"' in body
    client.logout()
    plan.status, plan.published_at = Plan.Status.PUBLISHED, timezone.now()
    plan.save()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert url in page and "Plan als XPlanGML 6.0 herunterladen" in page
    response = client.get(url)
    if response.status_code == 202:
        response = client.get(url)
    assert response.status_code == 200
    assert b'gml:id="GML_text_1_2"' in b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("sample", "ags", "crs"),
    [("bplan_5_4_epsg25832.gml", "06434011", "EPSG:25832"), ("bplan_6_0_epsg25833.gml", "14612000", "EPSG:25833")],
)
def test_the_other_samples_round_trip_in_their_source_crs(tmp_path, sample, ags, crs):
    MunicipalityFactory(ags=ags, boundary=square(8.45, 50.28, 0.2) if ags == "06434011" else square(13.6, 50.95, 0.3))
    source = Path(__file__).resolve().parents[1] / "data" / "geodata" / sample
    plan = Plan.objects.get(pk=xplan_import(by=SYSTEM, path=source).plan_id)
    path = tmp_path / "export.gml"
    result = xplan_export(plan=plan, path=path, by=SYSTEM)
    original, exported = read_xplan(source), read_xplan(path)
    assert result.crs == crs == exported.crs_label
    assert result.written == sum(len(items) for items in original.features.values())
    before, after = by_id(original), by_id(exported)
    assert set(after) == set(before)
    for gml_id, item in before.items():
        assert after[gml_id].cls == item.cls
        assert after[gml_id].geometry.normalize().equals_exact(item.geometry.normalize(), tolerance=0.002), gml_id
        # Attributes come back as read; references may point at objects not exported (left out).
        assert attributes(after[gml_id].properties) == attributes(item.properties), gml_id


def attributes(properties: dict) -> dict:
    return {k: v for k, v in properties.items() if not (isinstance(v, str) and v.startswith("#"))}
