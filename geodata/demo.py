"""Demo layers for the demo plans, imported through the real pipeline from generated files."""

import tempfile
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import box

from plans import rules

from .models import Layer
from .services import layer_import

# slug -> [(layer name in the file, display name, kind, use label)]
DEMO_LAYERS = {
    "am-riedborn": [
        ("baugebiete", "Baugebiete", Layer.Kind.BUILDING_AREAS, "WA"),
        ("gruenflaechen", "Grünflächen", Layer.Kind.GREEN_SPACES, "Öffentliche Grünfläche"),
        ("verkehrsflaechen", "Verkehrsflächen", Layer.Kind.TRAFFIC_AREAS, "Straßenverkehrsfläche"),
    ],
    "gewerbegebiet-sued": [
        ("baugebiete", "Gewerbegebiete", Layer.Kind.BUILDING_AREAS, "GE"),
        ("gruenflaechen", "Grünflächen", Layer.Kind.GREEN_SPACES, "Private Grünfläche (Eingrünung)"),
        ("verkehrsflaechen", "Verkehrsflächen", Layer.Kind.TRAFFIC_AREAS, "Planstraße"),
    ],
    "westerfeld-sued": [
        ("baugebiete", "Baugebiete", Layer.Kind.BUILDING_AREAS, "WA"),
        ("verkehrsflaechen", "Verkehrsflächen", Layer.Kind.TRAFFIC_AREAS, "Wohnstraße"),
    ],
}


def demo_frames(area_4326) -> dict[str, gpd.GeoDataFrame]:
    """Split a plan area into building blocks, a green edge and a street cross in EPSG:25832."""
    area = gpd.GeoSeries([shapely.from_wkb(bytes(area_4326.wkb))], crs=4326).to_crs(25832).iloc[0]
    minx, miny, maxx, maxy = area.bounds
    cx, cy = area.centroid.x, area.centroid.y
    streets = shapely.union_all([box(minx, cy - 6, maxx, cy + 6), box(cx - 5, miny, cx + 5, maxy)]).intersection(area)
    green = area.difference(area.buffer(-18))
    blocks = area.difference(streets).difference(green)
    parts = [p for p in shapely.get_parts(blocks) if p.area > 200]
    return {
        "baugebiete": gpd.GeoDataFrame(
            {
                "id": [f"{i + 1}" for i in range(len(parts))],
                "grz": [0.4] * len(parts),
                "geschosse": [2 if i % 2 else 3 for i in range(len(parts))],
            },
            geometry=parts,
            crs=25832,
        ),
        "gruenflaechen": gpd.GeoDataFrame({"id": ["G1"]}, geometry=[green], crs=25832),
        "verkehrsflaechen": gpd.GeoDataFrame({"id": ["V1"]}, geometry=[streets], crs=25832),
    }


def load_demo(result) -> None:
    """Give some demo plans realistic layers; skip layers that already exist."""
    plans = result.get("plans", {})
    with tempfile.TemporaryDirectory(prefix="pb-demo-layers-") as workdir:
        for slug, layers in DEMO_LAYERS.items():
            plan = plans.get(slug)
            if plan is None:
                continue
            missing = [spec for spec in layers if not plan.layers.filter(name=spec[1]).exists()]
            if not missing:
                continue
            path = Path(workdir) / f"{slug}.gpkg"
            frames = demo_frames(plan.area)
            for file_layer, _name, _kind, label in missing:
                frame = frames[file_layer].copy()
                frame["nutzung"] = label
                frame.to_file(path, layer=file_layer, driver="GPKG")
            for file_layer, name, kind, _label in missing:
                layer_import(
                    plan=plan,
                    path=path,
                    by=rules.SYSTEM,
                    layer_name=file_layer,
                    name=name,
                    kind=kind,
                    original_name=f"{slug}.gpkg",
                )
