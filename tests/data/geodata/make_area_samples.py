"""Write the Geltungsbereich sample files used by tests/geodata/test_plan_area.py.

Run from the repository root: `.venv/bin/python tests/data/geodata/make_area_samples.py`.
Two adjacent rectangles near Usingen (EPSG:25832), 200 m x 150 m and 100 m x 150 m:
their union is one 300 m x 150 m polygon of 45,000 m².
"""

import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box

HERE = Path(__file__).resolve().parent
X0, Y0 = 470000.0, 5576000.0


def frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Teil A", "Teil B"]},
        geometry=[box(X0, Y0, X0 + 200, Y0 + 150), box(X0 + 200, Y0, X0 + 300, Y0 + 150)],
        crs="EPSG:25832",
    )


def main() -> None:
    parts = frame()
    work = HERE / "_shp"
    work.mkdir(exist_ok=True)
    parts.to_file(work / "geltungsbereich.shp", engine="pyogrio")
    with zipfile.ZipFile(HERE / "area_shapefile_25832.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(work.iterdir()):
            archive.write(path, path.name)
            path.unlink()
    work.rmdir()
    gpkg = HERE / "area_31467.gpkg"
    gpkg.unlink(missing_ok=True)
    parts.to_crs("EPSG:31467").to_file(gpkg, layer="geltungsbereich", driver="GPKG", engine="pyogrio")
    points = gpd.GeoDataFrame({"name": ["Baum"]}, geometry=[Point(X0 + 50, Y0 + 50)], crs="EPSG:25832")
    points.to_crs("EPSG:31467").to_file(gpkg, layer="baeume", driver="GPKG", engine="pyogrio")
    with_point = gpd.GeoDataFrame(
        {"name": ["Teil A", "Teil B", "Baum"]},
        geometry=[*parts.geometry, Point(X0 + 50, Y0 + 50)],
        crs="EPSG:25832",
    )
    with_point.to_crs("EPSG:4326").to_file(HERE / "area_4326.geojson", driver="GeoJSON", engine="pyogrio")
    parts.to_crs("EPSG:4326").to_file(HERE / "area_4326.kml", driver="KML", engine="pyogrio")
    points.to_crs("EPSG:4326").to_file(HERE / "area_points_only.geojson", driver="GeoJSON", engine="pyogrio")
    far = gpd.GeoDataFrame({"name": ["Weit weg"]}, geometry=[box(X0 + 50000, Y0, X0 + 50300, Y0 + 150)], crs=25832)
    far.to_crs("EPSG:4326").to_file(HERE / "area_outside_usingen.geojson", driver="GeoJSON", engine="pyogrio")


if __name__ == "__main__":
    main()
