"""The Prüfbericht of an XPlanGML file: every check on small files written here, with the places it names."""

import copy

import pytest
from pyproj import Transformer

from geodata.importers.xplan import read_xplan
from geodata.validation import DictModel, validate_xplan

from .validation_samples import MODEL_60, X0, Y0, area_member, box, write_document

TO_25832 = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
TO_4326 = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def validate(tmp_path, members, *, model=MODEL_60, area=None):
    document = read_xplan(write_document(tmp_path, members, area=area))
    return validate_xplan(document, model=DictModel(model) if model is not None else None)


def codes(report, severity="errors"):
    return [p["code"] for p in report.as_dict()[severity]]


def local_xy(point):
    """Return a problem's EPSG:4326 point in metres relative to the samples' origin."""
    x, y = TO_25832.transform(*point)
    return x - X0, y - Y0


def test_a_clean_file_has_no_problems(tmp_path):
    report = validate(
        tmp_path, [area_member("GML_a", box(0, 0, 100, 100)), area_member("GML_b", box(100, 0, 200, 100))]
    )
    assert report.as_dict()["errors"] == [] and report.as_dict()["warnings"] == []


def test_flaechenschluss_gap_is_reported_with_its_place_and_area(tmp_path):
    report = validate(
        tmp_path, [area_member("GML_a", box(0, 0, 100, 100)), area_member("GML_b", box(110, 0, 200, 100))]
    )
    (gap,) = report.as_dict()["errors"]
    assert gap["code"] == "flaechenschluss_gap" and gap["area_m2"] == pytest.approx(1000, abs=0.5)
    assert "Lücke von 1.000,0 m²" in gap["message"]
    x, y = local_xy(gap["point"])
    assert 100 < x < 110 and 0 < y < 100  # the point lies within the gap
    west, south, east, north = gap["bbox"]
    for corner in ((100, 0), (110, 0), (110, 100), (100, 100)):  # the bbox holds the gap, and not much more
        lon, lat = TO_4326.transform(X0 + corner[0], Y0 + corner[1])
        assert west - 1e-7 <= lon <= east + 1e-7 and south - 1e-7 <= lat <= north + 1e-7
    assert local_xy((east, north))[1] < 101 and local_xy((west, south))[1] > -1


def test_gap_below_tolerance_is_not_reported(tmp_path):
    report = validate(
        tmp_path, [area_member("GML_a", box(0, 0, 100, 100)), area_member("GML_b", box(100.0005, 0, 200, 100))]
    )
    assert codes(report) == []


def test_flaechenschluss_overlap_is_reported_with_both_objects(tmp_path):
    report = validate(
        tmp_path, [area_member("GML_a", box(0, 0, 110, 100)), area_member("GML_b", box(100, 0, 200, 100))]
    )
    (overlap,) = report.as_dict()["errors"]
    assert overlap["code"] == "flaechenschluss_overlap" and overlap["area_m2"] == pytest.approx(1000, abs=0.5)
    assert "GML_a" in overlap["message"] and "GML_b" in overlap["message"]
    x, y = local_xy(overlap["point"])
    assert 100 < x < 110 and 0 < y < 100


def test_objects_not_in_the_flaechenschluss_may_overlap(tmp_path):
    members = [
        area_member("GML_a", box(0, 0, 100, 100)),
        area_member("GML_b", box(100, 0, 200, 100)),
        area_member("GML_ueb", box(50, 20, 150, 80), cls="BP_UeberbaubareGrundstuecksFlaeche", flaechenschluss=False),
    ]
    assert codes(validate(tmp_path, members)) == []


def test_class_of_a_flaechenschlussobjekt_counts_without_the_flag(tmp_path):
    without_flag = area_member("GML_b", box(100, 0, 200, 100)).replace(
        "<xplan:flaechenschluss>true</xplan:flaechenschluss>", ""
    )
    members = [area_member("GML_a", box(0, 0, 120, 100)), without_flag]
    assert codes(validate(tmp_path, members)) == ["flaechenschluss_overlap"]


def test_object_outside_the_geltungsbereich(tmp_path):
    members = [
        area_member("GML_a", box(0, 0, 100, 100)),
        area_member("GML_b", box(100, 0, 200, 100)),
        area_member("GML_c", box(150, 20, 250, 80), cls="BP_UeberbaubareGrundstuecksFlaeche", flaechenschluss=False),
    ]
    (outside,) = validate(tmp_path, members).as_dict()["errors"]
    assert outside["code"] == "outside_area" and outside["gml_id"] == "GML_c"
    assert outside["area_m2"] == pytest.approx(3000, abs=0.5)
    x, _y = local_xy(outside["point"])
    assert 200 < x < 250


def test_clockwise_exterior_ring_and_counter_clockwise_hole(tmp_path):
    members = [
        area_member("GML_a", box(0, 0, 100, 100)[::-1]),
        area_member("GML_b", box(100, 0, 200, 100)),
    ]
    report = validate(tmp_path, members)
    (problem,) = report.as_dict()["errors"]
    assert problem["code"] == "ring_orientation" and problem["gml_id"] == "GML_a"
    assert "Uhrzeigersinn" in problem["message"]


def test_hole_given_counter_clockwise(tmp_path):
    from .validation_samples import polygon

    hole_ccw = box(20, 20, 40, 40)
    member = area_member("GML_a", box(0, 0, 200, 100)).replace(
        f"<xplan:position>{polygon(box(0, 0, 200, 100), 'GML_a_g')}</xplan:position>",
        f"<xplan:position>{polygon(box(0, 0, 200, 100), 'GML_a_g', holes=[hole_ccw])}</xplan:position>",
    )
    cw_hole_member = member.replace("GML_a", "GML_b")
    report = validate(tmp_path, [member])
    assert "ring_orientation" in codes(report) and "Innenring" in report.errors[0].message
    clockwise = cw_hole_member.replace(
        polygon(box(0, 0, 200, 100), "GML_b_g", holes=[hole_ccw]),
        polygon(box(0, 0, 200, 100), "GML_b_g", holes=[hole_ccw[::-1]]),
    )
    assert "ring_orientation" not in codes(validate(tmp_path, [clockwise]))


def test_self_intersection_is_placed_at_the_crossing(tmp_path):
    bowtie = [(0, 0), (200, 100), (200, 0), (0, 100), (0, 0)]
    report = validate(tmp_path, [area_member("GML_a", bowtie)])
    problem = next(p for p in report.as_dict()["errors"] if p["code"] == "self_intersection")
    x, y = local_xy(problem["point"])
    assert x == pytest.approx(100, abs=0.01) and y == pytest.approx(50, abs=0.01)


def test_duplicate_point_is_a_warning(tmp_path):
    ring = [(0, 0), (100, 0), (100, 0), (100, 100), (0, 100), (0, 0)]
    report = validate(tmp_path, [area_member("GML_a", ring), area_member("GML_b", box(100, 0, 200, 100))])
    assert codes(report) == [] and codes(report, "warnings") == ["duplicate_point"]


def test_missing_xlink_target_and_wrong_target(tmp_path):
    members = [
        area_member("GML_a", box(0, 0, 100, 100), extra='<xplan:refTextInhalt xlink:href="#GML_text_fehlt"/>'),
        area_member("GML_b", box(100, 0, 200, 100), bereich="#GML_plan"),
    ]
    report = validate(tmp_path, members)
    problems = {p["code"]: p for p in report.as_dict()["errors"]}
    assert problems["missing_reference"]["gml_id"] == "GML_a"
    assert "#GML_text_fehlt" in problems["missing_reference"]["message"]
    assert problems["wrong_reference_target"]["gml_id"] == "GML_b"


def test_unknown_attribute_invalid_code_and_missing_mandatory_attribute(tmp_path):
    model = copy.deepcopy(MODEL_60)
    model["6.0"]["BP_GruenFlaeche"]["attributes"] = {
        **model["6.0"]["BP_GruenFlaeche"]["attributes"],
        "nutzungsform": {"min": 1},
    }
    members = [
        area_member("GML_a", box(0, 0, 100, 100), extra="<xplan:dachneigung>30</xplan:dachneigung>"),
        area_member(
            "GML_b",
            box(100, 0, 200, 100),
            cls="BP_GruenFlaeche",
            extra="<xplan:zweckbestimmung>4711</xplan:zweckbestimmung>",
        ),
    ]
    problems = {p["code"]: p for p in validate(tmp_path, members, model=model).as_dict()["errors"]}
    assert set(problems) == {"unknown_attribute", "invalid_code", "missing_attribute"}
    assert (
        problems["unknown_attribute"]["gml_id"] == "GML_a" and "dachneigung" in problems["unknown_attribute"]["message"]
    )
    assert "4711" in problems["invalid_code"]["message"]
    assert "nutzungsform" in problems["missing_attribute"]["message"]


def test_unknown_class_and_foreign_namespace(tmp_path):
    fantasy = area_member("GML_x", box(0, 0, 100, 100), cls="BP_Fantasieflaeche", flaechenschluss=False)
    old = (
        '<gml:featureMember><x54:BP_TextAbschnitt xmlns:x54="http://www.xplanung.de/xplangml/5/4" gml:id="GML_t">'
        "<x54:text>Alt</x54:text></x54:BP_TextAbschnitt></gml:featureMember>"
    )
    members = [area_member("GML_a", box(0, 0, 100, 100)), area_member("GML_b", box(100, 0, 200, 100)), fantasy, old]
    problems = {p["code"]: p for p in validate(tmp_path, members).as_dict()["errors"]}
    assert problems["unknown_class"]["gml_id"] == "GML_x"
    assert (
        problems["wrong_namespace_version"]["gml_id"] == "GML_t"
        and "5.4" in problems["wrong_namespace_version"]["message"]
    )


def test_without_a_model_table_the_schema_checks_say_so(tmp_path):
    members = [area_member("GML_a", box(0, 0, 100, 100), extra="<xplan:dachneigung>30</xplan:dachneigung>")]
    report = validate(tmp_path, members, model=None, area=box(0, 0, 100, 100))
    assert codes(report) == [] and "Modelltabelle" in report.notes[0]


def test_errors_come_before_warnings_and_every_problem_has_a_place(tmp_path):
    ring = [(0, 0), (100, 0), (100, 0), (100, 100), (0, 100), (0, 0)]
    report = validate(tmp_path, [area_member("GML_a", ring), area_member("GML_b", box(110, 0, 200, 100))])
    assert [p.severity for p in report.problems] == ["error", "warning"]
    assert all(p.point and p.bbox for p in report.problems)
