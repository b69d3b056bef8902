import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse

from plans.models import Plan
from tests.factories import ConsultationFactory, DocumentFactory, MunicipalityFactory, PlanFactory

pytestmark = pytest.mark.django_db


def get_collection(client, **params):
    response = client.get(reverse("plans:api_list"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def test_plan_list_returns_published_plans_as_feature_collection(client):
    plan = PlanFactory()
    PlanFactory(municipality=plan.municipality, status=Plan.Status.DRAFT)
    data = get_collection(client)
    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == [plan.pk]
    feature = data["features"][0]
    assert feature["properties"]["title"] == plan.title
    assert feature["properties"]["ags"] == plan.municipality.ags
    assert feature["properties"]["url"].endswith(plan.get_absolute_url())
    geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
    assert geometry.geom_type == "MultiPolygon"
    assert geometry.equals_exact(plan.area, tolerance=1e-6)


def test_plan_list_filters_by_municipality_kind_stage_bbox_and_open(client):
    usingen = MunicipalityFactory(slug="usingen", ags="06434011")
    other = MunicipalityFactory()
    bplan = PlanFactory(municipality=usingen, kind=Plan.Kind.BPLAN, stage=Plan.Stage.PUBLICATION)
    fnp = PlanFactory(municipality=usingen, kind=Plan.Kind.FNP, stage=Plan.Stage.INITIATED)
    foreign = PlanFactory(municipality=other)
    ConsultationFactory(plan=fnp)

    def ids(**params):
        return {f["id"] for f in get_collection(client, **params)["features"]}

    assert ids(municipality="usingen") == {bplan.pk, fnp.pk}
    assert ids(municipality="06434011") == {bplan.pk, fnp.pk}
    assert ids(kind="fnp") == {fnp.pk}
    assert ids(stage="publication") == {bplan.pk, foreign.pk}
    assert ids(open="1") == {fnp.pk}
    minx, miny, maxx, maxy = foreign.area.extent
    assert ids(bbox=f"{minx},{miny},{maxx},{maxy}") == {foreign.pk}


@pytest.mark.parametrize("params", [{"bbox": "a,b,c,d"}, {"bbox": "1,2,3"}, {"bbox": "10,10,5,5"}, {"kind": "castle"}])
def test_plan_list_rejects_bad_filters_with_400(client, params):
    response = client.get(reverse("plans:api_list"), params)
    assert response.status_code == 400
    assert "Ungültiger Filterwert" in response.json()["error"]


def test_plan_detail_includes_documents_and_stages(client):
    document = DocumentFactory()
    plan = document.plan
    plan.stage_changes.create(stage=Plan.Stage.INITIATED, date="2025-01-15")
    response = client.get(reverse("plans:api_detail", args=[plan.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == plan.pk
    assert data["properties"]["documents"][0]["title"] == "Begründung"
    assert data["properties"]["stages"] == [
        {"stage": "initiated", "label": "Aufstellungsbeschluss", "date": "2025-01-15"}
    ]


def test_plan_detail_of_draft_is_404(client):
    plan = PlanFactory(status=Plan.Status.DRAFT)
    assert client.get(reverse("plans:api_detail", args=[plan.pk])).status_code == 404


def test_plan_list_cache_is_invalidated_by_changes(client):
    plan = PlanFactory(title="Vorher")
    assert get_collection(client)["features"][0]["properties"]["title"] == "Vorher"
    plan.title = "Nachher"
    plan.save()
    assert get_collection(client)["features"][0]["properties"]["title"] == "Nachher"
    ConsultationFactory(plan=plan)
    assert get_collection(client)["features"][0]["properties"]["open_for_comments"] is True
