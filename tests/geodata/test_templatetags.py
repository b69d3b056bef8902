import json
import re

import pytest

from geodata.services import layer_after_import
from geodata.templatetags.geodata_layers import clean_style, plan_layers
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory, PlanFactory, building_features

pytestmark = pytest.mark.django_db


def test_clean_style_keeps_valid_and_replaces_unsafe_values():
    style = clean_style({"color": "#abc", "fillColor": "red;background:url(x)", "fillOpacity": 7, "weight": "3"})
    assert style == {"color": "#abc", "fillColor": "#1f5fa8", "fillOpacity": 1.0, "weight": 2}


def test_plan_layers_lists_served_layers_with_modes(settings, django_capture_on_commit_callbacks):
    settings.GEODATA_TILE_THRESHOLD = 50
    plan = PlanFactory()
    small = LayerFactory(plan=plan, name="Baufelder", order=1)
    FeatureFactory.create_batch(2, layer=small)
    layer_after_import(by=SYSTEM, layer=small)
    large = LayerFactory(plan=plan, name="Gebäude", order=2)
    building_features(large, 60)
    with django_capture_on_commit_callbacks(execute=True):
        layer_after_import(by=SYSTEM, layer=large)
    LayerFactory(plan=plan, name="Leer", order=3)  # no features: not shown
    entries = plan_layers(plan)
    assert [e["name"] for e in entries] == ["Baufelder", "Gebäude"]
    assert entries[0]["mode"] == "geojson" and entries[0]["url"].endswith(f".geojson?v={small.version}")
    assert entries[1]["mode"] == "tiles" and entries[1]["url"] == f"/tiles/{large.pk}/{{z}}/{{x}}/{{y}}.pbf?v=2"
    west, south, east, north = entries[1]["bounds"]
    assert 8.5 < west < east < 8.6 and 50.3 < south < north < 50.4


def test_plan_page_shows_layer_list_legend_and_downloads(client):
    plan = PlanFactory()
    layer = LayerFactory(plan=plan, name="Baufelder <b>Nord</b>", style={"fillColor": "#00ff00"})
    FeatureFactory.create_batch(3, layer=layer)
    layer_after_import(by=SYSTEM, layer=layer)
    response = client.get(plan.get_absolute_url())
    html = response.content.decode()
    assert "Ebenen und Legende" in html
    assert "Baufelder &lt;b&gt;Nord&lt;/b&gt;" in html  # escaped
    assert 'fill="#00ff00"' in html
    assert f"/api/v1/layers/{layer.pk}/download/?format=shp" in html
    assert f"/api/v1/plans/{plan.pk}/layers.gpkg" in html
    assert " style=" not in html.split('id="layers-heading"')[1].split("</section>")[0]
    config = json.loads(re.search(r'id="plan-layers-config" type="application/json">(.*?)</script>', html).group(1))
    assert config[0]["count"] == 3 and config[0]["mode"] == "geojson"


def test_plan_without_layers_has_no_layer_section(client):
    plan = PlanFactory()
    assert "Ebenen und Legende" not in client.get(plan.get_absolute_url()).content.decode()
