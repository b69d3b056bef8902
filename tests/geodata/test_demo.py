import io

import pytest
from django.core.management import call_command

from geodata.models import Layer
from plans.models import Plan

pytestmark = pytest.mark.django_db


def test_demo_layers_are_imported_once_and_lie_in_the_plan():
    call_command("load_demo", stdout=io.StringIO())
    plan = Plan.objects.get(slug="am-riedborn")
    names = list(plan.layers.values_list("name", flat=True))
    assert names == ["Baugebiete", "Grünflächen", "Verkehrsflächen"]
    counts = {layer.name: layer.feature_count for layer in plan.layers.all()}
    assert counts["Baugebiete"] >= 2 and counts["Grünflächen"] == 1
    assert all(layer.source_crs == "EPSG:25832" for layer in plan.layers.all())
    area = plan.area.buffer(0.0001)
    for layer in plan.layers.all():
        for feature in layer.features.all():
            assert area.contains(feature.geometry)
    total = Layer.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Layer.objects.count() == total


def test_shapely_works_after_spatialite_is_loaded(tmp_path):
    """geodata's AppConfig loads shapely before SpatiaLite brings the system GEOS in."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup()\n"
        "from django.db import connection; connection.cursor().execute('select spatialite_version()')\n"
        "from django.contrib.gis.geos import Polygon\n"
        "area = Polygon.from_bbox((8.5, 50.3, 8.51, 50.31)); area.srid = 4326; area.transform(25832)\n"
        "import shapely; geom = shapely.from_wkb(bytes(area.wkb))\n"
        "print(shapely.to_wkb(geom.buffer(1)) is not None and geom.area > 1)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"spatialite:///{tmp_path / 'probe.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=os.getcwd()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True"
