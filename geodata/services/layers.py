"""Import one layer of a GIS file into a plan: preview, validate, then write features in batches."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import shapely
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Plan

from ..errors import ImportRejected
from ..importers import files, reader
from ..importers.geometry import clean
from ..importers.report import ImportReport
from ..labels import labels_for_fields
from ..models import Feature, Layer
from .publishing import after_import
from .versions import layer_replace_changes, plan_version_create

ProgressCallback = Callable[[int, int], None]

KIND_STYLES: dict[str, dict[str, object]] = {
    Layer.Kind.SCOPE: {"color": "#000000", "fillColor": "#000000", "fillOpacity": 0.0, "weight": 3, "dashArray": "8 4"},
    Layer.Kind.BUILDING_AREAS: {"color": "#c0392b", "fillColor": "#e8a19a", "fillOpacity": 0.45, "weight": 1},
    Layer.Kind.GREEN_SPACES: {"color": "#2e7d32", "fillColor": "#8bc34a", "fillOpacity": 0.45, "weight": 1},
    Layer.Kind.TRAFFIC_AREAS: {"color": "#6d6d6d", "fillColor": "#f2d98c", "fillOpacity": 0.6, "weight": 1},
    Layer.Kind.EXISTING: {"color": "#555555", "fillColor": "#bdbdbd", "fillOpacity": 0.35, "weight": 1},
}
SOURCE_ID_COLUMNS = ("source_id", "id", "gml_id", "fid", "objectid", "OBJECTID", "ID", "Id")


def style_for_kind(kind: str) -> dict:
    """Return the default style of a layer kind."""
    style = KIND_STYLES.get(kind)
    return dict(style) if style else {"color": "#1f5fa8", "fillColor": "#1f5fa8", "fillOpacity": 0.25, "weight": 2}


def batch_size() -> int:
    """Return how many features one INSERT batch holds."""
    return getattr(settings, "IMPORT_BATCH_SIZE", 2000)


@dataclass
class Preview:
    """What an upload holds, shown before anything is saved."""

    layer: str
    layers: list[str]
    driver: str
    feature_count: int
    crs: str
    crs_from_file: bool
    geometry_type: str
    bounds_4326: tuple[float, float, float, float] | None
    fields: list[str]

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def import_preview(
    *, path: Path, original_name: str | None = None, layer_name: str | None = None, crs: str | None = None
) -> Preview:
    """Read what `path` holds (count, CRS, bounding box) without writing anything."""
    with tempfile.TemporaryDirectory(prefix="pb-preview-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        info = reader.inspect(dataset, layer_name=layer_name, crs=crs)
        bounds = None
        if info.bounds is not None and all(np.isfinite(info.bounds)):
            box = shapely.box(*info.bounds)
            cleaned = clean([box], info.crs)
            minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(cleaned.geometries))
            bounds = (minx, miny, maxx, maxy)
        return Preview(
            layer=info.layer,
            layers=info.layers,
            driver=info.driver,
            feature_count=info.feature_count,
            crs=info.crs_label,
            crs_from_file=info.crs_from_file,
            geometry_type=info.geometry_type,
            bounds_4326=bounds,
            fields=info.fields,
        )


def layer_import(
    *,
    plan: Plan,
    path: Path,
    by,
    layer_name: str | None = None,
    crs: str | None = None,
    name: str | None = None,
    kind: str | None = None,
    original_name: str | None = None,
    progress: ProgressCallback | None = None,
    key_attribute: str | None = None,
    import_run=None,
) -> ImportReport:
    """Import one layer of a GIS file into `plan` as a new Layer and a new version of the plan; all or nothing.

    Checks that `by` may manage the plan's municipality, checks the file (size, archive,
    XML declarations), reads it with pyogrio, cleans the geometries (2D, no empties,
    make_valid, EPSG:4326) and only then writes the layer and its features in one
    transaction, in batches. The new version holds the current layers with the layer of the
    same name replaced by the new one (or the new one added); the replaced layer stays in the
    earlier version. `key_attribute` names the attribute that identifies an element across
    versions (default: the first of SOURCE_ID_COLUMNS the file has).
    """
    rules.require(by, "manage", plan.municipality)
    original_name = original_name or Path(path).name
    with tempfile.TemporaryDirectory(prefix="pb-import-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        info = reader.inspect(dataset, layer_name=layer_name, crs=crs)
        check_key_attribute(key_attribute, info.fields)
        frame = reader.read(info)
    report = ImportReport(found=len(frame), source_crs=info.crs_label)
    if not info.crs_from_file:
        report.notes.append(_("Koordinatensystem %(crs)s wurde vorgegeben.") % {"crs": info.crs_label})
    layer_name = (name or Path(original_name).stem or info.layer)[:200]
    with transaction.atomic():
        previous = list(plan.layers.filter(current=True).order_by("order", "pk"))
        replaced = [item for item in previous if item.name == layer_name]
        layer = layer_create(
            plan=plan,
            name=layer_name,
            kind=kind or (replaced[0].kind if replaced else Layer.Kind.OTHER),
            source_name=original_name,
            source_crs=info.crs_label,
            like=replaced[0] if replaced else None,
        )
        write_features(layer=layer, frame=frame, report=report, progress=progress, key_attribute=key_attribute)
        after_import(layer=layer)
        version = plan_version_create(
            plan=plan,
            by=by,
            layers=[item for item in previous if item.name != layer.name] + [layer],
            import_run=import_run,
            source_name=original_name,
        )
        if replaced:
            report.changes = [layer_replace_changes(old=replaced, new=layer)]
            report.updated, report.deleted = report.changes[0]["changed"], report.changes[0]["removed"]
            report.notes.append(
                _("Die Ebene „%(name)s“ der vorigen Fassung wurde ersetzt; sie bleibt in Fassung %(number)d lesbar.")
                % {"name": layer.name, "number": version.number - 1}
            )
    if report.transformation:
        report.notes.append(report.transformation)
    report.layer_name, report.layer_id, report.plan_id = layer.name, layer.pk, plan.pk
    report.version_id, report.version_number = version.pk, version.number
    return report


def check_key_attribute(key_attribute: str | None, fields: list[str]) -> None:
    """Refuse a key attribute the file does not have, naming the attributes it has."""
    if key_attribute and key_attribute not in fields:
        raise ImportRejected(
            _("Das Schlüsselattribut „%(key)s“ gibt es in der Datei nicht. Vorhanden sind: %(fields)s.")
            % {"key": key_attribute, "fields": ", ".join(fields) or "–"},
            code="key_attribute_missing",
        )


def layer_create(
    *,
    plan: Plan,
    name: str,
    kind: str,
    source_name: str,
    source_crs: str,
    xplan_class: str = "",
    like: Layer | None = None,
    xplan_version: str = "",
    bereich: str = "",
) -> Layer:
    """Create an empty layer on top of `plan`'s layers (a step of an import that already checked).

    With `like` (the layer it replaces in the new version) the new layer takes its place in the
    order, its default visibility and (if of the same kind) its style.
    """
    order = like.order if like else (plan.layers.aggregate(top=Max("order"))["top"] or 0) + 1
    return Layer.objects.create(
        plan=plan,
        name=name[:200],
        kind=kind,
        order=order,
        style=dict(like.style) if like and like.kind == kind else style_for_kind(kind),
        visible_by_default=like.visible_by_default if like else True,
        source_name=source_name[:300],
        source_crs=source_crs,
        xplan_class=xplan_class,
        xplan_version=xplan_version,
        bereich=bereich[:200],
    )


def write_features(
    *,
    layer: Layer,
    frame,
    report: ImportReport,
    progress: ProgressCallback | None = None,
    key_attribute: str | None = None,
) -> None:
    """Clean the geometries of `frame`, bulk-create them as features of `layer` and set its attribute labels.

    Each feature's `source_id` (its stable key across versions) is the `key_attribute` column, else the
    first of SOURCE_ID_COLUMNS the frame has. Raises ImportRejected if nothing is left; callers run this
    inside a transaction.
    """
    wkbs, properties, ids = cleaned_rows(frame, report, key_attribute=key_attribute)
    total = len(wkbs)
    size = batch_size()
    for start in range(0, total, size):
        stop = min(start + size, total)
        _insert_features(
            layer_id=layer.pk, wkbs=wkbs[start:stop], properties=properties[start:stop], source_ids=ids[start:stop]
        )
        if progress:
            progress(stop, total)
    report.created += total
    _set_attribute_labels(layer, frame)


def _set_attribute_labels(layer: Layer, frame) -> None:
    """Store the human labels of the frame's attributes on the layer (XPlanung names, BauNVO terms)."""
    fields = (c for c in frame.columns if c != frame.geometry.name)
    layer.attribute_labels = labels_for_fields(fields, xplan_class=layer.xplan_class, xplan_version=layer.xplan_version)
    layer.save(update_fields=["attribute_labels"])


def cleaned_rows(frame, report: ImportReport, *, key_attribute: str | None = None):
    """Return (WKB, attribute JSON, source id) of the usable rows of `frame`; count what was repaired or dropped."""
    labels = source_ids(frame, key_attribute)
    result = clean(frame.geometry.values, frame.crs, labels=labels)
    report.repaired += result.repaired
    report.empty += result.empty
    report.rejected += result.empty + result.unrepairable
    if result.transformation:
        report.transformation = result.transformation.sentence()
    if result.empty:
        report.notes.append(_("%(count)d Objekte ohne Geometrie wurden verworfen.") % {"count": result.empty})
    if result.unrepairable:
        report.notes.append(
            _("%(count)d Objekte mit nicht reparierbarer Geometrie wurden verworfen.") % {"count": result.unrepairable}
        )
    if not len(result.geometries):
        raise ImportRejected(
            _("Die Ebene enthält keine verwendbaren Geometrien (%(found)d Objekte, alle leer oder ungültig).")
            % {"found": len(frame)},
            code="no_features",
        )
    return shapely.to_wkb(result.geometries), _properties_json(frame.loc[result.keep]), labels[result.keep]


def _insert_features(*, layer_id: int, wkbs, properties, source_ids) -> None:
    """Insert one batch of features with a single executemany (WKB and JSON text as parameters).

    This bypasses model instances on purpose: building 50,000 GEOSGeometry objects and
    letting the SpatiaLite adapter turn them into WKT costs several times more than
    the insert itself. Columns and table come from the model's metadata.
    """
    meta = Feature._meta
    # Stubs: get_field() may be a reverse relation and Field.column is optional; these four are concrete columns.
    columns: list[str] = [meta.get_field(name).column for name in ("layer", "geometry", "properties", "source_id")]  # type: ignore[union-attr,misc]
    if connection.vendor == "postgresql":
        values = "%s, ST_GeomFromWKB(%s, 4326), CAST(%s AS jsonb), %s"
    else:
        values = "%s, GeomFromWKB(%s, 4326), %s, %s"
    quote = connection.ops.quote_name
    sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES ({values})"
    rows = [
        (layer_id, wkb, props, (source_id or "")[:200])
        for wkb, props, source_id in zip(wkbs, properties, source_ids, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def source_ids(frame, key_attribute: str | None = None) -> np.ndarray:
    """Return each row's stable key: the `key_attribute` column, else the first of SOURCE_ID_COLUMNS, else the row."""
    for column in [key_attribute] if key_attribute else SOURCE_ID_COLUMNS:
        if column in frame.columns:
            values = frame[column]
            return np.array(["" if pd.isna(v) else str(v) for v in values], dtype=object)
    return np.array([str(v) for v in frame.index], dtype=object)


def _properties_json(frame) -> list[str]:
    """Return each row's attributes as JSON text (NaN becomes null, dates ISO strings)."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if not columns:
        return ["{}"] * len(frame)
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    return [orjson.dumps(record, default=str, option=option).decode() for record in frame[columns].to_dict("records")]
