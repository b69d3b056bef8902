"""Public layer endpoints: GeoJSON of small layers, vector tiles, GIS downloads."""

from __future__ import annotations

import gzip

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.http import parse_etags
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View

from plans import rules
from plans.models import Plan

from .errors import ExportError
from .exporters import FORMATS, export_crs
from .models import Layer
from .selectors import public_layer_version
from .services import layer_publish
from .services.downloads import layer_download_request, plan_download_request
from .serving import storage
from .serving.tiles import forget_archives, live_tile, open_archive, zoom_range

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"


def _public_layer(pk: int) -> dict:
    layer = public_layer_version(pk)
    if not layer:
        raise Http404
    return layer


_geojson_bytes: dict[str, bytes] = {}
_GEOJSON_MEMORY_LIMIT = 64 * 1024 * 1024


def _read_geojson(pk: int, version: int) -> bytes:
    """Return the stored gzip GeoJSON of a layer version, kept in process memory after the first read."""
    name = storage.geojson_name(pk, version)
    key = storage.cache_key(name)
    body = _geojson_bytes.get(key)
    if body is None:
        with default_storage.open(name, "rb") as handle:
            body = handle.read()
        if sum(len(v) for v in _geojson_bytes.values()) + len(body) > _GEOJSON_MEMORY_LIMIT:
            _geojson_bytes.clear()
        _geojson_bytes[key] = body
    return body


def _accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def _cache_headers(response, request, version: int, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    response["Access-Control-Allow-Origin"] = "*"
    if request.GET.get("v") == str(version):
        response["Cache-Control"] = f"public, max-age={settings.GEODATA_CACHE_MAX_AGE}, immutable"
    else:
        response["Cache-Control"] = "public, max-age=60"
    return response


def _not_modified(request, *etags: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    sent = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in sent or any(tag in sent for tag in etags)


def _compressed_response(request, body_gz: bytes, content_type: str, version: int, etag_base: str):
    if _accepts_gzip(request):
        response = HttpResponse(body_gz, content_type=content_type)
        response["Content-Encoding"] = "gzip"
        return _cache_headers(response, request, version, f'"{etag_base}-gz"')
    response = HttpResponse(gzip.decompress(body_gz), content_type=content_type)
    return _cache_headers(response, request, version, f'"{etag_base}"')


class LayerGeoJSONView(View):
    """GET /api/v1/layers/<id>.geojson: the pre-rendered FeatureCollection of a small layer."""

    def get(self, request, pk):
        layer = _public_layer(pk)
        if layer["feature_count"] > settings.GEODATA_TILE_THRESHOLD:
            return JsonResponse(
                {"error": _("Diese Ebene ist zu groß für GeoJSON; bitte Vektorkacheln oder den Download nutzen.")},
                status=404,
            )
        etag_base = f"layer-{pk}-v{layer['version']}"
        if _not_modified(request, f'"{etag_base}"', f'"{etag_base}-gz"'):
            etag = f'"{etag_base}-gz"' if _accepts_gzip(request) else f'"{etag_base}"'
            return _cache_headers(HttpResponse(status=304), request, layer["version"], etag)
        try:
            body_gz = _read_geojson(pk, layer["version"])
        except FileNotFoundError:
            # A lost cache file of a public layer: the installation rebuilds it, not the visitor.
            layer_publish(layer=Layer.objects.select_related("plan__municipality").get(pk=pk), by=rules.SYSTEM)
            body_gz = _read_geojson(pk, layer["version"])
        return _compressed_response(request, body_gz, "application/geo+json", layer["version"], etag_base)


class TileView(View):
    """GET /tiles/<id>/<z>/<x>/<y>.pbf: one vector tile (204 if it holds no features)."""

    def get(self, request, pk, z, x, y):
        min_zoom, max_zoom = zoom_range()
        if not (min_zoom <= z <= max_zoom and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
            raise Http404
        layer = _public_layer(pk)
        version = layer["version"]
        etag_base = f"tile-{pk}-v{version}-{z}-{x}-{y}"
        if _not_modified(request, f'"{etag_base}"', f'"{etag_base}-gz"'):
            etag = f'"{etag_base}-gz"' if _accepts_gzip(request) else f'"{etag_base}"'
            return _cache_headers(HttpResponse(status=304), request, version, etag)
        archive = open_archive(storage.tiles_name(pk, version))
        data = None
        if archive is not None:
            try:
                data = archive.get(z, x, y)
            except FileNotFoundError:  # replaced by a newer version a moment ago; render this one live
                forget_archives(archive.name)
                archive = None
        if archive is None:
            raw = live_tile(pk, z, x, y)
            data = gzip.compress(raw, compresslevel=5, mtime=0) if raw else None
        if not data:
            return _cache_headers(HttpResponse(status=204), request, version, f'"{etag_base}"')
        return _compressed_response(request, data, MVT_CONTENT_TYPE, version, etag_base)


RETRY_AFTER = 60  # seconds; the wait page asks to try again in a minute


def _file_response(request, name: str, content_type: str, filename: str, back_url: str) -> HttpResponseBase:
    """Stream the stored file `name`, or answer with the wait page if it vanished a moment ago (new version)."""
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        return _pending_response(request, back_url)
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _pending_response(request, back_url: str) -> HttpResponse:
    """Answer 202 Accepted: the build is queued; the page asks to retry in a minute and links back to the plan."""
    response = render(request, "geodata/download_pending.html", {"back_url": back_url}, status=202)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class LayerDownloadView(View):
    """GET /api/v1/layers/<id>/download/?format=gpkg|geojson|shp&crs=EPSG:25832: one layer as a file.

    The file is built by a background task, never here; until it exists the answer is the wait page (202).
    """

    def get(self, request, pk):
        layer = get_object_or_404(Layer.objects.public().select_related("plan__municipality"), pk=pk)
        fmt = request.GET.get("format", "gpkg")
        if fmt not in FORMATS:
            return JsonResponse({"error": _("Unbekanntes Format: %(format)s") % {"format": fmt}}, status=400)
        _driver, content_type, extension = FORMATS[fmt]
        try:
            epsg = export_crs(request.GET.get("crs"), layer.plan).to_epsg()
        except ExportError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        stored = layer_download_request(layer=layer, fmt=fmt, epsg=epsg, by=request.user)
        back_url = layer.plan.get_absolute_url()
        if stored is None:
            return _pending_response(request, back_url)
        name = slugify(f"{layer.plan.slug}-{layer.name}") or f"ebene-{layer.pk}"
        return _file_response(request, stored, content_type, f"{name}.{extension}", back_url)


class PlanLayersDownloadView(View):
    """GET /api/v1/plans/<id>/layers.gpkg: a published plan's current layers in one GeoPackage (built by a task)."""

    def get(self, request, pk):
        plan = get_object_or_404(Plan.objects.published().select_related("municipality"), pk=pk)
        layers = list(plan.layers.filter(current=True))
        if not layers:
            raise Http404
        try:
            epsg = export_crs(request.GET.get("crs"), plan).to_epsg()
        except ExportError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        stored = plan_download_request(plan=plan, layers=layers, epsg=epsg, by=request.user)
        if stored is None:
            return _pending_response(request, plan.get_absolute_url())
        filename = f"{plan.municipality.slug}-{plan.slug}-ebenen.gpkg"
        return _file_response(request, stored, FORMATS["gpkg"][1], filename, plan.get_absolute_url())
