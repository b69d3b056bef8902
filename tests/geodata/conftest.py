import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from tests.factories import PlanFactory

# A 2 km x 2 km area west of Usingen in EPSG:25832.
ORIGIN_25832 = (470000.0, 5576000.0)


@pytest.fixture(autouse=True)
def _reset_municipality_sequence():
    # MunicipalityFactory's AGS is "064340" + a 2-digit sequence: past 99 it no longer fits
    # varchar(8) on PostgreSQL, so keep the counter small for the tests after ours.
    from tests.factories import MunicipalityFactory

    MunicipalityFactory.reset_sequence()
    yield
    MunicipalityFactory.reset_sequence()


@pytest.fixture(autouse=True)
def _import_settings(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def plan(db):
    return PlanFactory()


def sample_frame(crs="EPSG:25832", count=3):
    """Return a GeoDataFrame with `count` squares near Usingen in `crs`."""
    x0, y0 = ORIGIN_25832
    frame = gpd.GeoDataFrame(
        {
            "nutzung": [f"WA {i + 1}" for i in range(count)],
            "grz": [0.4] * count,
            "id": [f"wa-{i + 1}" for i in range(count)],
        },
        geometry=[box(x0 + i * 100, y0, x0 + i * 100 + 80, y0 + 60) for i in range(count)],
        crs="EPSG:25832",
    )
    return frame.to_crs(crs)


def bowtie(x0=ORIGIN_25832[0], y0=ORIGIN_25832[1]):
    return Polygon([(x0, y0), (x0 + 50, y0 + 50), (x0 + 50, y0), (x0, y0 + 50), (x0, y0)])
