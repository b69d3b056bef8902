"""Check uploaded files and unpack archives safely before GDAL sees them.

Every file is checked for its size. A ZIP/KMZ archive's central directory is checked first
(member count, paths, links, declared unpacked size, compression ratio), so a ZIP bomb is refused
before a byte is unpacked; then it is unpacked member by member into a private directory, counting
the bytes actually written against lying headers. XML files are scanned for DOCTYPE/ENTITY
declarations (XXE, entity expansion) and refused if they contain any. Error messages never show
server paths.
"""

import re
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportRejected

MB = 1024 * 1024
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".dxf", ".fgb", ".gml", ".xml")
XML_SUFFIXES = (".kml", ".gml", ".xml")
ARCHIVE_SUFFIXES = (".zip", ".kmz")
MAX_MEMBERS = 1000


def upload_limit_bytes() -> int:
    return settings.MAX_UPLOAD_SIZE_MB * MB


def unpacked_limit_bytes() -> int:
    return getattr(settings, "MAX_UNPACKED_SIZE_MB", 4 * settings.MAX_UPLOAD_SIZE_MB) * MB


def check_size(path: Path) -> None:
    """Refuse files above settings.MAX_UPLOAD_SIZE_MB."""
    size = path.stat().st_size
    if size > upload_limit_bytes():
        raise ImportRejected(
            _("Die Datei ist zu groß (%(size).1f MB). Erlaubt sind höchstens %(limit)d MB.")
            % {"size": size / MB, "limit": settings.MAX_UPLOAD_SIZE_MB},
            code="file_too_large",
        )
    if size == 0:
        raise ImportRejected(_("Die Datei ist leer."), code="empty_file")


def is_zip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def error_text(exc: BaseException) -> str:
    """Return the first line of an error message with server paths cut down to their file names."""
    text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    return _ABSOLUTE_PATH.sub(lambda match: PurePosixPath(match.group(0)).name, text)


_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^\s'\"/:]+/)+[^\s'\":]*")


def _bomb(limit: int) -> ImportRejected:
    return ImportRejected(
        _(
            "Das ZIP-Archiv ist entpackt größer als erlaubt (mehr als %(limit)d MB). "
            "Möglicherweise handelt es sich um eine ZIP-Bombe."
        )
        % {"limit": limit // MB},
        code="zip_bomb",
    )


def check_archive(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Check an archive's central directory before anything is unpacked; return the members to unpack.

    Refuses too many members, absolute paths, ``..`` components, symbolic links, a declared
    unpacked size above MAX_UNPACKED_SIZE_MB and a compression ratio above
    IMPORT_MAX_COMPRESSION_RATIO (ZIP bombs).
    """
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ImportRejected(_("Das ZIP-Archiv enthält zu viele Dateien (mehr als 1000)."), code="too_many_members")
    for info in members:
        name = info.filename.replace("\\", "/")
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
            raise ImportRejected(
                _(
                    "Das ZIP-Archiv enthält einen unzulässigen Pfad (%(name)s). Pfade mit „..“ oder absolute "
                    "Pfade werden aus Sicherheitsgründen abgelehnt."
                )
                % {"name": info.filename},
                code="zip_path_traversal",
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ImportRejected(
                _("Das ZIP-Archiv enthält einen symbolischen Link (%(name)s); das ist nicht erlaubt.")
                % {"name": info.filename},
                code="zip_symlink",
            )
    files = [info for info in members if not info.is_dir()]
    declared = sum(info.file_size for info in files)
    if declared > unpacked_limit_bytes():
        raise _bomb(unpacked_limit_bytes())
    compressed = sum(info.compress_size for info in files)
    ratio_limit = getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", 200)
    # Tiny archives compress absurdly well without harm; judge the ratio from 1 MB unpacked on.
    if declared > MB and declared > ratio_limit * max(compressed, 1):
        raise ImportRejected(
            _(
                "Das ZIP-Archiv ist ungewöhnlich stark komprimiert (%(ratio)d:1, erlaubt sind höchstens "
                "%(limit)d:1). Möglicherweise handelt es sich um eine ZIP-Bombe."
            )
            % {"ratio": declared // max(compressed, 1), "limit": ratio_limit},
            code="zip_ratio",
        )
    return members


def safe_unzip(path: Path, target: Path) -> list[Path]:
    """Unpack the archive `path` into `target` and return the unpacked files.

    The central directory is checked first (`check_archive`); while unpacking, the bytes
    actually written are counted per member and in total, so a header that understates a
    member's size is caught as soon as the member grows past it.
    """
    limit = unpacked_limit_bytes()
    target = target.resolve()
    written = 0
    files = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected(
            _("Das ZIP-Archiv ist beschädigt oder unvollständig und kann nicht gelesen werden (%(error)s).")
            % {"error": error_text(exc)},
            code="corrupt_archive",
        ) from exc
    with archive:
        for info in check_archive(archive):
            pure = PurePosixPath(info.filename.replace("\\", "/"))
            destination = (target / pure).resolve()
            if target not in destination.parents and destination != target:
                raise ImportRejected(
                    _("Das ZIP-Archiv enthält einen unzulässigen Pfad (%(name)s).") % {"name": info.filename},
                    code="zip_path_traversal",
                )
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            if pure.name.startswith("__MACOSX") or "__MACOSX" in pure.parts:
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            member_written = 0
            try:
                with archive.open(info) as source, open(destination, "wb") as sink:
                    while chunk := source.read(MB):
                        written += len(chunk)
                        member_written += len(chunk)
                        if written > limit or member_written > info.file_size:
                            raise _bomb(limit)
                        sink.write(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
                raise ImportRejected(
                    _("Das ZIP-Archiv ist beschädigt oder unvollständig (%(name)s: %(error)s).")
                    % {"name": info.filename, "error": error_text(exc)},
                    code="corrupt_archive",
                ) from exc
            files.append(destination)
    return files


def reject_xml_declarations(path: Path) -> None:
    """Refuse XML that declares a DOCTYPE or entities (XXE, 'billion laughs')."""
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(MB):
            window = (tail + chunk).upper()
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise ImportRejected(
                    _(
                        "Die XML-Datei %(name)s enthält eine DOCTYPE- oder ENTITY-Deklaration. Solche Dateien werden "
                        "aus Sicherheitsgründen (externe Entitäten, Entity-Expansion) abgelehnt."
                    )
                    % {"name": path.name},
                    code="xml_entities",
                )
            tail = chunk[-16:]


# `<file>.<ext>.xml` beside a dataset is metadata, not data: GDAL's `*.aux.xml` (PAM), ArcGIS's
# `*.shp.xml`, metadata of rasters and documents. Such sidecars are ignored.
SIDECAR_INNER_SUFFIXES = {
    ".aux", ".shp", ".dbf", ".gpkg", ".gml", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".jp2", ".ecw",
    ".tfw", ".pgw", ".jgw", ".wld", ".pdf", ".vrt", ".ovr",
}  # fmt: skip


def is_sidecar(path: Path) -> bool:
    """Return True for metadata files beside a dataset (e.g. `plan.tif.aux.xml`, `flaechen.shp.xml`)."""
    name = path.name.lower()
    return name.endswith(".xml") and Path(name[:-4]).suffix in SIDECAR_INNER_SUFFIXES


def _vector_files(files: list[Path]) -> list[Path]:
    candidates = [
        f for f in files if f.suffix.lower() in VECTOR_SUFFIXES and not f.name.startswith(".") and not is_sidecar(f)
    ]
    gml = [f for f in candidates if f.suffix.lower() == ".gml"]
    if len(gml) == 1 and all(f.suffix.lower() in (".gml", ".xml") for f in candidates):
        return gml  # one GML file beside other XML (metadata, a schema copy): the GML is the dataset
    return candidates


def prepare_source(path: Path, workdir: Path, *, original_name: str | None = None) -> Path:
    """Check `path`, unpack it into `workdir` if it is an archive and return the dataset to read."""
    path = Path(path)
    check_size(path)
    name = original_name or path.name
    suffix = Path(name).suffix.lower()
    if is_zip(path) or suffix in ARCHIVE_SUFFIXES:
        unpacked = workdir / "unpacked"
        unpacked.mkdir(parents=True, exist_ok=True)
        files = safe_unzip(path, unpacked)
        candidates = _vector_files(files)
        if suffix == ".kmz" or (not candidates and any(f.suffix.lower() == ".kml" for f in files)):
            candidates = [f for f in files if f.suffix.lower() == ".kml"]
        shapefiles = [f for f in candidates if f.suffix.lower() == ".shp"]
        if shapefiles:
            for shp in shapefiles:
                missing = [
                    ext
                    for ext in (".shx", ".dbf")
                    if not any(f.with_suffix(ext) == g or f.with_suffix(ext.upper()) == g for f in [shp] for g in files)
                ]
                if missing:
                    raise ImportRejected(
                        _("Zum Shapefile %(name)s fehlen Bestandteile: %(missing)s.")
                        % {"name": shp.name, "missing": ", ".join(missing)},
                        code="shapefile_incomplete",
                    )
            if len(shapefiles) == 1:
                dataset = shapefiles[0]
            else:
                if len({s.parent for s in shapefiles}) != 1:
                    raise ImportRejected(
                        _(
                            "Das ZIP-Archiv enthält Shapefiles in mehreren Ordnern; "
                            "bitte nur einen Datensatz hochladen."
                        ),
                        code="ambiguous_archive",
                    )
                dataset = shapefiles[0].parent
        elif len(candidates) == 1:
            dataset = candidates[0]
        elif not candidates:
            raise ImportRejected(
                _(
                    "Das ZIP-Archiv enthält keine lesbare Geodatei (Shapefile, GeoPackage, GeoJSON, KML, DXF, "
                    "FlatGeobuf oder XPlanGML)."
                ),
                code="no_dataset",
            )
        else:
            raise ImportRejected(
                _("Das ZIP-Archiv enthält mehrere Geodateien (%(names)s); bitte nur eine hochladen.")
                % {"names": ", ".join(sorted(c.name for c in candidates))},
                code="ambiguous_archive",
            )
    else:
        # Give GDAL a file whose suffix tells the format, inside our private directory.
        dataset = workdir / ("source" + suffix)
        if Path(path).resolve() != dataset.resolve():
            shutil.copyfile(path, dataset)
    paths = [dataset] if dataset.is_file() else list(dataset.iterdir())
    for candidate in paths:
        if candidate.suffix.lower() in XML_SUFFIXES:
            reject_xml_declarations(candidate)
    return dataset
