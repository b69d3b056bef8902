"""Run these tests against a real S3 API: moto in server mode on a free local port, one bucket.

The default and staging storages are switched to django-storages' S3Storage with the same options
config/settings.py uses when S3_BUCKET is set; every other test of the suite stays on local disk.
"""

from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

BUCKET = "planbeteiligung-test"
REGION = "eu-central-1"


@dataclass
class S3Server:
    endpoint: str
    client: object

    def keys(self, prefix: str = "") -> list[str]:
        """Return the keys in the bucket under `prefix`, sorted."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def empty(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=BUCKET, Key=key)


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=REGION,
    )
    # moto keeps one in-memory backend per process: a bucket made by another module's server is already there.
    try:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    server_handle = S3Server(endpoint=endpoint, client=client)
    server_handle.empty()
    yield server_handle
    server.stop()


def s3_options(endpoint: str, location: str) -> dict:
    """Return the S3Storage options config/settings.py builds from S3_* variables."""
    return {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": REGION,
        "addressing_style": "path",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 3600,
        "file_overwrite": False,
        "location": location,
    }


@pytest.fixture(autouse=True)
def s3(settings, s3_server):
    """Store media and staged uploads in the S3 bucket; empty it and the process caches afterwards."""
    from geodata import views
    from geodata.serving.tiles import forget_archives

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(s3_server.endpoint, "media")},
        "staging": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(s3_server.endpoint, "staging")},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield s3_server
    s3_server.empty()
    forget_archives()
    views._geojson_bytes.clear()


@pytest.fixture
def get_object_calls():
    """Record the parameters of every GetObject the default storage's S3 client sends."""
    from django.core.files.storage import default_storage

    calls: list[dict] = []

    def record(params, **kwargs):
        calls.append(dict(params))

    events = default_storage.connection.meta.client.meta.events
    events.register("provide-client-params.s3.GetObject", record)
    yield calls
    events.unregister("provide-client-params.s3.GetObject", record)
