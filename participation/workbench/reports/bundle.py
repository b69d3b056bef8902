"""The export bundle: a ZIP with the Abwägungstabelle (XLSX), every attachment and a manifest.

Attachments are named by statement number (`anhaenge/0012_1_gutachten.pdf`) and copied from
their storage (local disk or S3) into the archive in chunks, so neither a large file nor the
whole bundle is ever held in memory. The manifest (`manifest.csv`) lists exactly what the
archive holds, with size and SHA-256 of the bytes written, and names attachments missing from
the storage.
"""

import csv
import hashlib
import io
import mimetypes
import re
import zipfile
from collections.abc import Callable
from typing import BinaryIO

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import xlsx
from .csv import cell_text

LABEL = gettext_lazy("ZIP mit Anhängen")
FOLDER = "anhaenge"
TABLE_NAME = "abwaegungstabelle.xlsx"
MANIFEST_NAME = "manifest.csv"
CHUNK = 1024 * 1024
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
# Already compressed: storing them again costs time and gains nothing.
STORED_TYPES = {"image/jpeg", "image/png", "application/zip"}


def safe_name(original_name: str, content_type: str = "") -> str:
    """Return `original_name` as a harmless archive name: ASCII, lower case, no path, a short extension."""
    base = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = slugify(stem.translate(UMLAUTS))[:60] or "anhang"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())[:8]
    if not extension:
        extension = (mimetypes.guess_extension(content_type or "") or ".bin").lstrip(".")
    return f"{stem}.{extension}"


def attachment_name(number: int, index: int, original_name: str, content_type: str = "") -> str:
    """Return the archive path of a statement's `index`-th attachment: 'anhaenge/0012_1_gutachten.pdf'."""
    return f"{FOLDER}/{number:04d}_{index}_{safe_name(original_name, content_type)}"


def _copy(source: BinaryIO, archive: zipfile.ZipFile, name: str, size: int, content_type: str) -> tuple[int, str]:
    """Copy `source` into the archive as `name` in chunks; return the bytes written and their SHA-256."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_STORED if content_type in STORED_TYPES else zipfile.ZIP_DEFLATED
    digest, written = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=size > 2**31) as target:
        while chunk := source.read(CHUNK):
            target.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    return written, digest.hexdigest()


def write(
    *, out: BinaryIO, rows, columns, consultation, progress: Callable[[int, int], None] | None = None
) -> list[dict]:
    """Write the bundle into the binary file `out`; return the manifest entries."""
    attachments = [(row["number"], a) for row in rows for a in row["attachments"]]
    total = len(rows) + len(attachments)
    report = progress or (lambda done, total: None)
    report(0, total)
    manifest: list[dict] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as archive:
        table = xlsx.render(rows=rows, columns=columns, consultation=consultation)
        archive.writestr(TABLE_NAME, table)
        manifest.append(
            {
                "number": "",
                "path": TABLE_NAME,
                "original_name": "",
                "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "size": len(table),
                "sha256": hashlib.sha256(table).hexdigest(),
                "status": _("enthalten"),
            }
        )
        report(len(rows), total)
        index_of: dict[int, int] = {}
        for done, (number, attachment) in enumerate(attachments, start=len(rows) + 1):
            index_of[number] = index_of.get(number, 0) + 1
            path = attachment_name(number, index_of[number], attachment.original_name, attachment.content_type)
            entry = {
                "number": number,
                "path": path,
                "original_name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": 0,
                "sha256": "",
            }
            try:
                source = attachment.file.storage.open(attachment.file.name, "rb")
            except (FileNotFoundError, OSError):
                manifest.append({**entry, "path": "", "status": _("fehlt im Speicher")})
                report(done, total)
                continue
            with source:
                size, sha256 = _copy(source, archive, path, attachment.size, attachment.content_type)
            matches = not attachment.sha256 or attachment.sha256 == sha256
            status = _("enthalten") if matches else _("enthalten, Prüfsumme weicht ab")
            manifest.append({**entry, "size": size, "sha256": sha256, "status": status})
            report(done, total)
        archive.writestr(MANIFEST_NAME, manifest_csv(manifest))
    return manifest


def manifest_csv(entries: list[dict]) -> bytes:
    """Return the manifest as CSV for German Excel (UTF-8 with BOM, semicolons)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [_("Nr."), _("Datei im Archiv"), _("Originalname"), _("Dateityp"), _("Größe (Bytes)"), "SHA-256", _("Status")]
    )
    for e in entries:
        writer.writerow(
            [
                e["number"],
                e["path"],
                cell_text(e["original_name"]),
                e["content_type"],
                e["size"],
                e["sha256"],
                e["status"],
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
