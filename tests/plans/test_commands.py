import io
import json
import subprocess
import sys

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import call_command

from plans.models import Document, Municipality, Plan, StageChange

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_plans_lie_in_their_towns(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    models = (Municipality, Plan, Document, StageChange)
    counts = tuple(model.objects.count() for model in models)
    call_command("load_demo", stdout=io.StringIO())
    assert tuple(model.objects.count() for model in models) == counts
    assert "usingen-planung" in out.getvalue()
    assert set(Municipality.objects.values_list("ags", flat=True)) == {"06434011", "06434007"}

    data = json.loads(client.get("/api/v1/plans/").content)
    assert len(data["features"]) == counts[1] >= 5
    assert counts[2] == 2 * counts[1] and counts[3] >= counts[1]
    for feature in data["features"]:
        area = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        municipality = Municipality.objects.get(slug=feature["properties"]["municipality"])
        assert municipality.boundary.contains(area)
        lon, lat = area.centroid.coords
        assert 8.4 < lon < 8.7 and 50.2 < lat < 50.4  # Hochtaunuskreis


def test_production_mode_refuses_to_start_without_required_settings():
    env = {"DJANGO_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr and "DATABASE_URL" in result.stderr


def test_production_mode_passes_check_deploy(tmp_path):
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 64 + "-production-test-key-with-enough-entropy",
        "ALLOWED_HOSTS": "plan.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "DATABASE_URL": f"spatialite:///{tmp_path / 'prod.sqlite3'}",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
