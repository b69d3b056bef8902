"""A municipality's own Word templates for the council documents: upload, checks, use in exports, download, delete."""

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participation.workbench import council_templates, services
from participation.workbench.models import CouncilTemplate
from participation.workbench.reports import export_report
from participation.workbench.reports.council import LINE_PLACEHOLDERS, PLACEHOLDERS
from plans.rules import SYSTEM
from tests.factories import minimal_pdf

ROOT = Path(__file__).resolve().parents[2]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_file(heading: str, *cells: str) -> bytes:
    """Return a DOCX with a heading and a table whose second row loops over `zeilen` with `cells`."""
    document = docx.Document()
    document.add_heading(heading, level=1)
    table = document.add_table(rows=4, cols=len(cells))
    for cell, text in zip(table.rows[0].cells, ["Nummer", "Text", "Ergebnis"][: len(cells)], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for z in zeilen %}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client, municipality, content: bytes, name="vorlage.docx", kind="abwaegungstabelle"):
    return client.post(
        reverse("workbench:council_template_upload", args=[municipality.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=DOCX)},
    )


def test_planner_uploads_a_template_with_a_custom_heading_and_the_export_uses_it(client, world):
    consultation, town = world["consultation"], world["town"]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    client.force_login(world["users"]["planner"])
    content = word_file("Abwägung der Stadt {{ kommune }} zu „{{ plan }}“", "{{ z.nr }}", "{{ z.stellungnahme }}")
    response = _upload(client, town, content, name="usingen.docx")
    assert response.status_code == 302
    template = CouncilTemplate.objects.get(municipality=town)
    assert (template.kind, template.original_name, template.size) == ("abwaegungstabelle", "usingen.docx", len(content))
    page = client.get(response["Location"]).content.decode()
    assert "Eigene Vorlage „usingen.docx“" in page
    exported, _count = export_report(consultation=consultation, format="docx")
    document = docx.Document(io.BytesIO(exported))
    assert document.paragraphs[0].text == "Abwägung der Stadt Usingen zu „Am Riedborn“"
    assert [row.cells[0].text for row in document.tables[0].rows] == ["Nummer", *[str(n) for n in range(1, 9)]]
    # The other municipality and the Beschlussvorlage keep the default.
    paper, _count = export_report(consultation=consultation, format="bv-docx")
    assert docx.Document(io.BytesIO(paper)).paragraphs[0].text == "Beschlussvorlage"
    download = client.get(reverse("workbench:council_template_download", args=[town.pk, "abwaegungstabelle"]))
    assert download.content == content and "usingen.docx" in download["Content-Disposition"]


def _refused(client, world, content, name="vorlage.docx"):
    client.force_login(world["users"]["planner"])
    response = _upload(client, world["town"], content, name=name)
    assert response.status_code == 400
    assert not CouncilTemplate.objects.exists()
    return response.content.decode()


def test_unknown_placeholders_are_named_and_nothing_is_stored(client, world):
    content = word_file("{{ gemeinde }} {{ plan }}", "{{ z.nr }}", "{{ z.antwort }}")
    page = _refused(client, world, content)
    assert "Die Vorlage enthält unbekannte Platzhalter: {{ gemeinde }}, {{ antwort }}." in page.replace("&quot;", '"')


def test_service_refuses_unknown_placeholders_with_a_code(world):
    upload = SimpleUploadedFile("a.docx", word_file("{{ titel }}", "{{ z.nr }}"))
    with pytest.raises(ValidationError) as error:
        council_templates.council_template_upload(
            municipality=world["town"], kind="abwaegungstabelle", file=upload, by=world["users"]["planner"]
        )
    assert error.value.code == "unknown_placeholder"


def test_a_template_with_macros_is_refused(client, world):
    source = io.BytesIO(word_file("{{ plan }}", "{{ z.nr }}"))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as macro:
        for item in original.infolist():
            macro.writestr(item, original.read(item))
        macro.writestr("word/vbaProject.bin", b"\x00" * 64)
    page = _refused(client, world, out.getvalue(), name="makro.docm")
    assert "Die Datei „makro.docm“ enthält Makros." in page


def test_a_pdf_a_broken_tag_and_the_sandbox_are_refused(client, world):
    assert "ist keine Word-Datei (DOCX)" in _refused(client, world, minimal_pdf(), name="vorlage.pdf")
    page = _refused(client, world, word_file("{% if plan %}", "{{ z.nr }}"))
    assert "Die Vorlage enthält einen fehlerhaften Platzhalter oder Befehl:" in page
    assert "{{ range }}" in _refused(client, world, word_file("{% for i in range(9) %}{% endfor %}", "{{ z.nr }}"))
    page = _refused(client, world, word_file("{{ plan.__class__.__mro__ }}", "{{ z.nr }}"))
    assert "lässt sich nicht ausfüllen" in page


def test_staff_of_another_municipality_cannot_upload_or_download(client, world):
    town = world["town"]
    content = word_file("{{ plan }}", "{{ z.nr }}")
    for user, status in (("foreign_planner", 404), ("moderator", 403)):
        client.force_login(world["users"][user])
        assert _upload(client, town, content).status_code == status
    assert not CouncilTemplate.objects.exists()
    client.force_login(world["users"]["foreign_planner"])
    for name in ("council_template_download", "council_template_default", "council_templates"):
        kwargs = {"municipality_id": town.pk} | ({} if name == "council_templates" else {"kind": "beschlussvorlage"})
        assert client.get(reverse(f"workbench:{name}", kwargs=kwargs)).status_code == 404


def test_default_template_is_a_starting_point_and_deleting_the_own_one_restores_it(client, world):
    town = world["town"]
    client.force_login(world["users"]["planner"])
    default = client.get(reverse("workbench:council_template_default", args=[town.pk, "beschlussvorlage"]))
    assert default.status_code == 200 and default["Content-Type"] == DOCX
    document = docx.Document(io.BytesIO(default.content))
    assert "{{ beschlussvorschlag }}" in [p.text for p in document.paragraphs]
    assert _upload(client, town, default.content, kind="beschlussvorlage").status_code == 302  # the default passes
    response = client.post(reverse("workbench:council_template_delete", args=[town.pk, "beschlussvorlage"]))
    assert response.status_code == 302 and not CouncilTemplate.objects.exists()
    assert "es gilt wieder die Standardvorlage" in client.get(response["Location"]).content.decode()


def test_the_default_templates_are_what_the_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_council_templates", ROOT / "tools/make_council_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    stored = ROOT / "participation/workbench/templates/workbench/council"
    for name in ("abwaegungstabelle.docx", "beschlussvorlage.docx"):
        with zipfile.ZipFile(tmp_path / name) as fresh, zipfile.ZipFile(stored / name) as kept:
            for part in ("word/document.xml", "word/styles.xml"):
                assert fresh.read(part) == kept.read(part), f"{name}: run tools/make_council_templates.py"


def test_every_placeholder_is_documented():
    guide = (ROOT / "docs/council-documents.md").read_text()
    documented = set(re.findall(r"^\| `(?:z\.)?([a-z_]+)`", guide, flags=re.MULTILINE))
    assert set(PLACEHOLDERS) | set(LINE_PLACEHOLDERS) <= documented


def test_a_template_with_a_column_loop_is_filled_in(client, world):
    """Column loops ({%tc %}) change the number of cells: the table grid is recounted."""
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(
        table.rows[0].cells, ["{%tc for e in entscheidungen %}", "{{ e.bezeichnung }}", "{%tc endfor %}"], strict=True
    ):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    client.force_login(world["users"]["planner"])
    assert _upload(client, world["town"], out.getvalue()).status_code == 302
    exported, _count = export_report(consultation=world["consultation"], format="docx")
    (row,) = docx.Document(io.BytesIO(exported)).tables[0].rows
    assert [cell.text for cell in row.cells] == [
        "berücksichtigt",
        "teilweise berücksichtigt",
        "nicht berücksichtigt",
        "zur Kenntnis genommen",
    ]
