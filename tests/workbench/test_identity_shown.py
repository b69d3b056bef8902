"""Staff see which statements come from citizens identified with BundID (weighing page, exports)."""

import csv
import io

from django.urls import reverse

from participation.models import Statement
from participation.workbench import services


def test_bundid_statements_are_marked_on_the_weighing_page_and_in_the_export(client, world):
    consultation, planner = world["consultation"], world["users"]["planner"]
    identified, other = world["statements"][0], world["statements"][1]
    Statement.objects.filter(pk=identified.pk).update(identified_with="bundid")

    data, _count = services.report_export(consultation=consultation, by=planner, format="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    column, text = header.index("Identifiziert mit"), header.index("Stellungnahme")
    by_text = {row[text]: row[column] for row in rows[1:]}
    assert by_text[identified.comment] == "BundID"
    assert by_text[other.comment] == ""

    client.force_login(planner)
    page = client.get(reverse("workbench:weighing", args=[consultation.pk, identified.pk])).content.decode()
    assert "Identifiziert mit" in page and "BundID" in page
    page = client.get(reverse("workbench:weighing", args=[consultation.pk, other.pk])).content.decode()
    assert "Identifiziert mit" not in page
