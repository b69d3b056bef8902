import json

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.urls import reverse

from plans.models import Plan
from tests.factories import ConsultationFactory, DocumentFactory, MunicipalityFactory, PlanFactory, square

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


def test_plan_list_is_paginated_with_total_and_links(client):
    municipality = MunicipalityFactory()
    plans = [PlanFactory(municipality=municipality) for _ in range(5)]
    first = get_collection(client, page_size=2)
    assert first["numberMatched"] == 5
    assert first["numberReturned"] == 2
    assert (first["page"], first["pages"]) == (1, 3)
    assert [f["id"] for f in first["features"]] == [plans[0].pk, plans[1].pk]
    next_url = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert next_url.startswith("http://testserver/api/v1/plans/?")
    assert not [link for link in first["links"] if link["rel"] == "prev"]
    response = client.get(next_url)
    assert 'rel="next"' in response["Link"] and 'rel="prev"' in response["Link"]
    second = json.loads(response.content)
    assert [f["id"] for f in second["features"]] == [plans[2].pk, plans[3].pk]
    last = get_collection(client, page_size=2, page=3)
    assert [f["id"] for f in last["features"]] == [plans[4].pk]
    assert [link["rel"] for link in last["links"]] == ["prev"]
    assert client.get(reverse("plans:api_list"), {"page_size": 2, "page": 4}).status_code == 404


def test_plan_list_default_page_size_is_limited(client):
    municipality = MunicipalityFactory()
    PlanFactory.create_batch(3, municipality=municipality)
    data = get_collection(client)
    assert data["numberReturned"] == 3 and data["pages"] == 1 and data["links"] == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"bbox": "8,50,9"}, "bbox"),
        ({"bbox": "8,50,9,x"}, "bbox"),
        ({"bbox": "8,51,9,50"}, "bbox"),
        ({"bbox": "-200,50,9,51"}, "bbox"),
        ({"bbox": "8,50,9,nan"}, "bbox"),
        ({"zoom": "23"}, "zoom"),
        ({"zoom": "-1"}, "zoom"),
        ({"page": "0"}, "page"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "zehn"}, "page_size"),
    ],
)
def test_plan_list_explains_bad_parameters(client, params, parameter):
    response = client.get(reverse("plans:api_list"), params)
    assert response.status_code == 400
    data = response.json()
    assert data["parameter"] == parameter
    assert data["error"] == f"Ungültiger Filterwert: {parameter}"
    assert parameter in data["detail"]


def _grid_town(lon, lat, count, **kwargs):
    """Return `count` plans of a new municipality at (lon, lat), 0.004° apart (neighbours at zoom 7)."""
    municipality = MunicipalityFactory(boundary=square(lon - 0.05, lat - 0.05, 0.2), **kwargs)
    return [
        PlanFactory(municipality=municipality, area=square(lon + (i % 4) * 0.004, lat + (i // 4) * 0.004, 0.002))
        for i in range(count)
    ]


def test_low_zoom_answers_clusters_with_counts_and_single_plans(client):
    usingen = _grid_town(8.5, 50.3, 12)
    lonely = _grid_town(10.0, 52.0, 1)[0]
    PlanFactory(municipality=usingen[0].municipality, status=Plan.Status.DRAFT, area=square(8.5, 50.3, 0.002))
    data = get_collection(client, bbox="5,47,15,55", zoom=7)
    assert data["clustered"] is True
    assert data["numberMatched"] == 13
    clusters = [f for f in data["features"] if f["properties"]["cluster"]]
    singles = [f for f in data["features"] if not f["properties"]["cluster"]]
    assert [c["properties"]["count"] for c in clusters] == [12]
    cluster = clusters[0]
    assert cluster["geometry"]["type"] == "Point"
    lon, lat = cluster["geometry"]["coordinates"]
    assert 8.5 < lon < 8.52 and 50.3 < lat < 50.32
    west, south, east, north = cluster["properties"]["bbox"]
    assert west < east and south < north and west >= 8.5 and north <= 50.32
    assert [s["id"] for s in singles] == [lonely.pk]
    assert singles[0]["properties"]["title"] == lonely.title
    assert singles[0]["properties"]["url"].endswith(lonely.get_absolute_url())
    assert singles[0]["geometry"]["type"] == "Point"


def test_clusters_follow_bbox_and_filters(client):
    _grid_town(8.5, 50.3, 6)
    fnp = PlanFactory(municipality=_grid_town(10.0, 52.0, 1)[0].municipality, kind=Plan.Kind.FNP)
    assert get_collection(client, bbox="8,50,9,51", zoom=9)["numberMatched"] == 6
    data = get_collection(client, bbox="5,47,15,55", zoom=5, kind="fnp")
    assert data["numberMatched"] == 1 and data["features"][0]["id"] == fnp.pk


def test_high_zoom_answers_simplified_outlines(client):
    detailed = [(8.5 + 0.00001 * i, 50.3 + (0.000001 if i % 2 else 0)) for i in range(200)]
    ring = [*detailed, (8.502, 50.3), (8.502, 50.302), (8.5, 50.302), detailed[0]]
    municipality = MunicipalityFactory(boundary=square(8.4, 50.2, 0.3))
    plan = PlanFactory(municipality=municipality, area=MultiPolygon(Polygon(ring), srid=4326))
    full = get_collection(client)["features"][0]["geometry"]
    zoomed = get_collection(client, bbox="8.4,50.2,8.6,50.4", zoom=13)
    assert zoomed["clustered"] is False and zoomed["numberMatched"] == 1
    geometry = zoomed["features"][0]["geometry"]
    assert geometry["type"] in ("MultiPolygon", "Polygon")
    assert len(json.dumps(geometry["coordinates"])) < len(json.dumps(full["coordinates"])) / 4
    simplified = GEOSGeometry(json.dumps(geometry), srid=4326)
    assert simplified.valid
    assert abs(simplified.area - plan.area.area) / plan.area.area < 0.01


def test_bbox_and_zoom_responses_are_cached_per_version(client):
    plans = _grid_town(8.5, 50.3, 3)
    assert get_collection(client, bbox="8,50,9,51", zoom=6)["numberMatched"] == 3
    plans[0].delete()
    assert get_collection(client, bbox="8,50,9,51", zoom=6)["numberMatched"] == 2


def test_cluster_and_page_answers_need_few_queries(client, django_assert_max_num_queries):
    for index in range(8):
        _grid_town(8.0 + index, 50.0, 1 + index % 3)
    with django_assert_max_num_queries(3):
        data = get_collection(client, bbox="5,47,17,55", zoom=6)
    assert data["numberMatched"] == sum(1 + index % 3 for index in range(8))
    with django_assert_max_num_queries(3):
        assert get_collection(client, bbox="5,47,17,55", zoom=12)["numberMatched"] == data["numberMatched"]


def test_cluster_bbox_is_widened_to_whole_cells_and_shared_by_nearby_views(client, django_assert_max_num_queries):
    _grid_town(8.5, 50.3, 4)
    first = get_collection(client, bbox="8.40,50.20,8.60,50.40", zoom=8)
    with django_assert_max_num_queries(0):  # a slightly panned view: same cells, same cached answer
        assert get_collection(client, bbox="8.41,50.21,8.61,50.41", zoom=8) == first
    assert first["features"][0]["properties"]["count"] == 4
