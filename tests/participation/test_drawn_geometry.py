"""A statement carries one place: a point, a drawn line or a drawn area, each inside the Geltungsbereich."""

import json

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import ValidationError

from participation import services
from participation.models import Statement

from ..factories import ConsultationFactory
from .test_views import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    return ConsultationFactory(moderation="post")


def _line_inside(consultation):
    x0, y0, x1, y1 = consultation.plan.area.extent
    centre = consultation.plan.area.point_on_surface
    dx, dy = (x1 - x0) / 50, (y1 - y0) / 50
    return LineString((centre.x - dx, centre.y - dy), (centre.x + dx, centre.y + dy), srid=4326)


def _geojson(geometry):
    return json.dumps(json.loads(geometry.geojson))


def test_drawn_line_inside_the_plan_area_is_stored(client, consultation):
    line = _line_inside(consultation)
    response = post(client, consultation, lat="", lon="", drawn_line=_geojson(line))
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.drawn_line is not None and statement.location is None and statement.drawn_area is None
    assert statement.drawn_line.equals_exact(line, tolerance=1e-7)


def test_drawn_line_outside_the_plan_area_is_refused(client, consultation):
    far = LineString((10.0, 10.0), (10.01, 10.01), srid=4326)
    response = post(client, consultation, lat="", lon="", drawn_line=_geojson(far))
    assert response.status_code == 400
    assert "Die gezeichnete Linie liegt außerhalb des Geltungsbereichs des Plans." in response.content.decode()
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    "raw", ['{"type": "Point", "coordinates": [8.5, 50.3]}', "not json", '{"type": "LineString", "coordinates": []}']
)
def test_invalid_drawn_line_is_refused_with_clear_message(client, consultation, raw):
    response = post(client, consultation, lat="", lon="", drawn_line=raw)
    assert response.status_code == 400
    assert "Die gezeichnete Linie ist ungültig." in response.content.decode()
    assert not Statement.objects.exists()


def test_point_and_line_together_are_refused(client, consultation):
    """The form sends one geometry; a point and a line together are an error, nothing is written."""
    response = post(client, consultation, drawn_line=_geojson(_line_inside(consultation)))
    assert response.status_code == 400
    assert "Bitte geben Sie nur einen Ort an: einen Punkt, eine Linie oder eine Fläche." in response.content.decode()
    assert not Statement.objects.exists()


def test_service_refuses_several_geometries_with_code(consultation):
    point = consultation.plan.area.point_on_surface
    with pytest.raises(ValidationError) as error:
        services.statement_submit(
            consultation=consultation,
            text="Zwei Orte",
            name="Erika Mustermann",
            email="erika@example.org",
            location=Point(point.x, point.y, srid=4326),
            drawn_line=_line_inside(consultation),
            privacy_consent=True,
        )
    assert error.value.error_dict["location"][0].code == "several_geometries"
    assert not Statement.objects.exists()


def test_double_submit_with_the_same_line_stores_one_statement(client, consultation):
    line = _geojson(_line_inside(consultation))
    token = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert post(client, consultation, lat="", lon="", drawn_line=line, form_token=token).status_code == 302
    assert post(client, consultation, lat="", lon="", drawn_line=line, form_token=token).status_code == 302
    assert Statement.objects.count() == 1


def test_plan_page_offers_the_map_tools_and_the_skip_link(client, consultation):
    response = client.get(consultation.plan.get_absolute_url())
    content = response.content.decode()
    assert 'name="drawn_line"' in content and 'name="drawn_area"' in content
    assert "Ort mit der Tastatur wählen" in content and "Fläche zeichnen" in content
    assert 'href="#stellungnahme-abgeben">Zum Formular springen</a>' in content
    assert "leaflet-geoman.min.js" in content
