"""The pure diff of two versions: matched by key, areas in m², attributes old → new, text word diff."""

import pytest
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import Point, Polygon

from geodata.changes import diff

TO_4326 = CoordTransform(SpatialReference(25832), SpatialReference(4326))
X0, Y0 = 470000.0, 5576000.0


def rect(x, y, width, height) -> Polygon:
    """Return a rectangle given in EPSG:25832 metres (offset from X0/Y0), in EPSG:4326."""
    polygon = Polygon.from_bbox((X0 + x, Y0 + y, X0 + x + width, Y0 + y + height))
    polygon.srid = 25832
    return polygon.transform(TO_4326, clone=True)


def element(key, geometry, layer="BP_BaugebietsTeilFlaeche", **properties):
    return diff.Element(key=key, layer=layer, layer_name="Baugebiete", geometry=geometry, properties=properties)


def test_added_and_removed_elements_carry_their_area():
    old = [element("a", rect(0, 0, 10, 10)), element("b", rect(20, 0, 10, 20))]
    new = [element("a", rect(0, 0, 10, 10)), element("c", rect(40, 0, 30, 10))]

    changes = diff.diff_elements(old, new, metric_srid=25832)

    assert [(c.kind, c.key) for c in changes] == [("added", "c"), ("removed", "b")]
    assert changes[0].area_gained_m2 == pytest.approx(300, rel=1e-3)
    assert changes[1].area_lost_m2 == pytest.approx(200, rel=1e-3)


def test_geometry_change_reports_area_gained_and_lost_and_the_symmetric_difference():
    old = [element("a", rect(0, 0, 100, 50))]
    new = [element("a", rect(10, 0, 100, 60))]  # 10 m cut off on the left, 10 m added right, 10 m added on top

    (change,) = diff.diff_elements(old, new, metric_srid=25832)

    assert change.kind == "geometry"
    assert change.area_lost_m2 == pytest.approx(10 * 50, rel=1e-3)
    assert change.area_gained_m2 == pytest.approx(10 * 50 + 100 * 10, rel=1e-3)
    assert change.geometry.intersects(rect(2, 2, 1, 1))  # the strip that was lost
    assert not change.geometry.intersects(rect(40, 20, 1, 1))  # the middle stayed


def test_attribute_change_lists_which_attribute_old_and_new_and_ignores_ids():
    old = [element("a", rect(0, 0, 10, 10), grz=0.4, gml_id="x1", geschosse=2)]
    new = [element("a", rect(0, 0, 10, 10), grz=0.6, gml_id="x2", geschosse=2)]

    (change,) = diff.diff_elements(old, new, metric_srid=25832)

    assert change.kind == "attributes"
    assert change.details == {"grz": [0.4, 0.6]}


def test_geometry_and_attribute_change_is_one_geometry_change_with_the_attributes():
    old = [element("a", rect(0, 0, 10, 10), grz=0.4)]
    new = [element("a", rect(0, 0, 20, 10), grz=0.5)]

    (change,) = diff.diff_elements(old, new, metric_srid=25832)

    assert (change.kind, change.details) == ("geometry", {"grz": [0.4, 0.5]})


def test_unchanged_versions_have_no_changes_and_rounding_is_no_change():
    polygon = rect(0, 0, 10, 10)
    nudged = Polygon([(x + 1e-11, y) for x, y in polygon[0]], srid=4326)
    assert diff.diff_elements([element("a", polygon)], [element("a", nudged)], metric_srid=25832) == []


def test_same_key_in_another_layer_is_another_element():
    old = [element("a", rect(0, 0, 10, 10), layer="BP_GruenFlaeche")]
    new = [element("a", rect(0, 0, 10, 10), layer="BP_BaugebietsTeilFlaeche")]

    kinds = sorted(c.kind for c in diff.diff_elements(old, new, metric_srid=25832))

    assert kinds == ["added", "removed"]


def test_unkeyed_elements_match_by_identical_geometry():
    kept, moved = rect(0, 0, 10, 10), rect(50, 0, 10, 10)
    old = [element("", kept), element("", moved)]
    new = [element("", kept), element("", rect(70, 0, 10, 10))]

    changes = diff.diff_elements(old, new, metric_srid=25832)

    assert sorted(c.kind for c in changes) == ["added", "removed"]


def test_moved_point_is_a_geometry_change_without_area():
    a = Point(8.5, 50.3, srid=4326)
    b = Point(8.5001, 50.3, srid=4326)

    (change,) = diff.diff_elements([element("p", a)], [element("p", b)], metric_srid=25832)

    assert change.kind == "geometry" and change.area_gained_m2 is None


def test_word_diff_marks_inserted_and_deleted_words():
    parts = diff.word_diff("Die GRZ beträgt 0,4 im WA 1.", "Die GRZ beträgt 0,6 im WA 1 und WA 2.")

    assert {"op": "delete", "text": "0,4 "} in parts
    assert {"op": "insert", "text": "0,6 "} in parts
    assert "".join(p["text"] for p in parts if p["op"] != "delete") == "Die GRZ beträgt 0,6 im WA 1 und WA 2."
    assert "".join(p["text"] for p in parts if p["op"] != "insert") == "Die GRZ beträgt 0,4 im WA 1."


def test_sections_are_compared_by_number():
    old = [
        diff.Section("1", "Art der Nutzung", "Allgemeines Wohngebiet."),
        diff.Section("2", "Maß der Nutzung", "GRZ 0,4."),
        diff.Section("3", "Stellplätze", "Zwei je Wohnung."),
    ]
    new = [
        diff.Section("1", "Art der Nutzung", "Allgemeines  Wohngebiet.\n"),  # only whitespace
        diff.Section("2", "Maß der Nutzung", "GRZ 0,6."),
        diff.Section("4", "Dachbegrünung", "Flachdächer sind zu begrünen."),
    ]

    changes = diff.diff_sections(old, new)

    assert [(c.key, c.details["status"]) for c in changes] == [("2", "changed"), ("4", "added"), ("3", "removed")]
    assert all(c.kind == "text" for c in changes)
