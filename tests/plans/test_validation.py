"""Model validation of plans and documents (every form that edits them reuses it): German messages."""

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from plans.models import Document
from tests.factories import MunicipalityFactory, PlanFactory, minimal_pdf

pytestmark = pytest.mark.django_db

SELF_INTERSECTING = (
    '{"type": "MultiPolygon", "coordinates": [[[[8.0, 50.0], [8.01, 50.01], [8.01, 50.0], [8.0, 50.01], [8.0, 50.0]]]]}'
)
OUTSIDE = '{"type": "MultiPolygon", "coordinates": [[[[2.0, 40.0], [2.01, 40.0], [2.01, 40.01], [2.0, 40.0]]]]}'


def test_self_intersecting_area_is_refused_in_german():
    plan = PlanFactory.build(municipality=MunicipalityFactory(), area=GEOSGeometry(SELF_INTERSECTING, srid=4326))
    with pytest.raises(ValidationError, match="Die Geometrie ist ungültig"):
        plan.full_clean()


def test_area_outside_municipality_is_refused():
    plan = PlanFactory.build(municipality=MunicipalityFactory(), area=GEOSGeometry(OUTSIDE, srid=4326))
    with pytest.raises(ValidationError, match="außerhalb der Gemeindegrenze"):
        plan.full_clean()


@pytest.mark.parametrize(
    "name,content,error",
    [
        ("plan.pdf", b"GIF89a not a pdf", "kein gültiges PDF"),
        ("plan.exe", minimal_pdf(), "Dateiendung"),
        ("gross.pdf", minimal_pdf() + b"0" * (1024 * 1024 + 10), "zu groß"),
    ],
)
def test_bad_documents_are_refused(settings, name, content, error):
    settings.MAX_DOCUMENT_SIZE_MB = 1
    document = Document(plan=PlanFactory(), title="Begründung", kind="justification", order=0)
    document.file = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError, match=error):
        document.full_clean()


def test_valid_pdf_is_saved_with_size():
    document = Document(plan=PlanFactory(), title="Begründung", kind="justification", order=0)
    document.file = SimpleUploadedFile("begruendung.pdf", minimal_pdf())
    document.full_clean()
    document.save()
    assert Document.objects.get().size == len(minimal_pdf())
