import csv
import io
import json

import openpyxl
import pyogrio
import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from participation.workbench import services
from participation.workbench.models import Decision, PersonalDataExportLog, Weighing
from participation.workbench.reports import export_report
from participation.workbench.reports.columns import columns_for
from plans.rules import SYSTEM

ANON_HEADERS = [str(c.header) for c in columns_for(personal=False)]
PERSONAL_HEADERS = [str(c.header) for c in columns_for(personal=True)]


@pytest.fixture
def decided(world):
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    Weighing.objects.filter(number=1).update(decision=Decision.CONSIDERED, response="Die Zufahrt entfällt.")
    Weighing.objects.filter(number=4).update(organisation="Naturschutzbund Usingen")
    return world


def _assert_no_personal_data(text: str, world):
    for name in world["names"]:
        assert name not in text
    for email in world["emails"]:
        assert email not in text
    assert "Hauptstraße 1" not in text


def _export(world, format, personal=False):
    data, rows = export_report(consultation=world["consultation"], format=format, personal=personal)
    assert rows == 8
    return data


def test_csv_is_excel_friendly_and_anonymised(decided):
    data = _export(decided, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ANON_HEADERS
    assert len(rows) == 9
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Nr."] == "1"
    assert first["Einreicher/in"] == "Bürger/in 1"
    assert first["Entscheidung"] == "berücksichtigt"
    assert first["Abwägungsvorschlag der Verwaltung"] == "Die Zufahrt entfällt."
    assert rows[4][1] == "Naturschutzbund Usingen"
    # Formula-looking text is defused for spreadsheet programs.
    assert not any(cell.startswith("=") for row in rows for cell in row)
    _assert_no_personal_data(text, decided)


def test_csv_with_personal_data(decided):
    text = _export(decided, "csv", personal=True).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == PERSONAL_HEADERS
    assert "Erika Musterfrau0" in text and "erika0@example.org" in text and "Hauptstraße 0, 61250 Usingen" in text


def test_xlsx_table(decided):
    workbook = openpyxl.load_workbook(io.BytesIO(_export(decided, "xlsx")))
    sheet = workbook["Abwägung"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ANON_HEADERS
    assert len(rows) == 9
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(ANON_HEADERS))}9"
    late_col = ANON_HEADERS.index("Verspätet")
    assert [r[late_col] for r in rows[1:]].count("ja") == 1
    _assert_no_personal_data("\n".join(str(c) for r in rows for c in r), decided)
    personal = openpyxl.load_workbook(io.BytesIO(_export(decided, "xlsx", personal=True)))["Abwägung"]
    values = [c for r in personal.iter_rows(values_only=True) for c in r]
    assert "erika1@example.org" in values


def test_pdf_has_title_statistics_map_and_table(decided):
    reader = PdfReader(io.BytesIO(_export(decided, "pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Abwägungstabelle" in text
    assert "Am Riedborn" in text
    assert "Stellungnahmen insgesamt" in text
    assert "Karte der Stellungnahmen" in text
    assert "Bürger/in 8" in text and "Die Zufahrt entfällt." in text
    assert "EPSG:25832" in text
    _assert_no_personal_data(text, decided)
    personal = PdfReader(io.BytesIO(_export(decided, "pdf", personal=True)))
    personal_text = "\n".join(p.extract_text() for p in personal.pages)
    assert "Musterfrau0" in personal_text and "Am Markt 1" in personal_text
    assert "Abschicken" not in text and "Post" in text


def test_geojson_in_municipality_crs(decided, tmp_path):
    data = _export(decided, "geojson")
    collection = json.loads(data)
    assert len(collection["features"]) == 8
    assert "EPSG::25832" in json.dumps(collection.get("crs"))
    path = tmp_path / "s.geojson"
    path.write_bytes(data)
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 25832
    assert len(frame) == 8
    assert frame.geometry.isna().sum() == 1  # the paper statement without a place
    from pyproj import Transformer

    first = decided["statements"][0].location
    expected = Transformer.from_crs(4326, 25832, always_xy=True).transform(first.x, first.y)
    x, y = frame.loc[frame["nr"] == 1].geometry.iloc[0].coords[0]
    assert (round(x, 1), round(y, 1)) == (round(expected[0], 1), round(expected[1], 1))  # metres, not degrees
    _assert_no_personal_data(data.decode(), decided)


def test_geopackage_points_and_areas(decided, tmp_path):
    decided["town"].crs_epsg = 25833
    decided["town"].save()
    path = tmp_path / "s.gpkg"
    path.write_bytes(_export(decided, "gpkg"))
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert layers == {"stellungnahmen": "Point", "stellungnahmen_flaechen": "Polygon"}
    points = pyogrio.read_dataframe(path, layer="stellungnahmen")
    areas = pyogrio.read_dataframe(path, layer="stellungnahmen_flaechen")
    assert points.crs.to_epsg() == 25833 and areas.crs.to_epsg() == 25833
    assert len(points) == 8 and len(areas) == 1
    assert list(points.columns[:-1]) == [c.key for c in columns_for(personal=False)]
    assert "name" not in points.columns and "email" not in points.columns
    assert points.loc[points["nr"] == 1, "entscheidung"].iloc[0] == "berücksichtigt"
    text = points.drop(columns="geometry").to_csv()
    _assert_no_personal_data(text, decided)


def test_command_exports_and_logs_personal_data(decided, tmp_path):
    out = io.StringIO()
    target = tmp_path / "t.xlsx"
    call_command("export_comments", decided["consultation"].pk, "--format", "xlsx", "-o", str(target), stdout=out)
    assert "8 Stellungnahmen" in out.getvalue()
    assert openpyxl.load_workbook(target)["Abwägung"].max_row == 9
    assert not PersonalDataExportLog.objects.exists()
    call_command(
        "export_comments",
        decided["consultation"].pk,
        "--format",
        "csv",
        "--with-personal-data",
        "-o",
        str(tmp_path / "p.csv"),
        stdout=io.StringIO(),
    )
    log = PersonalDataExportLog.objects.get()
    assert (log.user, log.via, log.format, log.rows) == (None, "cli", "csv", 8)
    assert "erika0@example.org" in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")


def test_command_rejects_unknown_consultation_and_format(db, tmp_path):
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("export_comments", 999999, "--format", "csv", "-o", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError):
        call_command("export_comments", 1, "--format", "docx", "-o", str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.csv").exists()
