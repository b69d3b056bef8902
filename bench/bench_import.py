"""Import 50,000 building-like polygons (EPSG:25832 GeoPackage) through geodata's layer_import.

Uses a throw-away SpatiaLite database unless DATABASE_URL is set (e.g. a PostGIS
database you may write to). Target (PERFORMANCE.md): publishing 50k features ≤ 20 s,
of which the import is one part.
"""

import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    quick,
    write_result,
)  # before main() sets DATABASE_URL: the reproducing command names overrides only

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_IMPORT_COUNT", "5000" if quick() else "50000"))


def make_file(path: Path, count: int) -> None:
    import geopandas as gpd
    from shapely.geometry import Polygon

    rng = random.Random(42)
    x0, y0 = 465000.0, 5571000.0
    geoms = []
    for _ in range(count):
        cx, cy = x0 + rng.uniform(0, 10000), y0 + rng.uniform(0, 10000)
        r = rng.uniform(5, 12)
        corners = [i * math.pi / 3 for i in range(6)]
        jitter = [(rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)) for _ in corners]
        geoms.append(
            Polygon(
                [
                    (cx + r * math.cos(a) * jx, cy + r * math.sin(a) * jy)
                    for a, (jx, jy) in zip(corners, jitter, strict=True)
                ]
            )
        )
    frame = gpd.GeoDataFrame(
        {"id": [f"b{i}" for i in range(count)], "geschosse": [rng.randint(1, 5) for _ in range(count)]},
        geometry=geoms,
        crs="EPSG:25832",
    )
    frame.to_file(path, layer="gebaeude", driver="GPKG")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="pb-bench-import-"))
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"spatialite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from geodata.models import Layer
    from geodata.services import layer_import
    from plans.rules import SYSTEM
    from tests.factories import PlanFactory

    call_command("migrate", verbosity=0)
    plan = PlanFactory()
    source = workdir / "gebaeude.gpkg"
    started = time.perf_counter()
    make_file(source, COUNT)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    report = layer_import(plan=plan, path=source, by=SYSTEM, name="Gebäude (Benchmark)", kind=Layer.Kind.EXISTING)
    seconds = time.perf_counter() - started
    assert report.created == COUNT, report
    Layer.objects.filter(pk=report.layer_id).delete()
    plan.delete()
    write_result(
        "import",
        {
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "features": COUNT,
            "file_generation_s": round(generated, 2),
            "layer_import_s": round(seconds, 2),
            "features_per_s": round(COUNT / seconds),
            "batch_size": settings.IMPORT_BATCH_SIZE,
        },
    )


if __name__ == "__main__":
    main()
