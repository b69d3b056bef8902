"""Drawn lines reach the workbench: statistics, the map and the GIS exports."""

import pyogrio
import pytest
from django.contrib.gis.geos import LineString
from django.urls import reverse

from participation.workbench import services
from participation.workbench.reports import export_report
from plans.rules import SYSTEM

from ..factories import StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_line(world):
    consultation = world["consultation"]
    x0, y0, x1, y1 = consultation.plan.area.extent
    line = StatementFactory(
        consultation=consultation,
        comment="Der Fußweg soll hier entlang führen.",
        location=None,
        drawn_line=LineString((x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2), srid=4326),
        user_name="Lina Linie",
        user_email="linie@example.org",
    )
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    return {**world, "line": line}


def test_geopackage_has_a_line_layer_and_the_point_layer_a_point_on_the_line(with_line, tmp_path):
    data, rows = export_report(consultation=with_line["consultation"], format="gpkg", personal=False)
    path = tmp_path / "s.gpkg"
    path.write_bytes(data)
    layers = dict(pyogrio.list_layers(path))
    assert layers["stellungnahmen_linien"] == "LineString"
    lines = pyogrio.read_dataframe(path, layer="stellungnahmen_linien")
    assert len(lines) == 1 and lines.crs.to_epsg() == with_line["town"].crs_epsg
    assert "Fußweg" in lines["text"].iloc[0]
    points = pyogrio.read_dataframe(path, layer="stellungnahmen")
    line_point = points.loc[points["text"].str.startswith("Der Fußweg")].geometry.iloc[0]
    assert line_point is not None and not line_point.is_empty


def test_map_and_statistics_count_a_drawn_line_as_located(with_line, client):
    client.force_login(with_line["users"]["planner"])
    consultation = with_line["consultation"]
    response = client.get(reverse("workbench:map", args=[consultation.pk]))
    assert response.status_code == 200
    points = response.context["map_data"]["points"]
    assert with_line["line"].weighing.number in {p[2] for p in points}
    response = client.get(reverse("workbench:statistics", args=[consultation.pk]))
    located = response.context["stats"].with_location
    assert located == sum(1 for s in with_line["statements"] if s.location or s.drawn_area) + 1
