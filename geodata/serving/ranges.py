"""Read byte ranges of a stored file without fetching all of it: S3 `Range` requests or `pread` on disk."""

from __future__ import annotations

import os
from typing import Protocol

from django.core.files.storage import Storage


class RangeReader(Protocol):
    def read(self, offset: int, length: int) -> bytes: ...


class LocalRangeReader:
    """Ranges of a file on the local disk, read with `os.pread` on one descriptor shared by all threads."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDONLY)

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self.fd, length, offset)

    def __del__(self):
        try:
            os.close(self.fd)
        except (OSError, AttributeError):
            pass


class S3RangeReader:
    """Ranges of an object in an S3 bucket, one `GetObject` with a `Range` header per read."""

    def __init__(self, storage, name: str):
        self.client = storage.connection.meta.client
        self.bucket = storage.bucket_name
        self.key = storage._normalize_name(name)

    def read(self, offset: int, length: int) -> bytes:
        if length <= 0:
            return b""
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=self.key, Range=f"bytes={offset}-{offset + length - 1}"
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                raise FileNotFoundError(self.key) from exc
            if code == "InvalidRange":  # past the end (or an empty object)
                return b""
            raise
        with response["Body"] as body:
            return body.read()


class StorageRangeReader:
    """Ranges through the storage's own file object (seek + read), for other storage backends."""

    def __init__(self, storage: Storage, name: str):
        self.storage = storage
        self.name = name

    def read(self, offset: int, length: int) -> bytes:
        with self.storage.open(self.name, "rb") as handle:
            handle.seek(offset)
            return handle.read(length)


def is_s3(storage: Storage) -> bool:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a runtime dependency
        return False
    return isinstance(storage, S3Storage)


def open_reader(storage: Storage, name: str) -> RangeReader | None:
    """Return a range reader for the stored file `name`, or None if it does not exist."""
    if is_s3(storage):
        return S3RangeReader(storage, name)  # a missing object raises FileNotFoundError on the first read
    try:
        path = storage.path(name)
    except NotImplementedError:
        return StorageRangeReader(storage, name) if storage.exists(name) else None
    try:
        return LocalRangeReader(path)
    except FileNotFoundError:
        return None
