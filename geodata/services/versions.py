"""Plan versions (Fassungen): every import of a plan makes one; earlier versions stay readable.

A version is the set of layers a plan shows after an import. Layers are never changed by a later
import: a re-import writes new layers, and the new version holds them together with the layers it
carries over from the previous version (e.g. GIS layers next to an XPlanGML import). `Layer.current`
marks the layers of the newest version, which is what the plan page and the downloads show.

`preview_changes` compares the elements of a file with the current version on plain data, for the
import preview ("neu / entfallen / geändert / unverändert" per class).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet, Sum
from django.utils.translation import gettext as _
from pyproj import Transformer

from plans import rules
from plans.models import Plan
from plans.page_cache import bump_plan_page

from ..models import Feature, ImportRun, Layer, PlanVersion
from .downloads import plan_downloads_queue

GEOMETRY_TOLERANCE_M = 0.01  # geometries within 1 cm count as unchanged


def plan_version_create(
    *,
    plan: Plan,
    by,
    layers: Iterable[Layer],
    import_run: ImportRun | None = None,
    source_name: str = "",
    note: str = "",
) -> PlanVersion:
    """Record a new version of `plan` holding `layers` and make exactly those layers current."""
    rules.require(by, "manage", plan.municipality)
    layer_ids = sorted({layer.pk for layer in layers})
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one numbering at a time per plan
        if Layer.objects.filter(pk__in=layer_ids).exclude(plan=plan).exists():
            raise ValidationError(_("Eine Ebene gehört zu einem anderen Plan."), code="layer_of_other_plan")
        number = (plan.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = PlanVersion.objects.create(
            plan=plan,
            number=number,
            import_run=import_run,
            source_name=source_name[:300],
            note=note[:300],
            created_by=rules.user_or_none(by),
        )
        version.layers.set(layer_ids)
        Layer.objects.filter(plan=plan, pk__in=layer_ids).update(current=True)
        Layer.objects.filter(plan=plan, current=True).exclude(pk__in=layer_ids).update(current=False)
        bump_plan_page(plan.pk)  # the plan page lists the current layers (update() sends no post_save)
        plan_id = plan.pk
        transaction.on_commit(lambda: plan_downloads_queue(plan_id=plan_id))
    return version


def layer_remove(*, layer: Layer, by) -> PlanVersion:
    """Take `layer` out of its plan's current version by recording a new version without it; keep its rows.

    The layer, its features (and so the statements pointing at them) and earlier versions stay as
    they are; the layer is no longer shown on the plan page.
    """
    plan = layer.plan
    rules.require(by, "manage", plan.municipality)
    with transaction.atomic():
        current = list(current_layers(plan).select_for_update())
        if layer.pk not in {item.pk for item in current}:
            raise ValidationError(
                _("Die Ebene „%(name)s“ gehört nicht zur aktuellen Fassung.") % {"name": layer.name},
                code="layer_not_current",
            )
        return plan_version_create(
            plan=plan,
            by=by,
            layers=[item for item in current if item.pk != layer.pk],
            note=_("Ebene „%(name)s“ entfernt") % {"name": layer.name[:200]},
        )


def current_layers(plan: Plan) -> QuerySet[Layer]:
    """Return the layers of `plan`'s current version (all its layers if it has no version yet)."""
    return plan.layers.filter(current=True)


def plan_current_version(plan: Plan) -> PlanVersion | None:
    """Return the newest version of `plan`, or None if it has none."""
    return plan.versions.order_by("-number").first()


def plan_versions(plan: Plan) -> QuerySet[PlanVersion]:
    """Return the versions of `plan`, newest first, with `layer_count` and `feature_total`."""
    return plan.versions.annotate(
        layer_count=Count("layers", distinct=True),
        feature_total=Sum("layers__feature_count"),
    ).order_by("-number")


def plan_version(plan: Plan, number: int) -> PlanVersion | None:
    """Return version `number` of `plan`, or None."""
    return plan.versions.filter(number=number).first()


def version_layers(version: PlanVersion) -> QuerySet[Layer]:
    """Return the layers of `version` in map order."""
    return version.layers.order_by("order", "pk")


# --- What an import would change (the preview) -------------------------------------------------


@dataclass
class ClassChanges:
    """Counts of one class (or layer) between the current version and a file."""

    key: str
    name: str
    new: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Element:
    """One element on plain data: its stable key, geometry (shapely, metric CRS) and attributes."""

    key: str
    geometry: object
    properties: dict = field(default_factory=dict)


Elements = dict[str, list[Element]]


def preview_changes(*, old: Elements, new: Elements, names: dict[str, str]) -> list[dict]:
    """Compare elements per class by key: new / removed / changed / unchanged (geometry within 1 cm, same attributes).

    `old` and `new` map a class (or layer name) to its elements, geometries in the same metric CRS;
    elements without a key are counted as new (and the old ones without a key as removed).
    """
    result = []
    for cls in sorted(set(old) | set(new), key=lambda c: (names.get(c, c), c)):
        counts = ClassChanges(key=cls, name=names.get(cls, cls))
        before = {element.key: element for element in old.get(cls, []) if element.key}
        counts.removed += sum(1 for element in old.get(cls, []) if not element.key)
        seen: set[str] = set()
        for element in new.get(cls, []):
            previous = before.get(element.key) if element.key and element.key not in seen else None
            seen.add(element.key)
            if previous is None:
                counts.new += 1
            elif same_element(previous, element):
                counts.unchanged += 1
            else:
                counts.changed += 1
        counts.removed += sum(1 for key in before if key not in seen)
        result.append(counts.as_dict())
    return result


def same_element(a: Element, b: Element) -> bool:
    """Return whether two elements have equal attributes and geometries within GEOMETRY_TOLERANCE_M."""
    if _comparable(a.properties) != _comparable(b.properties):
        return False
    if a.geometry is None or b.geometry is None:
        return a.geometry is None and b.geometry is None
    return bool(shapely.hausdorff_distance(a.geometry, b.geometry) <= GEOMETRY_TOLERANCE_M)


def _comparable(properties: dict) -> dict:
    ignored = {"gml_id", "source_id"}
    return {key: value for key, value in properties.items() if key not in ignored}


def current_elements(plan: Plan | None, *, by_class: bool, epsg: int) -> tuple[Elements, dict[str, str]]:
    """Return the current version's elements of `plan` grouped by XPlan class (or layer name), in EPSG:`epsg`.

    With `by_class` only XPlan layers are read (grouped by `xplan_class`); otherwise every current
    layer, grouped by name. Also returns class → layer name.
    """
    if plan is None:
        return {}, {}
    layers = current_layers(plan)
    return layer_elements(layers.exclude(xplan_class="") if by_class else layers, by_class=by_class, epsg=epsg)


def layer_elements(layers: Iterable[Layer], *, by_class: bool, epsg: int) -> tuple[Elements, dict[str, str]]:
    """Return the elements of `layers` grouped by XPlan class (or layer name) in EPSG:`epsg`, and key → name."""
    to_metric = metric_transformer(epsg)
    elements: dict[str, list[Element]] = {}
    names: dict[str, str] = {}
    for layer in layers:
        key = layer.xplan_class if by_class else layer.name
        names.setdefault(key, layer.name)
        bucket = elements.setdefault(key, [])
        rows = Feature.objects.filter(layer=layer).order_by("pk").values_list("source_id", "geometry", "properties")
        for source_id, geometry, properties in rows:
            shape = to_metric(shapely.from_wkb(bytes(geometry.wkb)))
            bucket.append(Element(key=source_id, geometry=shape, properties=properties or {}))
    return elements, names


def layer_replace_changes(*, old: list[Layer], new: Layer) -> dict:
    """Return the counts new / removed / changed / unchanged of a GIS layer replacing `old` (same name)."""
    epsg = new.plan.municipality.crs_epsg
    before, _names = layer_elements(old, by_class=False, epsg=epsg)
    after, _names = layer_elements([new], by_class=False, epsg=epsg)
    return preview_changes(old=before, new=after, names={new.name: new.name})[0]


def metric_transformer(epsg: int):
    """Return a function transforming a shapely geometry from EPSG:4326 to EPSG:`epsg`."""
    transformer = Transformer.from_crs(4326, epsg, always_xy=True)

    def transform(geometry):
        def points(xy):
            x, y = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geometry, points)

    return transform
