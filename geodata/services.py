"""Write services of the geodata app: importing layers and plans, post-import bookkeeping."""

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from plans.models import Plan

from .importers import files, reader
from .importers.errors import ImportRejected
from .importers.geometry import clean
from .importers.report import ImportReport
from .models import Feature, Layer
from .serving import storage
from .serving.geojson import build_geojson
from .serving.source import layer_arrays
from .serving.tiles import build_archive, forget_archives

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]

KIND_STYLES = {
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
            bounds = tuple(float(v) for v in shapely.total_bounds(cleaned.geometries))
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
    layer_name: str | None = None,
    crs: str | None = None,
    name: str | None = None,
    kind: str | None = None,
    by=None,
    original_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one layer of a GIS file into `plan` as a new Layer; all or nothing.

    Checks the file (size, archive, XML declarations), reads it with pyogrio, cleans
    the geometries (2D, no empties, make_valid, EPSG:4326) and only then writes the
    layer and its features in one transaction, in batches.
    """
    original_name = original_name or Path(path).name
    with tempfile.TemporaryDirectory(prefix="pb-import-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        info = reader.inspect(dataset, layer_name=layer_name, crs=crs)
        frame = reader.read(info)
    report = ImportReport(found=len(frame), source_crs=info.crs_label)
    if not info.crs_from_file:
        report.notes.append(_("Koordinatensystem %(crs)s wurde vorgegeben.") % {"crs": info.crs_label})
    layer_kind = kind or Layer.Kind.OTHER
    with transaction.atomic():
        layer = _create_layer(
            plan=plan,
            name=name or Path(original_name).stem or info.layer,
            kind=layer_kind,
            source_name=original_name,
            source_crs=info.crs_label,
        )
        write_features(layer=layer, frame=frame, report=report, progress=progress)
        layer_after_import(layer=layer)
    report.layer_name, report.layer_id, report.plan_id = layer.name, layer.pk, plan.pk
    return report


def _create_layer(
    *, plan: Plan, name: str, kind: str, source_name: str, source_crs: str, xplan_class: str = ""
) -> Layer:
    order = (plan.layers.aggregate(top=Max("order"))["top"] or 0) + 1
    return Layer.objects.create(
        plan=plan,
        name=name[:200],
        kind=kind,
        order=order,
        style=style_for_kind(kind),
        source_name=source_name[:300],
        source_crs=source_crs,
        xplan_class=xplan_class,
    )


def write_features(*, layer: Layer, frame, report: ImportReport, progress: ProgressCallback | None = None) -> None:
    """Clean the geometries of `frame` and bulk-create them as features of `layer`.

    Raises ImportRejected if nothing is left; callers run this inside a transaction.
    """
    labels = _source_ids(frame)
    result = clean(frame.geometry.values, frame.crs, labels=labels)
    report.repaired += result.repaired
    report.empty += result.empty
    report.rejected += result.empty + result.unrepairable
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
    properties = _properties_json(frame.loc[result.keep])
    ids = labels[result.keep]
    wkbs = shapely.to_wkb(result.geometries)
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


def _insert_features(*, layer_id: int, wkbs, properties, source_ids) -> None:
    """Insert one batch of features with a single executemany (WKB and JSON text as parameters).

    This bypasses model instances on purpose: building 50,000 GEOSGeometry objects and
    letting the SpatiaLite adapter turn them into WKT costs several times more than
    the insert itself. Columns and table come from the model's metadata.
    """
    meta = Feature._meta
    columns = [meta.get_field(name).column for name in ("layer", "geometry", "properties", "source_id")]
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


def _source_ids(frame) -> np.ndarray:
    for column in SOURCE_ID_COLUMNS:
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


def layer_uses_tiles(layer: Layer) -> bool:
    """Return True if `layer` is served as vector tiles rather than one GeoJSON file."""
    return layer.feature_count > settings.GEODATA_TILE_THRESHOLD


def layer_publish(*, layer: Layer) -> dict:
    """Build the served file of the layer's current version: GeoJSON (small) or a tile archive (large)."""
    started = time.perf_counter()
    if layer_uses_tiles(layer):
        ids, geoms, properties = layer_arrays(layer.pk)
        result = build_archive(
            ids=ids,
            geoms=geoms,
            properties=properties,
            path=storage.tiles_path(layer.pk, layer.version),
            name=layer.name,
        )
        result["mode"] = "tiles"
    else:
        result = build_geojson(layer, storage.geojson_path(layer.pk, layer.version))
        result["mode"] = "geojson"
    storage.remove_other_versions(layer.pk, layer.version)
    forget_archives(str(storage.layer_dir(layer.pk)) + "/")
    result["seconds"] = round(time.perf_counter() - started, 3)
    logger.info("Published layer %s v%s: %s", layer.pk, layer.version, result)
    return result


@transaction.atomic
def layer_after_import(*, layer: Layer) -> dict:
    """Bump the layer's version, recount its features and publish the new version's files."""
    Layer.objects.filter(pk=layer.pk).update(version=F("version") + 1, feature_count=layer.features.count())
    layer.refresh_from_db(fields=["version", "feature_count", "updated_at"])
    result = layer_publish(layer=layer)
    # Forget the cached version now and again after commit (a request may re-cache it meanwhile).
    key = f"geodata:public-layer:{layer.pk}"
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return result


def xplan_import(
    *,
    path: Path,
    municipality=None,
    allowed_municipalities=None,
    by=None,
    original_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Create or update a Plan with one layer per content class from an XPlanGML file; all or nothing.

    The municipality is matched by the AGS in the file (or given); `allowed_municipalities`
    (a queryset) limits which ones the caller may write to. A plan already imported
    (same municipality and number, else same name) is updated and its XPlan layers replaced.
    """
    import geopandas as gpd
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.text import slugify

    from plans.geometry import as_multipolygon
    from plans.models import Municipality, StageChange

    from .importers import xplan

    original_name = original_name or Path(path).name
    with tempfile.TemporaryDirectory(prefix="pb-xplan-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        if dataset.is_dir() or dataset.suffix.lower() not in (".gml", ".xml"):
            raise ImportRejected(_("Es wurde keine XPlanGML-Datei (.gml) gefunden."), code="not_xplan")
        document = xplan.read_xplan(dataset)

    if municipality is None:
        if not document.ags:
            raise ImportRejected(
                _(
                    "Die Datei enthält keinen Amtlichen Gemeindeschlüssel (gemeinde/XP_Gemeinde/ags); bitte die "
                    "Kommune angeben."
                ),
                code="ags_missing",
            )
        municipality = Municipality.objects.filter(ags=document.ags).first()
        if municipality is None:
            raise ImportRejected(
                _("Keine Kommune mit dem Amtlichen Gemeindeschlüssel %(ags)s gefunden.") % {"ags": document.ags},
                code="unknown_ags",
            )
    elif document.ags and document.ags != municipality.ags:
        raise ImportRejected(
            _("Der Gemeindeschlüssel in der Datei (%(ags)s) passt nicht zu %(name)s (%(own)s).")
            % {"ags": document.ags, "name": municipality.name, "own": municipality.ags},
            code="ags_mismatch",
        )
    if allowed_municipalities is not None and not allowed_municipalities.filter(pk=municipality.pk).exists():
        raise ImportRejected(
            _("Sie dürfen keine Pläne für %(name)s importieren.") % {"name": municipality.name}, code="forbidden"
        )
    if not document.name:
        raise ImportRejected(_("Der Plan hat keinen Namen (name)."), code="no_name")

    report = ImportReport(source_crs=document.crs_label, notes=list(document.notes))
    area_clean = clean([document.area], document.crs)
    polygons = [g for g in shapely.get_parts(area_clean.geometries) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise ImportRejected(_("Der Geltungsbereich ist keine Fläche."), code="no_area")
    area = GEOSGeometry(memoryview(shapely.to_wkb(shapely.union_all(polygons))), srid=4326)
    area = as_multipolygon(area)

    kind = xplan.plan_kind(document)
    stage = xplan.plan_stage(document)
    with transaction.atomic():
        plans = Plan.objects.select_for_update().filter(municipality=municipality)
        plan = (plans.filter(number=document.number).first() if document.number else None) or plans.filter(
            title=document.name
        ).first()
        created = plan is None
        if created:
            base = slugify(document.name)[:100] or "plan"
            slug, n = base, 2
            while Plan.objects.filter(municipality=municipality, slug=slug).exists():
                slug, n = f"{base}-{n}", n + 1
            plan = Plan(municipality=municipality, slug=slug, status=Plan.Status.DRAFT)
        old_stage = None if created else plan.stage
        plan.title = document.name[:250]
        plan.number = document.number[:50]
        plan.kind = kind
        plan.area = area
        if stage:
            plan.stage = stage
        try:
            plan.clean()
        except ValidationError as exc:
            raise ImportRejected(" ".join(exc.messages), code="invalid_plan") from exc
        plan.save()
        if stage and stage != old_stage:
            StageChange.objects.create(
                plan=plan,
                stage=stage,
                date=timezone.localdate(),
                created_by=by,
                note=_("Aus XPlanGML übernommen (%(file)s)") % {"file": original_name[:200]},
            )
        plan.layers.exclude(xplan_class="").delete()
        total = sum(len(items) for items in document.features.values())
        done = 0
        for cls, items in document.features.items():
            layer_name, layer_kind = xplan.layer_for_class(cls)
            frame = gpd.GeoDataFrame(
                [dict(item.properties, gml_id=item.gml_id) for item in items],
                geometry=[item.geometry for item in items],
                crs=document.crs,
            )
            layer_report = ImportReport(found=len(items))
            layer_report.repaired += sum(1 for item in items if item.gml_id in document.repaired_ids)
            layer = _create_layer(
                plan=plan,
                name=layer_name,
                kind=layer_kind,
                source_name=original_name,
                source_crs=document.crs_label,
                xplan_class=cls,
            )
            write_features(layer=layer, frame=frame, report=layer_report)
            layer_after_import(layer=layer)
            report.add(layer_report)
            report.layers.append({"id": layer.pk, "name": layer.name, "class": cls, "created": layer_report.created})
            done += len(items)
            if progress:
                progress(done, total)
    report.plan_id, report.plan_created = plan.pk, created
    report.layer_name = plan.title
    return report


def stage_upload(*, upload, user) -> Path:
    """Store an uploaded file in the user's private staging directory and return its path."""
    import uuid

    from django.utils.text import get_valid_filename

    user_root = files.staging_root() / str(user.pk)
    purge_stale_uploads(root=user_root)
    directory = user_root / uuid.uuid4().hex
    directory.mkdir(parents=True)
    filename = get_valid_filename(Path(upload.name).name)[-120:] or "upload"
    path = directory / filename
    with open(path, "wb") as sink:
        for chunk in upload.chunks():
            sink.write(chunk)
    return path


def purge_stale_uploads(*, root: Path, max_age_s: int = 24 * 3600) -> int:
    """Remove staged uploads under `root` older than `max_age_s` (previews never confirmed)."""
    import time

    if not root.is_dir():
        return 0
    removed = 0
    limit = time.time() - max_age_s
    for directory in root.iterdir():
        if directory.is_dir() and directory.stat().st_mtime < limit:
            files.remove_tree(directory)
            removed += 1
    return removed


def discard_staged(path: Path) -> None:
    """Remove a staged upload and its directory."""
    path = Path(path)
    root = files.staging_root().resolve()
    if root in path.resolve().parents:
        files.remove_tree(path.parent)


def import_run_start(*, source: str, municipality, plan=None, path: Path, file_name: str, options: dict, by):
    """Record an import and queue it as a background task once the row is committed."""
    from .models import ImportRun
    from .tasks import run_import

    run = ImportRun.objects.create(
        source=source,
        municipality=municipality,
        plan=plan,
        file_path=str(path),
        file_name=file_name[:300],
        options=options,
        created_by=by,
    )
    transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def import_run_execute(*, run) -> None:
    """Run a recorded import, keeping its status, progress and report up to date."""
    import logging

    from django.core.cache import cache
    from django.utils import timezone

    from .models import ImportRun

    if run.finished:
        return
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)

    def progress(done, total):
        # The import runs in one transaction, so progress goes to the cache, not the row.
        cache.set(progress_key(run.pk), (done, total), 3600)

    options = run.options or {}
    try:
        if run.source == ImportRun.Source.XPLAN:
            report = xplan_import(
                path=Path(run.file_path),
                municipality=run.municipality,
                by=run.created_by,
                original_name=run.file_name,
                progress=progress,
            )
        else:
            report = layer_import(
                plan=run.plan,
                path=Path(run.file_path),
                layer_name=options.get("layer_name") or None,
                crs=options.get("crs") or None,
                name=options.get("name") or None,
                kind=options.get("kind") or None,
                by=run.created_by,
                original_name=run.file_name,
                progress=progress,
            )
    except ImportRejected as exc:
        run.status, run.error = ImportRun.Status.FAILED, str(exc)
    except Exception:
        logging.getLogger(__name__).exception("Import %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.error = _("Der Import ist wegen eines internen Fehlers fehlgeschlagen; es wurde nichts gespeichert.")
    else:
        run.status, run.report = ImportRun.Status.SUCCEEDED, report.as_dict()
        run.progress_done = run.progress_total = report.created
        if report.plan_id and run.plan_id is None:
            run.plan_id = report.plan_id
    run.finished_at = timezone.now()
    run.save()
    discard_staged(Path(run.file_path))


def progress_key(run_id: int) -> str:
    return f"geodata:import-progress:{run_id}"
