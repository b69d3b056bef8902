"""Council documents: Abwägungstabelle and Beschlussvorlage as DOCX and ODT, opened as a council member would."""

import io

import docx
import pytest
from django.urls import reverse
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableHeaderRows, TableRow

from participation.workbench import services
from participation.workbench.models import ExportJob, Segment, Weighing
from participation.workbench.reports import export_report
from plans.rules import SYSTEM

HEADERS = ["Nr.", "Stellungnahme", "Abwägungsvorschlag der Verwaltung", "Entscheidung"]


@pytest.fixture
def weighed(world):
    """The world's eight statements numbered 1–8; no. 1 split into two segments with their own decisions."""
    consultation = world["consultation"]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    planner = world["users"]["planner"]
    first, second, fourth = (Weighing.objects.get(statement__consultation=consultation, number=n) for n in (1, 2, 4))
    services.weighing_update(
        weighing=second, by=planner, decision="not_considered", response="Die Zufahrt bleibt.", internal_note=""
    )
    services.weighing_update(
        weighing=fourth,
        by=planner,
        decision="considered",
        response="Ein Randstreifen wird festgesetzt.",
        internal_note="",
    )
    Segment.objects.create(
        weighing=first,
        number=1,
        excerpt="Die Riedbornstraße ist schon heute überlastet.",
        decision="partly",
        response="Die Straße wird verbreitert.",
    )
    Segment.objects.create(
        weighing=first,
        number=2,
        excerpt="Anbindung an die Landesstraße",
        decision="not_considered",
        response="Eine Anbindung ist nicht möglich.",
    )
    return consultation


def _table(document, headers=HEADERS):
    for table in document.tables:
        if [cell.text for cell in table.rows[0].cells] == headers:
            return table
    raise AssertionError("no Abwägungstabelle in the document")


def _docx_rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows[1:]]


def test_docx_table_lists_statements_with_their_segments_in_landscape(weighed, world):
    content, count = export_report(consultation=weighed, format="docx")
    document = docx.Document(io.BytesIO(content))
    assert count == 10  # rows written: 8 statements and the 2 segments of no. 1
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert document.paragraphs[0].text == "Abwägungstabelle"
    assert "„Am Riedborn“ – Usingen" in document.paragraphs[1].text
    table = _table(document)
    header_properties = table.rows[0]._tr.trPr
    assert header_properties.find(qn("w:tblHeader")) is not None  # repeated on every page
    rows = _docx_rows(table)
    assert [row[0] for row in rows] == ["1", "1.1", "1.2", "2", "3", "4", "5", "6", "7", "8"]
    assert rows[0][1].startswith("Bürger/in 1 · Eingang ")
    assert rows[0][2] == "Abgewogen in den Teilen 1.1 bis 1.2."
    assert rows[1] == [
        "1.1",
        "Teil 1.1\nDie Riedbornstraße ist schon heute überlastet.",
        "Die Straße wird verbreitert.",
        "teilweise berücksichtigt",
    ]
    assert rows[2][3] == "nicht berücksichtigt"
    assert rows[3][2:] == ["Die Zufahrt bleibt.", "nicht berücksichtigt"]
    assert rows[5][2:] == ["Ein Randstreifen wird festgesetzt.", "berücksichtigt"]
    assert "Kita-Plätze reichen im Ortsteil nicht aus. =SUMME(A1:A9)" in dict((r[0], r[1]) for r in rows)["5"]
    text = "\n".join("\n".join(row) for row in rows)
    for secret in world["names"] + world["emails"]:
        assert secret not in text


def test_docx_with_personal_data_names_the_submitters(weighed, world):
    content, _count = export_report(consultation=weighed, format="docx", personal=True)
    rows = _docx_rows(_table(docx.Document(io.BytesIO(content))))
    assert rows[0][1].startswith("Bürger/in 1 – Erika Musterfrau0, Hauptstraße 0, 61250 Usingen, erika0@example.org")


def _odt_tables(content):
    document = load(io.BytesIO(content))
    return document, document.getElementsByType(Table)


def _odt_rows(table):
    return [[teletype.extractText(cell) for cell in row.childNodes] for row in table.getElementsByType(TableRow)]


def test_odt_table_has_a_header_row_statements_and_segments(weighed, world):
    content, count = export_report(consultation=weighed, format="odt")
    document, tables = _odt_tables(content)
    assert count == 10  # rows written: 8 statements and the 2 segments of no. 1
    (table,) = tables
    header = table.getElementsByType(TableHeaderRows)
    assert len(header) == 1 and _odt_rows(header[0]) == [HEADERS]
    rows = _odt_rows(table)[1:]
    assert [row[0] for row in rows] == ["1", "1.1", "1.2", "2", "3", "4", "5", "6", "7", "8"]
    assert rows[1][1:] == [
        "Teil 1.1Die Riedbornstraße ist schon heute überlastet.",
        "Die Straße wird verbreitert.",
        "teilweise berücksichtigt",
    ]
    assert rows[3][2:] == ["Die Zufahrt bleibt.", "nicht berücksichtigt"]
    text = teletype.extractText(document.text)
    assert "Abwägungstabelle" in text and "Verfahrensschritt: Veröffentlichung im Internet (§ 3 Abs. 2 BauGB)" in text
    for secret in world["names"] + world["emails"]:
        assert secret not in text


def _counts(rows):
    return {name: count for name, count in rows}


def test_beschlussvorlage_has_the_proposal_the_counts_and_the_table_as_annex(weighed, world):
    town = world["town"]
    town.council_body = "Stadtverordnetenversammlung"
    town.save()
    content, count = export_report(consultation=weighed, format="bv-docx")
    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "Beschlussvorlage"
    assert "Die Stadtverordnetenversammlung beschließt, die im Verfahrensschritt „Veröffentlichung im Internet" in text
    assert "sind 8 Stellungnahmen eingegangen" in text and "(Teile insgesamt: 2)" in text
    counts = _counts(_docx_rows(_table(document, ["Entscheidung", "Stellungnahmen"])))
    assert counts == {
        "berücksichtigt": "1",
        "teilweise berücksichtigt": "0",
        "nicht berücksichtigt": "1",
        "zur Kenntnis genommen": "0",
        "noch ohne Entscheidung": "6",
        "Summe": "8",
    }
    assert len(_docx_rows(_table(document))) == 10  # the annex: 8 statements, 2 segments
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    assert count == 10  # rows written: 8 statements and the 2 segments of no. 1


def test_beschlussvorlage_as_odt_has_the_counts(weighed):
    content, _count = export_report(consultation=weighed, format="bv-odt")
    document, (counts, table) = _odt_tables(content)
    assert _counts(_odt_rows(counts)[1:])["nicht berücksichtigt"] == "1"
    assert _counts(_odt_rows(counts)[1:])["Summe"] == "8"
    assert len(_odt_rows(table)) == 1 + 10
    assert "Die Gemeindevertretung beschließt" in teletype.extractText(document.text)


@pytest.mark.parametrize(
    ("format", "name"),
    [
        ("docx", "abwaegung-am-riedborn-publication-1.docx"),
        ("bv-odt", "beschlussvorlage-am-riedborn-publication-1.odt"),
    ],
)
def test_export_job_writes_the_document_and_counts_the_statements(
    client, weighed, world, immediate_tasks, django_capture_on_commit_callbacks, format, name
):
    client.force_login(world["users"]["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workbench:export", args=[weighed.pk, format]), {"filters": "topic=traffic"})
    job = ExportJob.objects.get()
    assert (job.status, job.rows, job.file_name) == ("succeeded", 6, name)  # 4 statements + 2 segment rows
    page = client.get(response["Location"]).content.decode()
    assert "6 Zeilen exportiert." in page
    download = client.get(reverse("workbench:export_download", args=[weighed.pk, job.pk]))
    content = b"".join(download.streaming_content)
    if format == "docx":
        rows = _docx_rows(_table(docx.Document(io.BytesIO(content))))
    else:
        rows = _odt_rows(_odt_tables(content)[1][1])[1:]
    assert [row[0] for row in rows] == ["1", "1.1", "1.2", "2", "3", "8"]


def test_control_characters_in_a_statement_do_not_break_the_documents(weighed):
    statement = Weighing.objects.get(statement__consultation=weighed, number=3).statement
    statement.comment = "Zeile eins\x0b\x1b\fZeile zwei & <drei>\r\n  eingerückt\tmit  Tab"
    statement.save()
    for format in ("docx", "odt"):
        content, _count = export_report(consultation=weighed, format=format)
        if format == "docx":
            rows = _docx_rows(_table(docx.Document(io.BytesIO(content))))
        else:
            rows = _odt_rows(_odt_tables(content)[1][0])[1:]
        assert rows[4][1].endswith("Zeile einsZeile zwei & <drei>\n  eingerückt\tmit  Tab"), format
