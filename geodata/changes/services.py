"""Store the changes between two versions of a plan: a VersionComparison with its ElementChange rows."""

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Document, DocumentSection, Plan

from ..models import ElementChange, Feature, Layer, PlanVersion, VersionComparison
from . import diff

# A click on a changed edge should count as "in the changed part": the union of the changes grows by this.
CHANGED_AREA_BUFFER_M = 2.0
# Layers that are no plan content of their own: the change layer itself, labels and scanned drawings.
SKIPPED_KINDS = (Layer.Kind.CHANGES, Layer.Kind.LABELS, Layer.Kind.RASTER)


def version_elements(version: PlanVersion) -> list[diff.Element]:
    """Return the plan elements of `version` with their stable keys, grouped by XPlanung class or layer name."""
    features = (
        Feature.objects.filter(layer__in=version.layers.exclude(kind__in=SKIPPED_KINDS))
        .select_related("layer")
        .order_by("layer__order", "layer_id", "id")
    )
    return [
        diff.Element(
            key=feature.source_id,
            layer=feature.layer.xplan_class or feature.layer.name,
            layer_name=feature.layer.name,
            geometry=feature.geometry,
            properties=feature.properties or {},
            feature_id=feature.pk,
        )
        for feature in features
    ]


def _provisions_at(plan: Plan, version: PlanVersion, *, latest: bool) -> Document | None:
    """Return the text-provisions document online when `version` was made (the current one for the newest)."""
    documents = plan.documents.filter(kind=Document.Kind.TEXT_PROVISIONS, withdrawn_at__isnull=True)
    if latest:
        current = documents.current().order_by("-online_since", "-id").first()
        if current is not None:
            return current
    at = version.created_at
    return documents.filter(online_since__lte=at).exclude(online_until__lte=at).order_by("-online_since", "-id").first()


def _sections(document: Document | None) -> list[diff.Section]:
    if document is None:
        return []
    return [
        diff.Section(number=s.number, title=s.title, text=s.text, section_id=s.pk)
        for s in DocumentSection.objects.filter(document=document).order_by("order", "id")
    ]


def text_changes(plan: Plan, old_version: PlanVersion, new_version: PlanVersion) -> list[diff.Change]:
    """Return the word-diffed text sections of the textliche Festsetzungen, if both versions have a document."""
    latest = not plan.versions.filter(number__gt=new_version.number).exists()
    old_doc = _provisions_at(plan, old_version, latest=False)
    new_doc = _provisions_at(plan, new_version, latest=latest)
    if old_doc is None or new_doc is None or old_doc.pk == new_doc.pk:
        return []
    return diff.diff_sections(_sections(old_doc), _sections(new_doc), layer_name=new_doc.title)


def changed_area(changes: list[diff.Change], *, metric_srid: int) -> MultiPolygon | None:
    """Return the union of the changed parts, buffered by CHANGED_AREA_BUFFER_M, as a MultiPolygon in EPSG:4326."""
    geometries = [c.geometry for c in changes if c.geometry is not None and not c.geometry.empty]
    if not geometries:
        return None
    to_metric = CoordTransform(SpatialReference(4326), SpatialReference(metric_srid))
    back = CoordTransform(SpatialReference(metric_srid), SpatialReference(4326))
    parts = [geometry.transform(to_metric, clone=True).buffer(CHANGED_AREA_BUFFER_M) for geometry in geometries]
    union: GEOSGeometry = parts[0]
    for part in parts[1:]:
        union = union.union(part)
    union = union.buffer(0)
    union.transform(back)
    if isinstance(union, Polygon):
        union = MultiPolygon(union, srid=4326)
    union.srid = 4326
    return union if isinstance(union, MultiPolygon) else None


def summarise(changes: list[diff.Change]) -> dict:
    """Return counts per kind, the total and the area gained and lost in m²."""
    summary: dict = {kind: 0 for kind in ElementChange.Kind.values}
    for change in changes:
        summary[change.kind] += 1
    summary["total"] = len(changes)
    summary["area_gained_m2"] = round(sum(c.area_gained_m2 or 0 for c in changes if c.kind != diff.REMOVED), 2)
    summary["area_lost_m2"] = round(sum(c.area_lost_m2 or 0 for c in changes if c.kind != diff.ADDED), 2)
    return summary


def _check_versions(plan: Plan, old_version: PlanVersion, new_version: PlanVersion) -> None:
    if old_version.plan_id != plan.pk or new_version.plan_id != plan.pk:
        raise ValidationError(_("Die gewählten Fassungen gehören nicht zu diesem Plan."), code="foreign_version")
    if old_version.number >= new_version.number:
        raise ValidationError(
            {
                "old_version": ValidationError(
                    _("Bitte eine frühere Fassung mit einer späteren vergleichen."), code="versions_not_ordered"
                )
            }
        )


@transaction.atomic
def comparison_create(*, plan: Plan, old_version: PlanVersion, new_version: PlanVersion, by) -> VersionComparison:
    """Compare two versions of `plan` and store the changes (computed anew if the pair was compared before)."""
    rules.require(by, "manage", plan.municipality)
    _check_versions(plan, old_version, new_version)
    srid = plan.municipality.crs_epsg
    changes = diff.diff_elements(version_elements(old_version), version_elements(new_version), metric_srid=srid)
    changes += text_changes(plan, old_version, new_version)
    comparison, _created = VersionComparison.objects.select_for_update().get_or_create(
        old_version=old_version, new_version=new_version, defaults={"plan": plan}
    )
    comparison.changes.all().delete()
    comparison.summary = summarise(changes)
    comparison.changed_area = changed_area(changes, metric_srid=srid)
    comparison.save()
    ElementChange.objects.bulk_create(
        ElementChange(
            comparison=comparison,
            kind=change.kind,
            key=change.key[:200],
            layer_name=change.layer_name[:200],
            old_feature_id=change.old_feature_id,
            new_feature_id=change.new_feature_id,
            geometry=change.geometry,
            area_gained_m2=change.area_gained_m2,
            area_lost_m2=change.area_lost_m2,
            details=change.details,
            order=index,
        )
        for index, change in enumerate(changes)
    )
    return comparison
